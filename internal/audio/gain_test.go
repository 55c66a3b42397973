package audio

import (
	"io"
	"math"
	"path/filepath"
	"testing"
)

// sineStereo is a stereo (or dual-mono) 1 kHz sine of the given peak
// amplitude in dBFS, lasting frames.
func sineStereo(rate int, peakDB float64, frames int) Streamer {
	amp := math.Pow(10, peakDB/20)
	i := 0
	return StreamerFunc(func(dst []float32) (int, error) {
		n := 0
		for n < len(dst)/Channels && i < frames {
			v := float32(amp * math.Sin(2*math.Pi*1000*float64(i)/float64(rate)))
			dst[n*2], dst[n*2+1] = v, v
			n++
			i++
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	})
}

func measure(t *testing.T, rate int, s Streamer) (lufs, truePeak float64) {
	t.Helper()
	m := NewMeter(rate, Channels)
	buf := make([]float32, 4096*Channels)
	for {
		n, err := s.Stream(buf)
		m.Write(buf[:n*Channels])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return m.Integrated(), m.TruePeak()
}

func TestNormalizeBringsSegmentsToTargetWithinTruePeakCeiling(t *testing.T) {
	const rate, target = 48000, -16.0
	for _, peak := range []float64{-40, -26, -18, -6} {
		lufs, tp := measure(t, rate, sineStereo(rate, peak, rate*5))
		gain := NormalizeGain(lufs, tp, 2, target)
		out, outTP := measure(t, rate, NewGain(sineStereo(rate, peak, rate*5), gain))
		if math.Abs(out-target) > 1 {
			t.Errorf("sine at %v dBFS (%.1f LUFS): normalised to %.2f LUFS, want %v ±1", peak, lufs, out, target)
		}
		if outTP > TruePeakCeilingDBTP+0.05 {
			t.Errorf("sine at %v dBFS: true peak %.2f dBTP after gain, want ≤ %v", peak, outTP, TruePeakCeilingDBTP)
		}
	}
}

func TestNormalizeGainRules(t *testing.T) {
	cases := []struct {
		name         string
		lufs, tp     float64
		channels     int
		target, want float64
	}{
		{"stereo quiet", -30, -12, 2, -16, 11},
		{"mono plays 3 LU louder in stereo", -30, -12, 1, -16, -16 - (-30 + 10*math.Log10(2))},
		{"peak ceiling wins", -20, -2, 2, -16, 1},
		{"silence", math.Inf(-1), math.Inf(-1), 2, -16, 0},
		{"too short to measure, peak over the ceiling", math.Inf(-1), 2.6, 2, -16, -3.6},
		{"too short to measure, peak under the ceiling", math.Inf(-1), -6, 2, -16, 0},
		{"bounded boost", -70, -60, 2, -16, 24},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := NormalizeGain(c.lufs, c.tp, c.channels, c.target)
			if math.Abs(got-c.want) > 1e-9 {
				t.Fatalf("gain %.3f dB, want %.3f", got, c.want)
			}
		})
	}
}

// TestShortLoudFileStaysUnderTheCeiling renders a jingle too short for
// loudness (0.3 s: no 400 ms gating block) peaking above full scale, as a
// loud decoded MP3 can, and checks the true peak of what plays.
func TestShortLoudFileStaysUnderTheCeiling(t *testing.T) {
	const rate = 48000
	dir := t.TempDir()
	path := writeTestWAV(t, filepath.Join(dir, "jingle.wav"), rate, 2, 32, true, rate*3/10, func(i, c int) float64 {
		return 1.3 * math.Sin(2*math.Pi*997*float64(i)/rate) // +2.3 dBFS
	})
	a, err := Analyze(path)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(a.LoudnessLUFS, -1) || a.TruePeakDBTP < 2 {
		t.Fatalf("measured %.2f LUFS, %.2f dBTP; want unmeasurable loudness and a peak over +2 dBTP", a.LoudnessLUFS, a.TruePeakDBTP)
	}
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	gain := NormalizeGain(a.LoudnessLUFS, a.TruePeakDBTP, 2, -16)
	_, tp := measure(t, rate, NewGain(NewStereo(d), gain))
	if tp > TruePeakCeilingDBTP+0.01 {
		t.Fatalf("true peak %.2f dBTP as played (gain %.2f dB), want ≤ %v", tp, gain, TruePeakCeilingDBTP)
	}
}
