package station_test

import (
	"sync/atomic"
	"testing"
	"time"
)

// The loop checks in with the watchdog while it waits for a slot and while
// the slot airs (the airing's own loop): a run that waits, then airs two
// items, checks in from both.
func TestRunChecksInWhileItWaitsAndAirs(t *testing.T) {
	start := day(10, 5, 0)
	e := newEnv(t, opts{start: start, gap: 500 * time.Millisecond})
	e.segment("a", time.Second)
	e.segment("b", 2*time.Second)
	var checks atomic.Int64
	e.stn.SetLiveness(func() { checks.Add(1) }, time.Second)
	if err := e.runUntil("status = 'completed'"); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The loop waits from 05:00 to the 06:00 slot's pre-roll in steps of
	// at most 200 ms, checking in at each: some 18,000 check-ins.
	if n := checks.Load(); n < 3600 {
		t.Fatalf("%d check-ins over an hour's wait and a slot, want one per wait step (>= 3600)", n)
	}
}
