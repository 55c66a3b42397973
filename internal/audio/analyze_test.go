package audio

import (
	"errors"
	"math"
	"path/filepath"
	"testing"
	"time"
)

func TestAnalyze(t *testing.T) {
	dir := t.TempDir()
	const rate = 48000
	amp := math.Pow(10, -23.0/20)
	// 1.5 s of silence, 20 s of -23 dBFS 1 kHz, 0.25 s of -70 dBFS hiss-level
	// tone (below the -60 dBFS silence threshold), 0.5 s of silence.
	lead, tone, quiet, tail := int(1.5*rate), 20*rate, rate/4, rate/2
	gen := func(i, c int) float64 {
		switch {
		case i < lead:
			return 0
		case i < lead+tone:
			return amp * math.Sin(2*math.Pi*1000*float64(i-lead)/rate)
		case i < lead+tone+quiet:
			return math.Pow(10, -70.0/20) * math.Sin(2*math.Pi*1000*float64(i)/rate)
		}
		return 0
	}
	frames := lead + tone + quiet + tail
	path := writeTestWAV(t, filepath.Join(dir, "a.wav"), rate, 2, 24, false, frames, gen)
	a, err := Analyze(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Info.Frames != int64(frames) || a.Info.SampleRate != rate || a.Info.Channels != 2 || a.Info.BitDepth != 24 {
		t.Errorf("info = %+v", a.Info)
	}
	if math.Abs(a.LoudnessLUFS-(-23)) > 0.1 {
		t.Errorf("loudness %.2f LUFS, want -23.0", a.LoudnessLUFS)
	}
	if math.Abs(a.SamplePeakDBFS-(-23)) > 0.01 || math.Abs(a.TruePeakDBTP-(-23)) > 0.05 {
		t.Errorf("peaks %.3f dBFS, %.3f dBTP; want -23", a.SamplePeakDBFS, a.TruePeakDBTP)
	}
	if a.LoudnessRangeLU > 0.5 {
		t.Errorf("LRA %.2f LU for a steady tone", a.LoudnessRangeLU)
	}
	// The tone starts at its zero crossing: the first sample above -60 dBFS
	// comes a few samples after lead.
	if d := a.SilenceStart - 1500*time.Millisecond; d < 0 || d > time.Millisecond {
		t.Errorf("SilenceStart = %v, want just over 1.5 s", a.SilenceStart)
	}
	if d := 750*time.Millisecond - a.SilenceEnd; d < 0 || d > time.Millisecond {
		t.Errorf("SilenceEnd = %v, want just under 750 ms", a.SilenceEnd)
	}
}

func TestAnalyzeSilentFile(t *testing.T) {
	path := writeTestWAV(t, filepath.Join(t.TempDir(), "s.wav"), 16000, 1, 16, false, 16000*3, func(i, c int) float64 {
		return 0.0005 * math.Sin(float64(i)) // -66 dBFS: below the threshold
	})
	a, err := Analyze(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.SilenceStart != 3*time.Second || a.SilenceEnd != 3*time.Second {
		t.Errorf("silence %v / %v, want the whole 3 s both", a.SilenceStart, a.SilenceEnd)
	}
	if a.LoudnessLUFS > -60 || math.IsInf(a.TruePeakDBTP, 0) {
		t.Errorf("loudness %.1f, true peak %.1f", a.LoudnessLUFS, a.TruePeakDBTP)
	}
	zero := writeTestWAV(t, filepath.Join(t.TempDir(), "z.wav"), 8000, 2, 8, false, 8000, func(i, c int) float64 { return 0 })
	a, err = Analyze(zero)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(a.LoudnessLUFS, -1) || !math.IsInf(a.TruePeakDBTP, -1) || !math.IsInf(a.SamplePeakDBFS, -1) {
		t.Errorf("digital silence: %+v", a)
	}
}

func TestAnalyzeMultichannelAndErrors(t *testing.T) {
	dir := t.TempDir()
	// 5.1 with a -23 dBFS sine in L only: half the energy of the same sine
	// in both L and R, so -26 LUFS.
	six := writeTestWAV(t, filepath.Join(dir, "six.wav"), 48000, 6, 16, false, 48000*5, func(i, c int) float64 {
		if c != 0 {
			return 0
		}
		return math.Pow(10, -23.0/20) * math.Sin(2*math.Pi*1000*float64(i)/48000)
	})
	a, err := Analyze(six)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a.LoudnessLUFS-(-26)) > 0.1 {
		t.Errorf("5.1, L only: %.2f LUFS, want -26.0", a.LoudnessLUFS)
	}
	full := riffFile(fmtChunk(1, 2, 44100, 16, false), chunk("data", make([]byte, 44100*4)))
	trunc := writeFile(t, filepath.Join(dir, "t.wav"), full[:len(full)/2])
	if _, err := Analyze(trunc); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v, want ErrTruncated", err)
	}
	text := writeFile(t, filepath.Join(dir, "x.wav"), []byte("hello"))
	if _, err := Analyze(text); !errors.Is(err, ErrNotWAV) {
		t.Errorf("text: %v, want ErrNotWAV", err)
	}
}

// BenchmarkAnalyze measures one minute of 48 kHz stereo 16-bit speech-like
// audio (multiply by 10 for a 10-minute segment).
func BenchmarkAnalyze(b *testing.B) {
	v := voiceLike(48000)
	path := writeTestWAV(b, filepath.Join(b.TempDir(), "a.wav"), 48000, 2, 16, false, 48000*60, func(i, c int) float64 {
		if c == 0 {
			return v(i, 0)
		}
		return 0.9 * v(i, 0)
	})
	for b.Loop() {
		if _, err := Analyze(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenStream measures decoding and resampling one minute of
// 44.1 kHz stereo to 48 kHz.
func BenchmarkOpenStream(b *testing.B) {
	path := writeTestWAV(b, filepath.Join(b.TempDir(), "a.wav"), 44100, 2, 16, false, 44100*60, steppedNoise(44100))
	buf := make([]float32, 2*4096)
	for b.Loop() {
		s, _, c, err := OpenStream(path, 48000)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := s.Stream(buf); err != nil {
				break
			}
		}
		c.Close()
	}
}
