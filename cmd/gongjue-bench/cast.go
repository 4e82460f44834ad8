package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongjue/postgres"
)

// measureCasting measures casting through HTTP — POST /api/v1/ballots/
// {token}, every ballot of the demo estate, from b.Clients concurrent
// clients — against the ceiling of the same database at the same
// concurrency: a plain one-row INSERT per transaction. The two alternate
// in rounds of 3,762 so that neither enjoys a quieter machine.
func measureCasting(ctx context.Context, b *bench) ([]row, error) {
	if _, err := b.DB.ExecContext(ctx, `CREATE TABLE bench_ceiling (
		id bigserial PRIMARY KEY, community_id bigint NOT NULL, unit_id text NOT NULL,
		at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, err
	}
	ceilingDB, err := postgres.Open(ctx, b.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer ceilingDB.Close()
	ceilingDB.SetMaxOpenConns(b.Clients)
	ceilingDB.SetMaxIdleConns(b.Clients)
	// Prepared, as casting's statements are: the ceiling is the best a
	// one-row INSERT does, one round trip and no planning.
	insert, err := ceilingDB.PrepareContext(ctx, `INSERT INTO bench_ceiling (community_id, unit_id) VALUES ($1, $2)`)
	if err != nil {
		return nil, err
	}
	defer insert.Close()

	var cast, ceiling timing
	for round := range castRounds {
		id, tokens, body, err := openBenchConsultation(ctx, b, fmt.Sprintf("性能测试第 %d 轮", round+1))
		if err != nil {
			return nil, err
		}
		castBatch := func() error {
			return cast.run(b.Clients, len(tokens), func(i int) error {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.BaseURL+"/api/v1/ballots/"+tokens[i], bytes.NewReader(body[i%len(body)]))
				if err != nil {
					return err
				}
				req.Header.Set("Content-Type", "application/json")
				n := round*len(tokens) + i
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255))
				resp, err := b.Client.Do(req)
				if err != nil {
					return err
				}
				var out struct{ Receipt string }
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated || err != nil || out.Receipt == "" {
					return fmt.Errorf("cast %d: status %d (%v)", i, resp.StatusCode, err)
				}
				return nil
			})
		}
		ceilingBatch := func() error {
			return ceiling.run(b.Clients, len(tokens), func(i int) error {
				_, err := insert.ExecContext(ctx, b.CommunityID, tokens[i][:8])
				return err
			})
		}
		first, second := ceilingBatch, castBatch
		if round%2 == 1 {
			first, second = castBatch, ceilingBatch
		}
		if err := first(); err != nil {
			return nil, err
		}
		if err := second(); err != nil {
			return nil, err
		}
		b.Consultations = append(b.Consultations, id)
	}
	var counted int
	if err := b.DB.GetContext(ctx, &counted, `SELECT count(*) FROM casts`); err != nil {
		return nil, err
	}
	if counted != cast.n {
		return nil, fmt.Errorf("%d casts answered 201 but %d are counted", cast.n, counted)
	}
	ratio := cast.rate() / ceiling.rate()
	return []row{
		{What: fmt.Sprintf("cast through HTTP, %d clients (%d ballots)", b.Clients, cast.n), Result: fmt.Sprintf("%.0f casts/s", cast.rate())},
		{What: "  latency p50 / p99", Result: cast.percentiles()},
		{What: fmt.Sprintf("ceiling: one-row INSERT per transaction, %d connections", b.Clients), Result: fmt.Sprintf("%.0f inserts/s", ceiling.rate())},
		{What: "  latency p50 / p99", Result: ceiling.percentiles()},
		{What: "Gongjue / ceiling", Result: fmt.Sprintf("%.0f %%", 100*ratio), Target: "≥ 50 %", Met: met(ratio >= 0.5)},
	}, nil
}

// openBenchConsultation creates and opens a whole-estate consultation of
// two matters through the API, returning its id, the ballot tokens and a
// few ballot bodies to cast.
func openBenchConsultation(ctx context.Context, b *bench, title string) (int64, []string, [][]byte, error) {
	now := time.Now()
	req := map[string]any{
		"title": title, "opens_at": now.Add(-time.Minute).Format(time.RFC3339), "closes_at": now.Add(24 * time.Hour).Format(time.RFC3339),
		"matters": []map[string]any{
			{"title": "是否同意加装电梯", "kind": "approve", "flags": []string{"rebuild"}},
			{"title": "电梯品牌", "kind": "choice", "options": []string{"蒂森", "三菱", "日立"}},
		},
	}
	var created struct{ ID int64 }
	if _, err := b.call(ctx, b.Committee, http.MethodPost, fmt.Sprintf("/api/v1/communities/%d/consultations", b.CommunityID), req, &created, http.StatusCreated); err != nil {
		return 0, nil, nil, err
	}
	var c struct {
		Matters []struct{ ID int64 } `json:"matters"`
	}
	if _, err := b.call(ctx, b.Committee, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d", created.ID), nil, &c, http.StatusOK); err != nil {
		return 0, nil, nil, err
	}
	var opened struct {
		Ballots []struct{ URL string } `json:"ballots"`
	}
	if _, err := b.call(ctx, b.Committee, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/open", created.ID), nil, &opened, http.StatusOK); err != nil {
		return 0, nil, nil, err
	}
	tokens := make([]string, len(opened.Ballots))
	for i, o := range opened.Ballots {
		tokens[i] = o.URL[strings.LastIndex(o.URL, "/")+1:]
	}
	var bodies [][]byte
	for _, choice := range [][2]string{{"agree", "蒂森"}, {"agree", "三菱"}, {"oppose", "日立"}, {"abstain", "abstain"}} {
		js, _ := json.Marshal(map[string]any{"choices": map[string]string{
			fmt.Sprint(c.Matters[0].ID): choice[0], fmt.Sprint(c.Matters[1].ID): choice[1]}})
		bodies = append(bodies, js)
	}
	return created.ID, tokens, bodies, nil
}

// timing accumulates operations: how many, the wall time they took, and
// each one's latency.
type timing struct {
	n       int
	elapsed time.Duration
	lat     []time.Duration
}

// run performs fn(0) … fn(count-1) on workers goroutines.
func (t *timing) run(workers, count int, fn func(i int) error) error {
	var next atomic.Int64
	lat := make([]time.Duration, count)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				t0 := time.Now()
				if err := fn(i); err != nil {
					errs <- err
					next.Store(int64(count))
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	t.elapsed += time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	t.n += count
	t.lat = append(t.lat, lat...)
	return nil
}

func (t *timing) rate() float64 { return float64(t.n) / t.elapsed.Seconds() }

func (t *timing) percentiles() string {
	l := slices.Clone(t.lat)
	slices.Sort(l)
	p := func(q int) float64 { return float64(l[min(len(l)-1, len(l)*q/100)].Microseconds()) / 1000 }
	return fmt.Sprintf("%.1f / %.1f ms", p(50), p(99))
}
