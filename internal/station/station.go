// Package station is the runtime: it follows the clock, asks the planner what
// each slot occurrence airs, plays it through the deck and sink, and writes
// every airing to the log — before the first sample, and again when it ends.
package station

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// Reasons written to the log (English; the CLI and reports translate them).
const (
	ReasonNoDevice    = "no audio device"
	ReasonShutdown    = "station stopped"
	ReasonCrash       = "station restarted after a crash"
	ReasonDown        = "station was not running"
	ReasonLate        = "slot could not start on time"
	ReasonDeviceError = "audio device error"
	ReasonUnreadable  = "file unreadable"
	ReasonNotStarted  = "stopped before it started"
	ReasonEmptyPlan   = "no segment to air"
	ReasonEmergency   = "emergency"
	ReasonSilence     = "silence in the output"
	emergencySlot     = "emergency"
	stateLastHandled  = "last_handled"
	lateGrace         = 30 * time.Second
	// defaultPreRoll is Deps.PreRoll when not set.
	defaultPreRoll     = time.Second
	progressEvery      = 5 * time.Second
	settleEvery        = 20 * time.Millisecond
	lookAhead          = 8 * 24 * time.Hour
	manualSlot         = "manual"
	ledgerHistoryExtra = 32 * 24 * time.Hour
)

// OpenFunc opens a segment's file as stereo frames at the deck's rate, with
// whatever processing the output wants (resampling, loudness gain).
type OpenFunc func(seg playlist.Segment) (audio.Streamer, io.Closer, error)

// Deps is what a station is built from.
type Deps struct {
	Store   Log
	Planner *playlist.Planner
	Deck    *audio.Deck
	// Sink is the output; nil means no device could be opened, and every
	// airing is logged failed with DeadReason.
	Sink          audio.Sink
	DeadReason    string
	Clock         audio.Clock
	Open          OpenFunc
	Logger        *slog.Logger
	MissedHorizon time.Duration
	// SilenceAlert: a run of output below -60 dBFS at least this long is
	// noted in the airing's reason; 0 turns it off.
	SilenceAlert time.Duration
	// ResumeAfterEmergency: after an emergency, the items of the slot that
	// had not started air in the time the slot has left; otherwise the rest
	// of the slot is dropped (and left to the quota).
	ResumeAfterEmergency bool
	// PreRoll: each slot occurrence is planned, logged and queued this long
	// before its time, and the deck holds its first sample to the exact
	// frame, so that the output's latency and the database's fsync do not
	// make it start late. It must exceed the output's latency (oto's and the
	// device's buffers) by the time planning and logging take; 0 means 1 s.
	PreRoll time.Duration
	// LogWrites: what a failed write to the airing log does (logbook.go);
	// the zero value stops the station with the error.
	LogWrites LogWrites
}

// Station runs the timetable.
type Station struct {
	Deps
	loc *time.Location

	mu      sync.Mutex
	sinkErr error
	sinkOut chan struct{} // closed when the sink stops

	urgent chan []playlist.Segment // emergencies asked for, not yet taken

	current *playlist.Planner // guarded by mu; replaced by Reload
	resume  bool              // guarded by mu

	board  statusBoard     // what is on air, for Status (status.go)
	ctl    chan controlReq // the operator's actions, taken by the airing loop
	airing *onAir          // guarded by mu; the airing loop in progress

	tailMu sync.Mutex
	tails  []tail // airings whose last frame left the deck, oldest first

	book *logbook // every write to the airing log goes through it

	live liveness // the watchdog's check-in (liveness.go); set before Run
}

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

// planner is the planner in force.
func (s *Station) planner() *playlist.Planner {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Reload puts a new planner (a reloaded configuration) in force from the
// next slot occurrence on; the airing in progress is not touched. Its
// location must be the station's.
func (s *Station) Reload(p *playlist.Planner, resumeAfterEmergency bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = p
	s.resume = resumeAfterEmergency
}

// gap is the silence between items (the planner's, which lays them out).
func (s *Station) gap() time.Duration { return s.planner().Gap }

func (s *Station) resumeAfterEmergency() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resume
}

