package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"gongjue/internal/testtool"
)

// rulesPDF stands for an estate's adopted rules of procedure.
var rulesPDF = []byte("%PDF-1.4\n% 某小区业主大会议事规则（2026 年修订）\n")

// registerProcedure posts a version: settings as JSON text and the
// original, returning the answer's status, the version and the error.
func (e *voteEstate) registerProcedure(t *testing.T, token, settings string, original []byte) (int, int, apiError) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if settings != "" {
		w.WriteField("settings", settings)
	}
	if original != nil {
		fw, _ := w.CreateFormFile("original", "议事规则.pdf")
		fw.Write(original)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/communities/%d/procedures", e.URL, e.CommunityID), &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp := e.send(t, req, token, nil)
	var out struct{ Version int }
	var ae apiError
	data, _ := readAll(resp)
	json.Unmarshal([]byte(data), &out)
	json.Unmarshal([]byte(data), &ae)
	return resp.StatusCode, out.Version, ae
}

func (e *voteEstate) activate(t *testing.T, token string, version int) int {
	t.Helper()
	return e.do(t, token, http.MethodPost, fmt.Sprintf("/api/v1/communities/%d/procedures/%d/activate", e.CommunityID, version), nil, nil).StatusCode
}

type procedureListed struct {
	Version        int             `json:"version"`
	State          string          `json:"state"`
	Settings       json.RawMessage `json:"settings"`
	Defaults       []string        `json:"defaults"`
	OriginalSHA256 string          `json:"original_sha256"`
	ActivatedAt    *time.Time      `json:"activated_at"`
	Explanation    []struct {
		Key, ZH, EN string
		Default     bool
	} `json:"explanation"`
}

func (e *voteEstate) procedures(t *testing.T) []procedureListed {
	t.Helper()
	var list []procedureListed
	if resp := e.do(t, e.volunteer, http.MethodGet, fmt.Sprintf("/api/v1/communities/%d/procedures", e.CommunityID), nil, &list); resp.StatusCode != http.StatusOK {
		t.Fatalf("list procedures: %d", resp.StatusCode)
	}
	return list
}

func TestRegisterProcedureRefusesBadSettings(t *testing.T) {
	e := newVoteEstate(t)
	for _, tc := range []struct {
		name, settings string
		original       []byte
		field          string
	}{
		{"unknown key", `{"nonresponse": "none", "quorum": "1/2"}`, rulesPDF, "settings.quorum"},
		{"looser threshold", `{"thresholds": {"major": {"participation": {"area": "2/3", "headcount": "2/3"}, "approval": {"area": "2/3", "headcount": "3/4"}}}}`, rulesPDF, "settings.thresholds.major"},
		{"paper off", `{"channels": ["online"]}`, rulesPDF, "settings.channels"},
		{"unknown value", `{"spoiled": "oppose"}`, rulesPDF, "settings.spoiled"},
		{"unknown delivery method", `{"delivery_methods": ["wechat"]}`, rulesPDF, "settings.delivery_methods[0]"},
		{"not JSON", `nonresponse=none`, rulesPDF, "settings"},
		{"no settings", ``, rulesPDF, "settings"},
		{"no original", `{}`, nil, "original"},
		{"original not a PDF or image", `{}`, []byte("<html><body>议事规则</body></html>"), "original"},
	} {
		status, _, ae := e.registerProcedure(t, e.committee, tc.settings, tc.original)
		var details []struct{ Field, Message string }
		json.Unmarshal(ae.Error.Details, &details)
		if status != http.StatusUnprocessableEntity || len(details) != 1 || details[0].Field != tc.field {
			t.Errorf("%s: %d %s %s, want 422 naming %s", tc.name, status, ae.Error.Message, ae.Error.Details, tc.field)
		}
	}
	if status, _, _ := e.registerProcedure(t, e.volunteer, `{}`, rulesPDF); status != http.StatusForbidden {
		t.Errorf("a volunteer registered a version: %d", status)
	}
	if list := e.procedures(t); len(list) != 0 {
		t.Errorf("refused versions were stored: %+v", list)
	}
}

