package output_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
			if msg.Flush {
				noteFlush()
				if end.Dropped(0, 0, 0) != nil {
					return 0
				}
			}
		}
		got += int64(msg.Frames)
		time.Sleep(10 * time.Millisecond)
	}
}

// flushLogEnv names a file a fake output process adds its device's name
// to (a line) at each flush it is asked for.
const flushLogEnv = "CCHC_TEST_FLUSH_LOG"

func noteFlush() {
	path := os.Getenv(flushLogEnv)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, os.Getenv("CCHC_TEST_DEVICE"))
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

// fakeCardsDying gives the command of fake output processes that all die
// after failAfter frames: a zone whose every output is lost.
func fakeCardsDying(t *testing.T, failAfter int) func(device string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return func(device string) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), fakeOutputEnv+"="+strconv.Itoa(failAfter))
		return cmd
	}
}

// tone is n frames of a steady level, so that a recording shows which
// frames were the programme's (silence is 0).
func tone(n int64) audio.Streamer {
	left := n
	return audio.StreamerFunc(func(dst []float32) (int, error) {
		k := min(left, int64(len(dst)/audio.Channels))
		if k == 0 {
			return 0, io.EOF
		}
		for i := range dst[:k*audio.Channels] {
			dst[i] = 0.25
		}
		left -= k
		return int(k), nil
	})
}

// A zone with a sound card and a file: when the card's process dies, the
// zone plays on (DeviceState stays nil), the file gets the whole programme,
// what the zone counts as heard runs on with the file, Missed names the
// card, and once the card is back the gap is closed. The card is the
// first output in one case (the fan-out then pulls the deck in its stead),
// the second in the other.
func TestFanoutPlaysOnWhenOneOutputIsLost(t *testing.T) {
	const rate, programme = 48000, 2 * 48000
	for _, cardFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("card first %v", cardFirst), func(t *testing.T) {
			wav := filepath.Join(t.TempDir(), "zone.wav")
			specs := []string{"alsa:fake", "file:" + wav}
			if !cardFirst {
				specs = []string{"file:" + wav, "alsa:fake"}
			}
			command, starts := fakeCards(t, 4800*5) // half a second
			env := output.Env{Rate: rate, Buffer: 50 * time.Millisecond, Paced: true, Clock: audio.WallClock{}, DeviceCommand: command}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sink, err := output.Standard().OpenAll(ctx, specs, env)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sink.(*output.Fanout).Outputs() {
				if d, ok := s.(*audio.DeviceSink); ok {
					// Back after about a second: the gap is in the programme.
					d.RetryMin, d.RetryMax = time.Second, time.Second
				}
			}
			w := sink.(audio.DeviceWatcher)
			pr, ok := sink.(audio.PartialReporter)
			if !ok {
				t.Fatalf("%T does not report outputs that missed frames", sink)
			}
			deck := audio.NewDeck(rate)
			deck.Enqueue(audio.NewCue("tone", 1, tone(programme), nil))
			done := make(chan error, 1)
			go func() { done <- sink.Run(ctx, deck) }()
			deadline := time.Now().Add(20 * time.Second)
			var gaps []audio.OutputGap
			for time.Now().Before(deadline) {
				if _, err := w.DeviceState(); err != nil {
					t.Fatalf("the zone reported dead while the file plays: %v", err)
				}
				gaps = pr.Missed(0, programme)
				if sink.Played() >= programme && len(gaps) > 0 && starts.Load() >= 2 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if p := sink.Played(); p < programme {
				t.Fatalf("played %d frames of %d: a lost card held the zone back", p, programme)
			}
			if len(gaps) != 1 || gaps[0].Output != "alsa:fake" || !errors.Is(gaps[0].Err, audio.ErrNoDevice) || !strings.Contains(gaps[0].Err.Error(), "fake card unplugged") {
				t.Fatalf("Missed = %+v, want one gap of alsa:fake saying why", gaps)
			}
			if g := gaps[0]; g.From < 4800*4 || g.To <= g.From {
				t.Errorf("gap [%d, %d), want it to start near frame %d, where the card died", g.From, g.To, 4800*5)
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
			dec, err := audio.Open(wav)
			if err != nil {
				t.Fatal(err)
			}
			defer dec.Close()
			ch := dec.Info().Channels
			buf := make([]float32, 4096*ch)
			var loud int64
			for {
				n, err := dec.Read(buf)
				for i := 0; i < n; i++ {
					if buf[i*ch] > 0.2 {
						loud++
					}
				}
				if err != nil {
					break
				}
			}
			if loud != programme {
				t.Errorf("the file got %d frames of the programme, want all %d", loud, programme)
			}
		})
	}
}

// A zone whose every output is lost is dead: DeviceState names the first.
func TestFanoutIsDeadWhenEveryOutputIsLost(t *testing.T) {
	env := output.Env{Rate: 48000, Buffer: 50 * time.Millisecond, Paced: true, Clock: audio.WallClock{}, DeviceCommand: fakeCardsDying(t, 4800)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink, err := output.Standard().OpenAll(ctx, []string{"alsa:one", "alsa:two"}, env)
	if err != nil {
		t.Fatal(err)
	}
	w := sink.(audio.DeviceWatcher)
	changed, err := w.DeviceState()
	if err != nil {
		t.Fatalf("after opening: %v", err)
	}
	deck := audio.NewDeck(48000)
	deck.Enqueue(audio.NewCue("long", 1, audio.Silence(20*48000), nil))
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, deck) }()
	deadline := time.After(20 * time.Second)
	for err == nil {
		select {
		case <-changed:
		case <-deadline:
			t.Fatal("the zone did not report dead within 20 s")
		}
		changed, err = w.DeviceState()
	}
	if !errors.Is(err, audio.ErrNoDevice) || !strings.Contains(err.Error(), "alsa:one") {
		t.Errorf("err %v, want ErrNoDevice naming alsa:one", err)
	}
	cancel()
	<-done
}

// A cut reaches every output of the zone at once: each card's output
// process is asked to drop what it holds, not the first alone.
func TestFanoutCutFlushesEveryOutput(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "flushes")
	env := output.Env{Rate: 48000, Buffer: 200 * time.Millisecond, Paced: true, Clock: audio.WallClock{},
		DeviceCommand: func(device string) *exec.Cmd {
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), fakeOutputEnv+"=ok", flushLogEnv+"="+log, "CCHC_TEST_DEVICE="+device)
			return cmd
		}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink, err := output.Standard().OpenAll(ctx, []string{"alsa:one", "alsa:two", "null"}, env)
	if err != nil {
		t.Fatal(err)
	}
	deck := audio.NewDeck(48000)
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, deck) }()
	// Both cards flowing: a second of programme, then the cut.
	deck.Enqueue(audio.NewCue("long", 1, tone(20*48000), nil))
	deadline := time.Now().Add(20 * time.Second)
	for sink.Played() < 48000 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	os.Remove(log) // flushes of the silence before the programme do not count
	deck.Stop(time.Now())
	var got string
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(log)
		got = string(b)
		if strings.Contains(got, "one") && strings.Contains(got, "two") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(got, "one") || !strings.Contains(got, "two") {
		t.Errorf("flushed after the cut: %q, want both cards one and two", got)
	}
	cancel()
	<-done
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