// New builds a station.
func New(d Deps) *Station {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.PreRoll <= 0 {
		d.PreRoll = defaultPreRoll
	}
	s := &Station{Deps: d, loc: d.Planner.Location, sinkOut: make(chan struct{}), urgent: make(chan []playlist.Segment, 4), current: d.Planner, resume: d.ResumeAfterEmergency,
		ctl:  make(chan controlReq),
		book: &logbook{store: d.Store, mode: d.LogWrites, logger: d.Logger, now: func() time.Time { return d.Clock.Now() }}}
	s.book.changed = s.notifyStatus
	return s
}

// StartSink runs the sink in the background until ctx is done; a device
// failure marks the output dead for the rest of the run.
func (s *Station) StartSink(ctx context.Context) {
	if s.Sink == nil {
		close(s.sinkOut)
		return
	}
	go func() {
		err := s.Sink.Run(ctx, s.Deck)
		s.mu.Lock()
		if err != nil {
			s.sinkErr = err
			s.Logger.Error("audio output stopped", "output", s.Sink.Name(), "err", err)
		}
		s.mu.Unlock()
		close(s.sinkOut)
	}()
}

// SinkDone is closed when the sink has stopped (and, for a file, closed it).
func (s *Station) SinkDone() <-chan struct{} { return s.sinkOut }

