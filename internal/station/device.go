package station

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/truyenthanh/cchc/internal/audio"
)

// deviceState is, for an output whose sound card can go away and come back
// (audio.DeviceWatcher), why it does not play now (nil while it does) and a
// channel closed at the next change. Other outputs never change: a nil
// channel and no error.
func (s *Station) deviceState() (<-chan struct{}, error) {
	if w, ok := s.Sink.(audio.DeviceWatcher); ok {
		return w.DeviceState()
	}
	return nil, nil
}

// lostReason is the reason logged for an airing cut by the loss of the
// sound card: "audio device error: " and what the card said; for a stream
// output, ReasonServerLost and what went wrong.
func (s *Station) lostReason() string {
	_, err := s.deviceState()
	if err == nil {
		s.mu.Lock()
		err = s.sinkErr
		s.mu.Unlock()
	}
	if err == nil {
		return ReasonDeviceError
	}
	if detail, ok := streamDetail(err); ok {
		return ReasonServerLost + ": " + detail
	}
	return ReasonDeviceError + ": " + audio.DeviceDetail(err)
}

// Reasons for an airing on a stream output (internal/icecast) whose server
// cannot be reached (failed) or whose connection was lost (interrupted).
const (
	ReasonServerUnreachable = "cannot reach the streaming server"
	ReasonServerLost        = "lost the connection to the streaming server"
)

// streamDetail is what a stream output's error says beyond its kind
// (audio.ErrServerUnreachable, audio.ErrServerLost); ok is false for a
// sound card's error.
func streamDetail(err error) (string, bool) {
	for _, kind := range []error{audio.ErrServerUnreachable, audio.ErrServerLost} {
		if errors.Is(err, kind) {
			return strings.TrimPrefix(err.Error(), kind.Error()+": "), true
		}
	}
	return "", false
}

// listeners is the stream output's count of listeners now
// (audio.ListenerCounter); nil for other outputs, or when it could not be
// read.
func (s *Station) listeners() *int {
	c, ok := s.Sink.(audio.ListenerCounter)
	if !ok {
		return nil
	}
	n, ok := c.Listeners()
	if !ok {
		return nil
	}
	return &n
}

// fewer is the lower of two listener counts, either of which may be
// unknown (nil).
func fewer(a, b *int) *int {
	if a == nil || (b != nil && *b < *a) {
		return b
	}
	return a
}

// Reasons naming an output of the zone that missed (part of) an airing the
// others played (audio.PartialReporter); the detail is
// "OUTPUT (N s): WHY" (words.Reason words it).
const (
	ReasonMissedByStream = "not sent to the IP loudspeaker clusters"
	ReasonMissedByCard   = "not played on the sound card"
)

// missedReason names the outputs of the zone that missed part or all of
// the deck frames [from, to), for how long and why: "" when every output
// played them, or the sink is a single output.
func (s *Station) missedReason(from, to int64) string {
	pr, ok := s.Sink.(audio.PartialReporter)
	if !ok || to <= from {
		return ""
	}
	var parts []string
	for _, g := range pr.Missed(from, to) {
		secs := max(1, int64(math.Round(s.Deck.Rate().D(g.To-g.From).Seconds())))
		head, why := ReasonMissedByCard, ReasonDeviceError
		if detail, ok := streamDetail(g.Err); ok {
			detail = strings.TrimPrefix(detail, g.Output+": ") // named once is enough
			head, why = ReasonMissedByStream, ReasonServerLost+": "+detail
			if errors.Is(g.Err, audio.ErrServerUnreachable) {
				why = ReasonServerUnreachable + ": " + detail
			}
		} else if g.Err != nil {
			why += ": " + strings.TrimPrefix(audio.DeviceDetail(g.Err), g.Output+": ")
		}
		parts = append(parts, fmt.Sprintf("%s: %s (%d s): %s", head, g.Output, secs, why))
	}
	return strings.Join(parts, "; ")
}

// errDeviceLost ends a wait for frames to be heard when the card goes away.
var errDeviceLost = errors.New("audio device lost")
