package playlist

import (
	"slices"
	"sort"
	"time"
)

// Schedule gives the next activation strictly after t (robfig/cron's
// Schedule satisfies it).
type Schedule interface {
	Next(t time.Time) time.Time
}

// Slot is a recurring programme slot (khung giờ phát).
type Slot struct {
	Name     string
	Title    string
	Schedule Schedule
	Length   time.Duration
	// Topics restricts the slot to these topic codes; empty allows all.
	Topics []string
	// DaysOff are the days on which the slot does not occur.
	DaysOff []DateRange
	// Intro and Outro, when set, are jingles played before the first item
	// and after the last, separated from them by the gap. They are not
	// segments: they have no airing rows and count for no topic.
	Intro, Outro *Jingle
	// Zones are the codes of the zones the slot airs in; empty is every
	// zone.
	Zones []string
}

// InZone says whether the slot airs in the zone with that code.
func (s Slot) InZone(code string) bool {
	return len(s.Zones) == 0 || slices.Contains(s.Zones, code)
}

// Jingle is a slot's intro or outro: a file and how long it plays.
type Jingle struct {
	Path     string
	Duration time.Duration
	// LoudnessLUFS and TruePeakDBTP, as for a segment, for normalisation.
	LoudnessLUFS float64
	TruePeakDBTP float64
	Channels     int
}

// Lead is the time from an occurrence's start to its first item: the intro
// and the gap after it (zero without an intro).
func (s Slot) Lead(gap time.Duration) time.Duration {
	if s.Intro == nil {
		return 0
	}
	return s.Intro.Duration + gap
}

// Tail is the time an occurrence keeps after its last item: the gap and
// the outro (zero without an outro).
func (s Slot) Tail(gap time.Duration) time.Duration {
	if s.Outro == nil {
		return 0
	}
	return gap + s.Outro.Duration
}

// DateRange is a span of calendar days, both ends included (YYYY-MM-DD).
type DateRange struct{ From, To string }

// Contains reports whether the day (YYYY-MM-DD) is in the range.
func (r DateRange) Contains(day string) bool { return day >= r.From && day <= r.To }

// Off reports whether the slot does not occur on the day (YYYY-MM-DD).
func (s Slot) Off(day string) bool {
	for _, r := range s.DaysOff {
		if r.Contains(day) {
			return true
		}
	}
	return false
}

// Allows reports whether a segment tagged with topics may air in the slot.
func (s Slot) Allows(topics []string) bool {
	if len(s.Topics) == 0 {
		return true
	}
	for _, t := range topics {
		for _, a := range s.Topics {
			if t == a {
				return true
			}
		}
	}
	return false
}

// Occurrence is one dated instance of a slot.
type Occurrence struct {
	Slot   string
	Start  time.Time
	Length time.Duration
}

// End is when the occurrence's time is up.
func (o Occurrence) End() time.Time { return o.Start.Add(o.Length) }

// Occurrences lists every occurrence of the slots starting in [from, to),
// ordered by start, then by the slots' order. Times are in from's location.
func Occurrences(slots []Slot, from, to time.Time) []Occurrence {
	var out []Occurrence
	order := map[string]int{}
	for i, s := range slots {
		order[s.Name] = i
		for t := s.Schedule.Next(from.Add(-time.Nanosecond)); !t.IsZero() && t.Before(to); t = s.Schedule.Next(t) {
			start := t.In(from.Location())
			if len(s.DaysOff) > 0 && s.Off(start.Format("2006-01-02")) {
				continue
			}
			out = append(out, Occurrence{Slot: s.Name, Start: start, Length: s.Length})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return order[out[i].Slot] < order[out[j].Slot]
	})
	return out
}
