package audio

import (
	"math"
	"slices"
	"sync"
)

// Loudness measurement after ITU-R BS.1770-4 and EBU R128 / Tech 3341–3342.
//
// Channel weights follow libebur128's default map: 1.0 for L, R and C;
// 1.41 for the surround pair (channels 3, 4 of a 4- or 5-channel file;
// 4, 5 of 5.1, whose channel 3, LFE, is left out); channels past 5.1 count
// 1.0. A mono file is measured as one channel of weight 1.0, as ffmpeg's
// ebur128 filter does without dual_mono: it reads 3 LU lower than the same
// audio as dual-mono stereo, which is how it will be heard once NewStereo
// duplicates it.
const (
	absoluteGateLUFS   = -70.0
	relativeGateLU     = -10.0
	lraRelativeGateLU  = -20.0
	subBlocksPerBlock  = 4  // 400 ms gating blocks, 100 ms hop (75 % overlap)
	subBlocksPerShort  = 30 // 3 s short-term blocks for the loudness range, 100 ms hop
	truePeakHalfTaps   = 24 // 48 taps per phase
	truePeakOversample = 4
	truePeakBlock      = 256
)

// Meter measures integrated loudness, loudness range, true peak and sample
// peak of interleaved audio written to it in pieces. It keeps one energy
// value per 100 ms, not the samples. Each channel is filtered and
// oversampled on a goroutine of its own (the work is per channel until the
// 100 ms energies are summed), so a stereo file uses two cores.
type Meter struct {
	rate, channels int
	chans          []meterChannel

	sub    []float64 // weighted K-filtered energy of each complete 100 ms sub-block
	subN   []int32   // frames in each sub-block
	curN   int64
	subEnd int64 // frame at which the current sub-block ends
	frames int64
	runs   []meterRun
	wg     sync.WaitGroup
	// The Write in progress, for the channel workers: made once, so that
	// starting them allocates nothing (a closure per Write would grow the
	// heap with the length of the file).
	x      []float32
	seed   float64
	worker []func()
}

// meterChannel is one channel's share of the work.
type meterChannel struct {
	weight   float64
	filter   kWeighting
	sub      []float64 // energies of the sub-blocks completed by this Write
	curE     float64
	sampPeak float64
	tp       truePeakChannel
	tpPeak   float64
}

// meterRun is a stretch of a Write inside one sub-block.
type meterRun struct {
	frames   int
	complete bool // the stretch ends its sub-block
}

// parallelFrames: a Write shorter than this runs on the caller's goroutine.
const parallelFrames = 2048

// NewMeter returns a meter for audio at rate with the given channel count.
func NewMeter(rate, channels int) *Meter {
	m := &Meter{rate: rate, channels: channels}
	k := newKWeighting(float64(rate))
	for c := range channels {
		m.chans = append(m.chans, meterChannel{weight: channelWeight(c, channels), filter: k, tp: newTruePeakChannel()})
	}
	m.subEnd = m.subBoundary(1)
	for c := range channels {
		m.worker = append(m.worker, func() {
			defer m.wg.Done()
			m.chans[c].write(m.x, c, m.channels, len(m.x)/m.channels, m.runs, m.seed)
		})
	}
	return m
}

// channelWeight is G_c of BS.1770 for channel c of n.
func channelWeight(c, n int) float64 {
	switch {
	case n == 4 && c >= 2, n == 5 && c >= 3:
		return 1.41
	case n >= 6 && c == 3:
		return 0 // LFE
	case n >= 6 && (c == 4 || c == 5):
		return 1.41
	}
	return 1
}

// subBoundary is the frame where sub-block k starts (100 ms at any rate).
func (m *Meter) subBoundary(k int64) int64 { return k * int64(m.rate) / 10 }

