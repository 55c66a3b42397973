package audio

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// SilenceThresholdDBFS: a frame is silent when every sample in it is below
// this level.
const SilenceThresholdDBFS = -60

// analyzeChunkFrames is how many frames Analyze decodes at a time.
const analyzeChunkFrames = 16384

// Analysis is what Analyze measures in a file.
type Analysis struct {
	Info            Info
	LoudnessLUFS    float64 // integrated, BS.1770-4; -Inf when all gated out
	LoudnessRangeLU float64 // EBU Tech 3342
	TruePeakDBTP    float64 // 4× oversampled; -Inf for digital silence
	SamplePeakDBFS  float64 // -Inf for digital silence
	// SilenceStart and SilenceEnd are the lengths of the leading and
	// trailing silence (every sample below SilenceThresholdDBFS). A file
	// that is silent throughout has both equal to its duration.
	SilenceStart, SilenceEnd time.Duration
}

// Analyze decodes the audio file at path once, at its own rate and channel
// count, in constant memory, and measures it. Errors wrap this package's
// sentinels (a file shorter than its header says fails with ErrTruncated).
func Analyze(path string) (Analysis, error) {
	d, err := Open(path)
	if err != nil {
		return Analysis{}, err
	}
	defer d.Close()
	info := d.Info()
	ch := info.Channels
	m := NewMeter(info.SampleRate, ch)
	threshold := float32(math.Pow(10, SilenceThresholdDBFS/20.0))
	// The file is decoded (and its silence found) on one goroutine while
	// the meter measures the previous chunk on others.
	type chunk struct {
		x   []float32
		err error
	}
	full := make(chan chunk, 1)
	empty := make(chan []float32, 3)
	for range 3 {
		empty <- make([]float32, analyzeChunkFrames*ch)
	}
	var (
		pos        int64 // frames read
		firstLoud  int64 = -1
		lastLoudP1 int64 // one past the last loud frame
	)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(full)
		for {
			var buf []float32
			select {
			case buf = <-empty:
			case <-stop:
				return
			}
			n, err := d.Read(buf)
			x := buf[:n*ch]
			if firstLoud < 0 {
				for i, v := range x {
					if v >= threshold || v <= -threshold {
						firstLoud = pos + int64(i/ch)
						break
					}
				}
			}
			for i := len(x) - 1; i >= 0; i-- {
				if v := x[i]; v >= threshold || v <= -threshold {
					lastLoudP1 = pos + int64(i/ch) + 1
					break
				}
			}
			pos += int64(n)
			select {
			case full <- chunk{x, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range full {
		m.Write(c.x)
		empty <- c.x[:cap(c.x)]
		if errors.Is(c.err, io.EOF) {
			break
		}
		if c.err != nil {
			return Analysis{Info: info}, fmt.Errorf("analyze %s: %w", path, c.err)
		}
	}
	rate := Rate(info.SampleRate)
	a := Analysis{
		Info:            info,
		LoudnessLUFS:    m.Integrated(),
		LoudnessRangeLU: m.Range(),
		TruePeakDBTP:    m.TruePeak(),
		SamplePeakDBFS:  m.SamplePeak(),
	}
	if firstLoud < 0 {
		a.SilenceStart, a.SilenceEnd = info.Duration(), info.Duration()
	} else {
		a.SilenceStart = rate.D(firstLoud)
		a.SilenceEnd = rate.D(pos - lastLoudP1)
	}
	return a, nil
}
