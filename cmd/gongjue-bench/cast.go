package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongjue/postgres"
)

// measureCasting measures casting through HTTP from b.Clients concurrent
// clients, every ballot of the demo estate, two ways — the ballot API
// (POST /api/v1/ballots/{token}) and the owners' phone page (POST
// /v/{token} to confirm, then again to cast) — against the ceiling of the
// same database at the same concurrency: a plain one-row INSERT per
// transaction. The three alternate in rounds of 3,762 so that none enjoys
// a quieter machine. It also reports the peak resident memory of this
// process, which runs the server, while the clients cast.
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

	var api, phone, ceiling timing
	runtime.GC()
	// As for the packet: VmHWM after resetting it is the peak of the casting.
	resetPeak := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	for round := range castRounds {
		apiVote, err := openBenchConsultation(ctx, b, fmt.Sprintf("性能测试第 %d 轮（接口）", round+1))
		if err != nil {
			return nil, err
		}
		phoneVote, err := openBenchConsultation(ctx, b, fmt.Sprintf("性能测试第 %d 轮（手机页）", round+1))
		if err != nil {
			return nil, err
		}
		castAPI := func() error {
			bodies := apiVote.jsonBodies()
			return api.run(b.Clients, len(apiVote.Tokens), func(i int) error {
				out, err := b.post(ctx, "/api/v1/ballots/"+apiVote.Tokens[i], "application/json", bodies[i%len(bodies)], 2*round*len(apiVote.Tokens)+i, http.StatusCreated)
				if err == nil && !bytes.Contains(out, []byte(`"receipt"`)) {
					err = fmt.Errorf("cast %d: no receipt in %s", i, out)
				}
				return err
			})
		}
		castPhone := func() error {
			forms := phoneVote.formBodies()
			return phone.run(b.Clients, len(phoneVote.Tokens), func(i int) error {
				form, phoneN := forms[i%len(forms)], (2*round+1)*len(phoneVote.Tokens)+i
				path := "/v/" + phoneVote.Tokens[i]
				if _, err := b.post(ctx, path, "application/x-www-form-urlencoded", []byte(form+"&step=confirm"), phoneN, http.StatusOK); err != nil {
					return err
				}
				_, err := b.post(ctx, path, "application/x-www-form-urlencoded", []byte(form+"&step=cast"), phoneN, http.StatusCreated)
				return err
			})
		}
		ceilingBatch := func() error {
			return ceiling.run(b.Clients, len(apiVote.Tokens), func(i int) error {
				_, err := insert.ExecContext(ctx, b.CommunityID, apiVote.Tokens[i][:8])
				return err
			})
		}
		order := []func() error{ceilingBatch, castAPI, castPhone}
		for k := range order {
			if err := order[(k+round)%len(order)](); err != nil {
				return nil, err
			}
		}
		b.Consultations = append(b.Consultations, apiVote.ID, phoneVote.ID)
	}
	peakKB, _ := procStatus("VmHWM")
	peak := peakKB << 10
	if !resetPeak {
		return nil, errors.New("cannot reset the peak resident set size (/proc/self/clear_refs)")
	}
	var counted int
	if err := b.DB.GetContext(ctx, &counted, `SELECT count(*) FROM casts`); err != nil {
		return nil, err
	}
	if counted != api.n+phone.n {
		return nil, fmt.Errorf("%d casts answered 201 but %d are counted", api.n+phone.n, counted)
	}
	apiRatio, phoneRatio := api.rate()/ceiling.rate(), phone.rate()/ceiling.rate()
	return []row{
		{What: fmt.Sprintf("ceiling: one-row INSERT per transaction, %d connections", b.Clients), Result: fmt.Sprintf("%.0f inserts/s", ceiling.rate())},
		{What: "  latency p50 / p99", Result: ceiling.percentiles()},
		{What: fmt.Sprintf("cast through the ballot API, %d clients (%d ballots)", b.Clients, api.n), Result: fmt.Sprintf("%.0f casts/s", api.rate())},
		{What: "  latency p50 / p99", Result: api.percentiles()},
		{What: "  API / ceiling", Result: fmt.Sprintf("%.0f %%", 100*apiRatio), Target: "≥ 60 %", Met: met(apiRatio >= 0.6)},
		{What: fmt.Sprintf("cast on the phone page, confirm step included, %d clients (%d ballots)", b.Clients, phone.n), Result: fmt.Sprintf("%.0f casts/s", phone.rate())},
		{What: "  latency p50 / p99 (both posts)", Result: phone.percentiles()},
		{What: "  phone page / ceiling", Result: fmt.Sprintf("%.0f %%", 100*phoneRatio), Target: "≥ 60 %", Met: met(phoneRatio >= 0.6)},
		{What: "  server RSS under the cast load (peak; bench clients and server share the process)", Result: fmt.Sprintf("%d MB", peak>>20),
			Target: fmt.Sprintf("< %d MB", rssTarget>>20), Met: met(peak < rssTarget)},
	}, nil
}

