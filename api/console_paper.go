package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/templates"
)

// The paper desk: one volunteer enters a returned paper ballot (scanned or
// by its code), a second account confirms or rejects each entry; only a
// confirmed entry counts.

type paperData struct {
	consoleData
	C              *ballot.Consultation
	Matters        []conPaperMatter
	SpoiledReasons []conChoiceOption
	Queue          conPaperQueue
}

// conPaperQueue is the confirmation queue, refreshed in place.
type conPaperQueue struct {
	consoleData
	ID      int64
	Pending []conPaperEntryView
	Recent  []conPaperEntryView
	Counts  postgres.CastCounts
}

type conPaperMatter struct {
	ID       int64
	Position int
	Title    string
	Kind     string
	Seats    int
	Options  []conChoiceOption
}

type conChoiceOption struct {
	Value string
	Label string
}

type conPaperEntryView struct {
	ID      int64
	Unit    string
	Code    string
	Lines   []string
	Proxy   string
	Spoiled string // the reason and note of a ballot spoiled as a whole
	// The originals the confirmer looks at beside the entry; nil when none
	// was attached, which the desk says plainly.
	Original      *postgres.OriginalInfo
	Authorisation *postgres.OriginalInfo
	EnteredBy     string
	EnteredAt     string
	Mine          bool
	State         string
	DecidedBy     string
	DecidedAt     string
	Note          string
	// Conflicts counts the other entries pending for the same unit: only
	// one of them can be right.
	Conflicts int
	// Voted says when and how the unit has voted since the entry: it can
	// no longer count, and is to be rejected rather than confirmed.
	Voted string
}

func (s *Server) consolePaper(c *gin.Context) {
	d, k, ok := s.consoleConsultationPage(c)
	if !ok {
		return
	}
	queue, err := s.conPaperQueue(c, d, k)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	if c.Query("fragment") == "queue" {
		s.consoleFragment(c, "console_paper", "console_paper_queue", queue)
		return
	}
	data := paperData{consoleData: d, C: k, Queue: queue}
	for _, r := range postgres.SpoiledReasons {
		data.SpoiledReasons = append(data.SpoiledReasons, conChoiceOption{string(r), locale.SpoiledReason(string(r)).In(d.Lang == templates.English)})
	}
	for _, m := range k.Matters {
		pm := conPaperMatter{ID: m.ID, Position: m.Position, Title: m.Title, Kind: string(m.Kind), Seats: m.Seats}
		for _, v := range m.Marks() {
			pm.Options = append(pm.Options, conChoiceOption{v, voteChoiceLabel(d.Lang, v)})
		}
		data.Matters = append(data.Matters, pm)
	}
	s.render(c, http.StatusOK, "console_paper", data)
}

// conPaperQueue reads the pending entries and the latest decided ones.
func (s *Server) conPaperQueue(c *gin.Context, d consoleData, k *ballot.Consultation) (conPaperQueue, error) {
	ctx := c.Request.Context()
	q := conPaperQueue{consoleData: d, ID: k.ID}
	entries, err := postgres.ListPaperEntries(ctx, s.DB, d.Community.ID, k.ID, "")
	if err != nil {
		return q, err
	}
	titles := map[int64]string{}
	for _, m := range k.Matters {
		titles[m.ID] = strconv.Itoa(m.Position) + ". " + m.Title
	}
	voted, err := postgres.PendingPaperUnitsCast(ctx, s.DB, d.Community.ID, k.ID)
	if err != nil {
		return q, err
	}
	pendingByUnit := map[string]int{}
	for _, e := range entries {
		if e.State == "pending" {
			pendingByUnit[e.UnitID]++
		}
	}
	for _, e := range entries {
		v := conPaperEntryView{ID: e.ID, Unit: e.UnitID, Code: ballot.FormatCode(e.Code), EnteredBy: e.EnteredByName,
			EnteredAt: conFormatTime(e.EnteredAt), Mine: e.EnteredBy == d.Account.ID, State: e.State, Note: e.Note}
		if e.ProxyName != "" {
			v.Proxy = e.ProxyName + conPickText(d.page, "（委托书：", " (authorisation: ") + e.ProxyAuthorisation + conPickText(d.page, "）", ")")
		}
		if e.SpoiledReason != "" {
			v.Spoiled = locale.SpoiledReason(string(e.SpoiledReason)).In(d.Lang == templates.English)
			if e.SpoiledNote != "" {
				v.Spoiled += conPickText(d.page, "：", ": ") + e.SpoiledNote
			}
		}
		v.Original, v.Authorisation = e.Original, e.Authorisation
		if e.DecidedByName != nil {
			v.DecidedBy = *e.DecidedByName
		}
		if e.DecidedAt != nil {
			v.DecidedAt = conFormatTime(*e.DecidedAt)
		}
		byMatter := map[int64][]string{}
		var order []int64
		for _, sel := range e.Choices {
			if _, seen := byMatter[sel.MatterID]; !seen {
				order = append(order, sel.MatterID)
			}
			byMatter[sel.MatterID] = append(byMatter[sel.MatterID], voteChoiceLabel(d.Lang, sel.Choice))
		}
		for _, id := range order {
			v.Lines = append(v.Lines, titles[id]+conPickText(d.page, "：", ": ")+strings.Join(byMatter[id], conPickText(d.page, "、", ", ")))
		}
		if e.State == "pending" {
			v.Conflicts = pendingByUnit[e.UnitID] - 1
			if cast := voted[e.UnitID]; cast != nil {
				v.Voted = fmt.Sprintf(conPickText(d.page, "该房屋已于 %s 投票（%s），这张纸质票不再计入，请退回。", "This unit voted at %s (%s) since: this paper ballot can no longer count; reject it."),
					locale.Minute(cast.At), say(d.Lang, locale.Channel(string(cast.Channel))))
			}
			q.Pending = append(q.Pending, v)
		} else {
			q.Recent = append(q.Recent, v)
		}
	}
	// The latest decisions first, ten of them.
	slices.Reverse(q.Recent)
	if len(q.Recent) > 10 {
		q.Recent = q.Recent[:10]
	}
	q.Counts, err = postgres.CountCasts(ctx, s.DB, d.Community.ID, k.ID)
	return q, err
}
