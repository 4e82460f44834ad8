package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"gongjue/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// freeAddr is a local address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeFlags: --metrics-addr serves the metrics on a listener of their
// own and not on --addr; --trusted-proxies is checked.
func TestServeFlags(t *testing.T) {
	_, dbURL := pgtest.New(t)
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("GONGJUE_DATA_DIR", t.TempDir())
	t.Setenv("GONGJUE_METRICS_TOKEN", "")

	if err := runServe(context.Background(), []string{"--addr", freeAddr(t), "--trusted-proxies", "not-an-address"}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "trusted proxies") {
		t.Errorf("a bad --trusted-proxies: %v", err)
	}

	addr, metricsAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", addr, "--metrics-addr", metricsAddr, "--trusted-proxies", "10.0.0.0/8, 127.0.0.1"}, io.Discard)
	}()
	get := func(url string) int {
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			resp, err := http.Get(url)
			if err == nil {
				resp.Body.Close()
				return resp.StatusCode
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %v", url, err)
			}
		}
	}
	if code := get("http://" + metricsAddr + "/metrics"); code != http.StatusOK {
		t.Errorf("metrics listener: %d", code)
	}
	if code := get("http://" + addr + "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the public address: %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}
