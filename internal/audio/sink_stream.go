package audio

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// StreamSink sends the deck to a WAV file (32-bit float, stereo, exact
// samples) or to nowhere. Paced, it runs in real time on the wall clock, as
// a sound card would; unpaced, it runs as fast as it can while cues are
// queued and moves the clock it was given (a VirtualClock in simulate).
type StreamSink struct {
	name   string
	rate   Rate
	paced  bool
	clock  Clock
	path   string
	played atomic.Int64
}

// NewNullSink discards the frames.
func NewNullSink(rate Rate, paced bool, clock Clock) *StreamSink {
	return &StreamSink{name: "null", rate: rate, paced: paced, clock: clock}
}

// NewFileSink writes the frames to a WAV file at path.
func NewFileSink(path string, rate Rate, paced bool, clock Clock) *StreamSink {
	return &StreamSink{name: "file:" + path, rate: rate, paced: paced, clock: clock, path: path}
}

// Name describes the output.
func (s *StreamSink) Name() string { return s.name }

// Played is how many deck frames have gone out.
func (s *StreamSink) Played() int64 { return s.played.Load() }

// Run feeds the deck to the output until ctx is done.
func (s *StreamSink) Run(ctx context.Context, d *Deck) error {
	var w *wavWriter
	if s.path != "" {
		var err error
		if w, err = createWAV(s.path, s.rate); err != nil {
			return err
		}
	}
	err := s.run(ctx, d, w)
	if w != nil {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

func (s *StreamSink) run(ctx context.Context, d *Deck, w *wavWriter) error {
	chunk := int(s.rate.N(20 * time.Millisecond))
	if !s.paced {
		chunk = 4096
	}
	buf := make([]float32, chunk*Channels)
	start := time.Now()
	var frames int64
	for {
		if ctx.Err() != nil {
			return nil
		}
		var n int
		if s.paced {
			// Stay 40 ms ahead of real time, like a small device buffer.
			due := start.Add(s.rate.D(frames)).Add(-40 * time.Millisecond)
			if wait := time.Until(due); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
					return nil
				case <-t.C:
				}
			}
			n = d.Pull(buf, time.Now(), true)
		} else {
			if err := d.WaitBusy(ctx); err != nil {
				return nil
			}
			now := s.clock.Now()
			n = d.Pull(buf, now, false)
			if vc, ok := s.clock.(*VirtualClock); ok {
				vc.Advance(s.rate.D(int64(n)))
			}
		}
		frames += int64(n)
		if w != nil {
			if err := w.Write(buf[:n*Channels]); err != nil {
				return fmt.Errorf("write %s: %w", s.path, err)
			}
		}
		s.played.Store(frames)
	}
}

// VirtualClock is a clock that moves only when told: Until jumps to the
// time asked for, Advance moves it on by what a sink has played.
type VirtualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewVirtualClock starts a virtual clock at t.
func NewVirtualClock(t time.Time) *VirtualClock { return &VirtualClock{now: t} }

// Now is the virtual time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Until jumps to t if t is later.
func (c *VirtualClock) Until(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	return nil
}

// Advance moves the clock on by d.
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// wavWriter writes a 32-bit float stereo WAV, fixing the sizes on Close.
type wavWriter struct {
	f     *os.File
	bw    *bufio.Writer
	bytes int64
	tmp   []byte
}

func createWAV(path string, rate Rate) (*wavWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w := &wavWriter{f: f, bw: bufio.NewWriterSize(f, 64<<10)}
	if err := w.header(rate, 0); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

func (w *wavWriter) header(rate Rate, dataBytes int64) error {
	h := make([]byte, 0, 58)
	le32 := func(v uint32) { h = binary.LittleEndian.AppendUint32(h, v) }
	le16 := func(v uint16) { h = binary.LittleEndian.AppendUint16(h, v) }
	h = append(h, "RIFF"...)
	le32(uint32(4 + 26 + 12 + 8 + dataBytes))
	h = append(h, "WAVEfmt "...)
	le32(18)
	le16(3) // IEEE float
	le16(Channels)
	le32(uint32(rate))
	le32(uint32(rate) * Channels * 4)
	le16(Channels * 4)
	le16(32)
	le16(0)
	h = append(h, "fact"...)
	le32(4)
	le32(uint32(dataBytes / (Channels * 4)))
	h = append(h, "data"...)
	le32(uint32(dataBytes))
	_, err := w.bw.Write(h)
	return err
}

func (w *wavWriter) Write(samples []float32) error {
	if cap(w.tmp) < len(samples)*4 {
		w.tmp = make([]byte, len(samples)*4)
	}
	b := w.tmp[:len(samples)*4]
	for i, v := range samples {
		binary.LittleEndian.PutUint32(b[i*4:], math.Float32bits(v))
	}
	w.bytes += int64(len(b))
	_, err := w.bw.Write(b)
	return err
}

// Close writes the final sizes and closes the file.
func (w *wavWriter) Close() error {
	if err := w.bw.Flush(); err != nil {
		w.f.Close()
		return err
	}
	if _, err := w.f.Seek(0, 0); err != nil {
		w.f.Close()
		return err
	}
	w.bw.Reset(w.f)
	var rate uint32
	// Re-read the rate from the header we wrote.
	hdr := make([]byte, 28)
	if _, err := w.f.ReadAt(hdr, 0); err == nil {
		rate = binary.LittleEndian.Uint32(hdr[24:])
	}
	if err := w.header(Rate(rate), w.bytes); err != nil {
		w.f.Close()
		return err
	}
	if err := w.bw.Flush(); err != nil {
		w.f.Close()
		return err
	}
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		return err
	}
	return w.f.Close()
}
