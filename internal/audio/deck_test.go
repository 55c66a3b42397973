package audio

import (
	"testing"
	"time"
)

func TestDeckStartsACueOnItsTime(t *testing.T) {
	const rate = 48000
	d := NewDeck(rate)
	now := time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)
	ones := StreamerFunc(func(dst []float32) (int, error) {
		for i := range dst {
			dst[i] = 1
		}
		return len(dst) / Channels, nil
	})
	c := NewCue("bulletin", 1, ones, nil)
	c.StartAt = now.Add(250 * time.Millisecond)
	d.Enqueue(c)
	buf := make([]float32, 4800*Channels) // 100 ms per pull
	first := -1
	for pull := 0; pull < 5 && first < 0; pull++ {
		at := now.Add(time.Duration(pull) * 100 * time.Millisecond)
		d.Pull(buf, at, true)
		for i := 0; i < len(buf); i += Channels {
			if buf[i] != 0 {
				first = pull*4800 + i/Channels
				break
			}
		}
	}
	if first != 12000 {
		t.Fatalf("first sound at frame %d, want 12000 (250 ms)", first)
	}
	var started Event
	for _, ev := range d.TakeEvents() {
		if ev.Kind == CueStarted {
			started = ev
		}
	}
	if !started.At.Equal(c.StartAt) || started.Frame != 12000 {
		t.Fatalf("started event at %s, frame %d; want %s, frame 12000", started.At, started.Frame, c.StartAt)
	}
}
