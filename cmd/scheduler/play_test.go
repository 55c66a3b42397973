package main

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// TestPlayMeasuresAheadOfThePlayHead: `play FILE...` measures files that
// are not in the library one after the other while the first plays; the
// first opens as soon as it is measured, not after all of them, and each
// opens with its own measured loudness. A library segment opens at once.
func TestPlayMeasuresAheadOfThePlayHead(t *testing.T) {
	release := make(chan struct{})
	measuring := make(chan string, 3)
	analyze := func(path string) (audio.Analysis, error) {
		measuring <- path
		switch path {
		case "/b.wav":
			<-release // the second file takes "long"
			return audio.Analysis{LoudnessLUFS: -30, TruePeakDBTP: -6}, nil
		case "/bad.wav":
			return audio.Analysis{}, errors.New("not audio")
		}
		return audio.Analysis{LoudnessLUFS: -20, TruePeakDBTP: -3}, nil
	}
	opened := make(chan playlist.Segment, 4)
	open := func(seg playlist.Segment) (audio.Streamer, io.Closer, error) {
		opened <- seg
		return audio.Silence(1), nil, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wrapped := measureAhead(ctx, []string{"/a.wav", "/b.wav", "/bad.wav"}, analyze, open)

	lib := playlist.Segment{ID: 7, Path: "/lib.wav", LoudnessLUFS: -16}
	if _, _, err := wrapped(lib); err != nil {
		t.Fatalf("library segment: %v", err)
	}
	if got := <-opened; got.LoudnessLUFS != -16 {
		t.Errorf("library segment opened with %v LUFS, want its own -16", got.LoudnessLUFS)
	}
	done := make(chan error, 1)
	go func() { _, _, err := wrapped(playlist.Segment{Path: "/a.wav"}); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("first file: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first file waited for the second to be measured")
	}
	if got := <-opened; got.LoudnessLUFS != -20 || got.TruePeakDBTP != -3 {
		t.Errorf("first file opened with %v LUFS / %v dBTP, want its measure -20 / -3", got.LoudnessLUFS, got.TruePeakDBTP)
	}
	if p := <-measuring; p != "/a.wav" {
		t.Errorf("measured %s first, want /a.wav", p)
	}
	if p := <-measuring; p != "/b.wav" {
		t.Errorf("measured %s second, want /b.wav (ahead of the play head)", p)
	}
	close(release)
	if _, _, err := wrapped(playlist.Segment{Path: "/b.wav"}); err != nil {
		t.Fatalf("second file: %v", err)
	}
	if got := <-opened; got.LoudnessLUFS != -30 {
		t.Errorf("second file opened with %v LUFS, want its measure -30", got.LoudnessLUFS)
	}
	if _, _, err := wrapped(playlist.Segment{Path: "/bad.wav"}); err == nil {
		t.Error("a file that cannot be measured opened; want its error (the station logs it failed)")
	}
}
