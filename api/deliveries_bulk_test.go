package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

type bulkRefusal struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Field string `json:"field"`
			Item  string `json:"item"`
		} `json:"details"`
	} `json:"error"`
}

func (e *voteEstate) bulk(t *testing.T, token, path string, body any) (int, json.RawMessage) {
	t.Helper()
	var raw json.RawMessage
	resp := e.do(t, token, http.MethodPost, path, body, &raw)
	return resp.StatusCode, raw
}

func refusedFields(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var r bulkRefusal
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, d := range r.Error.Details {
		fields = append(fields, d.Field+"="+d.Item)
	}
	return fields
}

// stairwell returns the ballots of building b, entrance en.
func stairwell(ballots []openedBallot, b, en string) []openedBallot {
	var out []openedBallot
	for _, x := range ballots {
		if strings.HasPrefix(x.Unit, b+"-"+en+"-") {
			out = append(out, x)
		}
	}
	return out
}

func TestBulkDeliveryOfAStairwellAllOrNothing(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	path := fmt.Sprintf("/api/v1/consultations/%d/deliveries/bulk", c.ID)
	well := stairwell(ballots, "1", "1")
	if len(well) != 6 {
		t.Fatalf("stairwell 1-1 has %d ballots", len(well))
	}
	at := time.Now().Add(-2 * time.Hour).Format(time.RFC3339)
	request := func(units []openedBallot, recipient func(i int) string) map[string]any {
		var list []map[string]string
		for i, u := range units {
			list = append(list, map[string]string{"unit": u.Unit, "recipient": recipient(i)})
		}
		return map[string]any{"building": "1", "entrance": "1", "method": "in_person", "delivered_at": at, "note": "楼组长张阿姨带回签收单", "units": list}
	}
	signed := func(i int) string { return fmt.Sprintf("业主本人 %d", i) }
	other := stairwell(ballots, "2", "1")[0]

	for _, bad := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"a unit of another stairwell", request(append(append([]openedBallot{}, well...), other), signed), "units[6].unit=" + other.Unit},
		{"one receipt without its recipient", request(well, func(i int) string { return map[bool]string{true: "", false: "业主"}[i == 3] }), "units[3].recipient=" + well[3].Unit},
		{"a unit twice", request(append(append([]openedBallot{}, well...), well[0]), signed), "units[6].unit=" + well[0].Unit},
	} {
		status, raw := e.bulk(t, e.volunteer, path, bad.body)
		fields := refusedFields(t, raw)
		if status != http.StatusUnprocessableEntity || len(fields) != 1 || fields[0] != bad.want {
			t.Errorf("%s: %d %v, want 422 naming %s", bad.name, status, fields, bad.want)
		}
	}
	for unit, u := range e.deliveries(t, c.ID, "") {
		if u.State != "none" {
			t.Fatalf("a refused bulk entry recorded %s: %+v", unit, u)
		}
	}
	if status, _ := e.bulk(t, e.login(t, "residents"), path, request(well, signed)); status != http.StatusForbidden {
		t.Errorf("the residents' committee entered receipts: %d", status)
	}

	status, raw := e.bulk(t, e.volunteer, path, request(well, signed))
	var recorded struct {
		IDs      []int64 `json:"delivery_ids"`
		Recorded int     `json:"recorded"`
	}
	json.Unmarshal(raw, &recorded)
	if status != http.StatusCreated || recorded.Recorded != 6 || len(recorded.IDs) != 6 {
		t.Fatalf("bulk entry: %d %s", status, raw)
	}
	// A record of volunteer2's own, elsewhere, slipped into their
	// verify-all: refused, and nothing of the request verified.
	_, own, _ := e.recordDelivery(t, e.volunteer2, c.ID, map[string]any{"unit": stairwell(ballots, "1", "2")[0].Unit,
		"method": "registered_post", "delivered_at": at})
	verify := fmt.Sprintf("/api/v1/consultations/%d/deliveries/verify", c.ID)
	status, raw = e.bulk(t, e.volunteer2, verify, map[string]any{"delivery_ids": append(append([]int64{}, recorded.IDs...), own)})
	if fields := refusedFields(t, raw); status != http.StatusForbidden || len(fields) != 1 || fields[0] != fmt.Sprintf("delivery_ids[6]=%d", own) {
		t.Errorf("verify-all with one's own record: %d %s", status, raw)
	}
	if status, _ := e.bulk(t, e.volunteer, verify, map[string]any{"delivery_ids": recorded.IDs}); status != http.StatusForbidden {
		t.Errorf("the recorder verified their own stairwell: %d", status)
	}
	for _, u := range well {
		if got := e.deliveries(t, c.ID, u.Unit)[u.Unit]; got.State != "recorded" || len(got.Records) != 1 || got.Records[0].State != "recorded" {
			t.Fatalf("after refused verifications, %s: %+v", u.Unit, got)
		}
	}
	if status, raw := e.bulk(t, e.volunteer2, verify, map[string]any{"delivery_ids": recorded.IDs}); status != http.StatusOK || !strings.Contains(string(raw), `"verified":6`) {
		t.Errorf("verify-all by another volunteer: %d %s", status, raw)
	}
	if status, raw := e.bulk(t, e.committee, verify, map[string]any{"delivery_ids": recorded.IDs[:1]}); status != http.StatusConflict {
		t.Errorf("verifying a verified record again: %d %s", status, raw)
	}
	for _, u := range well {
		if got := e.deliveries(t, c.ID, u.Unit)[u.Unit]; got.State != "verified" {
			t.Errorf("%s after verify-all: %+v", u.Unit, got)
		}
	}
}

