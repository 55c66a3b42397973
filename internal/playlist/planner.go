package playlist

import (
	"math"
	"sort"
	"sync"
	"time"
)

// Planner fills slot occurrences from the library. It is deterministic: the
// same library, ledger and configuration always give the same plan.
type Planner struct {
	Slots    []Slot
	Topics   []Topic
	Location *time.Location
	// NoRepeat keeps a segment out of any occurrence starting within this
	// long after the occurrence it last aired in (measured from the item's
	// start, less the occurrence's length).
	NoRepeat time.Duration
	// Gap is the silence between two items of an occurrence.
	Gap              time.Duration
	ApprovalRequired bool
	// TrimSilence: segments air without their leading and trailing silence,
	// and are planned at that length (see AsAired).
	TrimSilence bool

	// The month's occurrence starts, by month, for pace: filled as they
	// are needed, by planning that may run at once (the station's and a
	// web preview's).
	paceMu           sync.Mutex
	monthOccurrences map[string][]time.Time
}

// Item is one segment planned in an occurrence.
type Item struct {
	Segment  Segment
	Offset   time.Duration // from the occurrence's start
	StartsAt time.Time
}

// Shortfall says how much of an occurrence stays empty and why.
type Shortfall struct {
	Unfilled time.Duration
	Reason   ShortfallReason
}

// ShortfallReason is why an occurrence could not be filled.
type ShortfallReason string

const (
	ShortEmptyLibrary ShortfallReason = "empty_library" // no segment at all for this slot
	ShortNoneEligible ShortfallReason = "none_eligible" // none approved and valid on that date
	ShortAllRecent    ShortfallReason = "all_recent"    // every eligible one aired within the no-repeat window or is already in the slot
	ShortTooLong      ShortfallReason = "too_long"      // what is left is longer than the time left
)

// Plan is an occurrence with what will air in it.
type Plan struct {
	Occurrence
	Items     []Item
	Shortfall *Shortfall
	// Zone is the code of the zone the plan airs in, when the use-case
	// layer plans several (commune.Plan); "" from the planner itself.
	Zone string
}

// ForZone is the planner of one zone: the same rules over the slots that
// air in it. Planned with the zone's own history (its ledger), every
// topic's monthly target applies to each zone on its own.
func (p *Planner) ForZone(code string) *Planner {
	z := &Planner{Topics: p.Topics, Location: p.Location, NoRepeat: p.NoRepeat, Gap: p.Gap,
		ApprovalRequired: p.ApprovalRequired, TrimSilence: p.TrimSilence}
	for _, s := range p.Slots {
		if s.InZone(code) {
			z.Slots = append(z.Slots, s)
		}
	}
	return z
}

// Slot returns the slot called name.
func (p *Planner) Slot(name string) (Slot, bool) {
	for _, s := range p.Slots {
		if s.Name == name {
			return s, true
		}
	}
	return Slot{}, false
}

// Preview plans every occurrence starting in [from, to) in order, assuming
// each planned item airs to completion, and returns the plans. The ledger is
// not modified.
func (p *Planner) Preview(from, to time.Time, library []Segment, ledger *Ledger) []Plan {
	l := ledger.Clone()
	occs := Occurrences(p.Slots, from.In(p.Location), to.In(p.Location))
	if len(occs) == 0 {
		return nil
	}
	plans := make([]Plan, 0, len(occs))
	ix := newCandidates(p, library, l)
	for _, occ := range occs {
		plan := ix.fill(occ)
		p.Assume(plan, l)
		ix.aired(plan)
		plans = append(plans, plan)
	}
	return plans
}

// Assume records a plan's items in the ledger as completed airings.
func (p *Planner) Assume(plan Plan, l *Ledger) {
	for _, it := range plan.Items {
		l.Record(Airing{SegmentID: it.Segment.ID, Topics: it.Segment.Topics, Slot: plan.Slot,
			ScheduledAt: it.StartsAt, StartedAt: it.StartsAt, Played: it.Segment.Duration, Status: StatusCompleted})
	}
}

// Fill plans one occurrence: pinned segments first, then priority ones, then
// by the deficit of the segment's topics against their target pace for the
// month, then the least recently aired, then the lowest id; never past the
// occurrence's length. A segment scores the best of its topics that the slot
// allows.
func (p *Planner) Fill(occ Occurrence, library []Segment, ledger *Ledger) Plan {
	return newCandidates(p, library, ledger).fill(occ)
}

// pace is the share of the month's occurrences that have started by t
// (counting the one at t): where each topic should be against its target.
func (p *Planner) pace(t time.Time) float64 {
	t = t.In(p.Location)
	key := t.Format("2006-01")
	p.paceMu.Lock()
	defer p.paceMu.Unlock()
	if p.monthOccurrences == nil {
		p.monthOccurrences = map[string][]time.Time{}
	}
	starts, ok := p.monthOccurrences[key]
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, p.Location)
	next := first.AddDate(0, 1, 0)
	if !ok {
		starts = monthStarts(p.Slots, first, next)
		p.monthOccurrences[key] = starts
	}
	if starts == nil {
		// Too many occurrences to list (slots seconds apart): the share of
		// the month's time that has passed stands in for them.
		return math.Min(1, float64(t.Sub(first)+time.Second)/float64(next.Sub(first)))
	}
	if len(starts) == 0 {
		return 1
	}
	n := sort.Search(len(starts), func(i int) bool { return starts[i].After(t) })
	return float64(n) / float64(len(starts))
}

// maxMonthOccurrences bounds the list pace keeps of a month's occurrences.
const maxMonthOccurrences = 20000

// monthStarts lists the starts of every occurrence in [first, next), or nil
// when there are more than maxMonthOccurrences.
func monthStarts(slots []Slot, first, next time.Time) []time.Time {
	starts := []time.Time{}
	for _, s := range slots {
		for t := s.Schedule.Next(first.Add(-time.Nanosecond)); !t.IsZero() && t.Before(next); t = s.Schedule.Next(t) {
			if len(starts) == maxMonthOccurrences {
				return nil
			}
			if len(s.DaysOff) > 0 && s.Off(t.Format("2006-01-02")) {
				continue
			}
			starts = append(starts, t)
		}
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	return starts
}

// AsAired returns the library as the planner must count it: with
// TrimSilence, each segment's leading and trailing silence cut (in place).
func (p *Planner) AsAired(library []Segment) []Segment {
	if p.TrimSilence {
		for i := range library {
			library[i] = library[i].Trimmed()
		}
	}
	return library
}
