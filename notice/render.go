// Package notice makes the result notice (公示) of a closed consultation
// (DESIGN §7): an A4 PDF in Simplified Chinese rendered from the frozen
// result alone, approved by the owners' committee and the residents'
// committee, and then signed by both — the committee's signature first,
// the residents' committee's countersignature second — as incremental
// updates, so any PDF reader (and poppler's pdfsig) can check both.
package notice

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	qrcode "github.com/skip2/go-qrcode"

	"gongjue/ballot"
	"gongjue/locale"
	"gongjue/pdfdoc"
	"gongjue/quorum"
	"gongjue/tally"
)

// Content is everything a notice shows. Result is the decoded frozen result
// whose stored bytes hash to ResultSHA256.
type Content struct {
	NoticeID     string
	Result       *tally.Document
	ResultSHA256 string
	PeriodDays   int
	From         time.Time // the notice period starts: when the notice is signed
	VerifyURL    string    // {PUBLIC_URL}/verify/{NoticeID}, in the QR code
	// Signers name the two signing bodies, committee first, as their
	// certificates do.
	Signers [2]string
}

// PeriodEnd is the last day of the notice period: From plus PeriodDays − 1
// calendar days, the day of posting being the first.
func (c *Content) PeriodEnd() time.Time {
	return c.From.In(locale.China).AddDate(0, 0, c.PeriodDays-1)
}

// Keywords is the document's keywords entry: the notice id and the hash of
// the result it states. It is written unencoded in the PDF's information
// dictionary, inside the signed bytes, so the verification page can read
// back which result was signed.
func Keywords(noticeID, resultSHA256 string) string {
	return "gongjue-notice:" + noticeID + " result-sha256:" + resultSHA256
}

// Render draws the notice. The same content gives the same bytes.
func Render(c *Content) ([]byte, error) {
	d := c.Result
	f := pdfdoc.New(pdfdoc.At(c.From), pdfdoc.Title(d.Consultation.Community+" 表决结果公告"))
	f.SetKeywords(Keywords(c.NoticeID, c.ResultSHA256), false)
	f.SetSubject("表决结果公告 / result notice "+c.NoticeID, true)
	f.SetAuthor(c.Signers[0], true)
	r := &renderer{f: f, c: c}
	f.SetFooterFunc(r.footer)
	f.AddPage()
	r.header()
	for i := range d.Matters {
		r.matter(i, &d.Matters[i])
	}
	r.closing()
	return pdfdoc.Bytes(f)
}

type renderer struct {
	f *gofpdf.Fpdf
	c *Content
}

const lineH = 6.0

func (r *renderer) width() float64 {
	w, _ := r.f.GetPageSize()
	return w - pdfdoc.MarginLeft - pdfdoc.MarginRight
}

func (r *renderer) size(pt float64) { r.f.SetFontSize(pt) }

func (r *renderer) text(s string) {
	pdfdoc.Paragraph(r.f, 0, lineH, printable(s), "L")
}

func (r *renderer) center(pt float64, s string) {
	r.size(pt)
	r.f.CellFormat(0, pt*0.5, printable(s), "", 1, "C", false, 0, "")
	r.size(pdfdoc.DefaultFontSize)
}

// bold draws s with a faux bold (the face has no bold style).
func (r *renderer) bold(pt float64, s string) {
	r.size(pt)
	r.f.SetTextRenderingMode(2)
	r.f.SetLineWidth(0.25)
	pdfdoc.Paragraph(r.f, 0, pt*0.5, printable(s), "L")
	r.f.SetTextRenderingMode(0)
	r.f.SetLineWidth(0.2)
	r.size(pdfdoc.DefaultFontSize)
}

func (r *renderer) header() {
	d := r.c.Result
	cons := d.Consultation
	r.center(20, cons.Community+"业主大会")
	r.f.Ln(2)
	r.center(18, "表决结果公告")
	r.f.Ln(4)
	title := cons.Title
	if cons.Round > 1 {
		title += fmt.Sprintf("（第%d轮）", cons.Round)
	}
	r.center(14, title)
	r.f.Ln(4)
	r.size(10.5)
	rows := [][2]string{
		{"小区", strings.TrimSpace(cons.Community + "　" + cons.Address)},
		{"表决期间", fmt.Sprintf("%s 至 %s", locale.MinuteZH(cons.OpensAt), locale.MinuteZH(cons.ClosesAt))},
		{"表决范围", locale.Scope(cons.Scope.Zone, cons.Scope.Building, cons.Scope.Entrance).ZH},
		{"分区否决", locale.Veto(string(cons.Veto.Mode), cons.Veto.Zones).ZH},
		{"计票时间", locale.MinuteZH(d.ClosedAt) + closedByText(d.ClosedBy)},
		{"公告编号", r.c.NoticeID},
	}
	if e := d.Extension; e != nil {
		rows = append(rows, [2]string{"延期", extensionText(e)})
	}
	r.table([]float64{28, r.width() - 28}, nil, rows)
	r.f.Ln(3)
}

