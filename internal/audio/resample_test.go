package audio

import (
	"errors"
	"fmt"
	"io"
	"math"
	"testing"
)

// sliceStreamer streams interleaved stereo samples, in pieces of at most
// step frames to exercise partial reads.
func sliceStreamer(s []float32, step int) Streamer {
	return StreamerFunc(func(dst []float32) (int, error) {
		if len(s) == 0 {
			return 0, io.EOF
		}
		n := min(len(dst)/Channels, len(s)/Channels)
		if step > 0 {
			n = min(n, step)
		}
		copy(dst, s[:n*Channels])
		s = s[n*Channels:]
		return n, nil
	})
}

// drain reads s to the end with reads of chunk frames.
func drain(t testing.TB, s Streamer, chunk int) []float32 {
	t.Helper()
	var out []float32
	buf := make([]float32, chunk*Channels)
	for {
		n, err := s.Stream(buf)
		out = append(out, buf[:n*Channels]...)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
	}
}

func stereoSine(rate, frames int, freq, amp float64) []float32 {
	s := make([]float32, frames*Channels)
	for i := range frames {
		v := float32(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
		s[2*i], s[2*i+1] = v, v
	}
	return s
}

// thdN fits a·sin + b·cos + c at freq to one channel of x by least squares
// and returns the residual's RMS relative to the fitted sine's, in dB.
func thdN(x []float64, rate int, freq float64) (thdDB, amp, phase float64) {
	// Normal equations for [sin, cos, 1].
	var a [3][4]float64
	for i, v := range x {
		w := 2 * math.Pi * freq * float64(i) / float64(rate)
		b := [3]float64{math.Sin(w), math.Cos(w), 1}
		for r := range 3 {
			for c := range 3 {
				a[r][c] += b[r] * b[c]
			}
			a[r][3] += b[r] * v
		}
	}
	for col := range 3 { // Gauss-Jordan
		for r := range 3 {
			if r != col {
				f := a[r][col] / a[col][col]
				for c := range 4 {
					a[r][c] -= f * a[col][c]
				}
			}
		}
	}
	s, c, d := a[0][3]/a[0][0], a[1][3]/a[1][1], a[2][3]/a[2][2]
	var res float64
	for i, v := range x {
		w := 2 * math.Pi * freq * float64(i) / float64(rate)
		e := v - (s*math.Sin(w) + c*math.Cos(w) + d)
		res += e * e
	}
	resRMS := math.Sqrt(res / float64(len(x)))
	amp = math.Hypot(s, c)
	return 20 * math.Log10(resRMS/(amp/math.Sqrt2)), amp, math.Atan2(c, s)
}

func channel(x []float32, ch int) []float64 {
	out := make([]float64, len(x)/Channels)
	for i := range out {
		out[i] = float64(x[i*Channels+ch])
	}
	return out
}

func TestResamplerTHDN(t *testing.T) {
	for _, tc := range []struct{ from, to int }{
		{22050, 48000}, {32000, 48000}, {44100, 48000}, {48000, 44100},
		{8000, 48000}, {96000, 48000}, {44101, 48000}, // the last one is not an exact ratio
	} {
		t.Run(fmt.Sprintf("%d-%d", tc.from, tc.to), func(t *testing.T) {
			const amp = 0.5
			in := stereoSine(tc.from, tc.from*2, 1000, amp)
			out := drain(t, NewResampler(sliceStreamer(in, 1000), tc.from, tc.to), 1024)
			// Steady state: skip 0.1 s at each end.
			skip := tc.to / 10
			for ch := range Channels {
				x := channel(out, ch)
				db, a, ph := thdN(x[skip:len(x)-skip], tc.to, 1000)
				t.Logf("ch%d THD+N %.1f dB, amplitude %.6f, phase %.2e", ch, db, a, ph)
				if db > -90 {
					t.Errorf("ch%d THD+N = %.1f dB, want ≤ -90", ch, db)
				}
				if math.Abs(a-amp) > amp*1e-3 {
					t.Errorf("ch%d amplitude %.5f, want %.5f", ch, a, amp)
				}
				// No delay: the fitted phase at output frame 0 is the input's (sine, phase 0).
				// Fit over x[skip:], so shift back by skip frames.
				got := math.Remainder(ph-2*math.Pi*1000*float64(skip)/float64(tc.to), 2*math.Pi)
				if math.Abs(got) > 1e-3 {
					t.Errorf("ch%d phase offset %.4f rad, want 0 (no latency)", ch, got)
				}
			}
		})
	}
}

func TestResamplerAliasRejection(t *testing.T) {
	in := stereoSine(48000, 48000, 23000, 1)
	out := drain(t, NewResampler(sliceStreamer(in, 0), 48000, 44100), 4096)
	x := channel(out, 0)
	var peak float64
	for _, v := range x[4410 : len(x)-4410] {
		peak = max(peak, math.Abs(v))
	}
	db := 20 * math.Log10(peak)
	t.Logf("23 kHz at 48k → 44.1k: %.1f dBFS", db)
	if db > -40 {
		t.Errorf("aliased 23 kHz tone at %.1f dBFS, want ≤ -40", db)
	}
}

func TestResamplerLength(t *testing.T) {
	for _, tc := range []struct{ from, to, frames int }{
		{44100, 48000, 44100}, {48000, 44100, 12345}, {22050, 48000, 1}, {48000, 8000, 7},
		{32000, 48000, 100000}, {44101, 48000, 999},
	} {
		in := stereoSine(tc.from, tc.frames, 440, 0.3)
		out := drain(t, NewResampler(sliceStreamer(in, 333), tc.from, tc.to), 500)
		got := len(out) / Channels
		want := math.Round(float64(tc.frames) * float64(tc.to) / float64(tc.from))
		if math.Abs(float64(got)-want) > 1 {
			t.Errorf("%d→%d, %d frames in: %d out, want %v ± 1", tc.from, tc.to, tc.frames, got, want)
		}
	}
}

func TestResamplerIdentityAndEmpty(t *testing.T) {
	src := sliceStreamer(nil, 0)
	if s := NewResampler(src, 48000, 48000); fmt.Sprint(s) != fmt.Sprint(src) {
		t.Error("equal rates should return the source itself")
	}
	out := drain(t, NewResampler(sliceStreamer(nil, 0), 44100, 48000), 64)
	if len(out) != 0 {
		t.Errorf("empty input made %d samples", len(out))
	}
}

func TestResamplerPassesErrors(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	src := StreamerFunc(func(dst []float32) (int, error) {
		calls++
		if calls > 3 {
			return 0, boom
		}
		clear(dst[:200])
		return 100, nil
	})
	s := NewResampler(src, 44100, 48000)
	buf := make([]float32, 1<<16)
	var err error
	for range 10 {
		if _, err = s.Stream(buf); err != nil {
			break
		}
	}
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}

func BenchmarkResample48to44(b *testing.B) {
	in := stereoSine(48000, 48000*10, 1000, 0.5)
	b.SetBytes(int64(len(in) * 4))
	for b.Loop() {
		s := NewResampler(sliceStreamer(in, 0), 48000, 44100)
		buf := make([]float32, 8192)
		for {
			if _, err := s.Stream(buf); err != nil {
				break
			}
		}
	}
}
