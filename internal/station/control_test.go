package station_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/words"
)

// stepSink is an output the test moves by hand: each step pulls frames
// from the deck, moves the virtual clock by as much, and keeps them. Like
// a sound card, it has a latency: Played lags the frames handed out by
// lag frames (what oto and the device still buffer).
type stepSink struct {
	deck  *audio.Deck
	clock *audio.VirtualClock
	lag   int64

	mu     sync.Mutex
	handed int64
	out    []float32
}

func (s *stepSink) Run(ctx context.Context, d *audio.Deck) error { <-ctx.Done(); return nil }
func (s *stepSink) Name() string                                 { return "step" }
func (s *stepSink) Played() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(0, s.handed-s.lag)
}

// step plays n frames (the deck fills silence when idle or paused).
func (s *stepSink) step(n int) {
	buf := make([]float32, n*audio.Channels)
	got := s.deck.Pull(buf, s.clock.Now().Add(deckRate.D(s.lag)), true)
	s.clock.Advance(deckRate.D(int64(got)))
	s.mu.Lock()
	s.handed += int64(got)
	s.out = append(s.out, buf...)
	s.mu.Unlock()
}

// to steps until the deck has handed out frame.
func (s *stepSink) to(frame int64) {
	for s.Played()+s.lag < frame {
		s.step(int(min(4800, frame-(s.Played()+s.lag))))
	}
}

// controlEnv is a station airing three 2 s segments with a 500 ms gap
// through a stepSink with 200 ms of latency. Layout at 48 kHz: a [0,
// 96000), gap, b [120000, 216000), gap, c [240000, 336000).
type controlEnv struct {
	*env
	sink *stepSink
	plan playlist.Plan
	done chan error
}

const lag = 9600 // 200 ms

func newControlEnv(t *testing.T, slotLength time.Duration) *controlEnv {
	start := day(10, 6, 0)
	e := newEnv(t, opts{start: start, gap: 500 * time.Millisecond, sink: &stepSink{}})
	sink := e.stn.Sink.(*stepSink)
	sink.deck, sink.clock, sink.lag = e.stn.Deck, e.clock, lag
	var items []playlist.Item
	offset := time.Duration(0)
	for i, name := range []string{"a", "b", "c"} {
		seg := e.segment(name, 2*time.Second)
		if i > 0 {
			offset += 500 * time.Millisecond
		}
		items = append(items, playlist.Item{Segment: seg, Offset: offset, StartsAt: start.Add(offset)})
		offset += seg.Duration
	}
	plan := playlist.Plan{Occurrence: playlist.Occurrence{Slot: "sang", Start: start, Length: slotLength}, Items: items}
	c := &controlEnv{env: e, sink: sink, plan: plan, done: make(chan error, 1)}
	go func() { c.done <- e.stn.Air(context.Background(), plan) }()
	return c
}

// waitRows waits until the log has n closed rows (a guard against a hung
// test, not a timing assertion).
func (c *controlEnv) waitRows(n int) []playlist.Airing {
	c.t.Helper()
	guard := time.Now().Add(30 * time.Second)
	for c.count("SELECT COUNT(*) FROM airings WHERE status != 'open'") < n {
		if time.Now().After(guard) {
			c.t.Fatalf("the log never had %d closed rows: %+v", n, c.airings())
		}
		time.Sleep(2 * time.Millisecond)
	}
	return c.airings()
}

// started plays the first 4800 frames of a and waits until the station
// has queued the gap and b behind it (it does when a starts).
func (c *controlEnv) started() {
	c.t.Helper()
	c.waitDeck(1)
	c.sink.step(4800)
	c.waitDeck(3)
}

func (c *controlEnv) waitDeck(n int) {
	c.t.Helper()
	guard := time.Now().Add(30 * time.Second)
	for c.stn.Deck.Len() < n {
		if time.Now().After(guard) {
			c.t.Fatalf("the deck never held %d cues", n)
		}
		time.Sleep(time.Millisecond)
	}
}

