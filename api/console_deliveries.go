package api

// The console's delivery ledger (送达台账, DESIGN §5.1): delivered / not
// delivered / voted per building and entrance; for one stairwell, its
// units with their records, the bulk entry of a leader's signed receipts
// and a second account's verify-all; verify, reject with a reason, and a
// photo per record. Every change is console.js calling the JSON API.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/procedure"
)

type deliveriesData struct {
	consoleData
	C                  *ballot.Consultation
	Open               bool
	CanRecord          bool // volunteers and the committee record and add photos
	Counts             postgres.DeliveryTurnout
	Buildings          []conBuildingView
	Building, Entrance string
	Stairwell          string // the chosen building and entrance, named
	Methods            []conMethodOption
	Units              []conLedgerUnit
	Verifiable         int    // records shown that await a check and are not this account's
	VerifyBody         string // the verify-all request for them
	Now                string // the default delivery time, as a datetime-local value
	// Done is what the last action did (recorded, verified, rejected,
	// photo), said once the page is back, and Back the page's own address
	// an action returns to.
	Done, DoneText, Back string
}

// conDeliveryDone is what the page says after each action.
var conDeliveryDone = map[string]locale.Text{
	"recorded": {ZH: "已登记，请另一个账号对照签收单核验。", EN: "Recorded: another account now checks them against the receipts."},
	"verified": {ZH: "已核验。", EN: "Verified."},
	"rejected": {ZH: "已驳回，理由已记入台账。", EN: "Rejected; the reason is in the ledger."},
	"photo":    {ZH: "照片已上传。", EN: "Photo uploaded."},
}

type conMethodOption struct {
	Value, Label string
}

type conLedgerUnit struct {
	Unit, State, StateText string
	Records                []conLedgerRecord
}

type conLedgerRecord struct {
	ID                                    int64
	Method, When, Recipient, Note         string
	RecordedBy, State, StateText          string
	DecidedBy, DecidedAt, Reason          string
	HasPhoto, CanVerify, CanReject, Photo bool
}

func (s *Server) consoleDeliveries(c *gin.Context) {
	d, k, ok := s.consoleConsultationPage(c)
	if !ok {
		return
	}
	if k.State == ballot.Draft {
		s.consolePageError(c, errNotOpened)
		return
	}
	data, err := s.deliveriesData(c, d, k)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	s.render(c, http.StatusOK, "console_deliveries", data)
}

func (s *Server) deliveriesData(c *gin.Context, d consoleData, k *ballot.Consultation) (deliveriesData, error) {
	ctx := c.Request.Context()
	data := deliveriesData{consoleData: d, C: k, Open: k.State == ballot.Open, CanRecord: d.IsCommittee() || d.IsVolunteer(),
		Building: strings.TrimSpace(c.Query("building")), Entrance: strings.TrimSpace(c.Query("entrance")),
		Now: time.Now().In(locale.China).Format("2006-01-02T15:04")}
	if text, ok := conDeliveryDone[c.Query("done")]; ok {
		data.Done, data.DoneText = c.Query("done"), say(d.Lang, text)
	}
	data.Back = fmt.Sprintf("/console/consultations/%d/deliveries?%s", k.ID, url.Values{"building": {data.Building}, "entrance": {data.Entrance}}.Encode())
	var err error
	if data.Counts, err = postgres.CountDeliveries(ctx, s.DB, k.CommunityID, k.ID); err != nil {
		return data, err
	}
	var entrances []postgres.Entrance
	for _, b := range data.Counts.Buildings {
		for _, e := range b.Entrances {
			entrances = append(entrances, postgres.Entrance{Building: b.Building, Entrance: e.Entrance, Units: e.Units})
		}
	}
	data.Buildings = conBuildingViews(entrances)
	for _, m := range k.Procedure.Settings.DeliveryMethods {
		if m != procedure.Electronic { // the server records those itself
			data.Methods = append(data.Methods, conMethodOption{string(m), methodName(d.Lang, m)})
		}
	}
	if data.Building == "" || data.Entrance == "" {
		return data, nil
	}
	data.Stairwell = say(d.Lang, locale.Scope("", data.Building, data.Entrance))
	ledger, err := postgres.ListDeliveries(ctx, s.DB, k.CommunityID, k.ID, "")
	if err != nil {
		return data, err
	}
	accounts, err := postgres.ListAccounts(ctx, s.DB, k.CommunityID)
	if err != nil {
		return data, err
	}
	names := map[int64]string{}
	for _, a := range accounts {
		names[a.ID] = a.Username
	}
	name := func(id *int64) string {
		if id == nil {
			return conPickText(d.page, "系统（业主打开表决页面）", "the server (the owner opened the ballot page)")
		}
		return names[*id]
	}
	var verifiable []int64
	for _, u := range ledger {
		if u.Building != data.Building || u.Entrance != data.Entrance {
			continue
		}
		lu := conLedgerUnit{Unit: u.Unit, State: string(u.State), StateText: say(d.Lang, locale.DeliveryState(string(u.State)))}
		for _, r := range u.Records {
			mine := r.RecordedBy != nil && *r.RecordedBy == d.Account.ID
			lr := conLedgerRecord{ID: r.ID, Method: methodName(d.Lang, r.Method), When: locale.Minute(r.DeliveredAt),
				Recipient: r.Recipient, Note: r.Note, RecordedBy: name(r.RecordedBy), State: string(r.State),
				StateText: say(d.Lang, locale.DeliveryState(string(r.State))), Reason: r.Reason, HasPhoto: r.HasPhoto,
				CanVerify: data.Open && !mine && r.State == postgres.DeliveryRecorded,
				CanReject: data.Open && !mine && r.State != postgres.DeliveryRejected && r.RecordedBy != nil,
				Photo:     data.CanRecord && !r.HasPhoto && r.RecordedBy != nil}
			if r.DecidedAt != nil && r.RecordedBy != nil {
				lr.DecidedBy, lr.DecidedAt = name(r.DecidedBy), locale.Minute(*r.DecidedAt)
			}
			if lr.CanVerify {
				verifiable = append(verifiable, r.ID)
			}
			lu.Records = append(lu.Records, lr)
		}
		data.Units = append(data.Units, lu)
	}
	data.Verifiable = len(verifiable)
	body, err := json.Marshal(map[string][]int64{"delivery_ids": verifiable})
	data.VerifyBody = string(body)
	return data, err
}
