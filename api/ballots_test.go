package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gongjue/idnumber"
	"gongjue/internal/testtool"
	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/roll"
	"gongjue/staff"
)

// voteEstate is a test server with a roll of 24 units: buildings 1 (多层)
// and 2 (高层), two entrances each, three floors of two rooms.
type voteEstate struct {
	*testServer
	committee, volunteer, volunteer2 string            // bearer tokens
	idNumbers                        map[string]string // unit → its owner's ID number
}

// testIDNumber is a valid ID number (GB 11643 check character) of the
// owner of unit building-entrance-floor,room.
func testIDNumber(building, entrance, floor, room int) string {
	body := fmt.Sprintf("3101151980010%d%d%d%d", building, entrance, floor, room)
	return body + string(idnumber.CheckChar(body))
}

func newVoteEstate(t *testing.T) *voteEstate {
	t.Helper()
	return newVoteEstateOn(newTestServer(t), t, 3)
}

// newVoteEstateOn imports into ts a roll like newVoteEstate's with the
// given number of floors (8 units a floor).
func newVoteEstateOn(ts *testServer, t *testing.T, floors int) *voteEstate {
	t.Helper()
	var units []roll.Unit
	ids := map[string]string{}
	for b := 1; b <= 2; b++ {
		for en := 1; en <= 2; en++ {
			for fl := 1; fl <= floors; fl++ {
				for r := 1; r <= 2; r++ {
					u := roll.Unit{Building: fmt.Sprint(b), Entrance: fmt.Sprint(en), Room: fmt.Sprintf("%d%02d", fl, r), Floor: fl,
						Zone: []string{"", "多层", "高层"}[b], Area: quorum.Area(9000 + 100*fl + r),
						OwnerName: "王小明", IDNumber: testIDNumber(b, en, fl, r), Phone: "13812345678"}
					u.ID = roll.UnitID(u.Building, u.Entrance, u.Room)
					ids[u.ID] = u.IDNumber
					units = append(units, u)
				}
			}
		}
	}
	if _, err := postgres.ImportRoll(context.Background(), ts.DB, ts.Keys, ts.CommunityID, units); err != nil {
		t.Fatal(err)
	}
	return &voteEstate{testServer: ts, committee: ts.login(t, "committee"), volunteer: ts.login(t, "volunteer"), volunteer2: ts.login(t, "volunteer2"),
		idNumbers: ids}
}

// consultationJSON is a consultation request with an approve, a choice and
// an election matter, open from opens to closes.
func consultationJSON(scope map[string]string, opens, closes time.Time) map[string]any {
	return map[string]any{
		"title":       "关于加装电梯及选举楼组代表的表决",
		"description": "详见公告栏。",
		"scope":       scope,
		"opens_at":    opens.Format(time.RFC3339),
		"closes_at":   closes.Format(time.RFC3339),
		"matters": []map[string]any{
			{"title": "是否同意加装电梯", "kind": "approve", "rules": "major", "flags": []string{"rebuild"}},
			{"title": "电梯品牌", "kind": "choice", "rules": "ordinary", "options": []string{"蒂森", "三菱"}},
			{"title": "楼组代表", "kind": "election", "rules": "ordinary", "options": []string{"王五", "赵六", "钱七"}, "seats": 2},
		},
	}
}

type openedBallot struct {
	Unit string `json:"unit"`
	Code string `json:"code"`
	URL  string `json:"url"`
}

func (e *voteEstate) token(b openedBallot) string { return b.URL[strings.LastIndex(b.URL, "/")+1:] }

// consultation is a consultation as GET /api/v1/consultations/{id} shows it.
type consultation struct {
	ID      int64  `json:"id"`
	State   string `json:"state"`
	Matters []struct {
		ID      int64    `json:"id"`
		Kind    string   `json:"kind"`
		Options []string `json:"options"`
	} `json:"matters"`
}

