package icecast

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/audio/lame"
)

// Sink streams the deck to an Icecast mount as MP3, paced in real time like
// a sound card (the same deck: the same gain, gaps and silence between
// slots, which keeps the receivers connected). It is an audio.Sink, an
// audio.DeviceWatcher (the station logs airings as failed while the server
// cannot be reached, and cuts the one on air when the connection is lost)
// and an audio.ListenerCounter (the server's count of receivers on the
// mount). When the connection fails it connects again, waiting RetryMin,
// then twice as long each time up to RetryMax; the timetable goes on.
//
// Played counts the deck frames whose MP3 bytes the server's TCP stack has
// acknowledged (bytes written less what the socket still holds unacked,
// less the encoder's look-ahead): what the server has really been given,
// not what was put in our socket buffer.
type Sink struct {
	spec   Spec
	info   Info
	rate   audio.Rate
	logger *slog.Logger
	stats  *http.Client

	// RetryMin, RetryMax bound the wait between attempts to connect.
	RetryMin, RetryMax time.Duration
	// DialTimeout bounds a connection attempt (TCP and the server's answer).
	DialTimeout time.Duration
	// WriteTimeout: a server that takes nothing for this long is lost.
	WriteTimeout time.Duration
	// StatsEvery is how often the listener count is read while connected.
	StatsEvery time.Duration
	// Chunk is how much audio is encoded and sent at a time; Lead how far
	// ahead of real time the sink keeps.
	Chunk, Lead time.Duration

	mu          sync.Mutex
	err         error // nil while the stream is up
	changed     chan struct{}
	since       time.Time
	pending     *source // opened by Open, taken by Run
	played      int64
	listeners   int
	listenersOK bool
}

var (
	_ audio.Sink            = (*Sink)(nil)
	_ audio.DeviceWatcher   = (*Sink)(nil)
	_ audio.ListenerCounter = (*Sink)(nil)
)

// errNotOpen is the state before the first connection attempt.
var errNotOpen = fmt.Errorf("%w: not connected yet", audio.ErrServerUnreachable)

// NewSink makes a sink for spec at the deck's rate; info names the stream
// (the zone).
func NewSink(spec Spec, info Info, rate audio.Rate, logger *slog.Logger) *Sink {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Sink{spec: spec, info: info, rate: rate, logger: logger, stats: statsClient(2 * time.Second),
		RetryMin: 250 * time.Millisecond, RetryMax: 2 * time.Second, DialTimeout: 3 * time.Second,
		WriteTimeout: 5 * time.Second, StatsEvery: time.Second, Chunk: 40 * time.Millisecond, Lead: 100 * time.Millisecond,
		err: errNotOpen, changed: make(chan struct{}), since: time.Now()}
}

// Name is the spec without its password.
func (s *Sink) Name() string { return s.spec.String() }

// Check tells whether the encoder takes the sink's settings (rate,
// channels, bitrate), before anything airs.
func (s *Sink) Check() error {
	enc, err := lame.New(lame.Options{Rate: int(s.rate), Channels: s.spec.Channels, Kbps: s.spec.Kbps})
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name(), err)
	}
	enc.Close()
	return nil
}

// DeviceState is nil while the stream is up, or why it is not (wrapping
// audio.ErrServerUnreachable or audio.ErrServerLost); the channel is
// closed at the next change.
func (s *Sink) DeviceState() (<-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed, s.err
}

// Played is the last deck frame the server has acknowledged.
func (s *Sink) Played() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.played
}

// Listeners is the server's count of listeners on the mount, read at most
// StatsEvery ago; 0 while the stream is down; ok is false when it could
// not be read.
func (s *Sink) Listeners() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listeners, s.listenersOK
}

// Open makes the first connection, so that the state is known before the
// station starts; Run goes on from there.
func (s *Sink) Open(ctx context.Context) error {
	src, err := s.connect(ctx)
	if err != nil {
		s.setDown(err)
		return err
	}
	s.mu.Lock()
	s.pending = src
	s.mu.Unlock()
	s.setUp(0)
	return nil
}