func TestActivateProcedure(t *testing.T) {
	e := newVoteEstate(t)
	status, v1, ae := e.registerProcedure(t, e.committee, `{"nonresponse": "delivered-follow-majority", "proxies": {"max_units": 1}}`, rulesPDF)
	if status != http.StatusCreated || v1 != 1 {
		t.Fatalf("register: %d %d %s", status, v1, ae.Error.Message)
	}
	list := e.procedures(t)
	sum := sha256.Sum256(rulesPDF)
	if len(list) != 1 || list[0].State != "draft" || list[0].OriginalSHA256 != hex.EncodeToString(sum[:]) || list[0].ActivatedAt != nil {
		t.Fatalf("after registering: %+v", list)
	}
	explained := map[string]bool{}
	for _, l := range list[0].Explanation {
		explained[l.Key] = l.Default
		if l.Key == "nonresponse" && l.ZH != "送达但未投票的业主视为同意已投票业主的多数意见" {
			t.Errorf("nonresponse explained as %q", l.ZH)
		}
	}
	if explained["nonresponse"] || !explained["spoiled"] || !explained["notice_days"] {
		t.Errorf("defaults marked wrong: %+v", list[0].Explanation)
	}

	status, original := e.get(t, e.volunteer, fmt.Sprintf("/api/v1/communities/%d/procedures/%d/original", e.CommunityID, v1))
	if status != http.StatusOK || !bytes.Equal(original, rulesPDF) {
		t.Errorf("original: %d, %d bytes", status, len(original))
	}
	residents := e.login(t, "residents")
	for _, token := range []string{e.volunteer, residents} {
		if status := e.activate(t, token, v1); status != http.StatusForbidden {
			t.Errorf("a non-committee account activated: %d", status)
		}
	}
	if status := e.activate(t, e.committee, v1); status != http.StatusOK {
		t.Fatalf("activate: %d", status)
	}
	_, v2, _ := e.registerProcedure(t, e.committee, `{}`, []byte("\x89PNG\r\n\x1a\n规则照片"))
	committee2 := e.login(t, "committee2")
	if status := e.activate(t, committee2, v2); status != http.StatusOK {
		t.Fatalf("activate v2: %d", status)
	}
	if status := e.activate(t, e.committee, v1); status != http.StatusConflict {
		t.Errorf("re-activating a superseded version: %d", status)
	}
	if status := e.activate(t, e.committee, 7); status != http.StatusNotFound {
		t.Errorf("activating version 7: %d", status)
	}
	list = e.procedures(t)
	if len(list) != 2 || list[0].Version != v2 || list[0].State != "active" || list[1].State != "superseded" {
		t.Errorf("after activating v2: %+v", list)
	}
	var audits []struct {
		Username string `db:"username"`
		Subject  string `db:"subject"`
		Detail   string `db:"detail"`
	}
	if err := e.DB.Select(&audits, `SELECT a.username, e.subject, e.detail::text AS detail FROM audit_entries e
		JOIN accounts a ON a.id = e.account_id WHERE e.action = 'procedure.activate' ORDER BY e.id`); err != nil {
		t.Fatal(err)
	}
	if len(audits) != 2 || audits[0].Username != "committee" || audits[0].Subject != "1" ||
		audits[1].Username != "committee2" || audits[1].Subject != "2" || !strings.Contains(audits[1].Detail, "[1]") {
		t.Errorf("activation audit: %+v", audits)
	}
}

// consultationProcedure is the procedure of GET /api/v1/consultations/{id}.
type consultationProcedure struct {
	Procedure struct {
		Version        *int   `json:"version"`
		OriginalSHA256 string `json:"original_sha256"`
		Settings       struct {
			Nonresponse string `json:"nonresponse"`
			Thresholds  struct {
				Ordinary struct {
					Approval struct{ Area string } `json:"approval"`
				} `json:"ordinary"`
			} `json:"thresholds"`
		} `json:"settings"`
	} `json:"procedure"`
}