// table draws rows of cells with borders; head, when not nil, is shaded.
func (r *renderer) table(widths []float64, head []string, rows [][2]string) {
	f := r.f
	if head != nil {
		f.SetFillColor(235, 235, 235)
		for i, h := range head {
			f.CellFormat(widths[i], 7, h, "1", 0, "C", true, 0, "")
		}
		f.Ln(-1)
	}
	for _, row := range rows {
		x, y := f.GetX(), f.GetY()
		lines := pdfdoc.Lines(f, printable(row[1]), widths[1]-2)
		h := max(float64(len(lines))*5.5, 7)
		if y+h > 297-pdfdoc.MarginBottom-12 {
			f.AddPage()
			x, y = f.GetX(), f.GetY()
		}
		f.SetFillColor(245, 245, 245)
		f.CellFormat(widths[0], h, row[0], "1", 0, "C", true, 0, "")
		f.Rect(x+widths[0], y, widths[1], h, "D")
		f.SetXY(x+widths[0]+1, y+(h-float64(len(lines))*5.5)/2)
		for _, l := range lines {
			f.CellFormat(widths[1]-2, 5.5, l, "", 2, "L", false, 0, "")
			f.SetX(x + widths[0] + 1)
		}
		f.SetXY(x, y+h)
	}
}

// grid draws a table of short cells.
func (r *renderer) grid(widths []float64, head []string, rows [][]string) {
	f := r.f
	if f.GetY()+7*float64(len(rows)+1) > 297-pdfdoc.MarginBottom-12 {
		f.AddPage()
	}
	f.SetFillColor(235, 235, 235)
	for i, h := range head {
		f.CellFormat(widths[i], 7, printable(h), "1", 0, "C", true, 0, "")
	}
	f.Ln(-1)
	for _, row := range rows {
		for i, cell := range row {
			align := "R"
			if i == 0 {
				align = "L"
			}
			f.CellFormat(widths[i], 6.5, printable(cell), "1", 0, align, false, 0, "")
		}
		f.Ln(-1)
	}
}

var ordinals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i]
	}
	return fmt.Sprint(i + 1)
}

func (r *renderer) matter(i int, m *tally.Matter) {
	f := r.f
	if f.GetY() > 297-pdfdoc.MarginBottom-60 {
		f.AddPage()
	}
	r.bold(13, fmt.Sprintf("事项%s：%s", ordinal(i), m.Title))
	f.Ln(1)
	r.size(10)
	r.text(fmt.Sprintf("%s · %s", locale.Kind(m.Kind, m.Options, m.Seats).ZH, locale.Category(m.Category).ZH))
	r.text(LegalBasis(m))
	if s := ballot.ElectionNoVeto(r.c.Result.Consultation.Veto, m.Kind); s != nil {
		r.text(s.ZH)
	}
	f.Ln(1)
	o, ok := m.Turnout()
	if !ok {
		return
	}
	r.size(10)
	w := r.width()
	widths := []float64{w * 0.28, w * 0.16, w * 0.18, w * 0.20, w * 0.18}
	head := []string{"项目", "人数", "占比", "面积（㎡）", "占比"}
	rows := [][]string{
		{locale.Eligible.ZH, locale.Count(int64(o.Eligible.Headcount)), locale.Percent(1, 1), locale.Area(int64(o.Eligible.Area)), locale.Percent(1, 1)},
		share(locale.Participating.ZH, o.Participating, o.Eligible),
	}
	part := o.Participating
	choice := func(label string, t quorum.Tally) []string { return share(label, t, part) }
	verdict := Verdict(r.c.Result, m).ZH
	var explanation string
	var zonesOf *quorum.Result
	switch res := m.Result.(type) {
	case *quorum.Result:
		rows = append(rows, choice(locale.Choice("agree").ZH, res.Overall.Agree), choice(locale.Choice("oppose").ZH, res.Overall.Oppose), choice(locale.AbstainInclSpoiled.ZH, res.Overall.Abstain))
		explanation = res.Explanation.ZH
		zonesOf = res
	case *tally.ChoiceResult:
		for _, opt := range m.Options {
			rows = append(rows, choice("选择「"+opt+"」", res.Options[opt].Overall.Agree))
		}
		if len(m.Options) > 0 {
			rows = append(rows, choice(locale.AbstainInclSpoiled.ZH, res.Options[m.Options[0]].Overall.Abstain))
		}
		if res.Decided {
			zonesOf = res.Options[res.Winner]
			explanation = "「" + res.Winner + "」：" + res.Options[res.Winner].Explanation.ZH
		}
		if res.Mode == quorum.ChoicePlurality {
			explanation = "本事项为咨询性表决，按得票人数（其次面积）最多者确定。" + explanation
		}
	case *tally.ElectionResult:
		for _, cand := range m.Options {
			cr := res.Candidates[cand]
			label := "同意「" + cand + "」"
			if cr.Elected {
				label += " 当选"
			}
			rows = append(rows, choice(label, cr.Overall.Agree))
		}
	}
	r.grid(widths, head, rows)
	f.Ln(1)
	r.size(9)
	r.text("注：同意、反对、弃权的人数与面积占比以实际参与表决的人数与面积为基数；同一业主拥有多个专有部分的按一人计算，建设单位尚未出售和虽已出售但尚未交付的部分按一人计算。")
	f.Ln(1)
	r.bold(13, "表决结果："+verdict)
	if explanation != "" {
		r.size(9)
		r.text("说明：" + explanation)
	}
	if zonesOf != nil && len(zonesOf.Zones) > 0 {
		f.Ln(1)
		r.zones(m.Kind, zonesOf)
	}
	f.Ln(4)
}