// create makes a consultation and returns it.
func (e *voteEstate) create(t *testing.T, req map[string]any) consultation {
	t.Helper()
	var created struct{ ID int64 }
	var ae apiError
	resp := e.do(t, e.committee, http.MethodPost, fmt.Sprintf("/api/v1/communities/%d/consultations", e.CommunityID), req, &created)
	if resp.StatusCode != http.StatusCreated {
		json.NewDecoder(resp.Body).Decode(&ae)
		t.Fatalf("create: %d %s %s", resp.StatusCode, ae.Error.Message, ae.Error.Details)
	}
	var c consultation
	e.do(t, e.committee, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d", created.ID), nil, &c)
	return c
}

// open creates and opens a consultation, returning it and its ballots.
func (e *voteEstate) open(t *testing.T, req map[string]any) (consultation, []openedBallot) {
	t.Helper()
	c := e.create(t, req)
	var out struct {
		Count   int            `json:"count"`
		Ballots []openedBallot `json:"ballots"`
	}
	if resp := e.do(t, e.committee, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/open", c.ID), nil, &out); resp.StatusCode != http.StatusOK {
		t.Fatalf("open: %d", resp.StatusCode)
	}
	if out.Count != len(out.Ballots) {
		t.Fatalf("open: count %d, %d ballots", out.Count, len(out.Ballots))
	}
	c.State = "open"
	return c, out.Ballots
}

func (e *voteEstate) openNow(t *testing.T) (consultation, []openedBallot) {
	return e.open(t, consultationJSON(nil, time.Now().Add(-time.Minute), time.Now().Add(time.Hour)))
}

// choices is a valid ballot of c.
func (c consultation) choices() map[string]any {
	return map[string]any{
		fmt.Sprint(c.Matters[0].ID): "agree",
		fmt.Sprint(c.Matters[1].ID): "三菱",
		fmt.Sprint(c.Matters[2].ID): []string{"王五", "钱七"},
	}
}

func (e *voteEstate) casts(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.DB.Get(&n, `SELECT count(*) FROM casts`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBallotPacketQRCodesScan prints a stairwell's ballot packet, rasterises
// it and decodes every QR code with zbarimg: each page's code is its own
// unit's ballot URL, and the page's text names the consultation and unit.
func TestBallotPacketQRCodesScan(t *testing.T) {
	testtool.Need(t, "pdftoppm", "pdftotext", "zbarimg")
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	urls := map[string]string{}
	for _, b := range ballots {
		urls[b.Unit] = b.URL
		if !strings.HasPrefix(b.URL, "http://gongjue.test/v/") {
			t.Fatalf("ballot URL %q", b.URL)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/consultations/%d/ballots.pdf?building=2&entrance=1", e.URL, c.ID), nil)
	resp := e.send(t, req, e.volunteer, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("ballots.pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "ballots.pdf")
	data := make([]byte, 0)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		data = append(data, buf[:n]...)
		if err != nil {
			break
		}
	}
	os.WriteFile(pdf, data, 0o600)
	if out, err := exec.Command("pdftoppm", "-r", "150", "-gray", "-png", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimRight(string(text), "\f"), "\f")
	if len(pages) != 6 {
		t.Fatalf("%d pages for stairwell 2-1 (6 units)", len(pages))
	}
	unitRe := regexp.MustCompile(`（(\d+-\d+-\d+)）`)
	wantOrder := []string{"2-1-101", "2-1-102", "2-1-201", "2-1-202", "2-1-301", "2-1-302"}
	for i, pageText := range pages {
		if !strings.Contains(pageText, "关于加装电梯及选举楼组代表的表决") {
			t.Errorf("page %d lacks the title", i+1)
		}
		m := unitRe.FindStringSubmatch(pageText)
		if m == nil || m[1] != wantOrder[i] {
			t.Fatalf("page %d is unit %v, want %s", i+1, m, wantOrder[i])
		}
		for _, s := range []string{"同意", "反对", "弃权", "蒂森", "王五", "王**", "业主签名", "选票码"} {
			if !strings.Contains(pageText, s) {
				t.Errorf("page %d lacks %q", i+1, s)
			}
		}
		if strings.Contains(pageText, "王小明") {
			t.Errorf("page %d shows the owner unmasked", i+1)
		}
		png := filepath.Join(dir, fmt.Sprintf("page-%d.png", i+1))
		out, err := exec.Command("zbarimg", "-q", "--raw", png).Output()
		if err != nil {
			t.Fatalf("zbarimg page %d: %v", i+1, err)
		}
		if got := strings.TrimSpace(string(out)); got != urls[m[1]] {
			t.Errorf("page %d (unit %s) QR code %q, want %q", i+1, m[1], got, urls[m[1]])
		}
	}
	// The printing is audited; narrowing to nothing is a clear 404; the
	// residents' committee does not print ballots.
	var audits int
	e.DB.Get(&audits, `SELECT count(*) FROM audit_entries WHERE action = 'ballots.print'`)
	if audits != 1 {
		t.Errorf("%d audit entries for printing", audits)
	}
	var ae apiError
	if r := e.do(t, e.committee, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/ballots.pdf?building=9", c.ID), nil, &ae); r.StatusCode != http.StatusNotFound || ae.Error.Code != "no_ballots" {
		t.Errorf("empty packet: %d %s", r.StatusCode, ae.Error.Code)
	}
	if r := e.do(t, e.login(t, "residents"), http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/ballots.pdf", c.ID), nil, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("residents' committee printing: %d", r.StatusCode)
	}
}

func formPost(t *testing.T, e *voteEstate, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := e.send(t, req, "", nil)
	body, _ := readAll(resp)
	return resp, body
}

func pageGet(t *testing.T, e *voteEstate, path string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	resp := e.send(t, req, "", nil)
	body, _ := readAll(resp)
	return resp, body
}

func readAll(resp *http.Response) (string, error) {
	var sb strings.Builder
	buf := make([]byte, 8<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String(), nil
		}
	}
}

var receiptRe = regexp.MustCompile(`[0-9A-Z]{4}(-[0-9A-Z]{4}){6}`)

// TestVoteOnThePhonePage votes through the page: the ballot, the
// confirmation, the receipt; then a second attempt, on the page and
// through the API, is refused with the first ballot's time and channel.
func TestVoteOnThePhonePage(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	path := "/v/" + e.token(ballots[0])

	resp, body := pageGet(t, e, path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "关于加装电梯及选举楼组代表的表决") || !strings.Contains(body, "同意") {
		t.Fatalf("ballot page: %d\n%s", resp.StatusCode, body)
	}
	if resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("the ballot page may leak its URL in a Referer")
	}
	if _, en := pageGet(t, e, path+"?lang=en"); !strings.Contains(en, "Agree") || !strings.Contains(en, "Next: check") {
		t.Error("no English ballot page")
	}
	m := c.Matters
	form := url.Values{"step": {"confirm"},
		fmt.Sprintf("m%d", m[0].ID): {"oppose"}, fmt.Sprintf("m%d", m[1].ID): {"蒂森"}, fmt.Sprintf("m%d", m[2].ID): {"", "赵六"}}
	// A missing matter sends the ballot back with the matter marked.
	partial := url.Values{"step": {"confirm"}, fmt.Sprintf("m%d", m[0].ID): {"oppose"}, fmt.Sprintf("m%d", m[2].ID): {""}}
	if resp, body := formPost(t, e, path, partial); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "电梯品牌") || !strings.Contains(body, "has-error") {
		t.Fatalf("incomplete ballot: %d", resp.StatusCode)
	}
	resp, body = formPost(t, e, path, form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "请核对您的选择") || !strings.Contains(body, "反对") || !strings.Contains(body, "赵六") {
		t.Fatalf("confirmation page: %d\n%s", resp.StatusCode, body)
	}
	if e.casts(t) != 0 {
		t.Fatal("counted before confirmation")
	}
	form.Set("step", "cast")
	resp, body = formPost(t, e, path, form)
	receipt := receiptRe.FindString(body)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "投票成功") || receipt == "" {
		t.Fatalf("casting: %d\n%s", resp.StatusCode, body)
	}
	var at time.Time
	e.DB.Get(&at, `SELECT cast_at FROM casts WHERE unit_id = $1`, ballots[0].Unit)
	var recorded []string
	e.DB.Select(&recorded, `SELECT choice FROM cast_choices WHERE unit_id = $1 ORDER BY matter_id, choice`, ballots[0].Unit)
	if strings.Join(recorded, ",") != "oppose,蒂森,赵六" {
		t.Errorf("recorded %v", recorded)
	}

	// Again on the page: refused, naming when and how.
	resp, body = formPost(t, e, path, form)
	when := locale.Minute(at)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, when) || !strings.Contains(body, "在线投票") {
		t.Fatalf("second cast on the page: %d\n%s", resp.StatusCode, body)
	}
	// And through the API.
	var ae apiError
	r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(ballots[0]), map[string]any{"choices": c.choices()}, &ae)
	var details struct {
		At      time.Time `json:"at"`
		Channel string    `json:"channel"`
	}
	json.Unmarshal(ae.Error.Details, &details)
	if r.StatusCode != http.StatusConflict || ae.Error.Code != "already_cast" || details.Channel != "online" || !details.At.Equal(at) {
		t.Fatalf("second cast through the API: %d %+v %s", r.StatusCode, ae.Error, ae.Error.Details)
	}
	// Reloaded, the page says calmly that the unit voted, when and how,
	// with the receipt, and never the choices: this vote verifies no owner.
	if resp, body := pageGet(t, e, path); resp.StatusCode != http.StatusOK || !strings.Contains(body, "您已投票") || !strings.Contains(body, when) ||
		!strings.Contains(body, receipt) || strings.Contains(body, "赵六") || strings.Contains(body, "蒂森") {
		t.Errorf("the reloaded page: %d\n%s", resp.StatusCode, body)
	}
	if e.casts(t) != 1 {
		t.Fatalf("%d casts", e.casts(t))
	}
}

