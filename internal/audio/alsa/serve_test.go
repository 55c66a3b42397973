package alsa

import (
	"context"
	"encoding/binary"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
)

// outputEnv makes the test binary act as the output process (ServeDevice
// on its standard input and output), with the device named by the value.
const outputEnv = "CCHC_TEST_ALSA_OUTPUT"

func TestMain(m *testing.M) {
	if dev, ok := os.LookupEnv(outputEnv); ok {
		if err := ServeDevice(context.Background(), 48000, 100*time.Millisecond, dev, os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestPlaysExactlyTheDeckThroughALSA plays two cues back to back through
// the real path (the station's DeviceSink, the device pipe, this package's
// writer, libasound), with ALSA's default device replaced (by a
// configuration of this test's own) by the file plugin over the null
// device, and checks that the captured samples are exactly the input, in
// order, with no gap at the join and nothing before it.
func TestPlaysExactlyTheDeckThroughALSA(t *testing.T) {
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
	sink := audio.NewDeviceSink(rate, 100*time.Millisecond, "alsa", command, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := sink.Open(ctx); err != nil {
		t.Fatalf("open the ALSA file plugin: %v", err)
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
	// The file plugin over null is not paced: the writer runs as fast as
	// the deck answers. Let the tail pass, then stop.
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("sink: %v", err)
	}
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
	// No silence first: the first frame written is the deck's first.
	if len(got) < len(want) {
		t.Fatalf("captured %d samples, want at least %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i] != w {
			t.Fatalf("sample %d (frame %d): got %v, want %v", i, i/audio.Channels, got[i], w)
		}
	}
	for i, v := range got[len(want):min(len(got), len(want)+rate*audio.Channels)] {
		if v != 0 {
			t.Fatalf("non-silent sample %v after the programme, at %d", v, i)
		}
	}
}

// TestSinkPlaysExactlyTheDeckInProcess is the test above for the in-process
// sink of play (Sink: this package's writer, libasound, no output process), with ALSA's default device replaced (by a
// configuration of this test's own) by the file plugin over the null
// device, and checks that the captured samples are exactly the input, in
// order, with no gap at the join and nothing before it.
func TestSinkPlaysExactlyTheDeckInProcess(t *testing.T) {
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
	sink, err := OpenSink(rate, 100*time.Millisecond, "", "alsa")
	if err != nil {
		t.Fatalf("open the ALSA file plugin: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
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
	// The file plugin over null is not paced: the writer runs as fast as
	// the deck answers. Let the tail pass, then stop.
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("sink: %v", err)
	}
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
	// No silence first: the first frame written is the deck's first.
	if len(got) < len(want) {
		t.Fatalf("captured %d samples, want at least %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i] != w {
			t.Fatalf("sample %d (frame %d): got %v, want %v", i, i/audio.Channels, got[i], w)
		}
	}
	for i, v := range got[len(want):min(len(got), len(want)+rate*audio.Channels)] {
		if v != 0 {
			t.Fatalf("non-silent sample %v after the programme, at %d", v, i)
		}
	}
}

// TestABadDeviceSaysWhichAndWhy: a device that does not exist is reported
// to the station, which keeps it as the reason the card does not play.
func TestABadDeviceSaysWhichAndWhy(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	command := func() *exec.Cmd {
		c := exec.Command(exe, "-test.run=^$")
		c.Env = append(os.Environ(), outputEnv+"=nosuchdevice_cchc")
		return c
	}
	sink := audio.NewDeviceSink(48000, 100*time.Millisecond, "alsa:nosuchdevice_cchc", command, nil)
	err = sink.Open(context.Background())
	if err == nil {
		t.Fatal("a device that does not exist opened")
	}
	if detail := audio.DeviceDetail(err); !strings.Contains(detail, "nosuchdevice_cchc") || !strings.Contains(detail, "snd_pcm_open") {
		t.Errorf("reason %q does not name the device and the step", detail)
	}
}

// TestSinkThatDoesNotOpenSaysWhy: play's in-process sink on a device that
// does not exist is still a sink, whose DeviceState says which device and
// why (the station logs the airing failed with it), and whose Run plays
// nothing until it is stopped.
func TestSinkThatDoesNotOpenSaysWhy(t *testing.T) {
	sink, err := OpenSink(48000, 100*time.Millisecond, "nosuchdevice_cchc", "alsa:nosuchdevice_cchc")
	if err == nil || sink == nil {
		t.Fatalf("OpenSink of a device that does not exist: sink %v, err %v", sink, err)
	}
	_, state := sink.DeviceState()
	if state == nil || !strings.Contains(audio.DeviceDetail(state), "nosuchdevice_cchc") || !strings.Contains(audio.DeviceDetail(state), "snd_pcm_open") {
		t.Errorf("DeviceState %v does not name the device and the step", state)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	d := audio.NewDeck(48000)
	if err := sink.Run(ctx, d); err != nil {
		t.Errorf("Run of a sink whose card did not open: %v", err)
	}
	if p := sink.Played(); p != 0 {
		t.Errorf("Played %d of a card that never opened", p)
	}
}
