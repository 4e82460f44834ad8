// Command gongjue-bench measures Gongjue on a throwaway database (make
// bench): it creates a database on the server DATABASE_URL names, loads
// the demo estate (3,762 units), starts the HTTP server in-process, runs
// every measurement in order and prints one table. The database is dropped
// at the end (if the run dies, scripts/sweep.sh drops it later: its name
// follows the test databases' pattern).
//
// A measurement is a function adding rows to the table; each file of this
// command may register its own in an init function (see measurements).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"gongjue/api"
	"gongjue/postgres"
	"gongjue/roll"
	"gongjue/secret"
	"gongjue/staff"
)

// row is one line of the table.
type row struct {
	What   string // what was measured; indent sub-rows with two spaces
	Result string
	Target string // "" when there is none
	Met    *bool  // nil when there is no target
}

func met(ok bool) *bool { return &ok }

// measurement is one part of the bench.
type measurement struct {
	Name string
	Run  func(ctx context.Context, b *bench) ([]row, error)
}

// measurements run in this order; files add theirs in init functions,
// which run after this list is built (casting first: later measurements
// may use the consultations it filled with ballots).
var measurements = []measurement{
	{"cast", measureCasting},
	{"packet", measurePacket},
}

// bench is what every measurement shares.
type bench struct {
	DB          *postgres.DB // the throwaway database, also used by the server
	DatabaseURL string       // its URL
	Keys        *secret.Keys // the server's keys (a random master key)
	BaseURL     string       // the running server, e.g. http://127.0.0.1:41234
	PublicURL   string       // what the server's QR codes point at
	Client      *http.Client
	CommunityID int64 // the demo estate
	Units       int   // its units
	Committee   string
	Volunteer   string
	Volunteer2  string // bearer tokens of the estate's accounts

	// Consultations are the bench's consultations with every ballot cast
	// (filled by the cast measurement), for measurements of closing and
	// notices.
	Consultations []int64

	Clients int // concurrent clients for throughput measurements
}

const benchPassword = "bench-password-2026"

func main() {
	clients := flag.Int("clients", 32, "concurrent HTTP clients (and ceiling connections)")
	rounds := flag.Int("rounds", 3, "consultations of 3,762 ballots cast in the casting measurement")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	only := flag.String("only", "", "run only this measurement (cast, packet or tally); the tally then closes no demo vote")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gongjue-bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	// The server's request log would drown the table.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError + 1})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *clients, *rounds, *only, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gongjue-bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

var castRounds = 3

func run(ctx context.Context, clients, rounds int, only string, out io.Writer) error {
	castRounds = rounds
	admin := os.Getenv("DATABASE_URL")
	if admin == "" {
		return errors.New("DATABASE_URL is not set (make bench sets it)")
	}
	b, cleanup, err := setUp(ctx, admin, clients)
	if cleanup != nil {
		defer cleanup()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Gongjue bench: demo estate of %d units, %d concurrent clients, database %s\n\n", b.Units, b.Clients, redact(b.DatabaseURL))
	tw := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "measurement\tresult\ttarget\t")
	fmt.Fprintln(tw, "-----------\t------\t------\t")
	failed := false
	for _, m := range measurements {
		if only != "" && m.Name != only {
			continue
		}
		rows, err := m.Run(ctx, b)
		for _, r := range rows {
			verdict := ""
			if r.Met != nil {
				verdict = "✓"
				if !*r.Met {
					verdict, failed = "✗", true
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s %s\t\n", r.What, r.Result, r.Target, verdict)
		}
		if err != nil {
			tw.Flush()
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	tw.Flush()
	if failed {
		fmt.Fprintln(out, "\nsome targets were missed (✗)")
	}
	return nil
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "?"
	}
	p.User = nil
	return p.Host + p.Path
}

// setUp creates the throwaway database, loads the demo estate and starts
// the server.
func setUp(ctx context.Context, admin string, clients int) (*bench, func(), error) {
	adminDB, err := postgres.Open(ctx, admin)
	if err != nil {
		return nil, nil, err
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	name := fmt.Sprintf("gongjue_test_%d_bench%s", time.Now().Unix(), hex.EncodeToString(suffix))
	if _, err := adminDB.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		adminDB.Close()
		return nil, nil, err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return nil, nil, err
	}
	u.Path = "/" + name
	b := &bench{DatabaseURL: u.String(), Keys: &secret.Keys{}, Clients: clients, PublicURL: "http://localhost:8080"}
	var srv *http.Server
	cleanup := func() {
		if srv != nil {
			srv.Close()
		}
		if b.DB != nil {
			b.DB.Close()
		}
		adminDB.ExecContext(context.WithoutCancel(ctx), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		adminDB.Close()
	}
	rand.Read(b.Keys.Master[:])
	if b.DB, err = postgres.Open(ctx, b.DatabaseURL); err != nil {
		return b, cleanup, err
	}
	if _, err := postgres.Migrate(ctx, b.DB); err != nil {
		return b, cleanup, err
	}
	if b.CommunityID, err = postgres.CreateCommunity(ctx, b.DB, "共决示范小区", "上海市示范路 278 号"); err != nil {
		return b, cleanup, err
	}
	summary, err := postgres.ImportRoll(ctx, b.DB, b.Keys, b.CommunityID, roll.Demo())
	if err != nil {
		return b, cleanup, err
	}
	b.Units = summary.Units
	for _, a := range []struct{ name, role string }{
		{"committee", staff.RoleCommittee}, {"volunteer", staff.RoleVolunteer}, {"volunteer2", staff.RoleVolunteer},
	} {
		if _, err := postgres.CreateAccount(ctx, b.DB, a.name, benchPassword, a.role, &b.CommunityID); err != nil {
			return b, cleanup, err
		}
	}
	// Every ballot is cast from a phone of its own: the bench plays a
	// reverse proxy on 127.0.0.1 and names each phone in X-Forwarded-For,
	// so the per-address limits apply as they would in production.
	handler, err := api.New(api.Config{DB: b.DB, Keys: b.Keys, PublicURL: b.PublicURL, TrustedProxies: []string{"127.0.0.1"}})
	if err != nil {
		return b, cleanup, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return b, cleanup, err
	}
	srv = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	b.BaseURL = "http://" + ln.Addr().String()
	b.Client = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
		MaxIdleConns: 4 * clients, MaxIdleConnsPerHost: 4 * clients, IdleConnTimeout: time.Minute,
	}}
	for _, a := range []struct {
		name string
		into *string
	}{{"committee", &b.Committee}, {"volunteer", &b.Volunteer}, {"volunteer2", &b.Volunteer2}} {
		var out struct{ Token string }
		if _, err := b.call(ctx, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": a.name, "password": benchPassword}, &out, http.StatusOK); err != nil {
			return b, cleanup, err
		}
		*a.into = out.Token
	}
	return b, cleanup, nil
}

// call sends a JSON request to the server and decodes the answer into out,
// checking the status.
func (b *bench) call(ctx context.Context, token, method, path string, body, out any, want int) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.BaseURL+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode != want {
		return resp, fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, strings.TrimSpace(string(data)))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp, nil
}
