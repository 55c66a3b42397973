package station

import (
	"context"
	"errors"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// Reasons written to the log when the operator acts on the running station.
const (
	ReasonOperatorStop = "stopped by the operator"
	ReasonSkipped      = "skipped by the operator"
	ReasonPausedLong   = "paused past the end of the slot"
)

// ErrNothingOnAir means the station is not airing anything to act on.
var ErrNothingOnAir = errors.New("nothing is on the air")

// ErrNotPaused and ErrAlreadyPaused refuse a resume or pause that would
// change nothing.
var (
	ErrNotPaused     = errors.New("the station is not paused")
	ErrAlreadyPaused = errors.New("the station is already paused")
)

// Action is what the operator asks of the running station.
type Action string

const (
	// ActionStop ends the slot on the air: the segment playing is logged
	// interrupted ("stopped by the operator") with the length that went
	// out, and the rest of the slot is dropped (left to the quota). The
	// station then waits for the next slot.
	ActionStop Action = "stop"
	// ActionSkip ends the segment playing (logged interrupted, "skipped by
	// the operator"); the next one plays after the gap. During a gap or a
	// jingle, that is cut and what follows plays at once.
	ActionSkip Action = "skip"
	// ActionPause holds the deck: the output plays silence, the segment
	// keeps its place and its played length stops growing. A slot paused
	// past its end is stopped there ("paused past the end of the slot"),
	// so that one pause cannot push the timetable back.
	ActionPause Action = "pause"
	// ActionResume plays on from where the pause held the deck.
	ActionResume Action = "resume"
)

// ParseAction accepts the CLI's words.
func ParseAction(s string) (Action, bool) {
	switch a := Action(s); a {
	case ActionStop, ActionSkip, ActionPause, ActionResume:
		return a, true
	}
	return "", false
}

// controlReq is an action handed to the airing loop, with where to answer.
type controlReq struct {
	action Action
	reply  chan error
}

// onAir is the airing loop in progress: done is closed when it ends.
type onAir struct{ done chan struct{} }

// Stop ends the slot on the air (see ActionStop).
func (s *Station) Stop(ctx context.Context) error { return s.Control(ctx, ActionStop) }

// Skip ends the segment on the air; the next plays (see ActionSkip).
func (s *Station) Skip(ctx context.Context) error { return s.Control(ctx, ActionSkip) }

// Pause holds the deck (see ActionPause).
func (s *Station) Pause(ctx context.Context) error { return s.Control(ctx, ActionPause) }

// Resume plays on after a pause.
func (s *Station) Resume(ctx context.Context) error { return s.Control(ctx, ActionResume) }

// Control hands an action to the airing in progress and waits until it is
// done. It returns ErrNothingOnAir when nothing airs.
func (s *Station) Control(ctx context.Context, a Action) error {
	s.mu.Lock()
	cur := s.airing
	s.mu.Unlock()
	if cur == nil {
		return ErrNothingOnAir
	}
	req := controlReq{action: a, reply: make(chan error, 1)}
	select {
	case s.ctl <- req:
	case <-cur.done:
		return ErrNothingOnAir
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// beginAiring marks an airing loop as running, for Control; the function
// it returns marks it over and lifts any pause left on the deck.
func (s *Station) beginAiring() func() {
	cur := &onAir{done: make(chan struct{})}
	s.mu.Lock()
	outer := s.airing
	if outer == nil {
		s.airing = cur
	}
	s.mu.Unlock()
	if outer != nil {
		return func() {} // nested (never happens today): the outer owns it
	}
	return func() {
		s.mu.Lock()
		s.airing = nil
		s.mu.Unlock()
		close(cur.done)
		s.Deck.Resume()
	}
}

// controlState is what the airing loop knows of the operator's actions.
type controlState struct {
	skipped  *audio.Cue // the cue taken off by the last skip
	pausedAt time.Time  // zero when not paused
}

// apply carries out req on the deck inside the airing loop; stopping is
// the loop's reason for stopping (empty while it plays on), returned
// updated.
func (s *Station) apply(req controlReq, cs *controlState, stopping string) string {
	var err error
	switch req.action {
	case ActionStop:
		if stopping == "" {
			stopping = ReasonOperatorStop
			s.Deck.Stop(s.Clock.Now())
		}
		s.Deck.Resume()
		cs.pausedAt = time.Time{}
	case ActionSkip:
		if stopping != "" {
			err = ErrNothingOnAir
		} else if c := s.Deck.Skip(s.Clock.Now()); c == nil {
			err = ErrNothingOnAir
		} else {
			cs.skipped = c
		}
	case ActionPause:
		if !s.Deck.Pause() {
			err = ErrAlreadyPaused
		} else {
			cs.pausedAt = s.Clock.Now()
			s.Logger.Info("paused by the operator")
		}
	case ActionResume:
		if !s.Deck.Resume() {
			err = ErrNotPaused
		} else {
			s.Logger.Info("resumed by the operator", "paused", s.Clock.Now().Sub(cs.pausedAt).Round(time.Millisecond))
			cs.pausedAt = time.Time{}
		}
	default:
		err = errors.New("unknown action " + string(req.action))
	}
	req.reply <- err
	return stopping
}

// pausedPastEnd says whether a pause has held a slot past its end (manual
// and emergency airings have no end to keep).
func (s *Station) pausedPastEnd(plan playlist.Plan, cs *controlState) bool {
	if cs.pausedAt.IsZero() || plan.Slot == manualSlot || plan.Slot == emergencySlot {
		return false
	}
	return !s.Clock.Now().Before(plan.End())
}

// cutLength is the played length and end of a cue taken off the deck by ev
// (a stop, skip or emergency). When the output plays on (the operator's
// actions, an emergency), every frame the deck had handed out before the
// cut is still heard — the sound card and oto's buffer are not flushed —
// so the played length is the cue's frames up to the cut, and it ends when
// the last of them is heard. On shutdown the output plays on until the log
// is closed (serve stops it after the loop), so the station waits, briefly,
// for those frames to be heard and counts what was. After a device error
// only what has been heard so far counts.
func (s *Station) cutLength(c *audio.Cue, ev audio.Event, reason string) (time.Duration, time.Time) {
	rate := s.Deck.Rate()
	played := s.played()
	switch reason {
	case ReasonOperatorStop, ReasonSkipped, ReasonPausedLong, ReasonEmergency:
		if s.deadReason() == "" {
			// The last frame is heard when the output has played up to
			// it: measured from now, not from the cut, since the output
			// has moved on while the event waited to be read.
			return rate.D(s.Deck.Heard(c, ev.Frame)), s.Clock.Now().Add(rate.D(ev.Frame - played))
		}
	case ReasonShutdown:
		if s.deadReason() == "" && played < ev.Frame {
			wait, cancel := context.WithTimeout(context.Background(), s.drainTime(ev.Frame))
			_ = s.untilHeard(wait, ev.Frame) // on error: what was heard by then
			cancel()
			return rate.D(s.Deck.Heard(c, min(s.played(), ev.Frame))), s.Clock.Now()
		}
	}
	return rate.D(s.Deck.Heard(c, min(played, ev.Frame))), ev.At
}

// drainTime bounds the wait, on shutdown, for the output to play up to
// frame: the time those frames take to play, and drainSpare more. What the
// output holds grows with audio.buffer (the device's buffer and oto's
// read-ahead: up to five seconds at 2 s), so no fixed wait fits them all.
func (s *Station) drainTime(frame int64) time.Duration {
	return s.Deck.Rate().D(max(0, frame-s.played())) + drainSpare
}

// drainSpare is how late past its due time the output may play what it
// holds before the wait gives up and only what was heard counts.
const drainSpare = time.Second