func (e *voteEstate) consultationProcedure(t *testing.T, id int64) consultationProcedure {
	t.Helper()
	var p consultationProcedure
	e.do(t, e.committee, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d", id), nil, &p)
	return p
}

func TestOpeningFreezesTheRulesOfProcedure(t *testing.T) {
	testtool.Need(t, "pdftotext")
	e := newVoteEstate(t)
	req := consultationJSON(nil, time.Now().Add(-time.Minute), time.Now().Add(time.Hour))
	draft := e.create(t, req)
	p := e.consultationProcedure(t, draft.ID)
	if p.Procedure.Version != nil || p.Procedure.Settings.Nonresponse != "none" || p.Procedure.Settings.Thresholds.Ordinary.Approval.Area != ">1/2" {
		t.Errorf("without versions: %+v, want version null and the defaults", p)
	}

	stricter := `{"thresholds": {"ordinary": {"participation": {"area": "2/3", "headcount": "2/3"}, "approval": {"area": "3/5", "headcount": "3/5"}}},
		"nonresponse": "delivered-participate"}`
	_, v1, _ := e.registerProcedure(t, e.committee, stricter, rulesPDF)
	if status := e.activate(t, e.committee, v1); status != http.StatusOK {
		t.Fatalf("activate: %d", status)
	}
	p = e.consultationProcedure(t, draft.ID)
	sum := sha256.Sum256(rulesPDF)
	hash := hex.EncodeToString(sum[:])
	if p.Procedure.Version == nil || *p.Procedure.Version != v1 || p.Procedure.OriginalSHA256 != hash {
		t.Errorf("draft after activation: %+v, want version %d", p, v1)
	}

	// A custom rule looser than the estate's thresholds is refused, though
	// Article 278 alone would allow it.
	loose := consultationJSON(nil, time.Now().Add(-time.Minute), time.Now().Add(time.Hour))
	loose["matters"] = []map[string]any{{"title": "调整停车费", "kind": "approve",
		"rules": map[string]any{"participation": map[string]string{"area": "2/3", "headcount": "2/3"}, "approval": map[string]string{"area": ">1/2", "headcount": "3/5"}}}}
	var ae apiError
	resp := e.do(t, e.committee, http.MethodPost, fmt.Sprintf("/api/v1/communities/%d/consultations", e.CommunityID), loose, &ae)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(ae.Error.Details), "matters[0].rules") {
		t.Errorf("looser custom rule: %d %s %s", resp.StatusCode, ae.Error.Message, ae.Error.Details)
	}

	var opened struct{ Ballots []openedBallot }
	if resp := e.do(t, e.committee, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/open", draft.ID), nil, &opened); resp.StatusCode != http.StatusOK {
		t.Fatalf("open: %d", resp.StatusCode)
	}
	_, v2, _ := e.registerProcedure(t, e.committee, `{}`, []byte("%PDF-1.4 v2"))
	if status := e.activate(t, e.committee, v2); status != http.StatusOK {
		t.Fatalf("activate v2: %d", status)
	}
	p = e.consultationProcedure(t, draft.ID)
	if p.Procedure.Version == nil || *p.Procedure.Version != v1 || p.Procedure.OriginalSHA256 != hash ||
		p.Procedure.Settings.Nonresponse != "delivered-participate" || p.Procedure.Settings.Thresholds.Ordinary.Approval.Area != "3/5" {
		t.Errorf("open consultation after version %d was activated: %+v, want version %d frozen", v2, p, v1)
	}

	sentence := fmt.Sprintf("本次表决适用《议事规则》第 %d 版（SHA-256 前 12 位 %s）", v1, hash[:12])
	if _, body := pageGet(t, e, "/v/"+e.token(opened.Ballots[0])); !strings.Contains(body, sentence) {
		t.Errorf("the ballot page does not say %q", sentence)
	}
	status, pdf := e.get(t, e.committee, fmt.Sprintf("/api/v1/consultations/%d/ballots.pdf?building=1&entrance=1", draft.ID))
	if status != http.StatusOK {
		t.Fatalf("packet: %d", status)
	}
	text := strings.Join(strings.Fields(pdfText(t, pdf)), "")
	if !strings.Contains(text, strings.Join(strings.Fields(sentence), "")) {
		t.Errorf("the packet does not say %q", sentence)
	}
	// The packet states the frozen ordinary threshold, not Article 278's.
	if !strings.Contains(text, "同意须达参与表决面积五分之三以上") {
		t.Errorf("the packet does not state the frozen threshold 3/5")
	}
}

func TestBallotPageWithoutVersionSaysSo(t *testing.T) {
	e := newVoteEstate(t)
	_, ballots := e.openNow(t)
	if _, body := pageGet(t, e, "/v/"+e.token(ballots[0])); !strings.Contains(body, "未登记议事规则，按《民法典》第二百七十八条默认规则") {
		t.Error("the ballot page does not say that no rules of procedure are registered")
	}
}
