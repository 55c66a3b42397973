package otoout

import (
	"context"
	"encoding/binary"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
)

// outputEnv makes the test binary act as the output process (ServeDevice
// on its standard input and output), with the device named by the value.
const outputEnv = "CCHC_TEST_OTO_OUTPUT"

func TestMain(m *testing.M) {
	if dev, ok := os.LookupEnv(outputEnv); ok {
		// ALSA's file plugin over null is not paced: oto's mixer drains
		// the player faster than a card would, and fills with silence
		// what the pipe has not brought yet. A player buffer longer than
		// the programme takes it all up front, so the capture shows
		// exactly the frames the deck handed out (pacing is the
		// PulseAudio test's business: cmd/scheduler,
		// TestPlayThroughPulseAudioWithOto).
		if err := serve(context.Background(), 48000, 100*time.Millisecond, 2*time.Second, dev, os.TempDir(), os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestOtoPlaysExactlyTheDeck plays two cues back to back through the real
// path (DeviceSink, the device pipe, oto's player, libasound) into ALSA's
// file plugin over the null device, and checks that after oto's warm-up
// silence the captured samples are exactly the input, in order, with no
// gap at the join.
func TestOtoPlaysExactlyTheDeck(t *testing.T) {
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
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	command := func() *exec.Cmd {
		c := exec.Command(exe, "-test.run=^$")
		c.Env = append(os.Environ(), outputEnv+"=", "ALSA_CONFIG_PATH="+alsaConf+":"+conf)
		return c
	}
	const rate = 48000
	sink := audio.NewDeviceSink(rate, 100*time.Millisecond, "oto", command, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := sink.Open(ctx); err != nil {
		t.Fatalf("open the ALSA file plugin through oto: %v", err)
	}
	deck := audio.NewDeck(rate)
	const n = rate / 2
	mk := func(f func(i int) float32) audio.Streamer {
		i := 0
		return audio.StreamerFunc(func(dst []float32) (int, error) {
			frames := 0
			for ; frames < len(dst)/audio.Channels && i < n; frames++ {
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
	var want []float32
	for i := range n {
		want = append(want, ramp(i), -ramp(i))
	}
	for i := range n {
		want = append(want, sine(i), -sine(i))
	}
	deck.Enqueue(audio.NewCue("ramp", 1, mk(ramp), nil), audio.NewCue("sine", 2, mk(sine), nil))
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, deck) }()
	ended := 0
	timeout := time.After(30 * time.Second)
	for ended < 2 {
		select {
		case <-deck.Events():
			for _, ev := range deck.TakeEvents() {
				switch ev.Kind {
				case audio.CueEnded:
					ended++
				case audio.CueFailed:
					t.Fatalf("cue failed: %v", ev.Err)
				}
			}
		case <-timeout:
			t.Fatal("cues did not end within 30 s")
		}
	}
	time.Sleep(500 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("sink: %v", err)
	}
	raw, err := os.ReadFile(capture)
	if err != nil {
		t.Fatalf("read capture: %v", err)
	}
	got := make([]float32, len(raw)/4)
	for i := range got {
		got[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:]))
	}
	// oto plays silence until its player starts, then the warm-up: the
	// deck's first frame is the first sound.
	start := 0
	for start < len(got) && got[start] == 0 {
		start++
	}
	if start%audio.Channels != 0 {
		t.Fatalf("the first sound is at sample %d, mid-frame", start)
	}
	if len(got)-start < len(want) {
		t.Fatalf("captured %d samples from the first sound, want at least %d", len(got)-start, len(want))
	}
	for i, w := range want {
		if g := got[start+i]; g != w {
			t.Fatalf("sample %d (frame %d) after the first sound: got %v, want %v", i, i/audio.Channels, g, w)
		}
	}
	for i, v := range got[start+len(want):] {
		if v != 0 {
			t.Fatalf("non-silent sample %v after the programme, %d samples after it", v, i)
		}
	}
	t.Logf("%d frames of silence before the first sound; %d frames of programme exactly as sent", start/audio.Channels, len(want)/audio.Channels)
}

// TestOtoABadDeviceSaysWhy: a device that does not exist is reported to
// the station, which keeps it as the reason the card does not play.
func TestOtoABadDeviceSaysWhy(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	command := func() *exec.Cmd {
		c := exec.Command(exe, "-test.run=^$")
		env := []string{outputEnv + "=nosuchdevice_cchc"}
		for _, e := range os.Environ() {
			if len(e) < 17 || e[:17] != "ALSA_CONFIG_PATH=" {
				env = append(env, e)
			}
		}
		c.Env = env
		return c
	}
	sink := audio.NewDeviceSink(48000, 100*time.Millisecond, "oto:nosuchdevice_cchc", command, nil)
	err = sink.Open(context.Background())
	if err == nil {
		t.Fatal("a device that does not exist opened")
	}
	if detail := audio.DeviceDetail(err); detail == "" || !contains(detail, "oto") {
		t.Errorf("reason %q does not say the oto output failed", detail)
	}
	t.Logf("reason: %s", audio.DeviceDetail(err))
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
