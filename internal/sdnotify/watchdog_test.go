package sdnotify

import (
	"errors"
	"testing"
	"time"
)

// fakeClock is moved by hand: the watchdog's logic is tested without sleeps.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time      { return c.t }
func (c *fakeClock) Add(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock           { return &fakeClock{t: time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)} }

func TestWatchdogStopsPingingWhenALoopStopsCheckingIn(t *testing.T) {
	clock := newFakeClock()
	pings := 0
	w := &Watchdog{Interval: 10 * time.Second, Now: clock.Now, Send: func() error { pings++; return nil }}
	station := w.Register("station")
	zone := w.Register("zone-2")
	// Both loops check in every 4 s: every half-interval tick pings.
	for i := 0; i < 6; i++ {
		clock.Add(4 * time.Second)
		station.CheckIn()
		zone.CheckIn()
		if stale, err := w.Tick(); stale != "" || err != nil {
			t.Fatalf("tick %d: stale %q, err %v with both loops alive", i, stale, err)
		}
	}
	if pings != 6 {
		t.Fatalf("%d pings while both loops were alive, want 6", pings)
	}
	// zone-2 freezes; station keeps checking in. Within the interval the
	// pings go on, after it they stop and name the frozen loop.
	clock.Add(5 * time.Second)
	station.CheckIn()
	if stale, _ := w.Tick(); stale != "" {
		t.Fatalf("5 s after its last check-in zone-2 is already stale (%q); the interval is 10 s", stale)
	}
	before := pings
	for i := 0; i < 5; i++ {
		clock.Add(6 * time.Second)
		station.CheckIn()
		stale, err := w.Tick()
		if err != nil {
			t.Fatal(err)
		}
		if stale != "zone-2" {
			t.Fatalf("stale = %q, want zone-2", stale)
		}
	}
	if pings != before {
		t.Fatalf("%d pings after zone-2 froze, want none", pings-before)
	}
	// It comes back: pings resume.
	zone.CheckIn()
	if stale, _ := w.Tick(); stale != "" || pings != before+1 {
		t.Fatalf("after zone-2 checked in again: stale %q, %d new pings, want one", stale, pings-before)
	}
}

func TestWatchdogPassesTheSendError(t *testing.T) {
	clock := newFakeClock()
	boom := errors.New("socket gone")
	w := &Watchdog{Interval: time.Second, Now: clock.Now, Send: func() error { return boom }}
	w.Register("station").CheckIn()
	if _, err := w.Tick(); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the send error", err)
	}
	var nobody *Beat
	nobody.CheckIn() // a station without a watchdog checks in through a nil Beat
}

func TestWatchdogIntervalReadsSystemdsVariables(t *testing.T) {
	for _, c := range []struct {
		usec, pid string
		want      time.Duration
		bad       bool
	}{
		{"", "", 0, false},
		{"30000000", "", 30 * time.Second, false},
		{"30000000", "4242", 30 * time.Second, false},
		{"30000000", "1", 0, false}, // meant for another process
		{"soon", "", 0, true},
		{"0", "", 0, true},
	} {
		got, err := WatchdogInterval(c.usec, c.pid, 4242)
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("WatchdogInterval(%q, %q) = %v, %v; want %v, error %v", c.usec, c.pid, got, err, c.want, c.bad)
		}
	}
}
