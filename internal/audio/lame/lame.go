// Package lame is a small cgo binding to LAME (Debian libmp3lame), the MP3
// encoder: the codec every IP loudspeaker receiver plays. It holds the only
// cgo of the stream outputs, and only what a source client needs: a
// constant-bitrate encoder fed float samples, chunk by chunk, without end.
package lame

/*
#cgo LDFLAGS: -lmp3lame
#include <stdlib.h>
#include <lame/lame.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Options are an encoder's settings.
type Options struct {
	Rate     int // input and output sample rate (Hz): 32000, 44100, 48000, or half or a quarter of them
	Channels int // 1 (mono) or 2 (joint stereo)
	Kbps     int // constant bitrate
}

// Encoder encodes float samples to MP3 frames. It is not safe for
// concurrent use.
type Encoder struct {
	gfp      *C.lame_global_flags
	channels int
	// out is the C buffer LAME writes into (Go memory cannot be kept by C
	// across calls, and LAME wants a buffer it may fill in one go).
	out     *C.uchar
	outSize int
	// l, r are C copies of the planar input.
	l, r  *C.float
	inCap int
}

// New makes an encoder; Close frees it.
func New(o Options) (*Encoder, error) {
	if o.Channels != 1 && o.Channels != 2 {
		return nil, fmt.Errorf("lame: %d channels: want 1 or 2", o.Channels)
	}
	gfp := C.lame_init()
	if gfp == nil {
		return nil, errors.New("lame: lame_init failed")
	}
	mode := C.MPEG_mode(C.MONO)
	if o.Channels == 2 {
		mode = C.JOINT_STEREO
	}
	C.lame_set_in_samplerate(gfp, C.int(o.Rate))
	C.lame_set_out_samplerate(gfp, C.int(o.Rate))
	C.lame_set_num_channels(gfp, C.int(o.Channels))
	C.lame_set_mode(gfp, mode)
	C.lame_set_brate(gfp, C.int(o.Kbps))
	if rc := C.lame_init_params(gfp); rc < 0 {
		C.lame_close(gfp)
		return nil, fmt.Errorf("lame: %d Hz, %d channels, %d kbps: settings refused (%d)", o.Rate, o.Channels, o.Kbps, int(rc))
	}
	return &Encoder{gfp: gfp, channels: o.Channels}, nil
}

// Delay is how many samples per channel the encoder holds back before its
// first output (its look-ahead plus one frame's worth of buffering): a
// sample fed in is in the output once this many more have been fed.
func (e *Encoder) Delay() int {
	return int(C.lame_get_encoder_delay(e.gfp)) + int(C.lame_get_framesize(e.gfp))
}

// Encode feeds one chunk of samples — left (and right, for stereo) planar,
// in [-1, 1] — and appends the MP3 bytes ready so far to dst.
func (e *Encoder) Encode(dst []byte, left, right []float32) ([]byte, error) {
	n := len(left)
	if e.channels == 2 && len(right) != n {
		return dst, fmt.Errorf("lame: %d left and %d right samples", n, len(right))
	}
	if n == 0 {
		return dst, nil
	}
	e.grow(n)
	copy(unsafe.Slice((*float32)(unsafe.Pointer(e.l)), n), left)
	r := e.l
	if e.channels == 2 {
		r = e.r
		copy(unsafe.Slice((*float32)(unsafe.Pointer(e.r)), n), right)
	}
	got := C.lame_encode_buffer_ieee_float(e.gfp, e.l, r, C.int(n), e.out, C.int(e.outSize))
	if got < 0 {
		return dst, fmt.Errorf("lame: encode failed (%d)", int(got))
	}
	return append(dst, unsafe.Slice((*byte)(unsafe.Pointer(e.out)), int(got))...), nil
}

// grow sizes the C buffers for n samples per channel. LAME's worst case
// output is 1.25 n + 7200 bytes.
func (e *Encoder) grow(n int) {
	if n <= e.inCap {
		return
	}
	e.free()
	e.inCap = n
	e.l = (*C.float)(C.malloc(C.size_t(n) * 4))
	if e.channels == 2 {
		e.r = (*C.float)(C.malloc(C.size_t(n) * 4))
	}
	e.outSize = n*5/4 + 7200
	e.out = (*C.uchar)(C.malloc(C.size_t(e.outSize)))
}

func (e *Encoder) free() {
	C.free(unsafe.Pointer(e.l))
	C.free(unsafe.Pointer(e.r))
	C.free(unsafe.Pointer(e.out))
	e.l, e.r, e.out = nil, nil, nil
}

// Close frees the encoder; what it still holds is dropped.
func (e *Encoder) Close() {
	if e.gfp != nil {
		C.lame_close(e.gfp)
		e.gfp = nil
	}
	e.free()
	e.inCap = 0
}
