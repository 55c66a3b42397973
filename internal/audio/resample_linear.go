package audio

import "io"

// NewLinearResampler converts rates by linear interpolation: cheap and
// frame-exact in length, but with none of the windowed-sinc converter's
// alias rejection. It is for outputs nobody hears — simulate's null sink,
// where only the timing matters — never for the loudspeakers.
func NewLinearResampler(src Streamer, fromRate, toRate int) Streamer {
	if fromRate == toRate {
		return src
	}
	return &linearResampler{src: src, step: float64(fromRate) / float64(toRate)}
}

type linearResampler struct {
	src      Streamer
	step     float64
	pos      float64 // where the next output frame lies between prev (0) and next (1)
	prev     [Channels]float32
	next     [Channels]float32
	haveNext bool
	started  bool
	done     bool
	buf      []float32
	in       []float32 // input samples not yet taken
	eof      bool
	err      error
}

// take returns the next input frame.
func (r *linearResampler) take() ([Channels]float32, bool) {
	var f [Channels]float32
	for len(r.in) < Channels {
		if r.eof {
			return f, false
		}
		if r.buf == nil {
			r.buf = make([]float32, 4096*Channels)
		}
		n, err := r.src.Stream(r.buf)
		r.in = r.buf[:n*Channels]
		if err != nil {
			r.eof = true
			if err != io.EOF {
				r.err = err
			}
		}
	}
	copy(f[:], r.in[:Channels])
	r.in = r.in[Channels:]
	return f, true
}

// Stream fills dst with output frames.
func (r *linearResampler) Stream(dst []float32) (int, error) {
	if !r.started {
		r.started = true
		f, ok := r.take()
		if !ok {
			r.done = true
		}
		r.prev = f
		r.next, r.haveNext = r.take()
	}
	frames := 0
	for !r.done && frames < len(dst)/Channels {
		for r.pos >= 1 && r.haveNext {
			// Frames passed over whole (downsampling) are dropped in one
			// step: prev is overwritten by the step after, so only next
			// must be the frame before the ones still to take.
			if j := min(int(r.pos)-1, len(r.in)/Channels); j >= 1 {
				copy(r.next[:], r.in[(j-1)*Channels:j*Channels])
				r.in = r.in[j*Channels:]
				r.pos -= float64(j)
				continue
			}
			r.prev = r.next
			r.next, r.haveNext = r.take()
			r.pos--
		}
		if !r.haveNext && r.pos >= 1 {
			r.done = true
			break
		}
		f := float32(r.pos)
		for c := 0; c < Channels; c++ {
			v := r.prev[c]
			if r.haveNext {
				v += (r.next[c] - r.prev[c]) * f
			}
			dst[frames*Channels+c] = v
		}
		frames++
		r.pos += r.step
	}
	if frames == 0 && r.done {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	return frames, nil
}
