package api

// Exports (DESIGN §5.3): the per-unit record of a closed vote, the result
// summary, the delivery ledger and the roll, as XLSX or CSV.

import (
	"bytes"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/export"
	"gongjue/locale"
	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/tally"
)

// exportFile splits a file name, e.g. record.xlsx, into the export's name
// and format, answering 404 for any but names in XLSX or CSV.
func exportFile(file string, names ...string) (name, format string, err error) {
	name, format, _ = strings.Cut(file, ".")
	if format != export.XLSX && format != export.CSV {
		return "", "", errNotFound
	}
	for _, n := range names {
		if n == name {
			return name, format, nil
		}
	}
	return "", "", errNotFound
}

// sendTable writes t as the file filename.format.
func sendTable(c *gin.Context, t export.Table, filename, format string) error {
	var buf bytes.Buffer
	if err := export.Write(&buf, format, t); err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, filename, format))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, export.ContentType(format), buf.Bytes())
	return nil
}

// exportConsultation answers GET /api/v1/consultations/{id}/export/{record,summary,deliveries}.{xlsx,csv}.
func (s *Server) exportConsultation(c *gin.Context) error {
	name, format, err := exportFile(c.Param("file"), "record", "summary", "deliveries")
	if err != nil {
		return err
	}
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	var t export.Table
	switch name {
	case "record":
		t, err = s.recordTable(c, k)
	case "summary":
		t, err = s.summaryTable(c, k)
	case "deliveries":
		t, err = s.deliveryTable(c, k)
	}
	if err != nil {
		return err
	}
	return sendTable(c, t, fmt.Sprintf("%s-%d", name, k.ID), format)
}

var errNotClosed = errorf(http.StatusConflict, "not_closed", "表决尚未结束，明细和统计在结束后才能导出 / the vote is not closed: its record and summary are exported once it is")

// closedVote refuses a consultation still in draft or open.
func closedVote(k *ballot.Consultation) error {
	if k.State != ballot.Closed && k.State != ballot.Noticed {
		return errNotClosed
	}
	return nil
}

// when writes a time to the second in China's time, or "" for none.
func when(t *time.Time) string {
	if t == nil {
		return ""
	}
	return locale.Second(*t)
}

