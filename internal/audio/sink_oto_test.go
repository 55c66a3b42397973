package audio

import (
	"context"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOtoThroughALSAFilePlugin plays two cues back to back through the real
// oto → ALSA path, with ALSA's default device replaced (by a configuration
// of this test's own) by the file plugin over the null device, and checks
// that the captured samples are exactly the input, in order, with no gap
// at the join.
func TestOtoThroughALSAFilePlugin(t *testing.T) {
	dir := t.TempDir()
	capture := filepath.Join(dir, "capture.raw")
	conf := filepath.Join(dir, "asound.conf")
	if err := os.WriteFile(conf, []byte(`pcm.!default {
	type file
	slave.pcm "null"
	file "`+capture+`"
	format "raw"
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	alsaConf := "/usr/share/alsa/alsa.conf"
	if _, err := os.Stat(alsaConf); err != nil {
		t.Fatalf("ALSA is not installed (%v): install libasound2 (make test does)", err)
	}
	t.Setenv("ALSA_CONFIG_PATH", alsaConf+":"+conf)

	const rate = 48000
	sink, err := OpenOto(rate, 100*time.Millisecond, "", dir)
	if err != nil {
		t.Fatalf("open oto through the ALSA file plugin: %v", err)
	}
	// The file plugin over null is not paced, so oto's mixer drains the
	// player faster than a sound card would; a player buffer longer than the
	// programme takes it all up front, so the capture shows exactly the
	// bytes the deck handed out. (Pacing is the business of the
	// PulseAudio test.)
	sink.PlayerBuffer = 2 * time.Second
	deck := NewDeck(rate)
	// Two distinct, recognisable signals: a ramp and a sine, 0.5 s each.
	const n = rate / 2
	var want []float32
	mk := func(f func(i int) float32) Streamer {
		i := 0
		return StreamerFunc(func(dst []float32) (int, error) {
			frames := 0
			for ; frames < len(dst)/Channels && i < n; frames++ {
				v := f(i)
				dst[frames*2], dst[frames*2+1] = v, -v
				i++
			}
			if frames == 0 {
				return 0, io.EOF
			}
			return frames, nil
		})
	}
	ramp := func(i int) float32 { return float32(i+1) / n * 0.5 }
	sine := func(i int) float32 { return float32(0.25 * math.Sin(2*math.Pi*440*float64(i)/rate)) }
	for i := 0; i < n; i++ {
		want = append(want, ramp(i), -ramp(i))
	}
	for i := 0; i < n; i++ {
		want = append(want, sine(i), -sine(i))
	}
	deck.Enqueue(NewCue("ramp", 1, mk(ramp), nil), NewCue("sine", 2, mk(sine), nil))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, deck) }()
	ended := 0
	timeout := time.After(30 * time.Second)
	for ended < 2 {
		select {
		case <-deck.Events():
			for _, ev := range deck.TakeEvents() {
				if ev.Kind == CueEnded {
					ended++
				}
				if ev.Kind == CueFailed {
					t.Fatalf("cue failed: %v", ev.Err)
				}
			}
		case <-timeout:
			t.Fatal("cues did not end within 30 s")
		}
	}
	// The file plugin over null is not paced: oto drains the deck (silence
	// once the cues are over) as fast as it can. Give it a moment to pass
	// the tail through its buffers, then stop.
	time.Sleep(200 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("sink: %v", err)
	}

	if err := sink.Close(); err != nil {
		t.Fatalf("suspend the device: %v", err)
	}
	// The device ran (unpaced) before and after the cues: read a bounded
	// prefix, which holds the programme.
	f, err := os.Open(capture)
	if err != nil {
		t.Fatalf("open capture: %v", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, 256<<20))
	if err != nil {
		t.Fatalf("read capture: %v", err)
	}
	got := make([]float32, len(raw)/4)
	for i := range got {
		got[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:]))
	}
	start := -1
	for i, v := range got {
		if v != 0 {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatalf("captured %d samples, all silent", len(got))
	}
	if start%Channels != 0 {
		t.Fatalf("capture starts mid-frame at sample %d", start)
	}
	if len(got)-start < len(want) {
		t.Fatalf("captured %d samples after the start, want at least %d", len(got)-start, len(want))
	}
	for i, w := range want {
		if got[start+i] != w {
			t.Fatalf("sample %d (frame %d): got %v, want %v", i, i/Channels, got[start+i], w)
		}
	}
	tail := got[start+len(want):]
	if len(tail) > rate*Channels {
		tail = tail[:rate*Channels]
	}
	for i, v := range tail {
		if v != 0 {
			t.Fatalf("non-silent sample %v after the programme, at %d", v, i)
		}
	}
}
