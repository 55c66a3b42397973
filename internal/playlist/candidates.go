package playlist

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// never is the last-aired key of a segment that never aired: before any time.
const never = math.MinInt64

// candidates indexes a library for filling occurrences: per topic, the
// segments that may ever be chosen (not retired, not emergencies, approved
// when approval is required, with a length), split into priority and normal,
// each list sorted by when the segment last aired (never first), then id,
// then library position. Filling an occurrence reads the front of a few
// lists — the least recently aired come first and the ones inside the
// no-repeat window form the tail — instead of rescanning the whole library.
// Preview keeps one index across the occurrences it plans and moves the
// segments each plan assumes aired to their new place.
type candidates struct {
	p      *Planner
	lib    []Segment
	ledger *Ledger

	choosable []bool  // by library position: may ever be chosen
	last      []int64 // by library position: last aired (UnixNano) or never
	valid     []bool  // by library position: choosable and valid on day
	day       string  // the date valid is for
	taken     []bool  // by library position: already in the occurrence being filled
	pinNow    []bool  // by library position: pinned to the occurrence being filled

	lists  []topicList // by topic code
	byCode map[string]int
	pinned []int32 // choosable positions with pins
	bare   []int32 // choosable positions without a topic
	byID   map[int64][]int32
	slots  map[string]*slotView
	topics map[string]*Topic // targets by code (the last one of a code wins)

	// Scratch reused from one occurrence to the next.
	groups []group
	pins   []int32
}

// topicList is one topic's choosable segments: tiers[0] priority, tiers[1]
// normal, with the shortest length in each.
type topicList struct {
	code     string
	tiers    [2][]int32
	shortest [2]time.Duration
}

// slotView is what the index knows of a slot.
type slotView struct {
	slot  Slot
	any   bool  // the library has a segment the slot allows, in whatever state
	open  bool  // the slot allows every topic
	lists []int // the lists of the topics the slot allows
}

// group is a topic competing for the occurrence being filled.
type group struct {
	list  int
	topic *Topic
	score float64
	extra Tally // what this occurrence has given the topic so far
}

func newCandidates(p *Planner, library []Segment, ledger *Ledger) *candidates {
	n := len(library)
	ix := &candidates{p: p, lib: library, ledger: ledger,
		choosable: make([]bool, n), last: make([]int64, n), valid: make([]bool, n),
		taken: make([]bool, n), pinNow: make([]bool, n),
		byCode: map[string]int{}, slots: map[string]*slotView{}, topics: make(map[string]*Topic, len(p.Topics))}
	for i := range p.Topics {
		ix.topics[p.Topics[i].Code] = &p.Topics[i]
	}
	var codes []string
	for i := range library {
		s := &library[i]
		ix.last[i] = ledger.lastKey(s.ID)
		if s.Retired || s.Priority == PriorityEmergency || (p.ApprovalRequired && !s.Approved) || s.Duration <= 0 {
			continue
		}
		ix.choosable[i] = true
		if len(s.Pins) > 0 {
			ix.pinned = append(ix.pinned, int32(i))
		}
		if len(s.Topics) == 0 {
			ix.bare = append(ix.bare, int32(i))
		}
		for _, code := range s.Topics {
			if _, ok := ix.byCode[code]; !ok {
				ix.byCode[code] = -1
				codes = append(codes, code)
			}
		}
	}
	slices.Sort(codes)
	ix.lists = make([]topicList, len(codes))
	for i, code := range codes {
		ix.lists[i].code = code
		ix.byCode[code] = i
	}
	for i := range library {
		if !ix.choosable[i] {
			continue
		}
		s := &library[i]
		tier := ix.tier(s)
		for k, code := range s.Topics {
			if slices.Contains(s.Topics[:k], code) {
				continue
			}
			l := &ix.lists[ix.byCode[code]]
			l.tiers[tier] = append(l.tiers[tier], int32(i))
		}
	}
	for i := range ix.lists {
		l := &ix.lists[i]
		for t := range l.tiers {
			slices.SortFunc(l.tiers[t], ix.compare)
			l.shortest[t] = time.Duration(math.MaxInt64)
			for _, k := range l.tiers[t] {
				l.shortest[t] = min(l.shortest[t], library[k].Duration)
			}
		}
	}
	return ix
}

func (ix *candidates) tier(s *Segment) int {
	if s.Priority == PriorityPriority {
		return 0
	}
	return 1
}

