package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestVoteCandidateOrder: the confirmation and the receipt name the chosen
// candidates in the ballot's order, whatever order the form sent them in.
func TestVoteCandidateOrder(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	path := "/v/" + e.token(ballots[0])
	m := c.Matters
	form := url.Values{"step": {"confirm"}, fmt.Sprintf("m%d", m[0].ID): {"agree"}, fmt.Sprintf("m%d", m[1].ID): {"三菱"},
		fmt.Sprintf("m%d", m[2].ID): {"", "钱七", "王五"}}
	resp, body := formPost(t, e, path, form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "王五、钱七") {
		t.Fatalf("confirmation: %d, candidates not in the ballot's order:\n%s", resp.StatusCode, body)
	}
	form.Set("step", "cast")
	resp, body = formPost(t, e, path, form)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "王五、钱七") {
		t.Fatalf("receipt: %d, candidates not in the ballot's order:\n%s", resp.StatusCode, body)
	}
}

// TestVotePageShowsExplanation: the estate's explanation is on the page,
// not behind a toggle, and the unit id and its area are kept whole.
func TestVotePageShowsExplanation(t *testing.T) {
	e := newVoteEstate(t)
	_, ballots := e.openNow(t)
	resp, body := pageGet(t, e, "/v/"+e.token(ballots[0]))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ballot page: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `<section class="vote-card vote-intro" id="vote-intro" data-read><h2>表决说明</h2><p class="pre">详见公告栏。</p>`) || strings.Contains(body, "<details") {
		t.Errorf("the explanation is not shown open:\n%s", body)
	}
	if !strings.Contains(body, `<span class="nowrap">`+ballots[0].Unit+`</span>`) || !strings.Contains(body, ` m²</span>`) {
		t.Errorf("the unit id or the area may break across lines:\n%s", body)
	}
}