func (c *controlEnv) finish() {
	c.t.Helper()
	for {
		select {
		case err := <-c.done:
			if err != nil {
				c.t.Fatal(err)
			}
			return
		default:
			c.sink.step(4800)
			time.Sleep(time.Millisecond)
		}
	}
}

// near: within one frame and the log's millisecond rounding.
func near(got, want time.Duration) bool { return abs(got-want) <= oneFrame }

func TestSkipEndsTheSegmentAndPlaysTheNext(t *testing.T) {
	ctx := context.Background()
	c := newControlEnv(t, 10*time.Minute)
	c.started()       // a is on the deck, b is queued when a starts
	c.sink.to(168000) // b has had 48000 frames handed out
	c.waitDeck(3)     // b, the gap and c: queued when b started
	if err := c.stn.Skip(ctx); err != nil {
		t.Fatal(err)
	}
	c.finish()
	rows := c.airings()
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3: %+v", len(rows), rows)
	}
	// b: every frame handed out before the skip is heard (the output plays
	// on; its buffers are not flushed): 168000-120000 = 48000 frames, of
	// which the last 9600 (the latency) after the skip was asked for.
	if r := rows[1]; r.Status != playlist.StatusInterrupted || r.Reason != station.ReasonSkipped || !near(r.Played, time.Second) ||
		abs(r.EndedAt.Sub(day(10, 6, 0).Add(deckRate.D(168000+lag)))) > time.Millisecond {
		t.Errorf("skipped row: %s %q played %v ended %v; want interrupted %q played 1s, ended 06:00:03.700", r.Status, r.Reason, r.Played, r.EndedAt, station.ReasonSkipped)
	}
	if r := rows[0]; r.Status != playlist.StatusCompleted || !near(r.Played, 2*time.Second) {
		t.Errorf("first row: %s played %v; want completed 2s", r.Status, r.Played)
	}
	// c follows the gap after the skip: it starts at frame 168000+24000.
	if r := rows[2]; r.Status != playlist.StatusCompleted || !near(r.Played, 2*time.Second) ||
		abs(r.StartedAt.Sub(day(10, 6, 0).Add(deckRate.D(192000+lag)))) > time.Millisecond {
		t.Errorf("next row: %s from %v played %v; want completed 2s from 06:00:04.200", r.Status, r.StartedAt, r.Played)
	}
	// The recording: b stops dead at 168000, then 24000 frames of silence.
	for k := 168000 * 2; k < 192000*2; k++ {
		if c.sink.out[k] != 0 {
			t.Fatalf("frame %d after the skip is %g, want the gap's silence", k/2, c.sink.out[k])
		}
	}
	if c.sink.out[192000*2+2] == 0 {
		t.Errorf("c does not start right after the gap")
	}
}

func TestStopLogsThePlayedLengthAndEndsTheSlot(t *testing.T) {
	ctx := context.Background()
	c := newControlEnv(t, 10*time.Minute)
	c.started()
	c.sink.to(60000)
	if err := c.stn.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-c.done; err != nil {
		t.Fatal(err)
	}
	rows := c.airings()
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2 (a cut, b queued and never started): %+v", len(rows), rows)
	}
	if r := rows[0]; r.Status != playlist.StatusInterrupted || r.Reason != station.ReasonOperatorStop || !near(r.Played, deckRate.D(60000)) {
		t.Errorf("stopped row: %s %q played %v; want interrupted %q played %v", r.Status, r.Reason, r.Played, station.ReasonOperatorStop, deckRate.D(60000))
	}
	if r := rows[1]; r.Status != playlist.StatusInterrupted || r.Played != 0 {
		t.Errorf("queued row: %s played %v; want interrupted, 0", r.Status, r.Played)
	}
	if err := c.stn.Skip(ctx); !errors.Is(err, station.ErrNothingOnAir) {
		t.Errorf("skip with nothing on the air: %v, want ErrNothingOnAir", err)
	}
}

