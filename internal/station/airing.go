// One plan's airing: every item queued on the deck, logged before its
// first sample and closed exactly once.

package station

import (
	"context"
	"fmt"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// pending is an airing whose row is open.
type pending struct {
	row     *logRow
	cue     *audio.Cue
	started bool
	startAt time.Time
	closed  bool
	// listeners: the stream output's count when the item started (device.go).
	listeners *int
	// endFrame is the deck frame after its last, once it ended on its own.
	endFrame int64
}

// Air plays a plan's items back to back and logs each. Every row is written
// (durably) before its first sample reaches the deck, and closed exactly
// once: completed when its last sample has been heard, interrupted with the
// played length when stopped or cut, failed when it could not play.
func (s *Station) Air(ctx context.Context, plan playlist.Plan) error {
	_, _, err := s.air(ctx, plan, true)
	if serr := s.settle(ctx, true); err == nil {
		err = serr
	}
	return err
}

// slotAiring is one plan on the air: its items, the rows opened for them,
// and why it is stopping ("" while it is not).
type slotAiring struct {
	s    *Station
	wctx context.Context // writes that close the log happen even while shutting down
	plan playlist.Plan
	rate audio.Rate
	rows []*pending // by item; nil until queued
	next int        // the next item to queue
	jng  *jingles
	cs   controlState
	// stopping is the reason the airing is being stopped; urgent the
	// emergency that stops it.
	stopping string
	urgent   []playlist.Segment
}

// air is Air that also reports an emergency that preempted the plan, and
// the items that had not started by then.
func (s *Station) air(ctx context.Context, plan playlist.Plan, withIntro bool) (rest []playlist.Item, urgent []playlist.Segment, err error) {
	a := &slotAiring{s: s, wctx: context.WithoutCancel(ctx), plan: plan, rate: s.Deck.Rate(), rows: make([]*pending, len(plan.Items))}
	lost, _ := s.deviceState() // before deadReason: a loss in between is seen by one or the other
	if reason := s.deadReason(); reason != "" {
		return nil, nil, a.failAll(reason)
	}
	defer s.offAir() // status.go: nothing of this plan is on air any more
	defer s.beginAiring()()
	a.jng = s.newJingles(plan, withIntro)
	a.jng.queueIntro(s)
	if err := a.queue(); err != nil {
		return nil, nil, err
	}
	progress := time.NewTicker(progressEvery)
	defer progress.Stop()
	holding := time.NewTicker(time.Second)
	defer holding.Stop()
	aliveTick, stopAlive := s.aliveTicker()
	defer stopAlive()
	for a.openRows() > 0 || a.jng.onDeck > 0 {
		s.alive()
		if err := s.settle(a.wctx, false); err != nil {
			return nil, nil, err
		}
		var settleTick <-chan time.Time
		if s.tailing() {
			settleTick = time.After(settleEvery)
		}
		// The pause watch only ticks while paused: an idle ticker in the
		// select would wake the process every second for nothing.
		var holdingTick <-chan time.Time
		if !a.cs.pausedAt.IsZero() {
			holdingTick = holding.C
		}
		select {
		case <-settleTick:
			continue
		case <-aliveTick:
			continue // checked in at the top of the turn
		case req := <-s.ctl:
			a.stopping = s.apply(req, &a.cs, a.stopping)
		case <-holdingTick:
			if a.stopping == "" && s.pausedPastEnd(plan, &a.cs) {
				a.stop(ReasonPausedLong)
				s.Deck.Resume()
				a.cs.pausedAt = time.Time{}
			}
			continue
		case <-ctx.Done():
			a.stop(ReasonShutdown)
		case <-s.sinkOut:
			a.stop(s.lostReason())
		case <-lost:
			lost = nil
			a.stop(s.lostReason())
		case segs := <-s.urgent:
			if a.stopping == "" {
				a.urgent = segs
				a.stop(ReasonEmergency)
			} else if a.stopping == ReasonEmergency {
				a.urgent = append(a.urgent, segs...)
			}
		case <-progress.C:
			a.progress()
			if err := s.book.retry(a.wctx); err != nil {
				return nil, nil, err
			}
			continue
		case <-s.Deck.Events():
		}
		for _, ev := range s.Deck.TakeEvents() {
			if err := a.event(ev); err != nil {
				return nil, nil, err
			}
		}
	}
	// Items never queued because the airing was stopped are not logged:
	// they never started. An interrupted slot leaves them to the quota, or,
	// after an emergency, to airPlan.
	if a.stopping == ReasonEmergency {
		return a.notStarted(), a.urgent, nil
	}
	return nil, nil, nil
}

// failAll logs every item failed: there is no output to play them on.
func (a *slotAiring) failAll(reason string) error {
	s := a.s
	for _, it := range a.plan.Items {
		row := airingFor(a.plan, it)
		row.StartedAt = s.Clock.Now()
		row.Status, row.Reason = playlist.StatusFailed, reason
		if err := s.book.logClosed(a.wctx, row); err != nil {
			return err
		}
	}
	s.Logger.Error("slot not aired: no audio output", "slot", a.plan.Slot, "items", len(a.plan.Items))
	return nil
}

// stop stops the deck for reason, unless the airing is stopping already.
func (a *slotAiring) stop(reason string) {
	if a.stopping == "" {
		a.stopping = reason
		a.s.Deck.Stop(a.s.Clock.Now())
	}
}

// queue opens the log row of the next item that can be opened and puts it
// on the deck.
func (a *slotAiring) queue() error {
	s, items := a.s, a.plan.Items
	for a.next < len(items) {
		i := a.next
		a.next++
		it := items[i]
		row := airingFor(a.plan, it)
		row.StartedAt = s.Clock.Now()
		src, closer, err := s.Open(it.Segment)
		if err != nil {
			row.Status, row.Reason = playlist.StatusFailed, ReasonUnreadable+": "+err.Error()
			if lerr := s.book.logClosed(a.wctx, row); lerr != nil {
				return lerr
			}
			s.Logger.Error("segment failed", "segment", it.Segment.ID, "path", it.Segment.Path, "err", err)
			continue
		}
		t0 := time.Now()
		logged, err := s.book.start(a.wctx, row)
		s.Logger.Debug("timing", "step", "start-row", "took", time.Since(t0), "lead", it.StartsAt.Sub(time.Now()))
		if err != nil {
			if closer != nil {
				closer.Close()
			}
			return err
		}
		p := &pending{row: logged, cue: audio.NewCue(it.Segment.Title, i, src, closer)}
		if i == 0 && !a.jng.introQueued && it.StartsAt.After(s.Clock.Now()) {
			p.cue.StartAt = it.StartsAt // queued ahead of time: start on the dot
		}
		a.rows[i] = p
		var cues []*audio.Cue
		if gap := s.gap(); (i > 0 || a.jng.introQueued) && gap > 0 {
			cues = append(cues, audio.NewCue("gap", nil, audio.Silence(a.rate.N(gap)), nil))
		}
		s.Deck.Enqueue(append(cues, p.cue)...)
		a.jng.items++
		break
	}
	if a.next == len(items) {
		a.jng.queueOutro(s)
	}
	return nil
}

// openRows counts the rows opened and not yet closed.
func (a *slotAiring) openRows() int {
	n := 0
	for _, p := range a.rows {
		if p != nil && !p.closed {
			n++
		}
	}
	return n
}

// closeRow closes p's row, noting dead air in its reason.
func (a *slotAiring) closeRow(p *pending, status playlist.Status, end time.Time, played time.Duration, reason string) error {
	s := a.s
	p.closed = true
	if played < 0 {
		played = 0
	}
	if p.started {
		// Outputs of the zone that missed it while others played it.
		to := p.endFrame
		if to == 0 {
			to = s.played()
		}
		if missed := s.missedReason(p.cue.StartFrame, to); missed != "" {
			if reason == "" {
				reason = missed
			} else {
				reason += "; " + missed
			}
		}
	}
	if quiet := a.rate.D(p.cue.LongestSilence); s.SilenceAlert > 0 && quiet >= s.SilenceAlert {
		note := fmt.Sprintf("%s: %.1f s", ReasonSilence, quiet.Seconds())
		if reason == "" {
			reason = note
		} else {
			reason += "; " + note
		}
	}
	var heardBy *int
	if p.started {
		heardBy = fewer(p.listeners, s.listeners())
	}
	return s.book.close(a.wctx, p.row, status, p.startAt, end, played, reason, heardBy)
}

// progress records how much of each playing item has been heard.
func (a *slotAiring) progress() {
	for _, p := range a.rows {
		if p != nil && p.started && !p.closed {
			played := a.rate.D(a.s.Deck.Heard(p.cue, a.s.played()))
			a.s.book.progress(a.wctx, p.row, played)
		}
	}
}

// event handles what the deck reports of one cue.
func (a *slotAiring) event(ev audio.Event) error {
	s := a.s
	if a.jng.event(s, ev) {
		return nil
	}
	i, ok := ev.Cue.Tag.(int)
	if !ok || a.rows[i] == nil || a.rows[i].closed {
		return nil
	}
	p, seg := a.rows[i], a.plan.Items[i].Segment
	switch ev.Kind {
	case audio.CueStarted:
		p.started, p.startAt, p.listeners = true, ev.At, a.s.listeners()
		s.onAir(a.plan, i, ev.At) // status.go
		if a.stopping == "" {
			return a.queue()
		}
	case audio.CueEnded:
		// Completed once its last frame has been heard: settle closes it
		// then, while the loop goes on.
		p.closed, p.endFrame = true, ev.Frame
		end := ev.At
		s.tailMu.Lock()
		s.tails = append(s.tails, tail{frame: ev.Frame,
			complete: func() error {
				if err := a.closeRow(p, playlist.StatusCompleted, end, a.rate.D(p.cue.Frames), ""); err != nil {
					return err
				}
				s.Logger.Debug("aired", "segment", seg.ID, "title", seg.Title, "played", a.rate.D(p.cue.Frames).Round(time.Millisecond))
				return nil
			},
			cut: func(reason string) error {
				played := a.rate.D(s.Deck.Heard(p.cue, s.played()))
				return a.closeRow(p, playlist.StatusInterrupted, s.Clock.Now(), played, reason)
			}})
		s.tailMu.Unlock()
	case audio.CueFailed:
		reason := ReasonUnreadable
		if ev.Err != nil {
			reason += ": " + ev.Err.Error()
		}
		if err := a.closeRow(p, playlist.StatusInterrupted, ev.At, a.rate.D(p.cue.Frames), reason); err != nil {
			return err
		}
		s.Logger.Error("segment cut short", "segment", seg.ID, "err", ev.Err)
	case audio.CueStopped:
		return a.stopped(p, ev, seg)
	}
	return nil
}

// stopped closes the row of an item the deck stopped: skipped, cut by an
// emergency, a lost output or shutdown.
func (a *slotAiring) stopped(p *pending, ev audio.Event, seg playlist.Segment) error {
	reason := a.stopping
	skipped := ev.Cue == a.cs.skipped && a.stopping == ""
	if skipped {
		reason = ReasonSkipped
	}
	if reason == "" {
		reason = ReasonShutdown
	}
	if !p.started {
		p.startAt = ev.At
		if err := a.closeRow(p, playlist.StatusInterrupted, ev.At, 0, reason+"; "+ReasonNotStarted); err != nil {
			return err
		}
		if skipped {
			// The next item is queued when one starts: this one never will.
			return a.queue()
		}
		return nil
	}
	played, end := a.s.cutLength(p.cue, ev, reason)
	if err := a.closeRow(p, playlist.StatusInterrupted, end, played, reason); err != nil {
		return err
	}
	a.s.Logger.Warn("airing interrupted", "segment", seg.ID, "played", played, "reason", reason)
	return nil
}

// notStarted lists the items that had not started when an emergency
// stopped the airing: those never queued and those queued but not begun.
func (a *slotAiring) notStarted() []playlist.Item {
	var rest []playlist.Item
	for i, it := range a.plan.Items {
		if a.rows[i] == nil || !a.rows[i].started {
			if i >= a.next || a.rows[i] != nil {
				rest = append(rest, it)
			}
		}
	}
	return rest
}