// Write measures interleaved frames; a partial trailing frame is ignored.
func (m *Meter) Write(x []float32) {
	ch := m.channels
	frames := len(x) / ch
	if frames == 0 {
		return
	}
	// Where the sub-blocks end in x.
	m.runs = m.runs[:0]
	for i := 0; i < frames; {
		n := int(min(int64(frames-i), m.subEnd-m.frames))
		i += n
		m.frames += int64(n)
		m.curN += int64(n)
		done := m.frames == m.subEnd
		m.runs = append(m.runs, meterRun{n, done})
		if done {
			m.subN = append(m.subN, int32(m.curN))
			m.curN = 0
			m.subEnd = m.subBoundary(int64(len(m.subN)) + 1)
		}
	}
	// The true peak is at least every channel's sample peak; starting each
	// channel from the highest seen lets the interpolation skip most blocks.
	var seed float64
	for c := range m.chans {
		seed = max(seed, m.chans[c].tpPeak, m.chans[c].sampPeak)
	}
	if frames < parallelFrames || ch == 1 {
		for c := range m.chans {
			m.chans[c].write(x, c, ch, frames, m.runs, seed)
		}
	} else {
		m.x, m.seed = x[:frames*ch], seed
		m.wg.Add(ch)
		for _, w := range m.worker {
			go w()
		}
		m.wg.Wait()
		m.x = nil
	}
	// Sum the channels' energies of the sub-blocks completed.
	for k := range m.chans[0].sub {
		var e float64
		for c := range m.chans {
			e += m.chans[c].sub[k]
		}
		m.sub = append(m.sub, e)
	}
	for c := range m.chans {
		m.chans[c].sub = m.chans[c].sub[:0]
	}
}

// write measures channel c of the interleaved frames.
func (mc *meterChannel) write(x []float32, c, ch, frames int, runs []meterRun, seed float64) {
	var pk float32
	for i := c; i < frames*ch; i += ch {
		pk = max(pk, x[i], -x[i])
	}
	mc.sampPeak = max(mc.sampPeak, float64(pk))
	mc.tpPeak = max(mc.tpPeak, mc.sampPeak, seed)
	mc.tp.write(x, c, ch, frames, &mc.tpPeak)
	i := 0
	for _, r := range runs {
		mc.curE += mc.weight * mc.filter.energy(x, c, ch, i, i+r.frames)
		i += r.frames
		if r.complete {
			mc.sub = append(mc.sub, mc.curE)
			mc.curE = 0
		}
	}
}

// blockEnergies returns the mean square of each complete window of size
// sub-blocks, stepping one sub-block (100 ms).
func (m *Meter) blockEnergies(size int) []float64 {
	if len(m.sub) < size {
		return nil
	}
	out := make([]float64, 0, len(m.sub)-size+1)
	var e float64
	var n int64
	for i := range m.sub {
		e += m.sub[i]
		n += int64(m.subN[i])
		if i >= size {
			e -= m.sub[i-size]
			n -= int64(m.subN[i-size])
		}
		if i >= size-1 {
			out = append(out, max(e, 0)/float64(n))
		}
	}
	return out
}

func lufs(energy float64) float64 { return -0.691 + 10*math.Log10(energy) }

func energyOf(lufs float64) float64 { return math.Pow(10, (lufs+0.691)/10) }

// Integrated is the gated integrated loudness in LUFS so far, or -Inf when
// every 400 ms block is gated out (silence, or less than 400 ms of audio).
func (m *Meter) Integrated() float64 {
	blocks := gate(m.blockEnergies(subBlocksPerBlock), energyOf(absoluteGateLUFS))
	if len(blocks) == 0 {
		return math.Inf(-1)
	}
	rel := mean(blocks) * math.Pow(10, relativeGateLU/10)
	blocks = gate(blocks, rel)
	if len(blocks) == 0 {
		return math.Inf(-1)
	}
	return lufs(mean(blocks))
}

// Range is the loudness range (EBU Tech 3342) in LU: the spread between the
// 10th and 95th percentiles of the gated 3 s short-term loudness, taken
// every 100 ms. It is 0 for audio shorter than 3 s or all gated out.
func (m *Meter) Range() float64 {
	st := gate(m.blockEnergies(subBlocksPerShort), energyOf(absoluteGateLUFS))
	if len(st) == 0 {
		return 0
	}
	st = gate(st, mean(st)*math.Pow(10, lraRelativeGateLU/10))
	if len(st) == 0 {
		return 0
	}
	slices.Sort(st)
	lo := st[int(float64(len(st)-1)*0.10+0.5)]
	hi := st[int(float64(len(st)-1)*0.95+0.5)]
	return lufs(hi) - lufs(lo)
}

