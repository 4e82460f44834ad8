package tally_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/roll"
	"gongjue/tally"
	"gongjue/tally/tallytest"
	"gongjue/verification"
)

// TestCloseUnderLoad (DESIGN §5.4): 32 clients cast up to the closing
// time, when the committee closes (an earlier close is refused while
// ballots are uncounted, tally.EarlyCloseError). The close returns within 2 s — new casts queue behind it rather
// than starving it — no counted ballot has a cast time after the closing
// time, every acknowledged ballot is counted, and every other attempt is
// refused because voting closed.
func TestCloseUnderLoad(t *testing.T) {
	var units []roll.Unit
	for b := 1; b <= 20; b++ {
		for i := range 200 {
			room := fmt.Sprintf("%d%02d", 1+i/4, 1+i%4)
			units = append(units, roll.Unit{
				ID: roll.UnitID(fmt.Sprint(b), "1", room), Building: fmt.Sprint(b), Entrance: "1", Room: room,
				Zone: []string{tallytest.ZoneLow, tallytest.ZoneHigh}[b%2], Floor: 1 + i/4, Area: quorum.Area(9000 + i),
				AreaSource: roll.AreaCertificate, OwnerName: "业主", IDNumber: fmt.Sprintf("ID%02d%03d", b, i),
			})
		}
	}
	e := newEstate(t, tallytest.Options{Units: units})
	sel := e.Selections(tallytest.StandardVotes["1-1-101"])
	ctx := context.Background()

	const clients = 32
	var mu sync.Mutex
	acknowledged := map[string]time.Time{}
	refused := 0
	closed := make(chan struct{})
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(units); i += clients {
				cast, err := postgres.CastOnline(ctx, e.DB, e.CommunityID, e.ID(), units[i].ID, sel, verification.Pass{})
				var we *ballot.WindowError
				mu.Lock()
				switch {
				case err == nil:
					acknowledged[units[i].ID] = cast.At
				case errors.As(err, &we) && we.Reason == "closed":
					refused++
				default:
					t.Errorf("casting %s: %v", units[i].ID, err)
				}
				mu.Unlock()
				select {
				case <-closed:
					if err != nil {
						return // refused after the close: this client is done
					}
				default:
				}
			}
		}()
	}
	// The vote ends shortly; casts still in flight then race the close.
	var closesAt time.Time
	if err := e.DB.Get(&closesAt, `UPDATE consultations SET closes_at = now() + interval '600 milliseconds'
		WHERE id = $1 RETURNING closes_at`, e.ID()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(closesAt))
	by := e.Accounts.Committee
	start := time.Now()
	res, err := tally.Close(ctx, e.DB, e.Keys, e.ID(), tally.CloseOptions{By: &by})
	took := time.Since(start)
	close(closed)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if took > 2*time.Second {
		t.Errorf("the close took %v under load, want at most 2 s", took)
	}
	if len(acknowledged) == 0 || refused == 0 {
		t.Fatalf("%d ballots acknowledged and %d refused: the close did not happen while clients cast", len(acknowledged), refused)
	}
	var counted []struct {
		Unit string    `db:"unit_id"`
		At   time.Time `db:"cast_at"`
	}
	if err := e.DB.Select(&counted, `SELECT unit_id, cast_at FROM casts WHERE consultation_id = $1`, e.ID()); err != nil {
		t.Fatal(err)
	}
	late := 0
	for _, c := range counted {
		if c.At.After(res.ClosedAt) {
			late++
		}
		if at, ok := acknowledged[c.Unit]; !ok || !at.Equal(c.At) {
			t.Errorf("counted ballot of %s at %v was not acknowledged as such (%v)", c.Unit, c.At, at)
		}
	}
	if late > 0 {
		t.Errorf("%d counted ballots were cast after the closing time %v", late, res.ClosedAt)
	}
	if len(counted) != len(acknowledged) || res.CheckpointSize != int64(len(counted)) {
		t.Errorf("%d ballots acknowledged, %d counted, %d in the final checkpoint", len(acknowledged), len(counted), res.CheckpointSize)
	}
	t.Logf("close took %v; %d ballots counted, %d refused after the close", took, len(counted), refused)
}
