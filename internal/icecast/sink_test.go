package icecast_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/icecast"
	"github.com/truyenthanh/cchc/internal/icecast/icecasttest"
)

const deckRate = 48000

// signal is a test programme as a function of time: a rising chirp, a gap
// of silence, then a warbling two-tone (all below 3 kHz, where a 64 kbps
// MP3 keeps the waveform).
func signal(t float64) float64 {
	switch {
	case t < 1.5:
		// 300 → 1650 Hz, fading in over 20 ms, swelling 3 times a second.
		return 0.4 * math.Sin(2*math.Pi*(300*t+450*t*t)) * min(1, t*50) * (0.6 + 0.4*math.Sin(2*math.Pi*3*t))
	case t < 2.5:
		return 0
	case t < 4:
		u := t - 2.5
		return 0.3*math.Sin(2*math.Pi*520*u+2*math.Sin(2*math.Pi*5*u)) + 0.2*math.Sin(2*math.Pi*1330*u)*math.Sin(2*math.Pi*2*u)
	}
	return 0
}

const signalSeconds = 4.0

// samples is signal at rate, mono.
func samples(rate int) []float32 {
	out := make([]float32, int(signalSeconds*float64(rate)))
	for i := range out {
		out[i] = float32(signal(float64(i) / float64(rate)))
	}
	return out
}

// cue is the signal as a stereo cue at the deck's rate.
func cue(tag any) (*audio.Cue, int64) {
	mono := samples(deckRate)
	pos := 0
	src := audio.StreamerFunc(func(dst []float32) (int, error) {
		n := min(len(dst)/audio.Channels, len(mono)-pos)
		if n == 0 {
			return 0, io.EOF
		}
		for i := range n {
			dst[2*i], dst[2*i+1] = mono[pos+i], mono[pos+i]
		}
		pos += n
		return n, nil
	})
	return audio.NewCue("signal", tag, src, nil), int64(len(mono))
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newSink(t *testing.T, srv *icecasttest.Server, mount string, logs io.Writer) *icecast.Sink {
	t.Helper()
	spec, err := icecast.ParseSpec(srv.SourceSpec(mount))
	if err != nil {
		t.Fatal(err)
	}
	s := icecast.NewSink(spec, icecast.Info{Name: "Xã Tân Lập", Description: "thử", Genre: "Truyền thanh"}, deckRate,
		slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	s.StatsEvery = 200 * time.Millisecond
	return s
}

// waitFor polls cond every 20 ms until it holds or within passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A listener on the mount hears the deck: the decoded recording correlates
// with the programme, in order and with its gap; the server counts the
// listener; the sink reports the frames the server acknowledged, which
// reach the cue's end only after it was sent.
func TestSinkStreamsTheDeckToAListener(t *testing.T) {
	srv := icecasttest.Start(t)
	logs := &logBuffer{}
	sink := newSink(t, srv, "/xa", logs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := sink.Open(ctx); err != nil {
		t.Fatalf("open: %v\n%s", err, srv.Logs())
	}
	deck := audio.NewDeck(deckRate)
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, deck) }()

	const recRate = 16000
	listener := icecasttest.Listen(t, srv.URL("/xa"), recRate)
	waitFor(t, 5*time.Second, "the server counts the listener", func() bool { n, ok := sink.Listeners(); return ok && n == 1 })
	time.Sleep(300 * time.Millisecond) // some silence first
	c, frames := cue("a")
	deck.Enqueue(c)
	var end audio.Event
	waitFor(t, 10*time.Second, "the cue leaves the deck", func() bool {
		// Never counted as the server's: what the encoder still holds
		// (its look-ahead, more than 1152 frames at 48 kHz).
		played := sink.Played() // first: the deck only moves on after it
		if handed := deck.Handed(); played > handed-1152 {
			t.Fatalf("played %d of %d frames handed out: the encoder's look-ahead counted as sent", played, handed)
		}
		for _, e := range deck.TakeEvents() {
			if e.Kind == audio.CueEnded {
				end = e
			}
		}
		return end.Cue != nil
	})
	waitFor(t, 3*time.Second, "the server acknowledges the cue's last frame", func() bool { return sink.Played() >= end.Frame })
	time.Sleep(700 * time.Millisecond) // the listener's own buffering
	rec := listener.Stop()
	ref := samples(recRate)
	at, corr := icecasttest.Align(rec, ref, recRate/10)
	t.Logf("recorded %.2f s; programme found at %.3f s, correlation %.4f; cue of %d frames", float64(len(rec))/recRate, float64(at)/recRate, corr, frames)
	if corr < 0.95 {
		t.Fatalf("the recording correlates %.3f with the programme, want ≥ 0.95", corr)
	}
	// In order, with the gap: each part where it belongs, and silence between.
	chirp, gap, tones := ref[:recRate*3/2], rec[at+recRate*3/2+recRate/10:at+recRate*5/2-recRate/10], ref[recRate*5/2:]
	if c := icecasttest.Pearson(rec[at:], chirp); c < 0.95 {
		t.Errorf("the chirp correlates %.3f where it should start", c)
	}
	if c := icecasttest.Pearson(rec[at+recRate*5/2:], tones); c < 0.95 {
		t.Errorf("the tones correlate %.3f one second after the chirp", c)
	}
	var peak float64
	for _, v := range gap {
		peak = max(peak, math.Abs(float64(v)))
	}
	if peak > 0.01 {
		t.Errorf("the gap is not silent at the listener (peak %.3f)", peak)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), srv.SourcePassword) {
		t.Errorf("the sink's log shows the source password:\n%s", logs.String())
	}
}

