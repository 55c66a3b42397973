package audio

import (
	"testing"
	"time"
)

// holdingOutput is an output that holds the newest held frames it was
// handed (oto's player buffer) and drops them on a flush when they are all
// at or after the floor, as the output process does. pullFirst: a refill
// that was under way when the cut came is answered (from the deck) before
// the flush, and plays after the dropped frames.
type holdingOutput struct {
	d         *Deck
	held      int64
	pullFirst int
	dropped   int64
	// refillSound: the refill during the flush was not silence.
	refillSound bool
}

func (o *holdingOutput) Flush(floor int64) {
	var unsent int64
	if o.pullFirst > 0 {
		buf := make([]float32, o.pullFirst*Channels)
		o.d.Pull(buf, time.Now(), true)
		for _, v := range buf {
			o.refillSound = o.refillSound || v != 0
		}
		unsent = int64(o.pullFirst)
	}
	end := o.d.Handed() - unsent
	if end-o.held < floor {
		return
	}
	o.dropped = o.held
	o.d.Dropped(o.held, end)
}

// TestDeckCutDropsWhatTheOutputHolds: a skip drops the frames of the cut
// cue that the output still held: the cue counts only what was heard, the
// stop is at the frame where the sound stopped, and what follows starts
// right there. A refill answered during the flush is silence and keeps its
// place after the dropped frames.
func TestDeckCutDropsWhatTheOutputHolds(t *testing.T) {
	for _, pullFirst := range []int{0, 300} {
		d := NewDeck(1000)
		out := &holdingOutput{d: d, held: 1200, pullFirst: pullFirst}
		d.SetFlusher(out)
		a, b := NewCue("a", 1, ramp(10000), nil), NewCue("b", 2, ramp(5000), nil)
		d.Enqueue(a, b)
		buf := make([]float32, 3000*Channels)
		d.Pull(buf, time.Now(), true)
		d.TakeEvents()
		if d.Skip(time.Now()) != a {
			t.Fatal("skip took off another cue")
		}
		if out.refillSound {
			t.Errorf("pullFirst %d: a refill during the flush got sound; want silence, which the flush may drop", pullFirst)
		}
		if out.dropped != 1200 {
			t.Fatalf("pullFirst %d: the output dropped %d frames, want the 1200 it held", pullFirst, out.dropped)
		}
		// Heard: 3000 handed, 1200 of them dropped.
		if a.Frames != 1800 || a.Heard(1800) != 1800 {
			t.Errorf("pullFirst %d: the cut cue counts %d frames (heard %d), want 1800", pullFirst, a.Frames, a.Heard(1800))
		}
		ev := d.TakeEvents()
		if len(ev) != 1 || ev[0].Kind != CueStopped || ev[0].Frame != 1800 {
			t.Fatalf("pullFirst %d: events %+v, want the stop at frame 1800", pullFirst, ev)
		}
		if got := d.Handed(); got != int64(1800+pullFirst) {
			t.Errorf("pullFirst %d: handed %d, want %d (the refill's silence follows the cut)", pullFirst, got, 1800+pullFirst)
		}
		// The next cue is pulled whole after that: its first frame is
		// its own first sample, at the frame after the silence.
		small := make([]float32, 10*Channels)
		d.Pull(small, time.Now(), true)
		if small[0] != 1 {
			t.Errorf("pullFirst %d: after the cut the deck hands %v, want the next cue from its start", pullFirst, small[0])
		}
		ev = d.TakeEvents()
		if len(ev) != 1 || ev[0].Kind != CueStarted || ev[0].Cue != b || ev[0].Frame != int64(1800+pullFirst) {
			t.Errorf("pullFirst %d: events %+v, want b started at %d", pullFirst, ev, 1800+pullFirst)
		}
	}
}

// TestDeckCutKeepsFramesOfACueThatEnded: when the output still holds the
// end of the cue before the one cut (a skip just after a cue changed), it
// cannot drop only the cut one's frames: nothing is dropped, and both count
// every frame handed out.
func TestDeckCutKeepsFramesOfACueThatEnded(t *testing.T) {
	d := NewDeck(1000)
	out := &holdingOutput{d: d, held: 1200}
	d.SetFlusher(out)
	a, b := NewCue("a", 1, ramp(1000), nil), NewCue("b", 2, ramp(5000), nil)
	d.Enqueue(a, b)
	buf := make([]float32, 1500*Channels)
	d.Pull(buf, time.Now(), true) // a whole, then 500 frames of b
	d.Skip(time.Now())
	if out.dropped != 0 {
		t.Fatalf("dropped %d frames, 700 of which were a's: want none", out.dropped)
	}
	if a.Frames != 1000 || b.Frames != 500 || d.Handed() != 1500 {
		t.Errorf("a %d, b %d frames, handed %d: want 1000, 500, 1500 (nothing dropped)", a.Frames, b.Frames, d.Handed())
	}
	var stop Event
	for _, e := range d.TakeEvents() {
		if e.Kind == CueStopped {
			stop = e
		}
	}
	if stop.Cue != b || stop.Frame != 1500 {
		t.Errorf("stop %+v, want b stopped at 1500", stop)
	}
}

// TestDeckQueuedOnIdleDropsTheSilenceHeld: a cue queued while the deck had
// nothing to play asks the output to drop the silence it holds, so that the
// cue is heard at once (not after a buffer of silence); the cue starts at
// the frame where the silence was cut. When the output still holds the end
// of a cue that ended, nothing is dropped.
func TestDeckQueuedOnIdleDropsTheSilenceHeld(t *testing.T) {
	d := NewDeck(1000)
	out := &holdingOutput{d: d, held: 500}
	d.SetFlusher(out)
	buf := make([]float32, 2000*Channels)
	d.Pull(buf, time.Now(), true) // an output just opened: silence
	c := NewCue("c", 1, ramp(3000), nil)
	d.Enqueue(c)
	if out.dropped != 500 {
		t.Fatalf("the output dropped %d frames, want the 500 of silence it held", out.dropped)
	}
	small := make([]float32, 10*Channels)
	d.Pull(small, time.Now(), true)
	ev := d.TakeEvents()
	if small[0] != 1 || len(ev) != 1 || ev[0].Kind != CueStarted || ev[0].Frame != 1500 {
		t.Fatalf("first sample %v, events %+v; want the cue from its start at frame 1500", small[0], ev)
	}

	// The cue ends; the output still holds its tail when the next comes.
	rest := make([]float32, 3000*Channels)
	d.Pull(rest, time.Now(), true)
	d.TakeEvents()
	out.dropped = 0
	out.held = 2500 // more than the silence after the cue's end
	d.Enqueue(NewCue("next", 2, ramp(10), nil))
	if out.dropped != 0 {
		t.Errorf("dropped %d frames that held the end of a cue", out.dropped)
	}
}
