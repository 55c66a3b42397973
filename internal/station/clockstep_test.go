package station_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// steppingClock is a virtual clock whose wall time steps forward once, while
// the station waits for a given time, as a wall clock does after an NTP step
// or a suspend.
type steppingClock struct {
	*audio.VirtualClock
	mu     sync.Mutex
	waitOn time.Time
	stepTo time.Time
}

func (c *steppingClock) Until(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	step := !c.waitOn.IsZero() && t.Equal(c.waitOn)
	if step {
		c.waitOn = time.Time{}
	}
	c.mu.Unlock()
	if step {
		t = c.stepTo
	}
	return c.VirtualClock.Until(ctx, t)
}

func TestRunLogsOccurrenceSkippedByClockStepAsMissed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	vc := audio.NewVirtualClock(day(10, 5, 0))
	// The station wakes a second early (its pre-roll) to be on air on the dot.
	clock := &steppingClock{VirtualClock: vc, waitOn: day(10, 6, 0).Add(-time.Second), stepTo: day(10, 12, 0)}
	planner := &playlist.Planner{Slots: twoSlots(t), Location: hcm}
	stn := station.New(station.Deps{Store: st, Planner: planner, Deck: audio.NewDeck(deckRate), Clock: clock, Open: openSegment,
		Sink: audio.NewNullSink(deckRate, false, vc), MissedHorizon: 30 * 24 * time.Hour})
	e := &env{t: t, dir: dir, st: st, clock: vc, stn: stn}
	sinkCtx, stop := context.WithCancel(ctx)
	e.stop = stop
	stn.StartSink(sinkCtx)
	t.Cleanup(e.stopSink)
	e.segment("a", time.Second)

	if err := e.runUntil("status = 'completed'"); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := e.airings()
	if len(got) == 0 || !got[0].ScheduledAt.Equal(day(10, 6, 0)) || got[0].Status != playlist.StatusMissed || got[0].Reason != station.ReasonLate {
		t.Errorf("the 06:00 occurrence the clock stepped over is not logged missed %q; log: %+v", station.ReasonLate, got)
	}
}