// TruePeak is the highest peak of the signal oversampled 4 times, in dBTP,
// or -Inf for digital silence.
func (m *Meter) TruePeak() float64 {
	var p float64
	for c := range m.chans {
		p = max(p, m.chans[c].sampPeak, m.chans[c].tpPeak)
	}
	for c := range m.chans {
		p = m.chans[c].tp.flush(p)
	}
	return 20 * math.Log10(p)
}

// SamplePeak is the highest absolute sample value in dBFS, or -Inf for
// digital silence.
func (m *Meter) SamplePeak() float64 {
	var p float64
	for c := range m.chans {
		p = max(p, m.chans[c].sampPeak)
	}
	return 20 * math.Log10(p)
}

// gate keeps the energies strictly above threshold, in place.
func gate(e []float64, threshold float64) []float64 {
	out := e[:0]
	for _, v := range e {
		if v > threshold {
			out = append(out, v)
		}
	}
	return out
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// kWeighting is the BS.1770 pre-filter (high shelf, then high pass) as two
// biquads, derived for any rate with libebur128's bilinear formulas.
type kWeighting struct {
	b0, b1, b2, a1, a2 float64 // shelf
	c0, c1, c2, d1, d2 float64 // high pass
	s1, s2, t1, t2     float64 // transposed direct form II states
}

func newKWeighting(rate float64) kWeighting {
	var k kWeighting
	f0, g, q := 1681.974450955533, 3.999843853973347, 0.7071752369554196
	kk := math.Tan(math.Pi * f0 / rate)
	vh := math.Pow(10, g/20)
	vb := math.Pow(vh, 0.4996667741545416)
	a0 := 1 + kk/q + kk*kk
	k.b0 = (vh + vb*kk/q + kk*kk) / a0
	k.b1 = 2 * (kk*kk - vh) / a0
	k.b2 = (vh - vb*kk/q + kk*kk) / a0
	k.a1 = 2 * (kk*kk - 1) / a0
	k.a2 = (1 - kk/q + kk*kk) / a0

	f0, q = 38.13547087602444, 0.5003270373238773
	kk = math.Tan(math.Pi * f0 / rate)
	a0 = 1 + kk/q + kk*kk
	k.c0, k.c1, k.c2 = 1, -2, 1
	k.d1 = 2 * (kk*kk - 1) / a0
	k.d2 = (1 - kk/q + kk*kk) / a0
	return k
}

// energy filters frames [from, to) of channel c of the interleaved x and
// returns the sum of the squared output. The states stay in registers for
// the run; denormals (after long silence) are flushed at its end.
func (k *kWeighting) energy(x []float32, c, ch, from, to int) float64 {
	b0, b1, b2, a1, a2 := k.b0, k.b1, k.b2, k.a1, k.a2
	d1, d2 := k.d1, k.d2
	s1, s2, t1, t2 := k.s1, k.s2, k.t1, k.t2
	var e float64
	for j := from*ch + c; j < to*ch; j += ch {
		v := float64(x[j])
		y := b0*v + s1
		s1 = b1*v - a1*y + s2
		s2 = b2*v - a2*y
		// The high pass's numerator is 1, -2, 1 (k.c0, k.c1, k.c2).
		z := y + t1
		t1 = -2*y - d1*z + t2
		t2 = y - d2*z
		e += z * z
	}
	if math.Abs(s1) < 1e-300 && math.Abs(s2) < 1e-300 {
		s1, s2 = 0, 0
	}
	if math.Abs(t1) < 1e-300 && math.Abs(t2) < 1e-300 {
		t1, t2 = 0, 0
	}
	k.s1, k.s2, k.t1, k.t2 = s1, s2, t1, t2
	return e
}

// truePeak holds the 4× interpolation filter: phases 1..3 (phase 0 is the
// sample itself), a Kaiser-windowed sinc with truePeakHalfTaps taps on each
// side, and the largest sum of absolute coefficients of any phase, which
// bounds how much an interpolated value can exceed its neighbours.
var truePeakFilter = func() (f struct {
	h     [truePeakOversample - 1][2 * truePeakHalfTaps]float64
	maxL1 float64
}) {
	const beta = 8.0
	i0b := besselI0(beta)
	for p := 1; p < truePeakOversample; p++ {
		var l1 float64
		for j := range 2 * truePeakHalfTaps {
			d := float64(p)/truePeakOversample + float64(truePeakHalfTaps-1-j)
			x := d / (truePeakHalfTaps + 0.5)
			v := sinc(d) * besselI0(beta*math.Sqrt(max(0, 1-x*x))) / i0b
			f.h[p-1][j] = v
			l1 += math.Abs(v)
		}
		f.maxL1 = max(f.maxL1, l1)
	}
	return f
}()

// truePeakChannel interpolates one channel. buf holds the samples from
// absolute index start; positions before next have been examined.
type truePeakChannel struct {
	buf   []float64
	start int64
	next  int64
}

func newTruePeakChannel() truePeakChannel {
	const h = truePeakHalfTaps
	return truePeakChannel{buf: make([]float64, h-1, 4096), start: -(h - 1)}
}

// write appends channel c of the interleaved frames and examines every
// position whose filter window is complete.
func (t *truePeakChannel) write(x []float32, c, ch, frames int, peak *float64) {
	for i := range frames {
		t.buf = append(t.buf, float64(x[i*ch+c]))
	}
	end := t.start + int64(len(t.buf)) - truePeakHalfTaps // last position with a full window is end-1
	t.scan(t.buf, t.next, end, peak)
	t.next = max(t.next, end)
	// Keep what the next position needs.
	if drop := int(t.next - (truePeakHalfTaps - 1) - t.start); drop > 0 {
		n := copy(t.buf, t.buf[drop:])
		t.buf = t.buf[:n]
		t.start += int64(drop)
	}
}

// flush returns max(p, the peak of the positions still waiting for samples
// after them, as if the signal ended now), without changing the state.
func (t *truePeakChannel) flush(p float64) float64 {
	buf := make([]float64, len(t.buf)+truePeakHalfTaps)
	copy(buf, t.buf)
	t.scan(buf, t.next, t.start+int64(len(t.buf)), &p)
	return p
}

// scan examines positions [from, to) of buf (which starts at t.start) in
// blocks, skipping a block when no interpolated value in it can beat peak.
func (t *truePeakChannel) scan(buf []float64, from, to int64, peak *float64) {
	const h = truePeakHalfTaps
	f := &truePeakFilter
	for b := from; b < to; b += truePeakBlock {
		e := min(b+truePeakBlock, to)
		lo, hi := int(b-h+1-t.start), int(e-1+h-t.start)
		var m float64
		for _, v := range buf[lo : hi+1] {
			m = max(m, math.Abs(v))
		}
		if m*f.maxL1 <= *peak {
			continue
		}
		h1, h2, h3 := &f.h[0], &f.h[1], &f.h[2]
		pk := *peak
		for n := b; n < e; n++ {
			i := int(n - h + 1 - t.start)
			w := buf[i : i+2*h : i+2*h]
			// Two accumulators per phase break the dependency chains.
			var y1, y2, y3, z1, z2, z3 float64
			for j := 0; j < 2*h; j += 2 {
				v, u := w[j], w[j+1]
				y1 += h1[j] * v
				y2 += h2[j] * v
				y3 += h3[j] * v
				z1 += h1[j+1] * u
				z2 += h2[j+1] * u
				z3 += h3[j+1] * u
			}
			for _, y := range [3]float64{y1 + z1, y2 + z2, y3 + z3} {
				if y > pk || -y > pk {
					pk = math.Abs(y)
				}
			}
		}
		*peak = pk
	}
}
