package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"gongjue/api"
	"gongjue/postgres"
	"gongjue/postgres/pgtest"
)

// TestServeAsLeastPrivilegedRole runs the server as the role `gongjue
// migrate --grant` prepares (DESIGN §9) through a whole vote — roll,
// opening, online and paper ballots, close, both approvals and the signed
// notice — then shows that role can change or delete nothing that was
// counted and cannot switch the append-only triggers off, and that the
// triggers hold against the schema owner too.
func TestServeAsLeastPrivilegedRole(t *testing.T) {
	owner, ownerURL := pgtest.New(t)
	served, role := pgtest.ServeRole(t, owner, ownerURL)
	ctx := context.Background()
	// gongjue serve starts on a current schema without creating anything.
	if applied, err := postgres.Migrate(ctx, served); err != nil || len(applied) != 0 {
		t.Fatalf("migrating a current schema as %s: %v %v", role, applied, err)
	}

	e := newVoteEstateOn(newTestServerOn(t, served, api.Config{}), t, 3)
	c, ballots := e.openNow(t)
	for _, b := range ballots[:len(ballots)-2] {
		if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(b), map[string]any{"choices": c.choices()}, nil); r.StatusCode != http.StatusCreated {
			t.Fatalf("casting %s online: %d", b.Unit, r.StatusCode)
		}
	}
	var entry struct {
		EntryID int64 `json:"entry_id"`
	}
	paper := ballots[len(ballots)-2]
	if r := e.do(t, e.volunteer, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID),
		map[string]any{"ballot_code": paper.Code, "choices": c.choices()}, &entry); r.StatusCode != http.StatusCreated {
		t.Fatalf("entering a paper ballot: %d", r.StatusCode)
	}
	if r := e.do(t, e.volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry.EntryID), nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("confirming the paper ballot: %d", r.StatusCode)
	}
	// One unit has not voted: the vote closes once its period is over.
	if _, err := owner.Exec(`UPDATE consultations SET closes_at = now() WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(c.ID)
	if r := e.do(t, e.committee, http.MethodPost, "/api/v1/consultations/"+id+"/close", nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("close: %d", r.StatusCode)
	}
	var st struct{ Signed bool }
	residents := e.login(t, "residents")
	for tok, body := range map[string]string{e.committee: "committee", residents: "residents_committee"} {
		path := fmt.Sprintf("/api/v1/communities/%d/signing/%s", e.CommunityID, body)
		if r := e.do(t, tok, http.MethodPut, path, map[string]string{"passphrase": body + " passphrase"}, nil); r.StatusCode != http.StatusOK {
			t.Fatalf("setting the %s passphrase: %d", body, r.StatusCode)
		}
	}
	e.do(t, e.committee, http.MethodPost, "/api/v1/consultations/"+id+"/notice/approve", map[string]string{"passphrase": "committee passphrase"}, &st)
	e.do(t, residents, http.MethodPost, "/api/v1/consultations/"+id+"/notice/approve", map[string]string{"passphrase": "residents_committee passphrase"}, &st)
	if !st.Signed {
		t.Fatal("the notice was not signed")
	}
	if code, _ := e.get(t, "", "/api/v1/consultations/"+id+"/notice.pdf"); code != http.StatusOK {
		t.Fatalf("notice.pdf: %d", code)
	}

	// What the server's role may not do, however it is asked.
	var before, after [2]int
	count := func(n *[2]int) {
		t.Helper()
		if err := owner.QueryRow(`SELECT (SELECT count(*) FROM casts), (SELECT sum(area_centi) FROM ballots)`).Scan(&n[0], &n[1]); err != nil {
			t.Fatal(err)
		}
	}
	count(&before)
	var refused []string
	for _, table := range []string{"casts", "cast_choices", "ballots", "audit_entries", "results"} {
		refused = append(refused,
			`UPDATE `+table+` SET community_id = community_id`,
			`DELETE FROM `+table,
			`TRUNCATE `+table+` CASCADE`,
			`ALTER TABLE `+table+` DISABLE TRIGGER ALL`)
	}
	refused = append(refused,
		`UPDATE ballots SET area_centi = area_centi * 100`,
		`SET session_replication_role = replica`,
		`CREATE TABLE planted (id int)`,
		`CREATE FUNCTION planted() RETURNS int LANGUAGE sql AS 'SELECT 1'`)
	for _, stmt := range refused {
		_, err := served.Exec(stmt)
		if pqErr, ok := errors.AsType[*pq.Error](err); !ok || pqErr.Code != "42501" {
			t.Errorf("as %s, %s: %v, want insufficient_privilege", role, stmt, err)
		}
	}
	// The append-only triggers hold for the schema owner itself.
	for stmt, table := range map[string]string{
		`UPDATE ballots SET area_centi = area_centi * 100`: "ballots",
		`UPDATE ballots SET person_key = 'developer'`:      "ballots",
		`DELETE FROM ballots`:                              "ballots",
		`UPDATE audit_entries SET action = 'nothing'`:      "audit_entries",
		`DELETE FROM audit_entries`:                        "audit_entries",
		`TRUNCATE audit_entries`:                           "audit_entries",
	} {
		if _, err := owner.Exec(stmt); err == nil || !strings.Contains(err.Error(), table+" is append-only") {
			t.Errorf("as the owner, %s: %v", stmt, err)
		}
	}
	count(&after)
	if before != after {
		t.Errorf("casts and ballot areas %v became %v", before, after)
	}

	// Granting again changes nothing; neither the owner nor a superuser
	// is accepted as the server's role.
	if err := postgres.GrantServe(ctx, owner, role); err != nil {
		t.Fatalf("granting again: %v", err)
	}
	if r := e.do(t, e.committee, http.MethodGet, "/api/v1/consultations/"+id+"/result", nil, nil); r.StatusCode != http.StatusOK {
		t.Errorf("result after granting again: %d", r.StatusCode)
	}
	var current string
	owner.Get(&current, `SELECT current_user`)
	if err := postgres.GrantServe(ctx, owner, current); err == nil || !strings.Contains(err.Error(), "superuser") {
		t.Errorf("granting to %s: %v", current, err)
	}
	owning := role + "_owning"
	t.Cleanup(func() { owner.Exec(`DROP OWNED BY ` + owning); owner.Exec(`DROP ROLE ` + owning) })
	if _, err := owner.Exec(`CREATE ROLE ` + owning + `; CREATE TABLE owned (id int); ALTER TABLE owned OWNER TO ` + owning); err != nil {
		t.Fatal(err)
	}
	if err := postgres.GrantServe(ctx, owner, owning); err == nil || !strings.Contains(err.Error(), "owns tables") {
		t.Errorf("granting to a role owning a table: %v", err)
	}
	if err := postgres.CheckServeRole(ctx, served, role); err != nil {
		t.Errorf("the server's role: %v", err)
	}

	// A schema behind the binary: serve says to migrate as the owner.
	if _, err := owner.Exec(`DELETE FROM schema_migrations WHERE name = (SELECT max(name) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := postgres.Migrate(ctx, served); err == nil || !strings.Contains(err.Error(), "run gongjue migrate as the schema owner") {
		t.Errorf("starting as %s on a schema behind: %v", role, err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("refusing took %v", time.Since(start))
	}
}
