package api

import (
	"fmt"
	"testing"
	"time"
)

// TestKeyedLimiterForgetsIdleKeys: a flood of distinct keys does not stay
// in memory once idle, and peeking at a key never remembers it.
func TestKeyedLimiterForgetsIdleKeys(t *testing.T) {
	l := newKeyedLimiter(0.001, 2) // refills too slowly to matter here
	for i := range 1000 {
		if !l.available(fmt.Sprint("peek", i)) {
			t.Fatal("an unseen key is unavailable")
		}
		l.take(fmt.Sprint("key", i))
	}
	if n := len(l.buckets); n != 1000 {
		t.Fatalf("%d buckets after 1000 keys taken", n)
	}
	l.take("key0")
	l.take("key0")
	if l.available("key0") {
		t.Error("a key past its burst is still available")
	}
	long := time.Now().Add(-idleAfter - time.Second)
	for _, b := range l.buckets {
		b.seen = long
	}
	l.swept = long
	l.take("fresh")
	if n := len(l.buckets); n != 1 {
		t.Errorf("%d buckets kept after they were idle", n)
	}
}