// TestVoteThroughTheAPI votes through GET/POST /api/v1/ballots/{token}.
func TestVoteThroughTheAPI(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	path := "/api/v1/ballots/" + e.token(ballots[3])
	var view struct {
		Consultation struct{ Title string } `json:"consultation"`
		Unit         struct{ ID string }    `json:"unit"`
		Matters      []struct {
			ID      int64    `json:"id"`
			Choices []string `json:"choices"`
		} `json:"matters"`
		ClosesAt time.Time       `json:"closes_at"`
		Cast     json.RawMessage `json:"cast"`
	}
	if r := e.do(t, "", http.MethodGet, path, nil, &view); r.StatusCode != http.StatusOK || view.Unit.ID != ballots[3].Unit || len(view.Matters) != 3 || string(view.Cast) != "null" {
		t.Fatalf("GET ballot: %d %+v", r.StatusCode, view)
	}
	var out struct {
		Receipt string    `json:"receipt"`
		CastAt  time.Time `json:"cast_at"`
	}
	if r := e.do(t, "", http.MethodPost, path, map[string]any{"choices": c.choices()}, &out); r.StatusCode != http.StatusCreated || !receiptRe.MatchString(out.Receipt) {
		t.Fatalf("POST ballot: %d %+v", r.StatusCode, out)
	}
	var after struct {
		Cast struct {
			At      time.Time           `json:"at"`
			Channel string              `json:"channel"`
			Receipt string              `json:"receipt"`
			Choices map[string][]string `json:"choices"`
		} `json:"cast"`
	}
	e.do(t, "", http.MethodGet, path, nil, &after)
	// When and how, never what: the vote verifies no owner, so no holder
	// of the token may see the choices.
	if after.Cast.Channel != "online" || after.Cast.Receipt != out.Receipt || !after.Cast.At.Equal(out.CastAt) || after.Cast.Choices != nil {
		t.Fatalf("cast as shown: %+v", after.Cast)
	}
	var ae apiError
	if r := e.do(t, "", http.MethodPost, path, map[string]any{"choices": c.choices()}, &ae); r.StatusCode != http.StatusConflict || ae.Error.Code != "already_cast" {
		t.Fatalf("second POST: %d %+v", r.StatusCode, ae)
	}
}

