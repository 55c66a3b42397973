package audio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeOutputEnv makes the test binary act as an output process (the edge
// that holds the sound card): it speaks the device pipe without a card, as
// fast as it is answered, and, when the value is a number, fails like an
// unplugged card once it has been sent that many frames.
const fakeOutputEnv = "CCHC_TEST_FAKE_AUDIO_OUTPUT"

func TestMain(m *testing.M) {
	if v := os.Getenv(fakeOutputEnv); v != "" {
		os.Exit(fakeOutput(v, os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

func fakeOutput(mode string, in io.Reader, out io.Writer) int {
	failAfter, _ := strconv.ParseInt(mode, 10, 64)
	pw := &pipeWriter{w: out}
	if err := pw.send(pipeReady, 4800, 0, ""); err != nil {
		return 1
	}
	buf := make([]byte, 480*Channels*4)
	var got int64
	for {
		if failAfter > 0 && got >= failAfter {
			pw.fail(fmt.Errorf("%w: fake card unplugged after %d frames", ErrNoDevice, got))
			return 1
		}
		if err := pw.send(pipeRequest, 480, 960, ""); err != nil {
			return 1
		}
		if m, err := readPipeMsg(in); err != nil || m.kind != pipeFrames || m.a != 480 {
			return 0 // the parent closed the pipe
		}
		if _, err := io.ReadFull(in, buf); err != nil {
			return 0
		}
		got += 480
	}
}

// TestDeviceSinkKeepsTryingAfterTheCardFails: the first output process
// fails like an unplugged card while a cue plays; the sink reports the
// card lost with the card's reason, freezes what it counts as heard, starts
// a new output process, and reports the card back.
func TestDeviceSinkKeepsTryingAfterTheCardFails(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var starts atomic.Int32
	command := func() *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		mode := "ok"
		if starts.Add(1) == 1 {
			mode = "24000" // half a second at 48 kHz, then "unplugged"
		}
		cmd.Env = append(os.Environ(), fakeOutputEnv+"="+mode)
		return cmd
	}
	const rate = 48000
	sink := NewDeviceSink(rate, 100*time.Millisecond, "alsa", command, nil)
	sink.RetryMin, sink.RetryMax = time.Millisecond, 10*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := sink.Open(ctx); err != nil {
		t.Fatalf("open: %v", err)
	}
	changed, err := sink.DeviceState()
	if err != nil {
		t.Fatalf("after Open the card should play, got %v", err)
	}
	deck := NewDeck(rate)
	deck.Enqueue(NewCue("long", 1, Silence(10*rate), nil))
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, deck) }()

	wait := func(ch <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: not within 20 s", what)
		}
	}
	wait(changed, "the card's failure")
	changed, err = sink.DeviceState()
	if err == nil || !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "fake card unplugged") {
		t.Fatalf("after the failure: %v, want an error wrapping ErrNoDevice with the card's words", err)
	}
	if n := strings.Count(err.Error(), ErrNoDevice.Error()); n != 1 {
		t.Errorf("the reason says %q %d times: %v", ErrNoDevice, n, err)
	}
	// What counts as heard stops where the card stopped: never past the
	// 24000 frames the card took, less what it said it still held.
	if p := sink.Played(); p > 24000-4800 {
		t.Errorf("played %d frames while the card was lost, want at most %d", p, 24000-4800)
	}
	wait(changed, "the card coming back")
	if _, err := sink.DeviceState(); err != nil {
		t.Fatalf("after the retry: %v, want the card playing", err)
	}
	if n := starts.Load(); n < 2 {
		t.Errorf("%d output processes started, want a new one after the failure", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