// rssTarget is the memory target of the server under the cast load.
const rssTarget = 150 << 20

// post sends body to path as phone number n (the bench plays a reverse
// proxy naming each phone in X-Forwarded-For) and returns the answer,
// checking its status.
func (b *bench) post(ctx context.Context, path, contentType string, body []byte, n, want int) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255))
	resp, err := b.Client.Do(req)
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != want {
		err = fmt.Errorf("POST %s: status %d, want %d", path, resp.StatusCode, want)
	}
	return out, err
}

// benchVote is an opened bench consultation: its id, ballot tokens and
// matter ids.
type benchVote struct {
	ID      int64
	Tokens  []string
	Matters []int64
}

// benchChoices are the few ballots the bench casts, on the approve matter
// and the choice matter.
var benchChoices = [][2]string{{"agree", "蒂森"}, {"agree", "三菱"}, {"oppose", "日立"}, {"abstain", "abstain"}}

// jsonBodies are the ballot API's bodies of benchChoices.
func (v benchVote) jsonBodies() [][]byte {
	var out [][]byte
	for _, c := range benchChoices {
		js, _ := json.Marshal(map[string]any{"choices": map[string]string{fmt.Sprint(v.Matters[0]): c[0], fmt.Sprint(v.Matters[1]): c[1]}})
		out = append(out, js)
	}
	return out
}

// formBodies are the phone page's forms of benchChoices.
func (v benchVote) formBodies() []string {
	var out []string
	for _, c := range benchChoices {
		out = append(out, url.Values{fmt.Sprintf("m%d", v.Matters[0]): {c[0]}, fmt.Sprintf("m%d", v.Matters[1]): {c[1]}}.Encode())
	}
	return out
}

// openBenchConsultation creates and opens a whole-estate consultation of
// two matters through the API.
func openBenchConsultation(ctx context.Context, b *bench, title string) (benchVote, error) {
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
		return benchVote{}, err
	}
	var c struct {
		Matters []struct{ ID int64 } `json:"matters"`
	}
	if _, err := b.call(ctx, b.Committee, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d", created.ID), nil, &c, http.StatusOK); err != nil {
		return benchVote{}, err
	}
	var opened struct {
		Ballots []struct{ URL string } `json:"ballots"`
	}
	if _, err := b.call(ctx, b.Committee, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/open", created.ID), nil, &opened, http.StatusOK); err != nil {
		return benchVote{}, err
	}
	v := benchVote{ID: created.ID}
	for _, o := range opened.Ballots {
		v.Tokens = append(v.Tokens, o.URL[strings.LastIndex(o.URL, "/")+1:])
	}
	for _, m := range c.Matters {
		v.Matters = append(v.Matters, m.ID)
	}
	return v, nil
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
