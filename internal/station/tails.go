// The tails of airings: rows whose last frame has left the deck and that
// are closed once the output has played it.

package station

import (
	"context"
	"errors"
	"time"
)

// tail is an airing whose last frame has left the deck but may still be in
// the output's buffers. Its row is closed completed once that frame has been
// heard — by settle, which the loop calls while it waits, so that waiting
// for the sound to drain never holds up what comes next (the next item, the
// next slot's pre-roll).
type tail struct {
	frame    int64                     // heard once the sink has played up to it
	complete func() error              // closes the row completed
	cut      func(reason string) error // closes it interrupted with what was heard
}

// settle closes the rows of the airings whose last frame has been heard.
// With wait it waits for every one; what was not heard when ctx is done or
// the output stops is closed interrupted. The rows are written even when ctx
// is done.
func (s *Station) settle(ctx context.Context, wait bool) error {
	for {
		s.tailMu.Lock()
		if len(s.tails) == 0 {
			s.tailMu.Unlock()
			return nil
		}
		t := s.tails[0]
		s.tailMu.Unlock()
		heard := s.Sink == nil || s.Sink.Played() >= t.frame
		if !heard && !wait {
			// Not heard yet: wait for it, unless the output is gone. A card
			// lost now will not play what it held, and once it is back it
			// counts from where it restarted: the airing is cut here, with
			// what was heard before the loss.
			if _, lost := s.deviceState(); lost == nil {
				select {
				case <-s.sinkOut:
				default:
					return nil
				}
			}
		}
		var err error
		switch {
		case heard:
			err = t.complete()
		default:
			wctx, cancel := ctx, context.CancelFunc(func() {})
			if ctx.Err() != nil {
				// Shutting down: the output plays on until the log is
				// closed, so what was handed out is still heard.
				wctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), s.drainTime(t.frame))
			}
			herr := s.untilHeard(wctx, t.frame)
			cancel()
			if herr == nil {
				err = t.complete()
			} else {
				reason := ReasonShutdown
				if ctx.Err() == nil {
					reason = s.lostReason()
				}
				err = t.cut(reason)
			}
		}
		s.tailMu.Lock()
		s.tails = s.tails[1:]
		s.tailMu.Unlock()
		if err != nil {
			return err
		}
	}
}

// tailing reports whether some airing waits to be heard.
func (s *Station) tailing() bool {
	s.tailMu.Lock()
	defer s.tailMu.Unlock()
	return len(s.tails) > 0
}

func (s *Station) played() int64 {
	if s.Sink == nil {
		return 0
	}
	return s.Sink.Played()
}

// untilHeard waits until the sink has played up to frame.
func (s *Station) untilHeard(ctx context.Context, frame int64) error {
	if s.Sink == nil {
		return nil
	}
	lost, err := s.deviceState()
	if err != nil {
		return errDeviceLost
	}
	for s.Sink.Played() < frame {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-lost:
			return errDeviceLost
		case <-s.sinkOut:
			return errors.New("audio output stopped")
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}