// TestConcurrentCastsHTTP: 25 online casts and 25 paper confirmations for
// one unit, all at once through HTTP: exactly one is counted.
func TestConcurrentCastsHTTP(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	target := ballots[7]
	var entries []int64
	for range 25 {
		var out struct {
			EntryID int64 `json:"entry_id"`
		}
		r := e.do(t, e.volunteer, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID),
			map[string]any{"ballot_code": target.Code, "spoiled": true, "spoiled_reason": "unreadable"}, &out)
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("paper entry: %d", r.StatusCode)
		}
		entries = append(entries, out.EntryID)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var r *http.Response
			if i%2 == 0 {
				r = e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(target), map[string]any{"choices": c.choices()}, nil)
			} else {
				r = e.do(t, e.volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entries[i/2]), nil, nil)
			}
			mu.Lock()
			statuses[r.StatusCode]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	won := statuses[http.StatusCreated] + statuses[http.StatusOK]
	if won != 1 || statuses[http.StatusConflict] != 49 {
		t.Fatalf("statuses %v: want exactly one counted and 49 refused with 409", statuses)
	}
	if n := e.casts(t); n != 1 {
		t.Fatalf("%d casts for one unit", n)
	}
}

// TestPaperBallots: entered by one volunteer, not counted until another
// account confirms; the entering account cannot confirm; proxies and
// spoiled ballots; rejection; scanning the QR code's URL.
func TestPaperBallots(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	paper := fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID)
	var entry struct {
		EntryID int64  `json:"entry_id"`
		Unit    string `json:"unit"`
		State   string `json:"state"`
	}
	r := e.do(t, e.volunteer, http.MethodPost, paper, map[string]any{
		"ballot_code": strings.ToLower(strings.ReplaceAll(ballots[1].Code, "-", " ")),
		"choices":     c.choices(),
		"proxy":       map[string]string{"name": "李四", "id_number": "11010519491231002X", "authorisation": "委托书第 12 号"},
	}, &entry)
	if r.StatusCode != http.StatusCreated || entry.Unit != ballots[1].Unit || entry.State != "pending" {
		t.Fatalf("entering: %d %+v", r.StatusCode, entry)
	}
	var turnout struct {
		Counts  postgres.CastCounts `json:"counts"`
		Overall struct {
			Participating quorum.Tally `json:"participating"`
		} `json:"overall"`
	}
	e.do(t, e.committee, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/turnout", c.ID), nil, &turnout)
	if turnout.Counts.PendingPaper != 1 || turnout.Overall.Participating.Headcount != 0 || e.casts(t) != 0 {
		t.Fatalf("an unconfirmed paper ballot counts: %+v", turnout)
	}
	var queue struct {
		Entries []struct {
			ID            int64               `json:"id"`
			Unit          string              `json:"unit"`
			Channel       string              `json:"channel"`
			EnteredByName string              `json:"entered_by_name"`
			Choices       map[string][]string `json:"choices"`
		} `json:"entries"`
	}
	e.do(t, e.volunteer2, http.MethodGet, paper+"?state=pending", nil, &queue)
	if len(queue.Entries) != 1 || queue.Entries[0].Channel != "proxy" || queue.Entries[0].EnteredByName != "volunteer" {
		t.Fatalf("queue: %+v", queue)
	}
	var ae apiError
	confirm := fmt.Sprintf("/api/v1/paper/%d/confirm", entry.EntryID)
	if r := e.do(t, e.volunteer, http.MethodPost, confirm, nil, &ae); r.StatusCode != http.StatusForbidden || ae.Error.Code != "same_account" {
		t.Fatalf("confirmation by the same account: %d %+v", r.StatusCode, ae)
	}
	if e.casts(t) != 0 {
		t.Fatal("counted after a refused confirmation")
	}
	if r := e.do(t, e.volunteer2, http.MethodPost, confirm, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("confirmation: %d", r.StatusCode)
	}
	var k struct {
		Channel     string `db:"channel"`
		Proxy       string `db:"proxy_name"`
		Auth        string `db:"proxy_authorisation"`
		EnteredBy   string `db:"entered"`
		ConfirmedBy string `db:"confirmed"`
	}
	if err := e.DB.Get(&k, `SELECT k.channel, k.proxy_name, k.proxy_authorisation, a.username AS entered, b.username AS confirmed
		FROM casts k JOIN accounts a ON a.id = k.entered_by JOIN accounts b ON b.id = k.confirmed_by`); err != nil {
		t.Fatal(err)
	}
	if k.Channel != "proxy" || k.Proxy != "李四" || k.Auth != "委托书第 12 号" || k.EnteredBy != "volunteer" || k.ConfirmedBy != "volunteer2" {
		t.Errorf("cast %+v", k)
	}
	if r := e.do(t, e.committee, http.MethodPost, confirm, nil, &ae); r.StatusCode != http.StatusConflict || ae.Error.Code != "already_decided" {
		t.Errorf("confirming twice: %d %+v", r.StatusCode, ae)
	}
	// The unit has voted: another paper ballot for it is refused.
	if r := e.do(t, e.volunteer, http.MethodPost, paper, map[string]any{"token": e.token(ballots[1]), "spoiled": true, "spoiled_reason": "unreadable"}, &ae); r.StatusCode != http.StatusConflict || ae.Error.Code != "already_cast" {
		t.Errorf("paper ballot for a voted unit: %d %+v", r.StatusCode, ae)
	}
	// Scanning the QR code types its URL; a spoiled ballot; rejection.
	r = e.do(t, e.volunteer, http.MethodPost, paper, map[string]any{"scan": ballots[2].URL, "spoiled": true, "spoiled_reason": "unsigned"}, &entry)
	if r.StatusCode != http.StatusCreated || entry.Unit != ballots[2].Unit {
		t.Fatalf("scanned entry: %d %+v", r.StatusCode, entry)
	}
	if r := e.do(t, e.committee, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/reject", entry.EntryID), map[string]string{"reason": "未签名"}, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("reject: %d", r.StatusCode)
	}
	if r := e.do(t, e.volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry.EntryID), nil, &ae); r.StatusCode != http.StatusConflict {
		t.Errorf("confirming a rejected entry: %d", r.StatusCode)
	}
	// Mistakes are named.
	for _, bad := range []map[string]any{
		{"ballot_code": "0000-0000", "spoiled": true},                                                      // no such ballot
		{"ballot_code": "not a code!", "spoiled": true},                                                    // not a code
		{"ballot_code": ballots[4].Code, "token": e.token(ballots[4]), "spoiled": true},                    // two references
		{"ballot_code": ballots[4].Code, "choices": c.choices(), "proxy": map[string]string{"name": "李四"}}, // no ID number
		{"ballot_code": ballots[4].Code},                                                                   // no choices
		{"ballot_code": ballots[4].Code, "choices": map[string]any{fmt.Sprint(c.Matters[0].ID): "maybe"}},  // bad choice
	} {
		if r := e.do(t, e.volunteer, http.MethodPost, paper, bad, &ae); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Message == "" {
			t.Errorf("%v: %d %+v", bad, r.StatusCode, ae)
		}
	}
	// Another estate's entry is not found.
	other, err := postgres.CreateCommunity(context.Background(), e.DB, "别的小区", "")
	if err != nil {
		t.Fatal(err)
	}
	e.addAccount(t, "other-vol", staff.RoleVolunteer, &other)
	if r := e.do(t, e.login(t, "other-vol"), http.MethodPost, confirm, nil, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("another estate's volunteer confirming: %d", r.StatusCode)
	}
}

