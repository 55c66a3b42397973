package audio

import (
	"io"
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

func TestDeckMeasuresTheLongestSilenceOfACue(t *testing.T) {
	const rate = 48000
	d := NewDeck(rate)
	// 1 s of tone, 2.5 s of near silence (-70 dBFS), 1 s of tone, 1 s silence.
	pos := 0
	src := StreamerFunc(func(dst []float32) (int, error) {
		n := 0
		for n < len(dst)/Channels && pos < 5*rate+rate/2 {
			v := float32(0.3)
			if (pos >= rate && pos < rate*7/2) || pos >= rate*9/2 {
				v = 0.0003
			}
			dst[n*2], dst[n*2+1] = v, -v
			n++
			pos++
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	})
	c := NewCue("x", 1, src, nil)
	d.Enqueue(c)
	buf := make([]float32, 1000*Channels)
	for i := 0; i < 400 && !d.Idle(); i++ {
		d.Pull(buf, time.Now(), false)
	}
	if want := int64(rate * 5 / 2); c.LongestSilence != want {
		t.Fatalf("longest silence %d frames, want %d (2.5 s)", c.LongestSilence, want)
	}
}