// compare orders positions by last aired, then id, then position.
func (ix *candidates) compare(a, b int32) int {
	if c := cmp.Compare(ix.last[a], ix.last[b]); c != 0 {
		return c
	}
	if c := cmp.Compare(ix.lib[a].ID, ix.lib[b].ID); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// before: a comes strictly before b (least recently aired, then lower id).
func (ix *candidates) before(a, b int32) bool {
	if ix.last[a] != ix.last[b] {
		return ix.last[a] < ix.last[b]
	}
	return ix.lib[a].ID < ix.lib[b].ID
}

func (ix *candidates) slotView(name string) *slotView {
	if v, ok := ix.slots[name]; ok {
		return v
	}
	sl, _ := ix.p.Slot(name)
	v := &slotView{slot: sl, open: len(sl.Topics) == 0}
	for i := range ix.lib {
		if sl.Allows(ix.lib[i].Topics) {
			v.any = true
			break
		}
	}
	for i, l := range ix.lists {
		if v.open || sl.Allows([]string{l.code}) {
			v.lists = append(v.lists, i)
		}
	}
	ix.slots[name] = v
	return v
}

func (ix *candidates) setDay(day string) {
	if day == ix.day {
		return
	}
	ix.day = day
	for i := range ix.lib {
		ix.valid[i] = ix.choosable[i] && ix.lib[i].ValidOn(day)
	}
}

// fill plans one occurrence; see Planner.Fill for the rules.
func (ix *candidates) fill(occ Occurrence) Plan {
	p := ix.p
	plan := Plan{Occurrence: occ}
	sv := ix.slotView(occ.Slot)
	date := occ.Start.In(p.Location).Format("2006-01-02")
	ix.setDay(date)
	pace := p.pace(occ.Start)
	month := ix.ledger.month(occ.Start)
	// A segment that last aired after recent is inside the no-repeat window
	// (measured between occurrences: the occurrence's length is allowed
	// for). A pin is the operator's explicit choice and beats the window.
	recent := int64(math.MaxInt64)
	if p.NoRepeat > 0 {
		recent = occ.Start.Add(-p.NoRepeat + occ.Length).UnixNano()
	}

	ix.pins = ix.pins[:0]
	for _, i := range ix.pinned {
		s := &ix.lib[i]
		if ix.valid[i] && s.PinnedTo(date, occ.Slot) && sv.slot.Allows(s.Topics) {
			ix.pinNow[i] = true
			ix.pins = append(ix.pins, i)
		}
	}
	ix.groups = ix.groups[:0]
	for _, li := range sv.lists {
		ix.groups = append(ix.groups, group{list: li, topic: ix.topics[ix.lists[li].code]})
	}
	groups := ix.groups

	// Items start after the intro and must end before the outro.
	used, room := sv.slot.Lead(p.Gap), occ.Length-sv.slot.Tail(p.Gap)
	for {
		left := room - used
		if len(plan.Items) > 0 {
			left -= p.Gap
		}
		for g := range groups {
			groups[g].score = deficit(groups[g].topic, pace, month[ix.lists[groups[g].list].code], groups[g].extra)
		}
		// Highest score first; equal scores by topic code (the lists are
		// in code order), for a stable order.
		slices.SortFunc(groups, func(a, b group) int {
			if a.score != b.score {
				if a.score > b.score {
					return -1
				}
				return 1
			}
			return cmp.Compare(a.list, b.list)
		})
		best := int32(-1)
		for tier := 0; tier < 3 && best < 0; tier++ {
			if tier == 0 && len(ix.pins) == 0 {
				continue
			}
			// Walk groups by descending score; the first score level that
			// has a fitting candidate decides, ties by rotation.
			for i := 0; i < len(groups) && best < 0; {
				j := i
				for j < len(groups) && groups[j].score == groups[i].score {
					c := ix.first(groups[j].list, tier, left, recent)
					if c >= 0 && (best < 0 || ix.before(c, best)) {
						best = c
					}
					j++
				}
				i = j
			}
		}
		if best < 0 {
			break
		}
		ix.taken[best] = true
		seg := &ix.lib[best]
		offset := used
		if len(plan.Items) > 0 {
			offset += p.Gap
		}
		plan.Items = append(plan.Items, Item{Segment: *seg, Offset: offset, StartsAt: occ.Start.Add(offset)})
		used = offset + seg.Duration
		for _, code := range seg.Topics {
			for g := range groups {
				if ix.lists[groups[g].list].code == code {
					groups[g].extra.Airings++
					groups[g].extra.Played += seg.Duration
				}
			}
		}
	}

	if unfilled := room - used; unfilled > 0 {
		sf := &Shortfall{Unfilled: unfilled}
		switch {
		case !sv.any:
			sf.Reason = ShortEmptyLibrary
		case !ix.anyEligible(sv):
			sf.Reason = ShortNoneEligible
		case !ix.anyLeft(sv, date, occ.Slot, recent):
			sf.Reason = ShortAllRecent
		default:
			sf.Reason = ShortTooLong
		}
		plan.Shortfall = sf
	}
	for _, it := range plan.Items {
		for _, i := range ix.byIDs(it.Segment.ID) {
			ix.taken[i] = false
		}
	}
	for _, i := range ix.pins {
		ix.pinNow[i] = false
	}
	return plan
}

// first is the list's first candidate of the tier (0 pinned, 1 priority, 2
// normal) that is not taken and fits in left, or -1.
func (ix *candidates) first(list, tier int, left time.Duration, recent int64) int32 {
	if tier == 0 {
		best := int32(-1)
		code := ix.lists[list].code
		for _, i := range ix.pins {
			if ix.taken[i] || ix.lib[i].Duration > left || !ix.lib[i].HasTopic(code) {
				continue
			}
			if best < 0 || ix.compare(i, best) < 0 {
				best = i
			}
		}
		return best
	}
	l := &ix.lists[list]
	if l.shortest[tier-1] > left {
		return -1 // nothing in the list fits
	}
	for _, i := range l.tiers[tier-1] {
		if ix.last[i] > recent {
			break // the rest aired within the no-repeat window
		}
		if !ix.valid[i] || ix.taken[i] || ix.pinNow[i] || ix.lib[i].Duration > left {
			continue
		}
		return i
	}
	return -1
}

// anyEligible: some segment the slot allows is approved and valid that day.
func (ix *candidates) anyEligible(sv *slotView) bool {
	for _, li := range sv.lists {
		for _, tier := range ix.lists[li].tiers {
			for _, i := range tier {
				if ix.valid[i] {
					return true
				}
			}
		}
	}
	if sv.open {
		for _, i := range ix.bare {
			if ix.valid[i] {
				return true
			}
		}
	}
	return false
}

// anyLeft: some eligible segment, pinned or outside the no-repeat window,
// was not taken (it did not fit, or — without a topic — cannot be chosen).
func (ix *candidates) anyLeft(sv *slotView, date, slot string, recent int64) bool {
	for _, i := range ix.pins {
		if !ix.taken[i] {
			return true
		}
	}
	for _, li := range sv.lists {
		for _, tier := range ix.lists[li].tiers {
			for _, i := range tier {
				if ix.last[i] > recent {
					break
				}
				if ix.valid[i] && !ix.taken[i] {
					return true
				}
			}
		}
	}
	if sv.open {
		for _, i := range ix.bare {
			if ix.valid[i] && (ix.last[i] <= recent || ix.lib[i].PinnedTo(date, slot)) {
				return true
			}
		}
	}
	return false
}

// byIDs lists the library positions holding the segment id.
func (ix *candidates) byIDs(id int64) []int32 {
	if ix.byID == nil {
		ix.byID = make(map[int64][]int32, len(ix.lib))
		for i := range ix.lib {
			ix.byID[ix.lib[i].ID] = append(ix.byID[ix.lib[i].ID], int32(i))
		}
	}
	return ix.byID[id]
}

// aired moves the plan's segments to their place after the ledger has
// recorded the plan (Assume).
func (ix *candidates) aired(plan Plan) {
	for _, it := range plan.Items {
		key := ix.ledger.lastKey(it.Segment.ID)
		for _, i := range ix.byIDs(it.Segment.ID) {
			if ix.last[i] == key {
				continue
			}
			if !ix.choosable[i] {
				ix.last[i] = key
				continue
			}
			s := &ix.lib[i]
			tier := ix.tier(s)
			for k, code := range s.Topics {
				if slices.Contains(s.Topics[:k], code) {
					continue
				}
				l := ix.lists[ix.byCode[code]].tiers[tier]
				at, _ := slices.BinarySearchFunc(l, i, ix.compare)
				l = slices.Delete(l, at, at+1)
				ix.lists[ix.byCode[code]].tiers[tier] = l
			}
			ix.last[i] = key
			for k, code := range s.Topics {
				if slices.Contains(s.Topics[:k], code) {
					continue
				}
				l := ix.lists[ix.byCode[code]].tiers[tier]
				at, _ := slices.BinarySearchFunc(l, i, ix.compare)
				ix.lists[ix.byCode[code]].tiers[tier] = slices.Insert(l, at, i)
			}
		}
	}
}

// deficit is how far the topic is behind its target pace, as a share of the
// target (1 = a whole month behind, negative = ahead), given what it got this
// month and what the occurrence being filled gives it. A topic without a
// target scores 0.
func deficit(topic *Topic, pace float64, got, extra Tally) float64 {
	if topic == nil || (topic.TargetAirings == 0 && topic.TargetMinutes == 0) {
		return 0
	}
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