// TestStairwellConsultation: a consultation of one stairwell issues ballots
// to that stairwell only, and its turnout counts only it.
func TestStairwellConsultation(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.open(t, consultationJSON(map[string]string{"building": "1", "entrance": "2"}, time.Now().Add(-time.Minute), time.Now().Add(time.Hour)))
	if len(ballots) != 6 {
		t.Fatalf("%d ballots for a stairwell of 6", len(ballots))
	}
	for _, b := range ballots {
		if !strings.HasPrefix(b.Unit, "1-2-") {
			t.Errorf("ballot for %s outside stairwell 1-2", b.Unit)
		}
	}
	var turnout struct {
		Overall struct {
			Eligible quorum.Tally `json:"eligible"`
		} `json:"overall"`
		Zones map[string]json.RawMessage `json:"zones"`
	}
	e.do(t, e.volunteer, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/turnout", c.ID), nil, &turnout)
	if turnout.Overall.Eligible.Headcount != 6 || len(turnout.Zones) != 1 {
		t.Errorf("stairwell turnout %+v", turnout)
	}
}

// TestBadBallotRequestsChangeNothing: deadlines, bad tokens and bad
// choices get clear 4xx answers and record nothing.
func TestBadBallotRequestsChangeNothing(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	token := e.token(ballots[0])
	m := c.Matters
	id := func(i int) string { return fmt.Sprint(m[i].ID) }
	cases := []struct {
		name    string
		path    string
		body    any
		status  int
		code    string
		mention string
	}{
		{"unknown token", "/api/v1/ballots/" + strings.Repeat("a", 26), map[string]any{"choices": c.choices()}, 404, "unknown_ballot", ""},
		{"malformed token", "/api/v1/ballots/not-a-token", map[string]any{"choices": c.choices()}, 400, "bad_token", ""},
		{"10 kB token", "/api/v1/ballots/" + strings.Repeat("x", 10000), map[string]any{"choices": c.choices()}, 400, "bad_token", "10000"},
		{"unknown matter", "/api/v1/ballots/" + token, map[string]any{"choices": map[string]any{id(0): "agree", id(1): "蒂森", id(2): "abstain", "999999": "agree"}}, 422, "invalid", "choices.999999"},
		{"missing matter", "/api/v1/ballots/" + token, map[string]any{"choices": map[string]any{id(0): "agree", id(2): "abstain"}}, 422, "invalid", "choices." + id(1)},
		{"option not offered", "/api/v1/ballots/" + token, map[string]any{"choices": map[string]any{id(0): "agree", id(1): "奥的斯", id(2): "abstain"}}, 422, "invalid", "奥的斯"},
		{"spoiled online", "/api/v1/ballots/" + token, map[string]any{"choices": map[string]any{id(0): "spoiled", id(1): "蒂森", id(2): "abstain"}}, 422, "invalid", "spoiled"},
		{"too many candidates", "/api/v1/ballots/" + token, map[string]any{"choices": map[string]any{id(0): "agree", id(1): "蒂森", id(2): []string{"王五", "赵六", "钱七"}}}, 422, "invalid", "2"},
		{"two choices", "/api/v1/ballots/" + token, map[string]any{"choices": map[string]any{id(0): []string{"agree", "oppose"}, id(1): "蒂森", id(2): "abstain"}}, 422, "invalid", "one"},
		{"no choices", "/api/v1/ballots/" + token, map[string]any{}, 422, "invalid", "choices"},
		{"unknown field", "/api/v1/ballots/" + token, map[string]any{"choices": c.choices(), "extra": 1}, 400, "bad_request", "extra"},
	}
	for _, tc := range cases {
		var ae apiError
		r := e.do(t, "", http.MethodPost, tc.path, tc.body, &ae)
		if r.StatusCode != tc.status || ae.Error.Code != tc.code || !strings.Contains(ae.Error.Message+string(ae.Error.Details), tc.mention) {
			t.Errorf("%s: %d %s %q %s", tc.name, r.StatusCode, ae.Error.Code, ae.Error.Message, ae.Error.Details)
		}
	}
	for _, p := range []string{"/v/" + strings.Repeat("x", 10000), "/v/short", "/v/" + strings.Repeat("b", 26)} {
		if r, body := pageGet(t, e, p); r.StatusCode/100 != 4 || !strings.Contains(body, "选票") {
			t.Errorf("page %s: %d", p[:min(len(p), 40)], r.StatusCode)
		}
	}
	if n := e.casts(t); n != 0 {
		t.Fatalf("%d casts after bad requests", n)
	}

	// Deadlines: before the opening time and after the closing time.
	early, eb := e.open(t, consultationJSON(nil, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)))
	var ae apiError
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(eb[0]), map[string]any{"choices": early.choices()}, &ae); r.StatusCode != http.StatusForbidden || ae.Error.Code != "voting_not_open" || !strings.Contains(ae.Error.Message, "尚未开始") {
		t.Errorf("before opening: %d %+v", r.StatusCode, ae)
	}
	if r, body := pageGet(t, e, "/v/"+e.token(eb[0])); r.StatusCode != http.StatusForbidden || !strings.Contains(body, "投票尚未开始") {
		t.Errorf("page before opening: %d", r.StatusCode)
	}
	e.DB.MustExec(`UPDATE consultations SET opens_at = now() - interval '2 hours', closes_at = now() - interval '1 minute' WHERE id = $1`, early.ID)
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(eb[0]), map[string]any{"choices": early.choices()}, &ae); r.StatusCode != http.StatusForbidden || ae.Error.Code != "voting_closed" || !strings.Contains(ae.Error.Message, "截止") {
		t.Errorf("after closing: %d %+v", r.StatusCode, ae)
	}
	if r := e.do(t, "", http.MethodGet, "/api/v1/ballots/"+e.token(eb[0]), nil, &ae); r.StatusCode != http.StatusForbidden || ae.Error.Code != "voting_closed" {
		t.Errorf("GET after closing: %d %+v", r.StatusCode, ae)
	}
	if r, body := pageGet(t, e, "/v/"+e.token(eb[0])); r.StatusCode != http.StatusForbidden || !strings.Contains(body, "截止") {
		t.Errorf("page after closing: %d", r.StatusCode)
	}
	if n := e.casts(t); n != 0 {
		t.Fatalf("%d casts outside the voting period", n)
	}
}

