package playlist

// The planner as it was before the candidate index (commit 5bd9ed6): a plain
// rescan of the library for every occurrence. Kept as the reference that the
// indexed planner must agree with, plan for plan.

import (
	"math"
	"sort"
	"time"
)

// referencePreview is Preview with referenceFill.
func (p *Planner) referencePreview(from, to time.Time, library []Segment, ledger *Ledger) []Plan {
	l := ledger.Clone()
	var plans []Plan
	for _, occ := range Occurrences(p.Slots, from.In(p.Location), to.In(p.Location)) {
		plan := p.referenceFill(occ, library, l)
		p.Assume(plan, l)
		plans = append(plans, plan)
	}
	return plans
}

type refCandidate struct {
	seg      *Segment
	pinned   bool
	priority bool
	last     time.Time
	taken    bool
}

// before orders candidates of equal score: least recently aired (never
// aired first), then lower id.
func (c *refCandidate) before(o *refCandidate) bool {
	if !c.last.Equal(o.last) {
		return c.last.Before(o.last)
	}
	return c.seg.ID < o.seg.ID
}

// Fill plans one occurrence: pinned segments first, then priority ones, then by the deficit of
// the segment's topics against their target pace for the month, then the
// least recently aired, then the lowest id; never past the occurrence's
// length. A segment scores the best of its topics that the slot allows.
func (p *Planner) referenceFill(occ Occurrence, library []Segment, ledger *Ledger) Plan {
	plan := Plan{Occurrence: occ}
	slot, _ := p.Slot(occ.Slot)
	date := occ.Start.In(p.Location).Format("2006-01-02")
	pace := p.pace(occ.Start)

	// Candidates, grouped by topic within two tiers: priority and normal.
	var inSlot, eligible, count int
	cands := make([]refCandidate, 0, len(library))
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
		cands = append(cands, refCandidate{seg: s, pinned: pinned, priority: s.Priority == PriorityPriority, last: last})
	}
	count = len(cands)
	type group struct {
		code  string
		score float64
		tiers [3][]*refCandidate // 0: pinned, 1: priority, 2: normal
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
	used := time.Duration(0)
	taken := 0
	for {
		left := occ.Length - used
		if len(plan.Items) > 0 {
			left -= p.Gap
		}
		for _, g := range order {
			g.score = p.referenceDeficit(g.code, occ.Start, pace, ledger, extra[g.code])
		}
		// Highest score first; equal scores by topic code, for a stable order.
		sort.Slice(order, func(i, j int) bool {
			if order[i].score != order[j].score {
				return order[i].score > order[j].score
			}
			return order[i].code < order[j].code
		})
		var best *refCandidate
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

	if unfilled := occ.Length - used; unfilled > 0 {
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

// deficit is how far the topic is behind its target pace, as a share of the
// target (1 = a whole month behind, negative = ahead). A topic without a
// target scores 0.
func (p *Planner) referenceDeficit(code string, t time.Time, pace float64, l *Ledger, extra Tally) float64 {
	var topic *Topic
	for i := range p.Topics {
		if p.Topics[i].Code == code {
			topic = &p.Topics[i]
		}
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