func (r *renderer) zones(kind string, res *quorum.Result) {
	veto := r.c.Result.Consultation.Veto
	r.size(9)
	w := r.width()
	widths := []float64{w * 0.14, w * 0.19, w * 0.19, w * 0.19, w * 0.14, w * 0.15}
	agree, _ := locale.AgreeOppose(kind)
	head := []string{"区域", "参与人数", "参与面积", agree.ZH + "（人数/面积）", "区域结果", "否决"}
	var rows [][]string
	for _, name := range slices.Sorted(maps.Keys(res.Zones)) {
		z := res.Zones[name]
		vetoCell := "—"
		if veto.Mode != "" && veto.Mode != quorum.VetoNone {
			switch {
			case !holdsVeto(veto, name):
				vetoCell = "无否决权"
			case z.Vetoed:
				vetoCell = "否决"
			default:
				vetoCell = "未否决"
			}
		}
		rows = append(rows, []string{
			name,
			fmt.Sprintf("%s/%s %s", locale.Count(int64(z.Participating.Headcount)), locale.Count(int64(z.Eligible.Headcount)), locale.Percent(int64(z.Participating.Headcount), int64(z.Eligible.Headcount))),
			locale.Percent(int64(z.Participating.Area), int64(z.Eligible.Area)),
			fmt.Sprintf("%s / %s", locale.Percent(int64(z.Agree.Headcount), int64(z.Participating.Headcount)), locale.Percent(int64(z.Agree.Area), int64(z.Participating.Area))),
			locale.Passed(z.Passed).ZH,
			vetoCell,
		})
	}
	r.grid(widths, head, rows)
	r.f.Ln(1)
	r.text(WhatIf(veto.Mode, res.WhatIf).ZH)
}

func (r *renderer) closing() {
	f := r.f
	c := r.c
	d := c.Result
	if f.GetY() > 297-pdfdoc.MarginBottom-85 {
		f.AddPage()
	}
	r.bold(12, "公示")
	r.size(10)
	r.text(fmt.Sprintf("公示期：%d日，自%s起至%s止。业主对本公告有异议的，可在公示期内向业主委员会书面提出。",
		c.PeriodDays, locale.DayZH(c.From), locale.DayZH(c.PeriodEnd())))
	if e := d.Extension; e != nil && e.Lapsed && e.RetableFrom != nil {
		r.text(fmt.Sprintf("本次表决经延期后仍未达到参与表决比例，相关事项终止；自%s起方可再次提出，此前再次提出须经业主委员会三分之二以上委员同意。", locale.DayZH(*e.RetableFrom)))
	}
	f.Ln(2)
	top := f.GetY()
	qrSize := 34.0
	textW := r.width() - qrSize - 6
	r.size(8.5)
	cp := d.Checkpoint
	lines := []string{
		fmt.Sprintf("选票日志最终检查点：共 %d 张已计票选票", cp.Size),
		"日志根哈希：" + base64.StdEncoding.EncodeToString(cp.Hash[:]),
	}
	if cp.VerifierKey != "" {
		lines = append(lines, "日志验证公钥："+cp.VerifierKey)
	}
	lines = append(lines,
		"结果数据 SHA-256："+c.ResultSHA256,
		"业主可扫描右侧二维码或访问以下网址，核对本公告、两方电子签名及本人选票回执：",
		c.VerifyURL,
	)
	for _, l := range lines {
		pdfdoc.Paragraph(f, textW, 4.5, printable(l), "L")
	}
	png, err := qrcode.Encode(c.VerifyURL, qrcode.Medium, 512)
	if err != nil {
		f.SetError(err)
		return
	}
	opt := gofpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader("verify-qr", opt, bytes.NewReader(png))
	f.ImageOptions("verify-qr", pdfdoc.MarginLeft+textW+6, top, qrSize, qrSize, false, opt, 0, "")
	f.SetY(max(f.GetY(), top+qrSize) + 6)
	r.size(11)
	half := r.width() / 2
	f.CellFormat(half, 7, printable(c.Signers[0]), "", 0, "L", false, 0, "")
	f.CellFormat(half, 7, printable(c.Signers[1]), "", 1, "L", false, 0, "")
	r.size(9)
	f.CellFormat(half, 5, "（电子签名）", "", 0, "L", false, 0, "")
	f.CellFormat(half, 5, "（电子签名 · 会签）", "", 1, "L", false, 0, "")
	f.CellFormat(half, 5, locale.DayZH(c.From), "", 0, "L", false, 0, "")
	f.CellFormat(half, 5, locale.DayZH(c.From), "", 1, "L", false, 0, "")
}

