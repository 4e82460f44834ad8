package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"gongjue/api"
	"gongjue/postgres"
	"gongjue/sms"
	"gongjue/tally"
)

func runMigrate(ctx context.Context, stdout io.Writer) error {
	e, err := openEnv(ctx) // migrates
	if err != nil {
		return err
	}
	defer e.DB.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func runServe(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", ":8080", "listen address HOST:PORT")
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
	srv, err := api.New(api.Config{DB: e.DB, Keys: e.Keys, PublicURL: e.PublicURL, SMS: sender})
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
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
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
