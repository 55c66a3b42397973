package web

import (
	"context"
	"io"
	"sync"
	"time"
)

// ingest paces what all uploads together read from the network to a rate
// in bytes per second, so that a burst of uploads on a fast link (or from
// the same machine) cannot take the CPU from the playout. A LAN upload at
// 100 Mbit/s (12 MB/s) is not slowed by the default.
type ingest struct {
	rate int64 // bytes per second; 0: no pacing
	now  func() time.Time

	mu   sync.Mutex
	next time.Time // when the bytes granted so far will have been "sent"
}

// wait reserves n bytes and sleeps until they fit the rate.
func (g *ingest) wait(ctx context.Context, n int) error {
	if g == nil || g.rate <= 0 {
		return nil
	}
	g.mu.Lock()
	now := g.now()
	if g.next.Before(now) {
		g.next = now
	}
	g.next = g.next.Add(time.Duration(int64(n) * int64(time.Second) / g.rate))
	delay := g.next.Sub(now)
	g.mu.Unlock()
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pacedReader reads through the ingest pacing.
type pacedReader struct {
	ctx context.Context
	r   io.Reader
	g   *ingest
}

func (p pacedReader) Read(b []byte) (int, error) {
	if len(b) > 64<<10 {
		b = b[:64<<10]
	}
	n, err := p.r.Read(b)
	if n > 0 {
		if werr := p.g.wait(p.ctx, n); werr != nil {
			return n, werr
		}
	}
	return n, err
}
