// Package playlist holds the broadcast domain — topics, segments, slots,
// occurrences, airings — and the planner that fills slot occurrences from the
// library. It does no I/O.
package playlist

import (
	"fmt"
	"time"
)

// Priority ranks a segment. Emergency segments preempt what is playing;
// priority segments go first in their slot; normal segments fill the rest.
type Priority string

const (
	PriorityNormal    Priority = "normal"
	PriorityPriority  Priority = "priority"
	PriorityEmergency Priority = "emergency"
)

// ParsePriority accepts the English contract words and the Vietnamese ones.
func ParsePriority(s string) (Priority, error) {
	switch s {
	case "", "normal", "thong-thuong", "thông thường":
		return PriorityNormal, nil
	case "priority", "uu-tien", "ưu tiên":
		return PriorityPriority, nil
	case "emergency", "khan-cap", "khẩn cấp":
		return PriorityEmergency, nil
	}
	return "", fmt.Errorf("priority %q: want normal, priority or emergency", s)
}

// Topic is one content area of the commune's CCHC plan.
type Topic struct {
	Code string
	Name string
	// PlanItem is the item of the plan the topic comes from (a, b, c, d, đ).
	PlanItem string
	// TargetAirings and TargetMinutes are the monthly targets; zero means none.
	TargetAirings int
	TargetMinutes float64
}

// Segment is one recorded item of the library (bản tin).
type Segment struct {
	ID           int64
	Title        string
	Topics       []string
	Path         string
	SHA256       string
	Duration     time.Duration
	SampleRate   int
	Channels     int
	BitDepth     int
	LoudnessLUFS float64
	TruePeakDBTP float64
	Priority     Priority
	// ValidFrom and ValidUntil are calendar dates (YYYY-MM-DD) in the station's
	// zone, both inclusive; empty means open-ended.
	ValidFrom  string
	ValidUntil string
	Approved   bool
	ApprovedBy string
	ApprovedAt time.Time
	Retired    bool
	ImportedAt time.Time
	// Pins put the segment first in given slot occurrences.
	Pins []Pin
	// SilenceStart and SilenceEnd are the leading and trailing silence
	// measured at import (below -60 dBFS); SilenceKnown is false for a
	// segment imported before they were measured.
	SilenceStart, SilenceEnd time.Duration
	SilenceKnown             bool
	// TrimStart and TrimEnd are what is cut from the file's start and end as
	// it airs; set by Trimmed, when Duration is what remains.
	TrimStart, TrimEnd time.Duration
}

// Trimmed returns the segment as it airs with its leading and trailing
// silence cut: Duration becomes the length that plays. A segment whose
// silence was never measured, or that is silent throughout, is returned
// whole (it plays untrimmed, and is planned at its full length).
func (s Segment) Trimmed() Segment {
	if !s.SilenceKnown || s.TrimStart != 0 || s.TrimEnd != 0 || s.SilenceStart+s.SilenceEnd >= s.Duration {
		return s
	}
	s.TrimStart, s.TrimEnd = max(0, s.SilenceStart), max(0, s.SilenceEnd)
	s.Duration -= s.TrimStart + s.TrimEnd
	return s
}

// Pin places a segment in the occurrence of Slot on Day (YYYY-MM-DD).
type Pin struct {
	Day  string
	Slot string
}

// PinnedTo reports whether the segment is pinned to the slot on the day.
func (s Segment) PinnedTo(day, slot string) bool {
	for _, p := range s.Pins {
		if p.Day == day && p.Slot == slot {
			return true
		}
	}
	return false
}

// ValidOn reports whether the segment may air on the given date (YYYY-MM-DD).
func (s Segment) ValidOn(date string) bool {
	if s.ValidFrom != "" && date < s.ValidFrom {
		return false
	}
	if s.ValidUntil != "" && date > s.ValidUntil {
		return false
	}
	return true
}

// HasTopic reports whether the segment is tagged with code.
func (s Segment) HasTopic(code string) bool {
	for _, t := range s.Topics {
		if t == code {
			return true
		}
	}
	return false
}
