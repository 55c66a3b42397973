// Package audio decodes WAV and MP3 files, converts them to the output format,
// measures them (loudness, true peak, silence) and plays them through sinks:
// the sound card (through its output process, internal/audio/alsa), a WAV
// file, or nothing.
package audio

import (
	"io"
	"time"
)

// Channels is the channel count of everything past the decoder: the
// loudspeaker network is fed in stereo (both sides carry the same speech).
const Channels = 2

// Streamer produces interleaved stereo float32 frames (L, R in [-1, 1]) at a
// fixed rate. Stream writes at most len(dst)/Channels frames and returns how
// many it wrote. At the end it returns 0, io.EOF; a read failure is returned
// as an error wrapping one of the sentinels of this package.
type Streamer interface {
	Stream(dst []float32) (frames int, err error)
}

// StreamerFunc adapts a function to Streamer.
type StreamerFunc func(dst []float32) (int, error)

// Stream calls f.
func (f StreamerFunc) Stream(dst []float32) (int, error) { return f(dst) }

// Rate is a sample rate in frames per second; it is the one place where time
// and frame counts are converted.
type Rate int

// N returns the number of frames that last d.
func (r Rate) N(d time.Duration) int64 {
	return int64(d) * int64(r) / int64(time.Second)
}

// D returns how long n frames last.
func (r Rate) D(n int64) time.Duration {
	if r <= 0 {
		return 0
	}
	return time.Duration(n * int64(time.Second) / int64(r))
}

// Silence returns a streamer of n frames of silence (n < 0: endless).
func Silence(n int64) Streamer {
	left := n
	return StreamerFunc(func(dst []float32) (int, error) {
		frames := len(dst) / Channels
		if left >= 0 {
			if left == 0 {
				return 0, io.EOF
			}
			if int64(frames) > left {
				frames = int(left)
			}
			left -= int64(frames)
		}
		clear(dst[:frames*Channels])
		return frames, nil
	})
}
