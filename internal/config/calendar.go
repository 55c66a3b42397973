package config

import (
	"fmt"
	"strings"
	"time"
)

// ParseDayOff parses "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" into the
// first and last day, both included.
func ParseDayOff(s string) (from, to string, err error) {
	from, to, isRange := strings.Cut(strings.TrimSpace(s), "..")
	if !isRange {
		to = from
	}
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	for _, d := range []string{from, to} {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return "", "", fmt.Errorf("day off %q: want YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD", s)
		}
	}
	if to < from {
		return "", "", fmt.Errorf("day off %q: the range ends before it starts", s)
	}
	return from, to, nil
}

// QuietSpan is a span of the day, in seconds from midnight; it crosses
// midnight when End < Start.
type QuietSpan struct{ Start, End int }

// ParseQuietHours parses "HH:MM-HH:MM".
func ParseQuietHours(s string) (QuietSpan, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return QuietSpan{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM, e.g. 21:00-05:00", s)
	}
	var span QuietSpan
	for i, part := range []string{a, b} {
		t, err := time.Parse("15:04", strings.TrimSpace(part))
		if err != nil {
			return QuietSpan{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM, e.g. 21:00-05:00", s)
		}
		secs := t.Hour()*3600 + t.Minute()*60
		if i == 0 {
			span.Start = secs
		} else {
			span.End = secs
		}
	}
	if span.Start == span.End {
		return QuietSpan{}, fmt.Errorf("quiet hours %q: the span is empty", s)
	}
	return span, nil
}

// Contains reports whether the time of day of t falls in the span.
func (q QuietSpan) Contains(t time.Time) bool {
	x := t.Hour()*3600 + t.Minute()*60 + t.Second()
	if q.Start < q.End {
		return x >= q.Start && x < q.End
	}
	return x >= q.Start || x < q.End
}

// Overlaps reports whether [start, end) touches the span on any day.
func (q QuietSpan) Overlaps(start, end time.Time) bool {
	if q.Contains(start) {
		return true
	}
	// The span's start falls inside the interval on some day it covers.
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, start.Location())
	for d := day; d.Before(end); d = d.AddDate(0, 0, 1) {
		qs := d.Add(time.Duration(q.Start) * time.Second)
		if !qs.Before(start) && qs.Before(end) {
			return true
		}
	}
	return false
}