func (s *Station) deadReason() string {
	if s.Sink == nil {
		if s.DeadReason != "" {
			return s.DeadReason
		}
		return ReasonNoDevice
	}
	if _, err := s.deviceState(); err != nil {
		if detail, ok := streamDetail(err); ok {
			return ReasonServerUnreachable + ": " + detail // device.go
		}
		return ReasonNoDevice + ": " + audio.DeviceDetail(err) // the sink keeps trying it
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sinkErr != nil {
		return ReasonNoDevice
	}
	return ""
}

// Recover closes airings left open by a crash as interrupted.
// On a full disk (HoldWhenFull) that waits, with the other held writes.
func (s *Station) Recover(ctx context.Context) error {
	return s.book.recover(ctx, ReasonCrash)
}

// LogHeld says how many airing log writes wait in memory for disk space.
func (s *Station) LogHeld() LogHeld { return s.book.state() }

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
	if err := s.Recover(ctx); err != nil {
		return err
	}
	now := s.Clock.Now()
	v, err := s.Store.State(ctx, stateLastHandled)
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
		if err := s.book.setState(ctx, stateLastHandled, now.Format(time.RFC3339Nano)); err != nil {
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
		done, err := s.Store.HasScheduled(ctx, occ.Slot, occ.Start, occ.End())
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
			done, err := s.Store.HasScheduled(ctx, occ.Slot, occ.Start, occ.End())
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
		done, err := s.Store.HasScheduled(ctx, occ.Slot, occ.Start, occ.End())
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
		if err := s.book.setState(ctx, stateLastHandled, occ.Start.Format(time.RFC3339Nano)); err != nil {
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
	l, err := BuildLedger(ctx, s.Store, s.loc, t)
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

// BuildLedger reads the log up to t: enough history for rotation and for the
// month's tallies.
func BuildLedger(ctx context.Context, st History, loc *time.Location, t time.Time) (*playlist.Ledger, error) {
	l := playlist.NewLedger(loc)
	lt := t.In(loc)
	monthStart := time.Date(lt.Year(), lt.Month(), 1, 0, 0, 0, 0, loc)
	last, err := st.LastAired(ctx, t)
	if err != nil {
		return nil, err
	}
	for id, at := range last {
		l.Record(playlist.Airing{SegmentID: id, ScheduledAt: at, Status: playlist.StatusInterrupted})
	}
	airings, err := st.Airings(ctx, monthStart, t)
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
	err = s.book.setState(context.WithoutCancel(ctx), stateLastHandled, occ.Start.Format(time.RFC3339Nano))
	s.Logger.Debug("timing", "step", "set-state", "took", time.Since(t0))
	return err
}

// Emergency asks the running station (Run) to air segs at once,
// preempting whatever plays — the preempted airing is logged interrupted
// with the reason "emergency" — even in quiet hours. It returns once the
// request is taken in hand, not when the segments have aired.
func (s *Station) Emergency(ctx context.Context, segs []playlist.Segment) error {
	select {
	case s.urgent <- segs:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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

// airEmergency airs an emergency, and any that preempts it in turn.
func (s *Station) airEmergency(ctx context.Context, segs []playlist.Segment) error {
	s.Logger.Warn("emergency", "segments", len(segs))
	return s.airPlan(ctx, s.nowPlan(emergencySlot, segs))
}

// nowPlan lays segs out back to back from now.
func (s *Station) nowPlan(slot string, segs []playlist.Segment) playlist.Plan {
	now := s.Clock.Now()
	plan := playlist.Plan{Occurrence: playlist.Occurrence{Slot: slot, Start: now}}
	offset := time.Duration(0)
	segs = s.planner().AsAired(append([]playlist.Segment(nil), segs...))
	for i, seg := range segs {
		if i > 0 {
			offset += s.gap()
		}
		plan.Items = append(plan.Items, playlist.Item{Segment: seg, Offset: offset, StartsAt: now.Add(offset)})
		offset += seg.Duration
	}
	plan.Length = offset
	return plan
}

// airPlan airs a plan; when an emergency preempts it, airs the emergency
// and then, if configured, the items that had not started, in the time the
// occurrence has left.
func (s *Station) airPlan(ctx context.Context, plan playlist.Plan) error {
	intro := true
	for {
		rest, urgent, err := s.air(ctx, plan, intro)
		intro = false // a slot resumed after an emergency has had its intro
		if err != nil || urgent == nil {
			return err
		}
		if err := s.airEmergency(ctx, urgent); err != nil {
			return err
		}
		if !s.resumeAfterEmergency() || len(rest) == 0 || plan.Slot == emergencySlot || plan.Slot == manualSlot {
			return nil
		}
		// Resume what had not started, as far as the slot's time allows.
		now := s.Clock.Now()
		end := plan.End().Add(-s.slotTail(plan.Slot))
		resumed := playlist.Plan{Occurrence: plan.Occurrence}
		offset := now.Sub(plan.Start)
		for _, it := range rest {
			if len(resumed.Items) > 0 {
				offset += s.gap()
			}
			if plan.Start.Add(offset + it.Segment.Duration).After(end) {
				break
			}
			resumed.Items = append(resumed.Items, playlist.Item{Segment: it.Segment, Offset: offset, StartsAt: plan.Start.Add(offset)})
			offset += it.Segment.Duration
		}
		if len(resumed.Items) == 0 {
			return nil
		}
		plan = resumed
	}
}

// PlayNow airs segments at once, back to back, as a manual airing.
func (s *Station) PlayNow(ctx context.Context, segs []playlist.Segment) error {
	return s.Air(ctx, s.nowPlan(manualSlot, segs))
}

// pending is an airing whose row is open.
type pending struct {
	row     *logRow
	cue     *audio.Cue
	started bool
	startAt time.Time
	closed  bool
	// listeners: the stream output's count when the item started (device.go).
	listeners *int
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

// air is Air that also reports an emergency that preempted the plan, and
// the items that had not started by then.
func (s *Station) air(ctx context.Context, plan playlist.Plan, withIntro bool) (rest []playlist.Item, urgent []playlist.Segment, err error) {
	// Writes that close the log must happen even while shutting down.
	wctx := context.WithoutCancel(ctx)
	items := plan.Items
	lost, _ := s.deviceState() // before deadReason: a loss in between is seen by one or the other
	if reason := s.deadReason(); reason != "" {
		for _, it := range items {
			a := airingFor(plan, it)
			a.StartedAt = s.Clock.Now()
			a.Status, a.Reason = playlist.StatusFailed, reason
			if err := s.book.logClosed(wctx, a); err != nil {
				return nil, nil, err
			}
		}
		s.Logger.Error("slot not aired: no audio output", "slot", plan.Slot, "items", len(items))
		return nil, nil, nil
	}
	defer s.offAir() // status.go: nothing of this plan is on air any more
	rate := s.Deck.Rate()
	rows := make([]*pending, len(items))
	next := 0
	defer s.beginAiring()()
	var cs controlState
	jingles := s.newJingles(plan, withIntro)
	jingles.queueIntro(s)
	// queue opens the log row of the next item that can be opened and puts
	// it on the deck.
	queue := func() error {
		for next < len(items) {
			i := next
			next++
			it := items[i]
			a := airingFor(plan, it)
			a.StartedAt = s.Clock.Now()
			src, closer, err := s.Open(it.Segment)
			if err != nil {
				a.Status, a.Reason = playlist.StatusFailed, ReasonUnreadable+": "+err.Error()
				if lerr := s.book.logClosed(wctx, a); lerr != nil {
					return lerr
				}
				s.Logger.Error("segment failed", "segment", it.Segment.ID, "path", it.Segment.Path, "err", err)
				continue
			}
			t0 := time.Now()
			row, err := s.book.start(wctx, a)
			s.Logger.Debug("timing", "step", "start-row", "took", time.Since(t0), "lead", it.StartsAt.Sub(time.Now()))
			if err != nil {
				if closer != nil {
					closer.Close()
				}
				return err
			}
			p := &pending{row: row, cue: audio.NewCue(it.Segment.Title, i, src, closer)}
			if i == 0 && !jingles.introQueued && it.StartsAt.After(s.Clock.Now()) {
				p.cue.StartAt = it.StartsAt // queued ahead of time: start on the dot
			}
			rows[i] = p
			var cues []*audio.Cue
			if gap := s.gap(); (i > 0 || jingles.introQueued) && gap > 0 {
				cues = append(cues, audio.NewCue("gap", nil, audio.Silence(rate.N(gap)), nil))
			}
			s.Deck.Enqueue(append(cues, p.cue)...)
			jingles.items++
			break
		}
		if next == len(items) {
			jingles.queueOutro(s)
		}
		return nil
	}
	if err := queue(); err != nil {
		return nil, nil, err
	}
	open := func() int {
		n := 0
		for _, p := range rows {
			if p != nil && !p.closed {
				n++
			}
		}
		return n
	}
	closeRow := func(p *pending, status playlist.Status, end time.Time, played time.Duration, reason string) error {
		p.closed = true
		if played < 0 {
			played = 0
		}
		if quiet := rate.D(p.cue.LongestSilence); s.SilenceAlert > 0 && quiet >= s.SilenceAlert {
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
		return s.book.close(wctx, p.row, status, p.startAt, end, played, reason, heardBy)
	}
	progress := time.NewTicker(progressEvery)
	defer progress.Stop()
	holding := time.NewTicker(time.Second)
	defer holding.Stop()
	aliveTick, stopAlive := s.aliveTicker()
	defer stopAlive()
	stopping := ""
	for open() > 0 || jingles.onDeck > 0 {
		s.alive()
		if err := s.settle(wctx, false); err != nil {
			return nil, nil, err
		}
		var settleTick <-chan time.Time
		if s.tailing() {
			settleTick = time.After(settleEvery)
		}
		// The pause watch only ticks while paused: an idle ticker in the
		// select would wake the process every second for nothing.
		var holdingTick <-chan time.Time
		if !cs.pausedAt.IsZero() {
			holdingTick = holding.C
		}
		select {
		case <-settleTick:
			continue
		case <-aliveTick:
			continue // checked in at the top of the turn
		case req := <-s.ctl:
			stopping = s.apply(req, &cs, stopping)
		case <-holdingTick:
			if stopping == "" && s.pausedPastEnd(plan, &cs) {
				stopping = ReasonPausedLong
				s.Deck.Stop(s.Clock.Now())
				s.Deck.Resume()
				cs.pausedAt = time.Time{}
			}
			continue
		case <-ctx.Done():
			if stopping == "" {
				stopping = ReasonShutdown
				s.Deck.Stop(s.Clock.Now())
			}
		case <-s.sinkOut:
			if stopping == "" {
				stopping = s.lostReason()
				s.Deck.Stop(s.Clock.Now())
			}
		case <-lost:
			lost = nil
			if stopping == "" {
				stopping = s.lostReason()
				s.Deck.Stop(s.Clock.Now())
			}
		case segs := <-s.urgent:
			if stopping == "" {
				stopping, urgent = ReasonEmergency, segs
				s.Deck.Stop(s.Clock.Now())
			} else if stopping == ReasonEmergency {
				urgent = append(urgent, segs...)
			}
		case <-progress.C:
			for _, p := range rows {
				if p != nil && p.started && !p.closed {
					played := rate.D(s.Deck.Heard(p.cue, s.played()))
					s.book.progress(wctx, p.row, played)
				}
			}
			if err := s.book.retry(wctx); err != nil {
				return nil, nil, err
			}
			continue
		case <-s.Deck.Events():
		}
		for _, ev := range s.Deck.TakeEvents() {
			if jingles.event(s, ev) {
				continue
			}
			i, ok := ev.Cue.Tag.(int)
			if !ok || rows[i] == nil || rows[i].closed {
				continue
			}
			p := rows[i]
			switch ev.Kind {
			case audio.CueStarted:
				p.started, p.startAt, p.listeners = true, ev.At, s.listeners()
				s.onAir(plan, i, ev.At) // status.go
				if stopping == "" {
					if err := queue(); err != nil {
						return nil, nil, err
					}
				}
			case audio.CueEnded:
				// Completed once its last frame has been heard: settle
				// closes it then, while the loop goes on.
				p.closed = true
				end, seg := ev.At, items[i].Segment
				s.tailMu.Lock()
				s.tails = append(s.tails, tail{frame: ev.Frame,
					complete: func() error {
						if err := closeRow(p, playlist.StatusCompleted, end, rate.D(p.cue.Frames), ""); err != nil {
							return err
						}
						s.Logger.Debug("aired", "segment", seg.ID, "title", seg.Title, "played", rate.D(p.cue.Frames).Round(time.Millisecond))
						return nil
					},
					cut: func(reason string) error {
						played := rate.D(s.Deck.Heard(p.cue, s.played()))
						return closeRow(p, playlist.StatusInterrupted, s.Clock.Now(), played, reason)
					}})
				s.tailMu.Unlock()
			case audio.CueFailed:
				reason := ReasonUnreadable
				if ev.Err != nil {
					reason += ": " + ev.Err.Error()
				}
				if err := closeRow(p, playlist.StatusInterrupted, ev.At, rate.D(p.cue.Frames), reason); err != nil {
					return nil, nil, err
				}
				s.Logger.Error("segment cut short", "segment", items[i].Segment.ID, "err", ev.Err)
			case audio.CueStopped:
				reason := stopping
				skipped := ev.Cue == cs.skipped && stopping == ""
				if skipped {
					reason = ReasonSkipped
				}
				if reason == "" {
					reason = ReasonShutdown
				}
				if !p.started {
					p.startAt = ev.At
					if err := closeRow(p, playlist.StatusInterrupted, ev.At, 0, reason+"; "+ReasonNotStarted); err != nil {
						return nil, nil, err
					}
					if skipped {
						// The next item is queued when one starts: this one never will.
						if err := queue(); err != nil {
							return nil, nil, err
						}
					}
					continue
				}
				played, end := s.cutLength(p.cue, ev, reason)
				if err := closeRow(p, playlist.StatusInterrupted, end, played, reason); err != nil {
					return nil, nil, err
				}
				s.Logger.Warn("airing interrupted", "segment", items[i].Segment.ID, "played", played, "reason", reason)
			}
		}
	}
	// Items never queued because the airing was stopped are not logged:
	// they never started. An interrupted slot leaves them to the quota, or,
	// after an emergency, to airPlan.
	if stopping == ReasonEmergency {
		for i, it := range items {
			if rows[i] == nil || !rows[i].started {
				if i >= next || rows[i] != nil {
					rest = append(rest, it)
				}
			}
		}
		return rest, urgent, nil
	}
	return nil, nil, nil
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
