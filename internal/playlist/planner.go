package playlist

import (
	"math"
	"sort"
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

	monthOccurrences map[string][]time.Time
	topicIndex       map[string]int
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
	var plans []Plan
	for _, occ := range Occurrences(p.Slots, from.In(p.Location), to.In(p.Location)) {
		plan := p.Fill(occ, library, l)
		p.Assume(plan, l)
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

type candidate struct {
	seg      *Segment
	pinned   bool
	priority bool
	last     time.Time
	taken    bool
}

// before orders candidates of equal score: least recently aired (never
// aired first), then lower id.
func (c *candidate) before(o *candidate) bool {
	if !c.last.Equal(o.last) {
		return c.last.Before(o.last)
	}
	return c.seg.ID < o.seg.ID
}

// Fill plans one occurrence: pinned segments first, then priority ones, then by the deficit of
// the segment's topics against their target pace for the month, then the
// least recently aired, then the lowest id; never past the occurrence's
// length. A segment scores the best of its topics that the slot allows.
func (p *Planner) Fill(occ Occurrence, library []Segment, ledger *Ledger) Plan {
	plan := Plan{Occurrence: occ}
	slot, _ := p.Slot(occ.Slot)
	date := occ.Start.In(p.Location).Format("2006-01-02")
	pace := p.pace(occ.Start)

	// Candidates, grouped by topic within two tiers: priority and normal.
	var inSlot, eligible, count int
	cands := make([]candidate, 0, len(library))
	for i := range library {
		s := &library[i]
		if !slot.Allows(s.Topics) {
			continue
		}
		inSlot++
		if s.Retired || s.Priority == PriorityEmergency || (p.ApprovalRequired && !s.Approved) || !s.ValidOn(date) || s.Duration <= 0 {
			continue
		}
		eligible++
		last := ledger.LastAired(s.ID)
		// A pin is the operator's explicit choice: it beats the no-repeat
		// window, not approval or validity.
		pinned := len(s.Pins) > 0 && s.PinnedTo(date, occ.Slot)
		// The window runs between occurrences: the log has the time the item
		// started within its occurrence, so an item that aired a few minutes
		// into yesterday's 06:00 may air again today at 06:00 with a 24 h
		// window (the occurrence's length is allowed for).
		if !pinned && !last.IsZero() && p.NoRepeat > 0 && last.After(occ.Start.Add(-p.NoRepeat+occ.Length)) {
			continue
		}
		cands = append(cands, candidate{seg: s, pinned: pinned, priority: s.Priority == PriorityPriority, last: last})
	}
	count = len(cands)
	type group struct {
		code  string
		score float64
		tiers [3][]*candidate // 0: pinned, 1: priority, 2: normal
	}
	groups := map[string]*group{}
	var order []*group
	for i := range cands {
		c := &cands[i]
		tier := 2
		switch {
		case c.pinned:
			tier = 0
		case c.priority:
			tier = 1
		}
		for _, code := range c.seg.Topics {
			if len(slot.Topics) > 0 && !slot.Allows([]string{code}) {
				continue
			}
			g := groups[code]
			if g == nil {
				g = &group{code: code}
				groups[code] = g
				order = append(order, g)
			}
			g.tiers[tier] = append(g.tiers[tier], c)
		}
	}

	// Tentative tallies of this occurrence, so that one topic does not take
	// the whole slot.
	extra := map[string]Tally{}
	// Items start after the intro and must end before the outro.
	used, room := slot.Lead(p.Gap), occ.Length-slot.Tail(p.Gap)
	taken := 0
	for {
		left := room - used
		if len(plan.Items) > 0 {
			left -= p.Gap
		}
		for _, g := range order {
			g.score = p.deficit(g.code, occ.Start, pace, ledger, extra[g.code])
		}
		// Highest score first; equal scores by topic code, for a stable order.
		sort.Slice(order, func(i, j int) bool {
			if order[i].score != order[j].score {
				return order[i].score > order[j].score
			}
			return order[i].code < order[j].code
		})
		var best *candidate
		for tier := 0; tier < 3 && best == nil; tier++ {
			// Walk groups by descending score; the first score level that
			// has a fitting candidate decides, ties by rotation.
			for i := 0; i < len(order) && best == nil; {
				j := i
				for j < len(order) && order[j].score == order[i].score {
					for _, c := range order[j].tiers[tier] {
						if c.taken || c.seg.Duration > left {
							continue
						}
						if best == nil || c.before(best) {
							best = c
						}
					}
					j++
				}
				i = j
			}
		}
		if best == nil {
			break
		}
		best.taken = true
		taken++
		offset := used
		if len(plan.Items) > 0 {
			offset += p.Gap
		}
		plan.Items = append(plan.Items, Item{Segment: *best.seg, Offset: offset, StartsAt: occ.Start.Add(offset)})
		used = offset + best.seg.Duration
		for _, code := range best.seg.Topics {
			t := extra[code]
			t.Airings++
			t.Played += best.seg.Duration
			extra[code] = t
		}
	}

	if unfilled := room - used; unfilled > 0 {
		sf := &Shortfall{Unfilled: unfilled}
		switch {
		case inSlot == 0:
			sf.Reason = ShortEmptyLibrary
		case eligible == 0:
			sf.Reason = ShortNoneEligible
		case taken == count:
			sf.Reason = ShortAllRecent
		default:
			sf.Reason = ShortTooLong
		}
		plan.Shortfall = sf
	}
	return plan
}

// pace is the share of the month's occurrences that have started by t
// (counting the one at t): where each topic should be against its target.
func (p *Planner) pace(t time.Time) float64 {
	t = t.In(p.Location)
	key := t.Format("2006-01")
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

// deficit is how far the topic is behind its target pace, as a share of the
// target (1 = a whole month behind, negative = ahead). A topic without a
// target scores 0.
func (p *Planner) deficit(code string, t time.Time, pace float64, l *Ledger, extra Tally) float64 {
	if p.topicIndex == nil {
		p.topicIndex = make(map[string]int, len(p.Topics))
		for i, t := range p.Topics {
			p.topicIndex[t.Code] = i
		}
	}
	var topic *Topic
	if i, ok := p.topicIndex[code]; ok {
		topic = &p.Topics[i]
	}
	if topic == nil || (topic.TargetAirings == 0 && topic.TargetMinutes == 0) {
		return 0
	}
	got := l.Delivered(code, t)
	got.Airings += extra.Airings
	got.Played += extra.Played
	d := math.Inf(-1)
	if topic.TargetAirings > 0 {
		want := float64(topic.TargetAirings) * pace
		d = math.Max(d, (want-float64(got.Airings))/float64(topic.TargetAirings))
	}
	if topic.TargetMinutes > 0 {
		want := topic.TargetMinutes * pace
		d = math.Max(d, (want-got.Played.Minutes())/topic.TargetMinutes)
	}
	return d
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