// TestConsultationRules: creation refuses what Article 278 forbids and
// names it; drafts can be edited, opened ones cannot; another estate's
// consultations are not found.
func TestConsultationRules(t *testing.T) {
	e := newVoteEstate(t)
	base := func() map[string]any {
		return consultationJSON(nil, time.Now(), time.Now().Add(time.Hour))
	}
	path := fmt.Sprintf("/api/v1/communities/%d/consultations", e.CommunityID)
	loose := base()
	loose["matters"] = []map[string]any{{"title": "放宽", "kind": "approve", "rules": map[string]any{
		"participation": map[string]string{"area": "1/2", "headcount": "2/3"}, "approval": map[string]string{"area": ">1/2", "headcount": ">1/2"}}}}
	flagged := base()
	flagged["matters"] = []map[string]any{{"title": "筹集维修资金", "kind": "approve", "category": "ordinary", "flags": []string{"raise_fund"}}}
	majorLoose := base()
	majorLoose["matters"] = []map[string]any{{"title": "改变用途", "kind": "approve", "rules": "ordinary", "flags": []string{"common_parts"}}}
	noUnits := base()
	noUnits["scope"] = map[string]string{"building": "99"}
	vetoOut := base()
	vetoOut["scope"] = map[string]string{"zone": "多层"}
	vetoOut["veto"] = map[string]any{"mode": "all-zones", "zones": []string{"高层"}}
	late := base()
	late["closes_at"] = time.Now().Add(-time.Hour).Format(time.RFC3339)
	late["opens_at"] = time.Now().Add(-2 * time.Hour).Format(time.RFC3339)
	for _, tc := range []struct {
		name  string
		req   map[string]any
		field string
	}{
		{"looser participation", loose, "matters[0].rules"},
		{"major flag, ordinary category", flagged, "matters[0].category"},
		{"major flag, ordinary rule", majorLoose, "matters[0].rules"},
		{"scope without units", noUnits, "scope.building"},
		{"veto zone outside scope", vetoOut, "veto.zones[0]"},
		{"deadline passed", late, "closes_at"},
	} {
		var ae apiError
		r := e.do(t, e.committee, http.MethodPost, path, tc.req, &ae)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(ae.Error.Details), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s %s", tc.name, r.StatusCode, ae.Error.Message, ae.Error.Details)
		}
	}
	typo := base()
	typo["closes"] = "tomorrow"
	var ae apiError
	if r := e.do(t, e.committee, http.MethodPost, path, typo, &ae); r.StatusCode != http.StatusBadRequest || !strings.Contains(ae.Error.Message, "closes") {
		t.Errorf("unknown field: %d %+v", r.StatusCode, ae)
	}
	if r := e.do(t, e.volunteer, http.MethodPost, path, base(), nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("volunteer creating: %d", r.StatusCode)
	}
	var n int
	e.DB.Get(&n, `SELECT count(*) FROM consultations`)
	if n != 0 {
		t.Fatalf("%d consultations after refusals", n)
	}

	c := e.create(t, base())
	var patched struct {
		Title   string `json:"title"`
		Matters []any  `json:"matters"`
	}
	if r := e.do(t, e.committee, http.MethodPatch, fmt.Sprintf("/api/v1/consultations/%d", c.ID), map[string]any{"title": "新标题"}, &patched); r.StatusCode != http.StatusOK || patched.Title != "新标题" || len(patched.Matters) != 3 {
		t.Fatalf("PATCH draft: %d %+v", r.StatusCode, patched)
	}
	var list struct {
		Consultations []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"consultations"`
	}
	e.do(t, e.volunteer, http.MethodGet, path, nil, &list)
	if len(list.Consultations) != 1 || list.Consultations[0].Title != "新标题" {
		t.Errorf("list: %+v", list)
	}
	e.do(t, e.committee, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/open", c.ID), nil, nil)
	if r := e.do(t, e.committee, http.MethodPatch, fmt.Sprintf("/api/v1/consultations/%d", c.ID), map[string]any{"title": "再改"}, &ae); r.StatusCode != http.StatusConflict || ae.Error.Code != "not_draft" {
		t.Errorf("PATCH after opening: %d %+v", r.StatusCode, ae)
	}
	if r := e.do(t, e.committee, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/open", c.ID), nil, &ae); r.StatusCode != http.StatusConflict {
		t.Errorf("opening twice: %d", r.StatusCode)
	}

	other, err := postgres.CreateCommunity(context.Background(), e.DB, "别的小区", "")
	if err != nil {
		t.Fatal(err)
	}
	e.addAccount(t, "other-committee", staff.RoleCommittee, &other)
	tok := e.login(t, "other-committee")
	for _, p := range []string{fmt.Sprintf("/api/v1/consultations/%d", c.ID), fmt.Sprintf("/api/v1/consultations/%d/turnout", c.ID),
		fmt.Sprintf("/api/v1/consultations/%d/ballots.pdf", c.ID), fmt.Sprintf("/api/v1/communities/%d/consultations", e.CommunityID)} {
		if r := e.do(t, tok, http.MethodGet, p, nil, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("another estate's committee GET %s: %d", p, r.StatusCode)
		}
	}
	if r := e.do(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID), map[string]any{"ballot_code": "0000-0000", "spoiled": true}, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("another estate's committee entering paper: %d", r.StatusCode)
	}
}

// TestTurnoutAndMissing: turnout overall and per zone, and the units still
// to visit, as JSON and as a page to print.
func TestTurnoutAndMissing(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	for _, b := range ballots[:16] {
		if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(b), map[string]any{"choices": c.choices()}, nil); r.StatusCode != http.StatusCreated {
			t.Fatalf("cast: %d", r.StatusCode)
		}
	}
	var out struct {
		Target  quorum.Threshold `json:"target"`
		Overall struct {
			Eligible, Participating quorum.Tally
			AreaPercent             string `json:"area_percent"`
			HeadcountPercent        string `json:"headcount_percent"`
			ParticipationMet        bool   `json:"participation_met"`
			Needed                  quorum.Tally
		} `json:"overall"`
		Zones   map[string]struct{ Participating quorum.Tally } `json:"zones"`
		Counts  postgres.CastCounts                             `json:"counts"`
		Missing []postgres.MissingGroup                         `json:"missing"`
	}
	e.do(t, e.volunteer, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/turnout?missing=1", c.ID), nil, &out)
	if out.Overall.Eligible.Headcount != 24 || out.Overall.Participating.Headcount != 16 || out.Overall.ParticipationMet || out.Overall.Needed.Area != 200 || out.Overall.Needed.Headcount != 0 || out.Counts.Online != 16 {
		t.Fatalf("turnout %+v", out.Overall)
	}
	// 16 of 24 owners: half up to two decimals, as every page and the
	// notice round (rounding down gave 66.66, short of what pages show).
	if out.Overall.HeadcountPercent != "66.67" || out.Overall.AreaPercent != locale.PercentNumber(int64(out.Overall.Participating.Area), int64(out.Overall.Eligible.Area)) {
		t.Errorf("turnout percentages %s / %s", out.Overall.HeadcountPercent, out.Overall.AreaPercent)
	}
	if out.Target.Area.String() != "2/3" || out.Zones["多层"].Participating.Headcount != 12 || out.Zones["高层"].Participating.Headcount != 4 {
		t.Errorf("zones %+v target %v", out.Zones, out.Target)
	}
	missing := 0
	for _, g := range out.Missing {
		missing += len(g.Units)
		for _, u := range g.Units {
			if u.Owner != "王**" || u.Phone != "138****5678" {
				t.Errorf("unmasked %+v", u)
			}
		}
	}
	if missing != 8 || len(out.Missing) != 2 || out.Missing[0].Building != "2" || out.Missing[0].Entrance != "1" {
		t.Errorf("missing %+v", out.Missing)
	}
	r, body := func() (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/consultations/%d/turnout?format=print&building=2&entrance=2", e.URL, c.ID), nil)
		resp := e.send(t, req, e.volunteer, nil)
		s, _ := readAll(resp)
		return resp, s
	}()
	if r.StatusCode != http.StatusOK || !strings.Contains(body, "未投票房屋清单") || !strings.Contains(body, `data-unit="2-2-101"`) || strings.Contains(body, `data-unit="2-1-101"`) {
		t.Errorf("print view: %d\n%s", r.StatusCode, body)
	}
}
