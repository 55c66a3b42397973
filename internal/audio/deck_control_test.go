package audio

import (
	"context"
	"io"
	"testing"
	"time"
)

// ramp is a streamer of n frames whose samples count up: frame i is i+1.
func ramp(n int) Streamer {
	i := 0
	return StreamerFunc(func(dst []float32) (int, error) {
		k := 0
		for k < len(dst)/Channels && i < n {
			i++
			dst[k*2], dst[k*2+1] = float32(i), float32(i)
			k++
		}
		if k == 0 {
			return 0, io.EOF
		}
		return k, nil
	})
}

func TestDeckPauseHoldsTheCueAndHeardLeavesThePauseOut(t *testing.T) {
	d := NewDeck(1000)
	c := NewCue("a", 1, ramp(100), nil)
	d.Enqueue(c)
	buf := make([]float32, 30*Channels)
	now := time.Unix(0, 0)
	d.Pull(buf, now, true) // frames 1..30
	if !d.Pause() || d.Pause() {
		t.Fatal("Pause: want true, then false while paused")
	}
	// Paused, an unpaced sink gets nothing and waits; a paced one silence.
	if n := d.Pull(buf, now, false); n != 0 {
		t.Errorf("unpaced pull while paused gave %d frames", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	if err := d.WaitBusy(ctx); err == nil {
		t.Errorf("WaitBusy returned while paused")
	}
	cancel()
	if n := d.Pull(buf, now, true); n != 30 || buf[0] != 0 || buf[59] != 0 {
		t.Errorf("paced pull while paused: %d frames, first %g", n, buf[0])
	}
	if !d.Resume() || d.Resume() {
		t.Fatal("Resume: want true, then false")
	}
	d.Pull(buf, now, true)
	if buf[0] != 31 {
		t.Errorf("after the pause the cue goes on with %g, want 31", buf[0])
	}
	// Deck frames 0..29 the cue, 30..59 the pause, 60..89 the cue again.
	for _, c2 := range []struct{ played, heard int64 }{{10, 10}, {30, 30}, {45, 30}, {60, 30}, {75, 45}, {90, 60}, {200, 60}} {
		if h := c.Heard(c2.played); h != c2.heard {
			t.Errorf("Heard(%d) = %d, want %d", c2.played, h, c2.heard)
		}
	}
}

func TestDeckSkipTakesOffTheCuePlaying(t *testing.T) {
	d := NewDeck(1000)
	a, b := NewCue("a", 1, ramp(100), nil), NewCue("b", 2, ramp(100), nil)
	d.Enqueue(a, b)
	buf := make([]float32, 10*Channels)
	d.Pull(buf, time.Unix(0, 0), true)
	if got := d.Skip(time.Unix(0, 0)); got != a {
		t.Fatalf("Skip took %v, want a", got)
	}
	d.Pull(buf, time.Unix(0, 0), true)
	if buf[0] != 1 || d.Len() != 1 {
		t.Errorf("after the skip: first sample %g, %d queued; want b from its start, 1 queued", buf[0], d.Len())
	}
	var stopped bool
	for _, ev := range d.TakeEvents() {
		if ev.Kind == CueStopped && ev.Cue == a && ev.Frame == 10 {
			stopped = true
		}
	}
	if !stopped {
		t.Errorf("no stop event for a at frame 10")
	}
	d.Skip(time.Unix(0, 0))
	if d.Skip(time.Unix(0, 0)) != nil || !d.Idle() {
		t.Errorf("skip of an empty deck")
	}
}
