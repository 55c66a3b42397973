package station_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
)

// bufferedSink is the null sink behind an output buffer: what it has taken
// from the deck is heard only lag frames later, and — as the unpaced null
// sink does — it takes nothing while the deck is idle. So the end of a
// segment is heard only once something else plays.
type bufferedSink struct {
	*audio.StreamSink
	lag int64
}

func (s bufferedSink) Played() int64 { return max(0, s.StreamSink.Played()-s.lag) }

// Waiting for an airing to be heard does not hold up the next slot: the
// next occurrence is prepared and queued while the previous one is still in
// the output's buffer (before, the loop waited for it, here for ever), and
// the previous row is closed completed once its last frame is heard.
func TestHeardWaitDoesNotHoldUpTheNextSlot(t *testing.T) {
	e := newEnv(t, opts{start: day(10, 5, 0), slots: []playlist.Slot{
		slot(t, "a", "0 6 * * *", time.Minute),
		slot(t, "b", "1 6 * * *", time.Minute),
	}, sinkFor: func(c *audio.VirtualClock) audio.Sink {
		return bufferedSink{StreamSink: audio.NewNullSink(deckRate, false, c), lag: deckRate.N(2 * time.Second)}
	}})
	seg := e.segment("a", time.Second)
	if err := e.runUntil("slot = 'b' AND status = 'completed'"); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := e.airings()
	if len(got) < 2 {
		t.Fatalf("log %+v, want slots a and b", got)
	}
	for i, name := range []string{"a", "b"} {
		a := got[i]
		if a.Slot != name || a.SegmentID != seg.ID || a.Status != playlist.StatusCompleted || a.Played < seg.Duration-oneFrame {
			t.Errorf("row %d: %+v, want slot %s completed, played %v", i, a, name, seg.Duration)
		}
		if d := a.StartedAt.Sub(a.ScheduledAt).Abs(); d > time.Millisecond {
			t.Errorf("slot %s started %v off its time", name, d)
		}
	}
}

// lossySink is bufferedSink with a sound card that goes away and comes back
// (audio.DeviceWatcher). It is lost the first time the station asks after
// it has taken frames — the last of an airing still in its buffer — and
// back once the clock reaches back. Back, it counts from where it
// restarted, as the real output does: what it held before the loss then
// reads as heard, though it never was.
type lossySink struct {
	bufferedSink
	clock   *audio.VirtualClock
	back    time.Time
	restart int64

	mu      sync.Mutex
	lost    bool
	changed chan struct{}
}

func (s *lossySink) DeviceState() (<-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	switch {
	case !s.lost && s.clock.Now().Before(s.back) && s.StreamSink.Played() > 0:
		s.lost = true
		close(s.changed)
		s.changed = make(chan struct{})
	case s.lost && !s.clock.Now().Before(s.back):
		s.lost = false
		close(s.changed)
		s.changed = make(chan struct{})
	}
	if s.lost {
		return s.changed, fmt.Errorf("%w: card unplugged", audio.ErrNoDevice)
	}
	return s.changed, nil
}

func (s *lossySink) Played() int64 {
	if _, err := s.DeviceState(); err != nil || s.clock.Now().Before(s.back) {
		return s.bufferedSink.Played()
	}
	return s.bufferedSink.Played() + s.restart
}

// An airing whose last frames were in the card's buffer when the card was
// lost is cut with what was heard before the loss — not left open and then
// logged completed once the card is back and counts on from its restart.
func TestCardLostWithTheTailUnheardCutsTheAiring(t *testing.T) {
	start := day(10, 5, 0)
	var sink *lossySink
	e := newEnv(t, opts{start: start, slots: []playlist.Slot{slot(t, "a", "0 6 * * *", time.Minute)},
		sinkFor: func(c *audio.VirtualClock) audio.Sink {
			sink = &lossySink{
				bufferedSink: bufferedSink{StreamSink: audio.NewNullSink(deckRate, false, c), lag: deckRate.N(2 * time.Second)},
				clock:        c, back: day(10, 6, 0).Add(30 * time.Second), restart: deckRate.N(10 * time.Second)}
			return sink
		}})
	e.segment("a", time.Second)
	if err := e.runUntil("slot = 'a' AND status != 'open'"); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := e.airings()
	if len(got) != 1 {
		t.Fatalf("log %+v, want one row", got)
	}
	a := got[0]
	want := station.ReasonDeviceError + ": card unplugged"
	if a.Status != playlist.StatusInterrupted || a.Reason != want {
		t.Errorf("row: %s %q, want interrupted %q", a.Status, a.Reason, want)
	}
	if a.Played != 0 {
		t.Errorf("played %v, want 0: the card was lost before any of it was heard", a.Played)
	}
}

// On shutdown the airing being cut is closed with what the output plays
// before it stops — all that was handed to it, however long its buffers
// are (audio.buffer goes up to 2 s: with oto's read-ahead, 5 s in flight),
// not what had been heard when a fixed two-second wait ran out.
func TestShutdownWaitsForAllTheOutputHolds(t *testing.T) {
	lag := 3 * time.Second
	var sink bufferedSink
	e := newEnv(t, opts{sinkFor: func(*audio.VirtualClock) audio.Sink {
		sink = bufferedSink{StreamSink: audio.NewNullSink(deckRate, true, audio.WallClock{}), lag: deckRate.N(lag)}
		return sink
	}})
	seg := e.segment("long", 20*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	before := sink.StreamSink.Played() // the segment starts after these frames
	go func() { done <- e.stn.PlayNow(ctx, []playlist.Segment{seg}) }()
	// Shut down once some of it has been heard (a poll, not a timing).
	for sink.Played() < deckRate.N(300*time.Millisecond) {
		time.Sleep(10 * time.Millisecond)
	}
	handed := sink.StreamSink.Played() // the deck's frames the output holds by now, and more
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("PlayNow: %v", err)
	}
	heard := sink.Played()
	got := e.airings()
	if len(got) != 1 {
		t.Fatalf("log %+v, want one row", got)
	}
	a := got[0]
	if a.Status != playlist.StatusInterrupted || a.Reason != station.ReasonShutdown {
		t.Errorf("row: %s %q, want interrupted %q", a.Status, a.Reason, station.ReasonShutdown)
	}
	// Everything handed out before the cut was heard before the row was
	// closed: as much as had been handed when the shutdown began (less the
	// moment the segment took to start: 200 ms is plenty), no more than the
	// output had played by the time PlayNow returned. A fixed 2 s wait
	// falls a second short.
	low, high := deckRate.D(handed-before)-200*time.Millisecond, deckRate.D(heard-before)+oneFrame
	if a.Played < low || a.Played > high {
		t.Errorf("played %v, want between %v (handed before the shutdown) and %v (heard by the close)", a.Played, low, high)
	}
}
