package station_test

import (
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
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
