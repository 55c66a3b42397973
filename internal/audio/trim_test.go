package audio

import (
	"errors"
	"io"
	"path/filepath"
	"testing"
)

// playAll plays s to the end.
func playAll(t *testing.T, s Streamer) []float32 {
	t.Helper()
	var out []float32
	buf := make([]float32, 777*Channels)
	for {
		n, err := s.Stream(buf)
		out = append(out, buf[:n*Channels]...)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestTrimmedStreamIsTheMiddleOfTheWhole: a trimmed file plays exactly the
// frames between the cuts — for a WAV (seek) and an MP3 (decode and drop).
func TestTrimmedStreamIsTheMiddleOfTheWhole(t *testing.T) {
	dir := t.TempDir()
	wav := filepath.Join(dir, "t.wav")
	// 16-bit stereo at 48 kHz: every frame different.
	writeTestWAV(t, wav, 48000, 2, 16, false, 48000, func(i, c int) float64 { return float64(i%20000)/20000 - 0.5 })
	mp3 := encode(t, "", filepath.Join(dir, "t.mp3"), 1, "-ar", "44100", "-ac", "2", "-b:a", "128k")
	for _, path := range []string{wav, mp3} {
		info, err := Probe(path)
		if err != nil {
			t.Fatal(err)
		}
		whole, _, c, err := OpenStream(path, info.SampleRate)
		if err != nil {
			t.Fatal(err)
		}
		all := playAll(t, whole)
		c.Close()
		rate := Rate(info.SampleRate)
		trim := Trim{Start: rate.D(4410) + 1, End: rate.D(2205) + 1}
		skip, keep := trim.Frames(rate, info.Frames)
		if skip != 4410 || keep != info.Frames-4410-2205 {
			t.Fatalf("%s: skip %d keep %d", path, skip, keep)
		}
		// At the file's own rate, the trimmed stream is the whole one's middle.
		s, _, c, err := OpenStreamTrimmed(path, info.SampleRate, trim)
		if err != nil {
			t.Fatal(err)
		}
		mid := playAll(t, s)
		c.Close()
		if int64(len(mid)/2) != keep {
			t.Fatalf("%s: %d frames, want %d", path, len(mid)/2, keep)
		}
		for k := range mid {
			if mid[k] != all[int(skip)*2+k] {
				t.Fatalf("%s: trimmed frame %d differs from the whole's frame %d", path, k/2, int(skip)+k/2)
			}
		}
		// Resampled to 48 kHz: ceil(keep × 48000 / rate) frames.
		s, _, c, err = OpenStreamTrimmed(path, 48000, trim)
		if err != nil {
			t.Fatal(err)
		}
		if got := int64(len(playAll(t, s)) / 2); got != ResampledFrames(keep, info.SampleRate, 48000) {
			t.Errorf("%s at 48 kHz: %d frames, want %d", path, got, ResampledFrames(keep, info.SampleRate, 48000))
		}
		c.Close()
	}
	// A trim that would leave nothing cuts nothing.
	if skip, keep := (Trim{Start: 1e9, End: 1e9}).Frames(1000, 1500); skip != 0 || keep != 1500 {
		t.Errorf("trim of everything: skip %d keep %d", skip, keep)
	}
}
