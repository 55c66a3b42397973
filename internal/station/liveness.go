package station

import "time"

// liveness is how the airing loop tells a watchdog that it is alive
// (sdnotify.Watchdog in serve): it checks in on every turn and at least
// every `every` while it waits — for the next slot, or for the deck while a
// slot airs. A loop stuck in a call (the store, the deck, the sink) stops
// checking in, and the watchdog stops feeding systemd.
type liveness struct {
	checkIn func()
	every   time.Duration
}

// SetLiveness makes the loop call checkIn on every turn and at least every
// `every` while it waits (the watchdog's interval / 2 or less). Call it
// before Run; without it the loop checks in with nobody.
func (s *Station) SetLiveness(checkIn func(), every time.Duration) {
	s.live = liveness{checkIn: checkIn, every: every}
}

// alive checks in.
func (s *Station) alive() {
	if s.live.checkIn != nil {
		s.live.checkIn()
	}
}

// aliveTicker ticks every `every` while a slot airs, so that the airing
// loop checks in even when the deck has nothing to say for a while; a nil
// channel (and a no-op stop) without a watchdog.
func (s *Station) aliveTicker() (<-chan time.Time, func()) {
	if s.live.checkIn == nil || s.live.every <= 0 {
		return nil, func() {}
	}
	t := time.NewTicker(s.live.every)
	return t.C, t.Stop
}

// waitStep is the longest the loop sleeps between check-ins while it
// waits for the next slot.
func (s *Station) waitStep(longest time.Duration) time.Duration {
	if s.live.checkIn != nil && s.live.every > 0 && s.live.every < longest {
		return s.live.every
	}
	return longest
}
