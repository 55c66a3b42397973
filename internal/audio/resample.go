package audio

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// Resampler design. A Kaiser-windowed sinc lowpass with resampZeroCrossings
// zero crossings on each side (counted at the lower of the two rates),
// stopband from the lower Nyquist frequency, attenuation about 100 dB. The
// polyphase table is exact (one phase per output position) when the reduced
// ratio to/from has at most resampMaxExactPhases phases; otherwise
// resampInterpPhases phases with linear interpolation between them.
const (
	resampZeroCrossings  = 16
	resampKaiserBeta     = 10.0
	resampMaxExactPhases = 4096
	resampInterpPhases   = 1024
	resampReadFrames     = 8192
	// resampParallelFrames: a run of this many outputs or more is split
	// over two goroutines.
	resampParallelFrames = 1024
)

// NewResampler converts src from fromRate to toRate with a windowed-sinc
// polyphase filter. It adds no delay: output frame n is the input signal at
// time n/toRate. From N input frames it makes ceil(N*toRate/fromRate)
// output frames. When the rates are equal it returns src itself.
func NewResampler(src Streamer, fromRate, toRate int) Streamer {
	if fromRate == toRate {
		return src
	}
	if fromRate <= 0 || toRate <= 0 {
		err := fmt.Errorf("resample %d Hz to %d Hz: %w", fromRate, toRate, errors.New("bad sample rate"))
		return StreamerFunc(func([]float32) (int, error) { return 0, err })
	}
	g := gcd(int64(fromRate), int64(toRate))
	r := &resampler{src: src, l: int64(toRate) / g, m: int64(fromRate) / g}
	r.design(float64(fromRate), float64(toRate))
	// Hi-1 frames of silence before the first input frame.
	r.base = -int64(r.half - 1)
	r.in = make([]float32, 0, (resampReadFrames+r.taps)*Channels*2)
	r.in = r.in[:(r.half-1)*Channels]
	return r
}

type resampler struct {
	src  Streamer
	l, m int64 // reduced ratio: l output frames per m input frames

	taps   int       // taps per phase, 2*half
	half   int       // taps on each side of the output position
	exact  bool      // one table row per phase; else interpolate rows
	phases int       // table rows (exact: l; else resampInterpPhases, plus one more row)
	table  []float32 // phase-major coefficients

	in    []float32 // interleaved stereo input frames [base, base+len/2)
	base  int64
	pos   int64 // integer input frame of the next output
	frac  int64 // its fraction, in 1/l
	n     int64 // outputs made
	eof   bool
	total int64 // input frames, once eof
	err   error
	// The second half of a run split over two goroutines.
	wg     sync.WaitGroup
	half2  resampJob
	second func()
}

// resampJob is a stretch of output to produce from a position.
type resampJob struct {
	dst       []float32
	pos, frac int64
}

// design builds the polyphase table.
func (r *resampler) design(from, to float64) {
	// Cutoff so that the transition band (≈ 3.2/zc of the cutoff wide for
	// this beta) ends at the lower Nyquist frequency.
	nyq := 0.5 * math.Min(from, to)
	fc := nyq / (1 + 3.2/resampZeroCrossings) / from // cycles per input frame
	halfLen := resampZeroCrossings / (2 * fc)        // in input frames
	r.half = int(math.Ceil(halfLen))
	r.taps = 2 * r.half
	if r.l <= resampMaxExactPhases {
		r.exact = true
		r.phases = int(r.l)
	} else {
		r.phases = resampInterpPhases
	}
	rows := r.phases
	if !r.exact {
		rows++
	}
	r.table = make([]float32, rows*r.taps)
	i0b := besselI0(resampKaiserBeta)
	for p := range rows {
		f := float64(p) / float64(r.phases)
		row := r.table[p*r.taps : (p+1)*r.taps]
		for j := range row {
			d := f + float64(r.half-1-j) // distance from the output position
			x := d / halfLen
			if math.Abs(x) >= 1 {
				continue
			}
			w := besselI0(resampKaiserBeta*math.Sqrt(1-x*x)) / i0b
			row[j] = float32(2 * fc * sinc(2*fc*d) * w)
		}
	}
}

func (r *resampler) Stream(dst []float32) (int, error) {
	frames := len(dst) / Channels
	out := 0
	for out < frames {
		if r.eof && r.n*r.m >= r.total*r.l {
			break
		}
		need := r.pos + int64(r.half) - r.base + 1 // frames needed in r.in
		if avail := int64(len(r.in) / Channels); need > avail {
			if r.err != nil {
				break
			}
			if !r.fill() {
				break // src made no progress; try again on the next call
			}
			continue
		}
		out += r.run(dst[out*Channels : frames*Channels])
	}
	if out == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.eof {
			return 0, io.EOF
		}
	}
	return out, nil
}

