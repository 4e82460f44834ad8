package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"gongjue/api"
	"gongjue/postgres"
	"gongjue/sms"
	"gongjue/tally"
)

// runMigrate applies the migrations and, with --grant ROLE, gives ROLE
// the least privileges gongjue serve needs (postgres.GrantServe). Run it
// as the schema owner.
func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	grant := fs.String("grant", "", "database role gongjue serve runs as: grant it what serving needs, revoke the rest")
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := openEnv(ctx) // migrates
	if err != nil {
		return err
	}
	defer e.DB.Close()
	fmt.Fprintln(stdout, "migrations applied")
	if *grant != "" {
		if err := postgres.GrantServe(ctx, e.DB, *grant); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "role %s holds the grants of gongjue serve\n", *grant)
	}
	return nil
}

func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", ":8080", "listen address HOST:PORT")
	proxies := fs.String("trusted-proxies", "", "comma-separated addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For is believed")
	metricsAddr := fs.String("metrics-addr", "", "serve /metrics on this HOST:PORT of its own (or set GONGJUE_METRICS_TOKEN to serve it on --addr to that bearer token)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := openEnv(ctx)
	if err != nil {
		return err
	}
	defer e.DB.Close()
	sender, err := sms.FromEnv(getenv("GONGJUE_DATA_DIR", ".data"))
	if err != nil {
		return err
	}
	if f, ok := sender.(*sms.File); ok {
		slog.Warn("SMS verification codes are written to a file, not sent (set GONGJUE_SMS=tencent in production)", "file", f.Path)
	}
	var role string
	if err := e.DB.GetContext(ctx, &role, `SELECT current_user`); err != nil {
		return err
	}
	if err := postgres.CheckServeRole(ctx, e.DB, role); err != nil {
		slog.Warn("the database role can undo the append-only rule; in production serve as the role of gongjue migrate --grant (README, Production set-up)", "problem", err)
	}
	srv, err := api.New(api.Config{DB: e.DB, Keys: e.Keys, PublicURL: e.PublicURL, SMS: sender,
		TrustedProxies: splitList(*proxies), MetricsToken: os.Getenv("GONGJUE_METRICS_TOKEN")})
	if err != nil {
		return err
	}
	go postgres.RunSequencer(ctx, e.DB, e.Keys, time.Second)
	go tally.RunCloser(ctx, e.DB, tally.CloserOptions{Keys: e.Keys, Grace: tally.DefaultCloseGrace})
	hs := &http.Server{
		Addr:              *addr,
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 2)
	go func() { errc <- hs.ListenAndServe() }()
	if *metricsAddr != "" {
		ms := &http.Server{Addr: *metricsAddr, Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- ms.ListenAndServe() }()
		defer ms.Close()
	}
	slog.Info("serving", "addr", *addr, "public_url", e.PublicURL)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// splitList reads a comma-separated flag, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
