// The timeline: following the clock from one slot occurrence to the next,
// logging what passed unaired as missed, planning each occurrence from the
// zone's history.

package station

import (
	"context"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// Run follows the clock until ctx is done: it logs what passed while the
// station was down as missed, then airs each occurrence at its time.
func (s *Station) Run(ctx context.Context) error {
	err := s.run(ctx)
	// What was still in the output's buffers: completed if heard by now,
	// interrupted otherwise (the sink stops with ctx).
	if serr := s.settle(ctx, true); err == nil {
		err = serr
	}
	if serr := s.book.shutdown(context.WithoutCancel(ctx)); err == nil {
		err = serr
	}
	if ctx.Err() != nil {
		return nil // stopped: the airing in progress was closed on the way out
	}
	return err
}

func (s *Station) run(ctx context.Context) error {
	if !s.Recovered {
		if err := s.Recover(ctx); err != nil {
			return err
		}
	}
	now := s.Clock.Now()
	v, err := s.Store.State(ctx, s.stateKey(stateLastHandled))
	if err != nil {
		return err
	}
	// handled: every occurrence starting at or before it is settled — aired,
	// logged missed, or from before this station's first start. It never
	// moves back, so a clock stepping backward airs nothing twice.
	var handled time.Time
	if v == "" {
		// First start of this station: nothing before now was its to air.
		handled = now
		if err := s.book.setState(ctx, s.stateKey(stateLastHandled), now.Format(time.RFC3339Nano)); err != nil {
			return err
		}
	} else {
		from := now.Add(-s.MissedHorizon)
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && t.After(from) {
			from = t.Add(time.Nanosecond)
		}
		if err := s.logMissed(ctx, from, now.Add(-lateGrace), ReasonDown); err != nil {
			return err
		}
		handled = now.Add(-lateGrace)
	}
	for {
		if ctx.Err() != nil {
			return nil
		}
		s.alive()
		now := s.Clock.Now()
		// Whatever started more than the grace ago without airing — passed
		// while a slot played, or jumped over by the clock — is missed.
		if cutoff := now.Add(-lateGrace); cutoff.After(handled) {
			if err := s.logMissed(ctx, handled.Add(time.Nanosecond), cutoff.Add(time.Nanosecond), ReasonLate); err != nil {
				return err
			}
			handled = cutoff
		}
		t0 := time.Now()
		occ, ok, err := s.nextOccurrence(ctx, now, handled)
		if err != nil {
			return err
		}
		s.Logger.Debug("timing", "step", "next", "took", time.Since(t0))
		if !ok {
			if err := s.waitFor(ctx, now.Add(time.Hour)); err != nil {
				return err
			}
			continue
		}
		if err := s.waitFor(ctx, occ.Start.Add(-s.PreRoll)); err != nil {
			return err
		}
		if s.Clock.Now().Before(occ.Start.Add(-s.PreRoll)) {
			continue // an emergency aired while waiting: look again
		}
		if s.Clock.Now().After(occ.Start.Add(lateGrace)) {
			continue // the clock jumped past it: the next turn logs it missed
		}
		if err := s.airOccurrence(ctx, occ); err != nil {
			return err
		}
		if occ.Start.After(handled) {
			handled = occ.Start
		}
	}
}

// RunRange airs every occurrence starting in [from, to) in order, on the
// station's clock (a virtual one in simulate). Occurrences already in the
// log are left alone.
func (s *Station) RunRange(ctx context.Context, from, to time.Time) error {
	for _, occ := range playlist.Occurrences(s.planner().Slots, from.In(s.loc), to.In(s.loc)) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		done, err := s.Store.HasScheduled(ctx, s.zone(), occ.Slot, occ.Start, occ.End())
		if err != nil {
			return err
		}
		if done {
			continue
		}
		if err := s.Clock.Until(ctx, occ.Start); err != nil {
			return err
		}
		if err := s.airOccurrence(ctx, occ); err != nil {
			return err
		}
		if err := s.settle(ctx, true); err != nil {
			return err
		}
	}
	return nil
}

// nextOccurrence is the first occurrence starting after handled, not yet in
// the log, whose time is not over.
func (s *Station) nextOccurrence(ctx context.Context, now, handled time.Time) (playlist.Occurrence, bool, error) {
	var longest time.Duration
	for _, sl := range s.planner().Slots {
		longest = max(longest, sl.Length)
	}
	// Look a minute ahead first, then an hour, then the whole look-ahead:
	// listing 8 days of a slot that comes every few seconds took the loop
	// most of a second, enough to make the next start late. Each window
	// starts at the same time, so the first match is the same in all.
	from := now.Add(-longest).In(s.loc)
	for _, ahead := range []time.Duration{time.Minute, time.Hour, lookAhead} {
		for _, occ := range playlist.Occurrences(s.planner().Slots, from, now.Add(ahead).In(s.loc)) {
			if !occ.End().After(now) || !occ.Start.After(handled) {
				continue
			}
			done, err := s.Store.HasScheduled(ctx, s.zone(), occ.Slot, occ.Start, occ.End())
			if err != nil {
				return occ, false, err
			}
			if !done {
				return occ, true, nil
			}
		}
	}
	return playlist.Occurrence{}, false, nil
}