func TestPauseHoldsTheDeckAndPlayedLengthLeavesThePauseOut(t *testing.T) {
	ctx := context.Background()
	c := newControlEnv(t, 10*time.Minute)
	c.started()
	c.sink.to(168000) // 48000 frames of b handed out
	if err := c.stn.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.stn.Pause(ctx); !errors.Is(err, station.ErrAlreadyPaused) {
		t.Errorf("second pause: %v, want ErrAlreadyPaused", err)
	}
	c.sink.to(168000 + 96000) // 2 s of pause
	if err := c.stn.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	c.finish()
	rows := c.airings()
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	for i, r := range rows {
		if r.Status != playlist.StatusCompleted || !near(r.Played, 2*time.Second) {
			t.Errorf("row %d: %s played %v; want completed 2s", i, r.Status, r.Played)
		}
	}
	// The recording: the pause is 96000 frames of silence, and b goes on
	// exactly where it stopped: its samples before and after, joined, are
	// those of an unpaused b.
	out := c.sink.out
	for k := 168000 * 2; k < 264000*2; k++ {
		if out[k] != 0 {
			t.Fatalf("frame %d of the pause is %g, want silence", k/2, out[k])
		}
	}
	ref, closer, err := openSegment(c.plan.Items[1].Segment)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	want := make([]float32, 96000*2)
	if n, _ := ref.Stream(want); n < 96000 {
		want = want[:n*2]
	}
	b := append(append([]float32(nil), out[120000*2:168000*2]...), out[264000*2:(264000+48000)*2]...)
	for k := range want {
		if b[k] != want[k] {
			t.Fatalf("b around the pause differs at its frame %d: %g, want %g", k/2, b[k], want[k])
		}
	}
}

func TestStopDuringAPauseCountsOnlyWhatWasHeard(t *testing.T) {
	ctx := context.Background()
	c := newControlEnv(t, 10*time.Minute)
	c.started()
	c.sink.to(168000)
	if err := c.stn.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	c.sink.to(264000)
	if err := c.stn.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-c.done; err != nil {
		t.Fatal(err)
	}
	// Heard of b: every frame handed before the pause (48000), the
	// latency's worth included, and none of the pause's silence.
	r := c.airings()[1]
	if r.Status != playlist.StatusInterrupted || !near(r.Played, time.Second) {
		t.Errorf("row: %s played %v; want interrupted 1s", r.Status, r.Played)
	}
	if c.stn.Deck.Paused() {
		t.Errorf("the deck is still paused after the stop")
	}
}

func TestPausePastTheSlotEndStopsIt(t *testing.T) {
	ctx := context.Background()
	c := newControlEnv(t, 10*time.Second)
	c.started()
	c.sink.to(48000)
	if err := c.stn.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	c.sink.to(48000 + 10*48000) // the slot's 10 s are over
	// The station looks at a held slot every second (of real time).
	rows := c.waitRows(2)
	if r := rows[0]; r.Status != playlist.StatusInterrupted || r.Reason != station.ReasonPausedLong || !near(r.Played, deckRate.D(48000)) {
		t.Errorf("row: %s %q played %v; want interrupted %q played 1s", r.Status, r.Reason, r.Played, station.ReasonPausedLong)
	}
	if err := <-c.done; err != nil {
		t.Fatal(err)
	}
}

func TestOperatorReasonsSpeakVietnamese(t *testing.T) {
	for _, r := range []string{station.ReasonOperatorStop, station.ReasonSkipped, station.ReasonPausedLong,
		station.ReasonOperatorStop + "; " + station.ReasonNotStarted} {
		if vi := words.Reason("vi", r); vi == r || !strings.Contains(vi, "người vận hành") && !strings.Contains(vi, "tạm dừng") {
			t.Errorf("reason %q in Vietnamese: %q", r, vi)
		}
	}
}