// Killing the server cuts the stream: the sink says the connection was
// lost (the station cuts the airing), its played count stays where the
// server left it, and it streams again by itself once the server is back.
// A server that is not there at the start is said so too.
func TestSinkReconnectsAfterTheServerReturns(t *testing.T) {
	srv := icecasttest.Start(t)
	srv.Stop()
	logs := &logBuffer{}
	sink := newSink(t, srv, "/thon-1", logs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := sink.Open(ctx)
	if !errors.Is(err, audio.ErrServerUnreachable) || !errors.Is(err, audio.ErrNoDevice) {
		t.Fatalf("open with no server: %v, want ErrServerUnreachable (an ErrNoDevice)", err)
	}
	deck := audio.NewDeck(deckRate)
	done := make(chan error, 1)
	go func() { done <- sink.Run(ctx, deck) }()
	up := func() bool { _, err := sink.DeviceState(); return err == nil }
	time.Sleep(600 * time.Millisecond)
	if up() {
		t.Fatal("the sink says it streams with no server")
	}
	srv.Restart()
	back := time.Now()
	waitFor(t, 5*time.Second, "streaming once the server starts", up)
	t.Logf("streaming %v after the server started", time.Since(back).Round(time.Millisecond))

	c, _ := cue("b")
	deck.Enqueue(c)
	time.Sleep(time.Second)
	changed, _ := sink.DeviceState()
	srv.Kill()
	select {
	case <-changed:
	case <-time.After(6 * time.Second):
		t.Fatal("the sink did not notice the server was killed within 6 s")
	}
	_, err = sink.DeviceState()
	if !errors.Is(err, audio.ErrServerLost) && !errors.Is(err, audio.ErrServerUnreachable) {
		t.Fatalf("after the kill: %v, want the connection lost", err)
	}
	played := sink.Played()
	time.Sleep(500 * time.Millisecond)
	if p := sink.Played(); p != played {
		t.Errorf("played moved from %d to %d while the server was gone", played, p)
	}
	if n, ok := sink.Listeners(); !ok || n != 0 {
		t.Errorf("listeners while down: %d, %v; want 0 known", n, ok)
	}
	srv.Restart()
	back = time.Now()
	waitFor(t, 5*time.Second, "streaming again after the server restarted", up)
	t.Logf("streaming again %v after the server restarted", time.Since(back).Round(time.Millisecond))
	cancel()
	<-done
	for _, want := range []string{"cannot reach the streaming server", "streaming server lost", "streaming server is back"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the sink's log does not say %q:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), srv.SourcePassword) {
		t.Errorf("the sink's log shows the source password")
	}
}

// A wrong password is refused by the server, and said so without the
// password.
func TestSinkSaysTheServerRefusedThePassword(t *testing.T) {
	srv := icecasttest.Start(t)
	spec, err := icecast.ParseSpec(strings.Replace(srv.SourceSpec("/xa"), srv.SourcePassword, "wrong-pass", 1))
	if err != nil {
		t.Fatal(err)
	}
	sink := icecast.NewSink(spec, icecast.Info{Name: "x"}, deckRate, nil)
	err = sink.Open(context.Background())
	if !errors.Is(err, audio.ErrServerUnreachable) || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-pass") {
		t.Fatalf("wrong password: %v, want unreachable with the server's 401 and no password", err)
	}
}