func (r *renderer) footer() {
	f := r.f
	f.SetY(-12)
	r.size(8)
	f.SetTextColor(110, 110, 110)
	f.CellFormat(0, 5, fmt.Sprintf("公告编号 %s · 第 %d 页", r.c.NoticeID, f.PageNo()), "", 0, "C", false, 0, "")
	f.SetTextColor(0, 0, 0)
	r.size(pdfdoc.DefaultFontSize)
}

// LegalBasis is the sentence stating the rule a matter was decided under
// and where it comes from.
func LegalBasis(m *tally.Matter) string {
	rule := m.Rule
	part := fmt.Sprintf("应由专有部分面积占比%s的业主且人数占比%s的业主参与表决",
		rule.Participation.Area.Words().ZH, rule.Participation.Headcount.Words().ZH)
	approve := fmt.Sprintf("经参与表决专有部分面积%s的业主且参与表决人数%s的业主同意",
		rule.Approval.Area.Words().ZH, rule.Approval.Headcount.Words().ZH)
	var law string
	switch {
	case rule == quorum.OrdinaryRule:
		law = "依据《中华人民共和国民法典》第二百七十八条第二款"
	case rule == quorum.MajorRule:
		law = "依据《中华人民共和国民法典》第二百七十八条第二款（改建、重建建筑物及其附属设施，筹集建筑物及其附属设施的维修资金，改变共有部分的用途或者利用共有部分从事经营活动等事项）"
	default:
		law = "依据《中华人民共和国民法典》第二百七十八条及本小区《业主大会议事规则》"
	}
	switch m.Kind {
	case tally.KindChoice:
		approve = "某一选项" + approve + "的，该选项当选"
	case tally.KindElection:
		approve = "候选人" + approve + "的，按同意人数（其次面积）依次当选"
	}
	return law + "，本事项" + part + "，并" + approve + "。"
}

func holdsVeto(v quorum.Veto, zone string) bool {
	return len(v.Zones) == 0 || slices.Contains(v.Zones, zone)
}

// WhatIf is the line telling what the verdict would have been under each
// other veto mode.
func WhatIf(mode quorum.VetoMode, w quorum.WhatIf) locale.Text {
	verdicts := map[quorum.VetoMode]bool{quorum.VetoNone: w.None, quorum.VetoAllZones: w.AllZones, quorum.VetoZoneRejection: w.ZoneRejection}
	return locale.WhatIf(string(mode), func(m string) bool { return verdicts[quorum.VetoMode(m)] })
}

func closedByText(by string) string {
	if by == "automatic" {
		return "（表决截止时自动计票）"
	}
	return "（业主委员会计票）"
}

func extensionText(e *tally.Extension) string {
	var parts []string
	for _, s := range e.Steps {
		parts = append(parts, fmt.Sprintf("%s 决定由 %s 延期至 %s", locale.DayZH(s.At), locale.MinuteZH(s.From), locale.MinuteZH(s.To)))
	}
	s := "截止时参与表决未过半数，经业主委员会决定延期：" + strings.Join(parts, "；")
	if e.Lapsed {
		s += "。延期后仍未达到参与表决比例，表决终止"
	}
	return s
}

// share is a row of figures: a tally and its shares of whole.
func share(label string, t, whole quorum.Tally) []string {
	return []string{label, locale.Count(int64(t.Headcount)), locale.Percent(int64(t.Headcount), int64(whole.Headcount)),
		locale.Area(int64(t.Area)), locale.Percent(int64(t.Area), int64(whole.Area))}
}

// printable replaces characters the embedded font lacks.
func printable(s string) string {
	return strings.NewReplacer("✗", "✘", "☐", "□", "☑", "■").Replace(s)
}
