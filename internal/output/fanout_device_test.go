package output_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/output"
)

// fakeOutputEnv makes the test binary act as a sound card's output process
// (the edge that holds the card): it speaks the device pipe without a card,
// 10 ms at a time in real time, and, when the value is a number, fails like
// an unplugged card once it has been sent that many frames.
const fakeOutputEnv = "CCHC_TEST_FAKE_OUTPUT"

func TestMain(m *testing.M) {
	if v := os.Getenv(fakeOutputEnv); v != "" {
		os.Exit(fakeOutput(v))
	}
	os.Exit(m.Run())
}

func fakeOutput(mode string) int {
	failAfter, _ := strconv.ParseInt(mode, 10, 64)
	end := audio.NewDeviceEnd(os.Stdin, os.Stdout)
	if end.Ready(0) != nil {
		return 1
	}
	var buf []float32
	var got int64
	for {
		if failAfter > 0 && got >= failAfter {
			end.Fail(fmt.Errorf("%w: fake card unplugged after %d frames", audio.ErrNoDevice, got))
			return 1
		}
		if end.Request(480, 480) != nil {
			return 0
		}
		var msg audio.DeviceMsg
		var err error
		for msg.Frames == 0 {
			if msg, buf, err = end.Receive(buf); err != nil {
				return 0 // the station closed the pipe
			}
			if msg.Flush && end.Dropped(0, 0, 0) != nil {
				return 0
			}
		}
		got += int64(msg.Frames)
		time.Sleep(10 * time.Millisecond)
	}
}

// fakeCards gives the command of fake output processes: the first one
// started dies after failAfter frames, the next ones play on.
func fakeCards(t *testing.T, failAfter int) (func(device string) *exec.Cmd, *atomic.Int32) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var starts atomic.Int32
	return func(device string) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		mode := "ok"
		if starts.Add(1) == 1 {
			mode = strconv.Itoa(failAfter)
		}
		cmd.Env = append(os.Environ(), fakeOutputEnv+"="+mode)
		return cmd
	}, &starts
}

// A zone with a sound card and another output: when the card's process
// dies, the zone's sink says an output is lost and names it (the station
// then logs the airing cut), what it counts as heard does not run on past
// what the card took, and it says all plays again once the card is back.
// The card is the first output in one case, the second in the other.
func TestFanoutReportsALostCardAndItsReturn(t *testing.T) {
	for _, specs := range [][]string{{"alsa:fake", "null"}, {"null", "alsa:fake"}} {
		t.Run(strings.Join(specs, "+"), func(t *testing.T) {
			command, starts := fakeCards(t, 4800*5) // half a second at 48 kHz
			env := output.Env{Rate: 48000, Buffer: 50 * time.Millisecond, Paced: true, Clock: audio.WallClock{}, DeviceCommand: command}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sink, err := output.Standard().OpenAll(ctx, specs, env)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sink.(*output.Fanout).Outputs() {
				if d, ok := s.(*audio.DeviceSink); ok {
					d.RetryMin, d.RetryMax = 10*time.Millisecond, 50*time.Millisecond
				}
			}
			w, ok := sink.(audio.DeviceWatcher)
			if !ok {
				t.Fatalf("%T does not report the card's state", sink)
			}
			changed, err := w.DeviceState()
			if err != nil {
				t.Fatalf("after opening, the card should play: %v", err)
			}
			deck := audio.NewDeck(48000)
			deck.Enqueue(audio.NewCue("long", 1, audio.Silence(20*48000), nil))
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
			changed, err = w.DeviceState()
			if !errors.Is(err, audio.ErrNoDevice) || !strings.Contains(err.Error(), "alsa:fake") || !strings.Contains(err.Error(), "fake card unplugged") {
				t.Fatalf("after the failure: %v, want an error wrapping ErrNoDevice that names alsa:fake and says why", err)
			}
			if n := strings.Count(err.Error(), audio.ErrNoDevice.Error()); n != 1 {
				t.Errorf("the reason says %q %d times: %v", audio.ErrNoDevice, n, err)
			}
			if p := sink.Played(); p > 4800*5 {
				t.Errorf("played %d frames while the card was lost, more than the %d it took", p, 4800*5)
			}
			wait(changed, "the card coming back")
			if _, err := w.DeviceState(); err != nil {
				t.Fatalf("after the retry: %v, want every output playing", err)
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
		})
	}
}

// A list whose second output cannot be opened lets go of the card the
// first one opened: its output process ends.
func TestOpenAllLetsGoOfWhatItOpenedWhenOneFails(t *testing.T) {
	var started []*exec.Cmd
	command, _ := fakeCards(t, 0)
	env := output.Env{Rate: 48000, Buffer: 50 * time.Millisecond, Paced: true, Clock: audio.WallClock{},
		DeviceCommand: func(device string) *exec.Cmd {
			c := command(device)
			started = append(started, c)
			return c
		}}
	r := output.Standard()
	if err := r.Register(output.Scheme{Name: "broken", Open: func(context.Context, output.Spec, output.Env) (audio.Sink, error) {
		return nil, errors.New("cannot open")
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.OpenAll(context.Background(), []string{"alsa:fake", "broken"}, env); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("err %v, want the broken output named", err)
	}
	if len(started) != 1 {
		t.Fatalf("%d output processes started, want 1", len(started))
	}
	if started[0].ProcessState == nil {
		t.Error("the card's output process still runs after OpenAll failed")
	}
}
