package audio

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// Skip moves the decoder n frames on without decoding them: a WAV seeks
// straight to the frame; a file ffmpeg decodes is decoded and dropped
// (compressed frames depend on the ones before). It must be called before
// the first Read.
func (d *Decoder) Skip(n int64) error {
	if n <= 0 {
		return nil
	}
	n = min(n, d.left)
	if d.cmd != nil {
		buf := make([]float32, 4096*d.info.Channels)
		for left := n; left > 0; {
			got, err := d.Read(buf[:min(left, 4096)*int64(d.info.Channels)])
			left -= int64(got)
			if err != nil {
				return err
			}
		}
		return nil
	}
	if d.dataOff == 0 {
		return fmt.Errorf("skip in %s: no data offset", d.info.Path)
	}
	done := d.info.Frames - d.left // frames already read
	if _, err := d.f.Seek(d.dataOff+(done+n)*int64(d.ba), io.SeekStart); err != nil {
		return fmt.Errorf("skip in %s: %w", d.info.Path, err)
	}
	if br, ok := d.r.(interface{ Reset(io.Reader) }); ok {
		br.Reset(d.f)
	} else {
		return errors.New("skip: decoder reader cannot be reset")
	}
	d.left -= n
	return nil
}

// Limit passes at most n frames of src on, then reports io.EOF.
func Limit(src Streamer, n int64) Streamer {
	left := n
	return StreamerFunc(func(dst []float32) (int, error) {
		if left <= 0 {
			return 0, io.EOF
		}
		if want := int64(len(dst) / Channels); want > left {
			dst = dst[:left*Channels]
		}
		got, err := src.Stream(dst)
		left -= int64(got)
		return got, err
	})
}

// Trim is what to cut from the start and end of a file as it plays: its
// leading and trailing silence, as measured at import.
type Trim struct{ Start, End time.Duration }

// Frames returns the frames to skip at the start and the frames to play of
// a file of total frames at rate: the cuts are rounded down to whole frames
// (never into the sound). A trim that would leave nothing cuts nothing.
func (t Trim) Frames(rate Rate, total int64) (skip, keep int64) {
	skip, tail := max(0, rate.N(t.Start)), max(0, rate.N(t.End))
	if skip+tail >= total {
		return 0, total
	}
	return skip, total - skip - tail
}

// OpenStreamTrimmed is OpenStream that plays only the part of the file
// between the trim's cuts: it seeks to the first frame kept and stops after
// the last, before resampling, so the output holds exactly
// ceil(keep×outRate/fileRate) frames.
func OpenStreamTrimmed(path string, outRate int, t Trim) (Streamer, Info, io.Closer, error) {
	d, err := Open(path)
	if err != nil {
		return nil, Info{}, nil, err
	}
	skip, keep := t.Frames(Rate(d.info.SampleRate), d.info.Frames)
	if err := d.Skip(skip); err != nil {
		d.Close()
		return nil, Info{}, nil, err
	}
	s := NewResampler(Limit(NewStereo(d), keep), d.info.SampleRate, outRate)
	return s, d.info, d, nil
}

// ResampledFrames is how many frames the resampler makes from n input
// frames at from Hz to to Hz: ceil(n×to/from).
func ResampledFrames(n int64, from, to int) int64 {
	if from == to {
		return n
	}
	return (n*int64(to) + int64(from) - 1) / int64(from)
}
