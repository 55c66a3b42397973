package station

import (
	"context"
	"sync"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// OnAir is the segment being heard now.
type OnAir struct {
	SegmentID int64
	Title     string
	Topics    []string
	Slot      string
	Started   time.Time
	Length    time.Duration
}

// UpNext is a segment that will air after the one on air, or in the next
// slot occurrence.
type UpNext struct {
	SegmentID int64
	Title     string
	Topics    []string
	Slot      string
	StartsAt  time.Time
	Length    time.Duration
}

// Status is a snapshot of the station: what airs now and what comes next.
type Status struct {
	// Zone is the code of the station's zone.
	Zone  string
	At    time.Time
	OnAir *OnAir // nil when nothing is on air
	Next  []UpNext
	// NextSlot and NextSlotAt name the next slot occurrence when nothing of
	// the current plan is left (zero when none within the look-ahead).
	NextSlot   string
	NextSlotAt time.Time
	// Output is the sink's name; Dead the reason nothing can be heard ("" when the output works).
	Output string
	Dead   string
	// Held: airing log writes waiting in memory for disk space (logbook.go).
	Held LogHeld
	// Listeners: for a stream output, the clusters connected to its mount
	// now (device.go); nil for other outputs.
	Listeners *int
	// Zones is every zone's status, in config order, when the status is
	// that of a Group (the fields above are then the first zone's).
	Zones []Status
}

// statusBoard holds what the station is airing, for Status, and tells
// subscribers when it changes. Its zero value is ready.
type statusBoard struct {
	mu      sync.Mutex
	plan    playlist.Plan
	index   int
	started time.Time
	live    bool
	subs    map[chan struct{}]struct{}
}

// onAir records that item i of plan started at at (a hook in air).
func (s *Station) onAir(plan playlist.Plan, i int, at time.Time) {
	b := &s.board
	b.mu.Lock()
	b.plan, b.index, b.started, b.live = plan, i, at, true
	b.mu.Unlock()
	s.notifyStatus()
}

// offAir records that the plan being aired is over (a hook in air).
func (s *Station) offAir() {
	b := &s.board
	b.mu.Lock()
	changed := b.live
	b.live = false
	b.plan = playlist.Plan{}
	b.mu.Unlock()
	if changed {
		s.notifyStatus()
	}
}

func (s *Station) notifyStatus() {
	b := &s.board
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- struct{}{}:
		default: // a change is already pending for this subscriber
		}
	}
}

// Subscribe returns a channel that receives a value after each change of
// what is on air (changes that come together may be merged), and a
// function that ends the subscription.
func (s *Station) Subscribe() (<-chan struct{}, func()) {
	b := &s.board
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[chan struct{}]struct{}{}
	}
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}
}

// Status is what airs now and what comes next: the rest of the plan on air,
// or else the next slot occurrence not yet in the log, as the planner fills
// it now.
func (s *Station) Status(ctx context.Context) (Status, error) {
	now := s.Clock.Now()
	st := Status{Zone: s.Zone, At: now, Dead: s.deadReason(), Held: s.LogHeld(), Listeners: s.listeners()}
	if s.Sink != nil {
		st.Output = s.Sink.Name()
	}
	b := &s.board
	b.mu.Lock()
	live, plan, index, started := b.live, b.plan, b.index, b.started
	b.mu.Unlock()
	if live && index < len(plan.Items) {
		it := plan.Items[index]
		st.OnAir = &OnAir{SegmentID: it.Segment.ID, Title: it.Segment.Title, Topics: it.Segment.Topics, Slot: plan.Slot,
			Started: started, Length: it.Segment.Duration}
		shift := started.Sub(it.StartsAt)
		for _, n := range plan.Items[index+1:] {
			st.Next = append(st.Next, UpNext{SegmentID: n.Segment.ID, Title: n.Segment.Title, Topics: n.Segment.Topics, Slot: plan.Slot,
				StartsAt: n.StartsAt.Add(shift), Length: n.Segment.Duration})
		}
		if len(st.Next) > 0 {
			return st, nil
		}
	}
	occs := playlist.Occurrences(s.planner().Slots, now.In(s.loc), now.Add(lookAhead).In(s.loc))
	for _, occ := range occs {
		if !occ.Start.After(now) {
			continue
		}
		done, err := s.Store.HasScheduled(ctx, s.zone(), occ.Slot, occ.Start, occ.End())
		if err != nil {
			return st, err
		}
		if done {
			continue
		}
		p, err := s.plan(ctx, occ)
		if err != nil {
			return st, err
		}
		st.NextSlot, st.NextSlotAt = occ.Slot, occ.Start
		for _, it := range p.Items {
			st.Next = append(st.Next, UpNext{SegmentID: it.Segment.ID, Title: it.Segment.Title, Topics: it.Segment.Topics, Slot: p.Slot,
				StartsAt: it.StartsAt, Length: it.Segment.Duration})
		}
		break
	}
	return st, nil
}