// recordTable is 表决明细: every ballot of a closed vote and how it was
// answered, the choices by matter in the consultation's order.
func (s *Server) recordTable(c *gin.Context, k *ballot.Consultation) (export.Table, error) {
	if err := closedVote(k); err != nil {
		return export.Table{}, err
	}
	rs, err := postgres.UnitRecords(c.Request.Context(), s.DB, k.CommunityID, k.ID)
	if err != nil {
		return export.Table{}, err
	}
	t := export.Table{Sheet: "表决明细", Header: []string{"房号", "区域", "面积（㎡）", "业主", "送达", "送达方式", "送达时间",
		"投票方式", "投票时间", "身份核验", "核验时间", "录入人", "确认人", "委托代理人",
		"选票原件 SHA-256", "委托书原件 SHA-256"}}
	for _, m := range k.Matters {
		t.Header = append(t.Header, m.Title)
	}
	for _, r := range rs {
		row := []string{r.Unit, r.Zone, locale.Area(int64(r.Area)), r.Owner, locale.DeliveryState(string(r.DeliveryState)).ZH,
			locale.DeliveryMethod(r.DeliveryMethod).ZH, when(r.DeliveredAt), "", when(r.CastAt), "", when(r.VerifiedAt),
			r.EnteredBy, r.ConfirmedBy, r.ProxyName, r.OriginalSHA256, r.AuthorisationSHA256}
		if r.Channel == "" {
			row[5], row[7] = "", "未投票"
		} else {
			row[7], row[9] = locale.Channel(r.Channel).ZH, locale.Verification(r.Verification).ZH
		}
		if r.DeliveryMethod == "" {
			row[5] = ""
		}
		for _, m := range k.Matters {
			var picked []string
			for i, id := range r.MatterIDs {
				if id == m.ID {
					picked = append(picked, locale.Choice(r.Choices[i]).ZH)
				}
			}
			row = append(row, strings.Join(picked, "、"))
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// summaryTable is 表决结果统计表: for each matter the notice's figures —
// the same cells, from the frozen result — then its table by zone.
func (s *Server) summaryTable(c *gin.Context, k *ballot.Consultation) (export.Table, error) {
	if err := closedVote(k); err != nil {
		return export.Table{}, err
	}
	stored, err := postgres.GetResult(c.Request.Context(), s.DB, k.ID)
	if err != nil {
		return export.Table{}, err
	}
	doc, err := tally.Decode(stored.JSON)
	if err != nil {
		return export.Table{}, err
	}
	t := export.Table{Sheet: "表决结果统计表", Header: []string{"表决结果统计表", k.Title, "结果 SHA-256", fmt.Sprintf("%x", stored.SHA256)}}
	for i, fig := range notice.Figures(doc, false) {
		t.Rows = append(t.Rows, []string{}, []string{fmt.Sprintf("事项%d", i+1), fig.Title, "表决结果", fig.Verdict},
			[]string{"", "项目", "人数", "人数占比", "专有部分面积（㎡）", "面积占比"})
		for _, r := range fig.Rows {
			t.Rows = append(t.Rows, []string{"", r.Label, r.Headcount, r.HeadcountPct, r.Area, r.AreaPct})
		}
		if len(fig.Zones) == 0 {
			continue
		}
		t.Rows = append(t.Rows, []string{"", fig.ZoneCaption},
			[]string{"", "区域", locale.Eligible.ZH, locale.Participating.ZH, locale.Choice("agree").ZH, locale.Choice("oppose").ZH, locale.Abstain(doc.SpoiledAbstain()).ZH, "区域结果"})
		for _, z := range fig.Zones {
			t.Rows = append(t.Rows, []string{"", z.Zone, oneLine(z.Eligible), oneLine(z.Participating), oneLine(z.Agree), oneLine(z.Oppose), oneLine(z.Abstain), oneLine(z.Verdict)})
		}
	}
	return t, nil
}

// oneLine joins a figure's lines (a headcount over an area) for one cell.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// deliveryTable is 送达台账: every unit in scope with each of its records.
func (s *Server) deliveryTable(c *gin.Context, k *ballot.Consultation) (export.Table, error) {
	ctx := c.Request.Context()
	units, err := postgres.ListDeliveries(ctx, s.DB, k.CommunityID, k.ID, "")
	if err != nil {
		return export.Table{}, err
	}
	names, err := postgres.AccountNames(ctx, s.DB, k.CommunityID)
	if err != nil {
		return export.Table{}, err
	}
	who := func(id *int64) string {
		if id == nil {
			return "系统（业主打开选票页面）"
		}
		return names[*id]
	}
	t := export.Table{Sheet: "送达台账", Header: []string{"房号", "送达情况", "记录编号", "送达方式", "送达时间", "签收人/见证人",
		"备注", "登记人", "登记时间", "记录状态", "核验/驳回人", "核验/驳回时间", "驳回理由", "照片"}}
	for _, u := range units {
		if len(u.Records) == 0 {
			t.Rows = append(t.Rows, []string{u.Unit, locale.DeliveryState(string(u.State)).ZH})
		}
		for _, d := range u.Records {
			decider := ""
			if d.DecidedAt != nil {
				decider = who(d.DecidedBy)
			}
			t.Rows = append(t.Rows, []string{u.Unit, locale.DeliveryState(string(u.State)).ZH, fmt.Sprint(d.ID),
				locale.DeliveryMethod(string(d.Method)).ZH, locale.Second(d.DeliveredAt), d.Recipient, d.Note,
				who(d.RecordedBy), locale.Second(d.RecordedAt), locale.DeliveryState(string(d.State)).ZH,
				decider, when(d.DecidedAt), d.Reason, locale.YesNo(d.HasPhoto).ZH})
		}
	}
	return t, nil
}

// exportRoll answers GET /api/v1/communities/{cid}/roll.{xlsx,csv}: the
// roll with the import's column names; of an ID number only whether one
// is on file.
func (s *Server) exportRoll(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	_, format, err := exportFile(path.Base(c.FullPath()), "roll")
	if err != nil {
		return err
	}
	us, err := postgres.ImportedRoll(c.Request.Context(), s.DB, cid)
	if err != nil {
		return err
	}
	t := export.Table{Sheet: "业主名册", Header: []string{"楼栋", "单元", "房号", "区域", "楼层", "建筑面积", "面积来源", "业主", "电话", "开发商持有", "证件号已登记"}}
	for _, u := range us {
		t.Rows = append(t.Rows, []string{u.Building, u.Entrance, u.Room, u.Zone, fmt.Sprint(u.Floor), locale.Area(int64(u.Area)),
			u.AreaSource, u.OwnerName, u.Phone, locale.YesNo(u.DeveloperHeld).ZH, locale.YesNo(u.IDNumberOnFile).ZH})
	}
	return sendTable(c, t, fmt.Sprintf("roll-%d", cid), format)
}
