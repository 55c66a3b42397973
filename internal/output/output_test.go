package output_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/output"
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec, scheme, arg string
		ok                bool
	}{
		{"auto", "auto", "", true},
		{"null", "null", "", true},
		{"alsa", "alsa", "", true},
		{"alsa:hw:1,0", "alsa", "hw:1,0", true},
		{"file:/tmp/x.WAV", "file", "/tmp/x.WAV", true},
		{"file:", "", "", false},
		{"file:/tmp/x.mp3", "", "", false},
		{"null:x", "", "", false},
		{"auto:x", "", "", false},
		{"", "", "", false},
		{"pulse", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := output.Parse(tt.spec)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if got.Scheme != tt.scheme || got.Arg != tt.arg {
				t.Errorf("got %+v, want scheme %q arg %q", got, tt.scheme, tt.arg)
			}
			if err != nil {
				var oe *output.Error
				if !errors.As(err, &oe) || oe.Spec != tt.spec {
					t.Fatalf("error %v does not name the spec %q", err, tt.spec)
				}
				vi, en := oe.Localize("vi"), oe.Localize("en")
				if !strings.Contains(en, "use") && !strings.Contains(en, "write") || !strings.Contains(vi, "đầu ra") || vi == en {
					t.Errorf("error does not say how to fix it in both languages: vi %q en %q", vi, en)
				}
			}
		})
	}
}

func TestTheUsageListsEveryScheme(t *testing.T) {
	if got, want := output.Standard().Usage("en"), "auto, alsa, alsa:DEVICE, oto, oto:DEVICE, file:PATH.wav, null or icecast://USER:PASSWORD@HOST:PORT/MOUNT"; got != want {
		t.Errorf("usage %q, want %q", got, want)
	}
	if got, want := output.Standard().Usage("vi"), "auto, alsa, alsa:THIẾT_BỊ, oto, oto:THIẾT_BỊ, file:ĐƯỜNG_DẪN.wav, null hoặc icecast://NGƯỜI_DÙNG:MẬT_KHẨU@MÁY_CHỦ:CỔNG/MOUNT"; got != want {
		t.Errorf("usage %q, want %q", got, want)
	}
}

// A new kind of output is one registration: the registry parses and opens
// it like the standard ones, and refuses a second scheme of the same name.
func TestANewSchemeIsOneRegistration(t *testing.T) {
	r := output.Standard()
	var opened output.Spec
	err := r.Register(output.Scheme{Name: "rtp", Usage: "rtp://HOST:PORT/MOUNT",
		Check: func(arg string) *output.Problem {
			if !strings.HasPrefix(arg, "//") {
				return &output.Problem{Problem: "needs //HOST:PORT/MOUNT", ProblemVI: "cần //MÁY:CỔNG/ĐIỂM"}
			}
			return nil
		},
		Open: func(_ context.Context, sp output.Spec, env output.Env) (audio.Sink, error) {
			opened = sp
			return audio.NewNullSink(env.Rate, env.Paced, env.Clock), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open(context.Background(), "rtp:nohost", output.Env{Rate: 48000}); err == nil {
		t.Fatal("a bad rtp spec was accepted")
	}
	if _, err := r.Open(context.Background(), "rtp://radio:8000/xa", output.Env{Rate: 48000}); err != nil {
		t.Fatal(err)
	}
	if opened.Arg != "//radio:8000/xa" || opened.Raw != "rtp://radio:8000/xa" {
		t.Errorf("opened %+v", opened)
	}
	if !strings.Contains(r.Usage("en"), "rtp://HOST:PORT/MOUNT") {
		t.Errorf("usage %q does not list the new scheme", r.Usage("en"))
	}
	if err := r.Register(output.Scheme{Name: "null", Open: output.NullScheme().Open}); err == nil {
		t.Error("a second null scheme was registered")
	}
}

func TestOpenAllRefusesABadList(t *testing.T) {
	dir := t.TempDir()
	for _, specs := range [][]string{nil, {"null", "null"}, {"file:" + filepath.Join(dir, "a.wav"), "nul"}} {
		_, err := output.Standard().OpenAll(context.Background(), specs, output.Env{Rate: 48000})
		var oe *output.Error
		if !errors.As(err, &oe) {
			t.Errorf("%q: err %v, want an *output.Error", specs, err)
		}
	}
}

func TestAnALSAOutputNeedsTheDeviceCommand(t *testing.T) {
	_, err := output.Standard().Open(context.Background(), "alsa:hw:9", output.Env{Rate: 48000})
	if !errors.Is(err, output.ErrNoDeviceCommand) || !strings.Contains(err.Error(), "alsa:hw:9") {
		t.Errorf("err %v", err)
	}
}

// ramp is a streamer of n frames whose samples count up, so that any lost,
// doubled or reordered frame shows.
func ramp(n int) audio.Streamer {
	i := 0
	return audio.StreamerFunc(func(dst []float32) (int, error) {
		if i >= n {
			return 0, io.EOF
		}
		k := min(len(dst)/audio.Channels, n-i)
		for j := range k {
			v := float32((i+j)%20000) / 20000
			dst[2*j], dst[2*j+1] = v, -v
		}
		i += k
		return k, nil
	})
}

// readWAV reads a file sink's output.
func readWAV(t *testing.T, path string) []float32 {
	t.Helper()
	d, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var all []float32
	buf := make([]float32, 4096*audio.Channels)
	for {
		n, err := d.Read(buf)
		all = append(all, buf[:n*audio.Channels]...)
		if err == io.EOF || n == 0 {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return all
}

// Unpaced (play to files): every output gets every frame, in order.
func TestFanoutWritesTheSameFramesToEveryFile(t *testing.T) {
	dir := t.TempDir()
	specs := []string{"file:" + filepath.Join(dir, "a.wav"), "file:" + filepath.Join(dir, "b.wav"), "null"}
	clock := audio.NewVirtualClock(time.Date(2026, 1, 1, 6, 0, 0, 0, time.UTC))
	sink, err := output.Standard().OpenAll(context.Background(), specs, output.Env{Rate: 8000, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sink.(*output.Fanout); !ok {
		t.Fatalf("three outputs gave %T", sink)
	}
	const frames = 12345
	d := audio.NewDeck(8000)
	d.Enqueue(audio.NewCue("ramp", nil, ramp(frames), nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- sink.Run(ctx, d) }()
	deadline := time.Now().Add(10 * time.Second)
	for sink.Played() < frames && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if p := sink.Played(); p != frames {
		t.Fatalf("played %d frames, want %d", p, frames)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	a, b := readWAV(t, filepath.Join(dir, "a.wav")), readWAV(t, filepath.Join(dir, "b.wav"))
	if len(a) != frames*audio.Channels || len(b) != len(a) {
		t.Fatalf("files hold %d and %d samples, want %d", len(a), len(b), frames*audio.Channels)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("sample %d: %v in a, %v in b", i, a[i], b[i])
		}
	}
	if sink.Name() != specs[0]+" + "+specs[1]+" + null" {
		t.Errorf("name %q", sink.Name())
	}
}