// run makes as many output frames into dst as the buffered input allows.
// A long run is split in two halves computed on two goroutines (each output
// depends only on the input and its own position), so the filter, the
// costliest part of playback and rendering, uses both cores.
func (r *resampler) run(dst []float32) int {
	avail := int64(len(r.in) / Channels)
	// Output i (from now) reads input up to pos_i+half-base, where
	// pos_i = pos + (frac+i*m)/l: the outputs whose window is buffered.
	d := avail - int64(r.half) + r.base - 1 - r.pos
	if d < 0 {
		return 0
	}
	k := ((d+1)*r.l - r.frac + r.m - 1) / r.m
	if r.eof {
		k = min(k, (r.total*r.l-r.n*r.m+r.m-1)/r.m)
	}
	k = max(0, min(k, int64(len(dst)/Channels)))
	if k == 0 {
		return 0
	}
	if k >= resampParallelFrames {
		h := k / 2
		t := r.frac + h*r.m
		r.half2 = resampJob{dst: dst[h*Channels : k*Channels], pos: r.pos + t/r.l, frac: t % r.l}
		if r.second == nil {
			// Made once: a closure per run would grow the heap with the
			// length of the file.
			r.second = func() {
				defer r.wg.Done()
				r.produce(r.half2.dst, r.half2.pos, r.half2.frac)
			}
		}
		r.wg.Add(1)
		go r.second()
		r.produce(dst[:h*Channels], r.pos, r.frac)
		r.wg.Wait()
		r.half2 = resampJob{}
	} else {
		r.produce(dst[:k*Channels], r.pos, r.frac)
	}
	r.n += k
	t := r.frac + k*r.m
	r.pos += t / r.l
	r.frac = t % r.l
	return int(k)
}

// produce fills dst with the outputs from input position pos and fraction
// frac on; the input they need is buffered. It changes no state.
func (r *resampler) produce(dst []float32, pos, frac int64) {
	taps := r.taps
	for out := 0; out < len(dst)/Channels; out++ {
		start := int(pos-int64(r.half)+1-r.base) * Channels
		x := r.in[start : start+taps*Channels]
		var yl, yr float32
		if r.exact {
			yl, yr = dot2(r.table[int(frac)*taps:int(frac+1)*taps], x)
		} else {
			pf := frac * int64(r.phases)
			p0 := int(pf / r.l)
			w := float32(float64(pf%r.l) / float64(r.l))
			l0, r0 := dot2(r.table[p0*taps:(p0+1)*taps], x)
			l1, r1 := dot2(r.table[(p0+1)*taps:(p0+2)*taps], x)
			yl, yr = l0+w*(l1-l0), r0+w*(r1-r0)
		}
		dst[out*Channels], dst[out*Channels+1] = yl, yr
		frac += r.m
		pos += frac / r.l
		frac %= r.l
	}
}

// dot2 filters interleaved stereo x with h. Eight accumulators (four
// taps at a time) keep the floating-point adders busy.
func dot2(h, x []float32) (float32, float32) {
	x = x[:2*len(h)]
	var l0, r0, l1, r1, l2, r2, l3, r3 float32
	j := 0
	for ; j+3 < len(h); j += 4 {
		c := h[j : j+4 : j+4]
		s := x[2*j : 2*j+8 : 2*j+8]
		l0 += c[0] * s[0]
		r0 += c[0] * s[1]
		l1 += c[1] * s[2]
		r1 += c[1] * s[3]
		l2 += c[2] * s[4]
		r2 += c[2] * s[5]
		l3 += c[3] * s[6]
		r3 += c[3] * s[7]
	}
	for ; j < len(h); j++ {
		l0 += h[j] * x[2*j]
		r0 += h[j] * x[2*j+1]
	}
	return (l0 + l1) + (l2 + l3), (r0 + r1) + (r2 + r3)
}

// fill drops input no longer needed and reads more from src. It reports
// whether anything changed.
func (r *resampler) fill() bool {
	if drop := r.pos - int64(r.half) + 1 - r.base; drop > 0 {
		drop = min(drop, int64(len(r.in)/Channels))
		n := copy(r.in, r.in[drop*Channels:])
		r.in = r.in[:n]
		r.base += drop
	}
	have := len(r.in)
	if cap(r.in)-have < resampReadFrames*Channels {
		grown := make([]float32, have, have+resampReadFrames*Channels+r.taps*Channels)
		copy(grown, r.in)
		r.in = grown
	}
	got, err := r.src.Stream(r.in[have : have+resampReadFrames*Channels])
	r.in = r.in[:have+got*Channels]
	if err == nil {
		return got > 0
	}
	if errors.Is(err, io.EOF) {
		r.eof = true
		r.total = r.base + int64(len(r.in)/Channels)
		// Silence after the end so the last outputs see a full window.
		r.in = append(r.in, make([]float32, (r.half+1)*Channels)...)
		return true
	}
	r.err = err
	return true
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the zeroth-order modified Bessel function of the first kind.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 200; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}
