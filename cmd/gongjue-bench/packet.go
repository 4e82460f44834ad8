package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// measurePacket prints the ballot packet of the whole demo estate through
// GET /api/v1/consultations/{id}/ballots.pdf: its time (target under 5 s),
// pages per second, size, and the process's peak memory while printing.
// It prints a consultation of its own: packets are printed only for units
// that have not voted, and the casting measurement's have all voted.
func measurePacket(ctx context.Context, b *bench) ([]row, error) {
	v, err := openBenchConsultation(ctx, b, "性能测试：选票打印")
	if err != nil {
		return nil, err
	}
	id := v.ID
	runtime.GC()
	// Writing 5 to clear_refs resets the peak resident set size (Linux), so
	// VmHWM afterwards is the peak of the packet alone.
	resetPeak := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/consultations/%d/ballots.pdf", b.BaseURL, id), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+b.Volunteer)
	start := time.Now()
	resp, err := b.Client.Do(req)
	if err != nil {
		return nil, err
	}
	size, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ballots.pdf: status %d", resp.StatusCode)
	}
	pages, _ := strconv.Atoi(resp.Header.Get("X-Ballot-Pages"))
	peak := "?"
	if kb, ok := procStatus("VmHWM"); ok {
		peak = fmt.Sprintf("%.0f MB", float64(kb)/1024)
		if !resetPeak {
			peak += " (whole run)"
		}
	}
	return []row{
		{What: fmt.Sprintf("ballot packet PDF, %d units", b.Units), Result: fmt.Sprintf("%.2f s", elapsed.Seconds()), Target: "< 5 s", Met: met(elapsed < 5*time.Second)},
		{What: "  pages per second", Result: fmt.Sprintf("%.0f pages/s (%d pages)", float64(pages)/elapsed.Seconds(), pages)},
		{What: "  size", Result: fmt.Sprintf("%.1f MB", float64(size)/1e6)},
		{What: "  peak memory (process RSS)", Result: peak},
	}, nil
}

// procStatus reads a kB figure from /proc/self/status.
func procStatus(field string) (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