type deliveryFigures struct {
	Units        int `json:"units"`
	Delivered    int `json:"delivered"`
	NotDelivered int `json:"not_delivered"`
	Voted        int `json:"voted"`
}

func TestTurnoutCountsDeliveredNotDeliveredVoted(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	at := time.Now().Add(-time.Hour).Format(time.RFC3339)
	well := stairwell(ballots, "1", "1")
	var ids []int64
	for _, u := range well[:4] {
		_, id, _ := e.recordDelivery(t, e.volunteer, c.ID, map[string]any{"unit": u.Unit, "method": "in_person", "delivered_at": at, "recipient": "业主本人"})
		ids = append(ids, id)
	}
	// Verified: three of the four; one stays recorded, which is not
	// delivered.
	if status, raw := e.bulk(t, e.volunteer2, fmt.Sprintf("/api/v1/consultations/%d/deliveries/verify", c.ID), map[string]any{"delivery_ids": ids[:3]}); status != http.StatusOK {
		t.Fatalf("verify: %d %s", status, raw)
	}
	// Voted: one delivered unit and one of building 2 that nobody delivered.
	for _, b := range []openedBallot{well[0], stairwell(ballots, "2", "2")[1]} {
		if resp := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(b), map[string]any{"choices": c.choices()}, nil); resp.StatusCode != http.StatusCreated {
			t.Fatalf("cast %s: %d", b.Unit, resp.StatusCode)
		}
	}
	var out struct {
		Delivery struct {
			Overall   deliveryFigures            `json:"overall"`
			Zones     map[string]deliveryFigures `json:"zones"`
			Buildings []struct {
				Building string `json:"building"`
				deliveryFigures
				Entrances []struct {
					Entrance string `json:"entrance"`
					deliveryFigures
				} `json:"entrances"`
			} `json:"buildings"`
		} `json:"delivery"`
		Overall struct{ Participating struct{ Headcount int } } `json:"overall"`
	}
	if resp := e.do(t, e.volunteer, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/turnout", c.ID), nil, &out); resp.StatusCode != http.StatusOK {
		t.Fatalf("turnout: %d", resp.StatusCode)
	}
	d := out.Delivery
	if want := (deliveryFigures{24, 3, 21, 2}); d.Overall != want {
		t.Errorf("overall %+v, want %+v", d.Overall, want)
	}
	if out.Overall.Participating.Headcount != 2 {
		t.Errorf("the existing turnout figures changed: %+v", out.Overall)
	}
	if got, want := d.Zones["多层"], (deliveryFigures{12, 3, 9, 1}); got != want {
		t.Errorf("多层 %+v, want %+v", got, want)
	}
	if got, want := d.Zones["高层"], (deliveryFigures{12, 0, 12, 1}); got != want {
		t.Errorf("高层 %+v, want %+v", got, want)
	}
	if len(d.Buildings) != 2 || d.Buildings[0].Building != "1" || d.Buildings[1].Building != "2" {
		t.Fatalf("buildings: %+v", d.Buildings)
	}
	if got, want := d.Buildings[0].deliveryFigures, (deliveryFigures{12, 3, 9, 1}); got != want {
		t.Errorf("building 1 %+v, want %+v", got, want)
	}
	b2 := d.Buildings[1]
	if len(b2.Entrances) != 2 || b2.Entrances[1].Entrance != "2" || b2.Entrances[1].deliveryFigures != (deliveryFigures{6, 0, 6, 1}) {
		t.Errorf("building 2's entrances: %+v", b2.Entrances)
	}
	if e1 := d.Buildings[0].Entrances[0]; e1.Entrance != "1" || e1.deliveryFigures != (deliveryFigures{6, 3, 3, 1}) {
		t.Errorf("1-1: %+v", e1)
	}

	// The door-to-door list says how each unvoted unit was delivered.
	var missing struct {
		Missing []struct {
			Building, Entrance string
			Units              []struct {
				Unit           string `json:"unit"`
				Delivery       string `json:"delivery"`
				DeliveryMethod string `json:"delivery_method"`
				DeliveryRecord string `json:"delivery_record"`
			}
		} `json:"missing"`
	}
	e.do(t, e.volunteer, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/turnout?missing=1&building=1&entrance=1", c.ID), nil, &missing)
	if len(missing.Missing) != 1 || len(missing.Missing[0].Units) != 5 {
		t.Fatalf("missing: %+v", missing.Missing)
	}
	got := map[string]string{}
	for _, u := range missing.Missing[0].Units {
		got[u.Unit] = u.Delivery + "/" + u.DeliveryMethod + "/" + u.DeliveryRecord
	}
	want := map[string]string{well[1].Unit: "verified/in_person/verified", well[2].Unit: "verified/in_person/verified",
		well[3].Unit: "recorded/in_person/recorded", well[4].Unit: "none//", well[5].Unit: "none//"}
	for unit, w := range want {
		if got[unit] != w {
			t.Errorf("%s: %q, want %q", unit, got[unit], w)
		}
	}
}