// Run streams the deck until ctx is done, connecting again whenever the
// connection fails.
func (s *Sink) Run(ctx context.Context, d *audio.Deck) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() { defer wg.Done(); s.watchListeners(ctx) }()
	s.mu.Lock()
	src := s.pending
	s.pending = nil
	s.mu.Unlock()
	wait := s.RetryMin
	attempts := 0
	for {
		var err error
		if src == nil {
			src, err = s.connect(ctx)
		}
		if src != nil {
			s.setUp(d.Handed())
			wait, attempts = s.RetryMin, 0
			err = s.stream(ctx, src, d)
			src.conn.Close()
			src = nil
		}
		if ctx.Err() != nil {
			return nil
		}
		attempts++
		s.setDown(err)
		if attempts%20 == 0 {
			s.logger.Warn("still cannot reach the streaming server; trying again", "output", s.Name(), "attempts", attempts, "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, s.RetryMax)
	}
}

// connect opens a source connection; its error wraps
// audio.ErrServerUnreachable.
func (s *Sink) connect(ctx context.Context) (*source, error) {
	src, err := dial(ctx, s.spec, s.info, s.spec.Kbps, int(s.rate), s.spec.Channels, s.DialTimeout)
	if err != nil {
		return nil, fmt.Errorf("%w: %s%s: %v", audio.ErrServerUnreachable, s.spec.Host, s.spec.Mount, err)
	}
	return src, nil
}

func (s *Sink) setUp(played int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wasDown := s.err
	s.err = nil
	s.played = played
	s.listenersOK = false
	if wasDown != nil {
		if wasDown != errNotOpen {
			s.logger.Warn("streaming server is back", "output", s.Name(), "down_for", time.Since(s.since).Round(time.Millisecond))
		} else {
			s.logger.Info("streaming", "output", s.Name())
		}
		s.since = time.Now()
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

func (s *Sink) setDown(err error) {
	if err == nil {
		err = fmt.Errorf("%w: the stream stopped", audio.ErrServerLost)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wasUp := s.err == nil
	first := s.err == errNotOpen
	s.err = err
	s.listeners, s.listenersOK = 0, true
	if wasUp || first {
		if wasUp {
			s.logger.Error("streaming server lost; the station keeps trying it", "output", s.Name(), "err", err)
		} else {
			s.logger.Error("cannot reach the streaming server; the station keeps trying it", "output", s.Name(), "err", err)
		}
		s.since = time.Now()
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

// checkpoint: once the server has acknowledged bytes bytes, it has the
// deck up to frame frame.
type checkpoint struct{ frame, bytes int64 }

// stream encodes and sends the deck over src, in real time, until ctx is
// done (nil) or the connection fails (an error wrapping
// audio.ErrServerLost).
func (s *Sink) stream(ctx context.Context, src *source, d *audio.Deck) error {
	enc, err := lame.New(lame.Options{Rate: int(s.rate), Channels: s.spec.Channels, Kbps: s.spec.Kbps})
	if err != nil {
		return fmt.Errorf("%w: %v", audio.ErrServerLost, err)
	}
	defer enc.Close()
	stop := context.AfterFunc(ctx, func() { src.conn.Close() })
	defer stop()
	lost := func(err error) error {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("%w: %s%s: %v", audio.ErrServerLost, s.spec.Host, s.spec.Mount, err)
	}
	var raw syscall.RawConn
	if tc, ok := src.conn.(*net.TCPConn); ok {
		raw, _ = tc.SyscallConn()
	}
	delay := int64(enc.Delay())
	chunk := max(1, int(s.rate.N(s.Chunk)))
	buf := make([]float32, chunk*audio.Channels)
	left := make([]float32, chunk)
	var right []float32
	if s.spec.Channels == 2 {
		right = make([]float32, chunk)
	}
	var out []byte
	var pending []checkpoint
	base := d.Handed()
	start := time.Now()
	var frames, written int64
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if wait := time.Until(start.Add(s.rate.D(frames) - s.Lead)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return nil
			case err := <-src.closed:
				return lost(err)
			case <-timer.C:
			}
		} else {
			select {
			case err := <-src.closed:
				return lost(err)
			default:
			}
		}
		// These frames reach the server, and its listeners, once the
		// encoder has let them out: sent Lead ahead of their time, delay
		// frames later.
		n := d.Pull(buf, start.Add(s.rate.D(frames+delay)-s.Lead), true)
		if right == nil {
			for i := range n {
				left[i] = (buf[2*i] + buf[2*i+1]) / 2
			}
		} else {
			for i := range n {
				left[i], right[i] = buf[2*i], buf[2*i+1]
			}
			right = right[:n]
		}
		if out, err = enc.Encode(out[:0], left[:n], right); err != nil {
			return lost(err)
		}
		if right != nil {
			right = right[:chunk]
		}
		if len(out) > 0 {
			src.conn.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
			if _, err := src.conn.Write(out); err != nil {
				return lost(err)
			}
		}
		frames += int64(n)
		written += int64(len(out))
		pending = append(pending, checkpoint{frame: base + frames - delay, bytes: written})
		acked := written - unacked(raw)
		k := 0
		for k < len(pending) && pending[k].bytes <= acked {
			k++
		}
		if k > 0 {
			heard := max(base, pending[k-1].frame)
			pending = append(pending[:0], pending[k:]...)
			s.mu.Lock()
			s.played = max(s.played, heard)
			s.mu.Unlock()
		}
	}
}

// watchListeners reads the mount's listener count every StatsEvery while
// the stream is up.
func (s *Sink) watchListeners(ctx context.Context) {
	t := time.NewTicker(s.StatsEvery)
	defer t.Stop()
	for {
		changed, err := s.DeviceState()
		if err == nil {
			s.readListeners(ctx)
		} else {
			select {
			case <-ctx.Done():
				return
			case <-changed:
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-t.C:
		}
	}
}

func (s *Sink) readListeners(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, s.StatsEvery*2)
	defer cancel()
	n, err := listeners(rctx, s.stats, s.spec.Host, s.spec.Mount)
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return // went down meanwhile: 0 stands
	}
	if err != nil {
		if s.listenersOK {
			s.logger.Warn("cannot read the listener count", "output", s.Name(), "err", err)
		}
		s.listenersOK = false
		return
	}
	s.listeners, s.listenersOK = n, true
}

// ReadListeners reads the mount's listener count now (for tests and the
// benchmark).
func (s *Sink) ReadListeners(ctx context.Context) (int, error) {
	return listeners(ctx, s.stats, s.spec.Host, s.spec.Mount)
}