// logMissed logs every occurrence starting in [from, to) that is not in the
// log as missed, item by item as the planner would have filled it.
func (s *Station) logMissed(ctx context.Context, from, to time.Time, reason string) error {
	if !from.Before(to) {
		return nil
	}
	count := 0
	for _, occ := range playlist.Occurrences(s.planner().Slots, from.In(s.loc), to.In(s.loc)) {
		done, err := s.Store.HasScheduled(ctx, s.zone(), occ.Slot, occ.Start, occ.End())
		if err != nil {
			return err
		}
		if done {
			continue
		}
		plan, err := s.plan(ctx, occ)
		if err != nil {
			return err
		}
		if len(plan.Items) == 0 {
			if err := s.book.logClosed(ctx, playlist.Airing{Title: s.slotTitle(occ.Slot), Slot: occ.Slot, ScheduledAt: occ.Start, Status: playlist.StatusMissed, Reason: reason + "; " + ReasonEmptyPlan}); err != nil {
				return err
			}
		}
		for _, it := range plan.Items {
			a := airingFor(plan, it)
			a.Status, a.Reason = playlist.StatusMissed, reason
			if err := s.book.logClosed(ctx, a); err != nil {
				return err
			}
		}
		count++
		if err := s.book.setState(ctx, s.stateKey(stateLastHandled), occ.Start.Format(time.RFC3339Nano)); err != nil {
			return err
		}
	}
	if count > 0 {
		s.Logger.Warn("logged passed slot occurrences as missed", "count", count, "reason", reason)
	}
	return nil
}

// Ledger builds the planner's view of the past up to t from the log, and
// from the rows held in memory while the disk is full.
func (s *Station) Ledger(ctx context.Context, t time.Time) (*playlist.Ledger, error) {
	l, err := BuildLedger(ctx, s.Store, s.zone(), s.loc, t)
	if err != nil {
		return nil, err
	}
	for _, a := range s.book.heldAirings() {
		if a.ScheduledAt.Before(t) {
			l.Record(a)
		}
	}
	return l, nil
}

// BuildLedger reads the zone's log ("" for every zone) up to t: enough
// history for rotation and for the month's tallies.
func BuildLedger(ctx context.Context, st History, zone string, loc *time.Location, t time.Time) (*playlist.Ledger, error) {
	l := playlist.NewLedger(loc)
	lt := t.In(loc)
	monthStart := time.Date(lt.Year(), lt.Month(), 1, 0, 0, 0, 0, loc)
	last, err := st.LastAired(ctx, zone, t)
	if err != nil {
		return nil, err
	}
	for id, at := range last {
		l.Record(playlist.Airing{SegmentID: id, ScheduledAt: at, Status: playlist.StatusInterrupted})
	}
	airings, err := st.Airings(ctx, zone, monthStart, t)
	if err != nil {
		return nil, err
	}
	for _, a := range airings {
		l.Record(a)
	}
	return l, nil
}

func (s *Station) plan(ctx context.Context, occ playlist.Occurrence) (playlist.Plan, error) {
	lib, err := s.Store.Segments(ctx, false)
	if err != nil {
		return playlist.Plan{}, err
	}
	lib = s.planner().AsAired(lib)
	l, err := s.Ledger(ctx, occ.Start)
	if err != nil {
		return playlist.Plan{}, err
	}
	return s.planner().Fill(occ, lib, l), nil
}

func (s *Station) slotTitle(name string) string {
	if sl, ok := s.planner().Slot(name); ok && sl.Title != "" {
		return sl.Title
	}
	return name
}

func airingFor(plan playlist.Plan, it playlist.Item) playlist.Airing {
	return playlist.Airing{SegmentID: it.Segment.ID, Title: it.Segment.Title, Topics: it.Segment.Topics, Slot: plan.Slot,
		ScheduledAt: it.StartsAt, Duration: it.Segment.Duration}
}

func (s *Station) airOccurrence(ctx context.Context, occ playlist.Occurrence) error {
	t0 := time.Now()
	plan, err := s.plan(ctx, occ)
	if err != nil {
		return err
	}
	s.Logger.Debug("timing", "step", "plan", "took", time.Since(t0), "lead", occ.Start.Sub(time.Now()))
	s.Logger.Debug("slot starts", "slot", occ.Slot, "at", occ.Start.Format(time.RFC3339), "items", len(plan.Items))
	if len(plan.Items) == 0 {
		err := s.book.logClosed(ctx, playlist.Airing{Title: s.slotTitle(occ.Slot), Slot: occ.Slot, ScheduledAt: occ.Start, Status: playlist.StatusMissed, Reason: ReasonEmptyPlan})
		if err != nil {
			return err
		}
	} else if err := s.airPlan(ctx, plan); err != nil {
		return err
	}
	t0 = time.Now()
	err = s.book.setState(context.WithoutCancel(ctx), s.stateKey(stateLastHandled), occ.Start.Format(time.RFC3339Nano))
	s.Logger.Debug("timing", "step", "set-state", "took", time.Since(t0))
	return err
}

// waitFor waits until t, airing any emergency that comes meanwhile; it
// returns early after an emergency so that the caller looks at the clock
// again. A stopped context is not an error.
func (s *Station) waitFor(ctx context.Context, t time.Time) error {
	for {
		s.alive()
		select {
		case segs := <-s.urgent:
			return s.airEmergency(ctx, segs)
		default:
		}
		if err := s.settle(ctx, false); err != nil {
			return err
		}
		if err := s.book.retry(context.WithoutCancel(ctx)); err != nil {
			return err
		}
		now := s.Clock.Now()
		if !now.Before(t) {
			return nil
		}
		step := t
		longest := s.waitStep(200 * time.Millisecond)
		if s.tailing() {
			longest = settleEvery
		}
		if step.Sub(now) > longest {
			step = now.Add(longest)
		}
		if err := s.Clock.Until(ctx, step); err != nil {
			return nil
		}
	}
}
