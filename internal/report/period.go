package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period kinds accepted in Input.Kind.
const (
	KindMonth   = "month"
	KindQuarter = "quarter"
	KindYear    = "year"
	KindRange   = "range"
)

// daysPerMonth is the average Gregorian month, used to scale monthly targets
// to an arbitrary range.
const daysPerMonth = 365.2425 / 12 // 30.436875

// PeriodError is returned by ParseMonth, ParseQuarter and ParseYear. Its
// message names the bad value and the expected form; Localize says it to the
// operator.
type PeriodError struct {
	Kind  string // "month", "quarter" or "year"
	Value string
	Want  string
}

func (e *PeriodError) Error() string {
	return fmt.Sprintf("%s %q: want %s", e.Kind, e.Value, e.Want)
}

// Localize is the message for the operator, in Vietnamese unless lang is
// "en": what was wrong and the form to use instead.
func (e *PeriodError) Localize(lang string) string {
	en := lang == "en"
	switch e.Kind {
	case KindQuarter:
		if en {
			return fmt.Sprintf("Invalid quarter: %q — choose a quarter like Q4/2026 (or 2026-Q4), quarter 1 to 4", e.Value)
		}
		return fmt.Sprintf("Quý không hợp lệ: %q — hãy chọn quý dạng Q4/2026 (hoặc 2026-Q4), quý từ 1 đến 4", e.Value)
	case KindYear:
		if en {
			return fmt.Sprintf("Invalid year: %q — choose a year like 2026", e.Value)
		}
		return fmt.Sprintf("Năm không hợp lệ: %q — hãy chọn năm dạng 2026", e.Value)
	}
	if en {
		return fmt.Sprintf("Invalid month: %q — choose a month like 11/2026 (or 2026-11), month 1 to 12", e.Value)
	}
	return fmt.Sprintf("Tháng không hợp lệ: %q — hãy chọn tháng dạng 11/2026 (hoặc 2026-11), tháng từ 1 đến 12", e.Value)
}

// ParseMonth parses a month and returns the first and last calendar day of
// that month at midnight in loc (nil means UTC). It takes "YYYY-MM" (what an
// HTML month input sends) and the way it is written by hand in Vietnam:
// "11/2026", "5/2026", "T11/2026", "tháng 11/2026".
func ParseMonth(s string, loc *time.Location) (from, to time.Time, err error) {
	bad := func(want string) (time.Time, time.Time, error) {
		return time.Time{}, time.Time{}, &PeriodError{Kind: KindMonth, Value: s, Want: want}
	}
	ys, ms, ok := strings.Cut(s, "-")
	if !ok || len(ys) != 4 || len(ms) != 2 {
		// The hand-written form: [T|tháng ]M/YYYY.
		var slash bool
		ms, ys, slash = strings.Cut(trimMonthWord(strings.TrimSpace(s)), "/")
		if !slash || len(ms) < 1 || len(ms) > 2 || len(ys) != 4 {
			return bad("YYYY-MM, e.g. 2024-05")
		}
	}
	if !digits(ys) || !digits(ms) {
		return bad("YYYY-MM, e.g. 2024-05")
	}
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	if y < 1 {
		return bad("YYYY-MM with a year from 0001")
	}
	if m < 1 || m > 12 {
		return bad("YYYY-MM with a month from 01 to 12")
	}
	loc = orUTC(loc)
	from = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 1, -1), nil
}

// trimMonthWord drops a leading "T", "Th" or "tháng" (any case, then
// optional spaces) from a hand-written month.
func trimMonthWord(s string) string {
	l := strings.ToLower(s)
	for _, p := range []string{"tháng", "thang", "th", "t"} {
		if strings.HasPrefix(l, p) {
			return strings.TrimSpace(s[len(p):])
		}
	}
	return s
}

// ParseQuarter parses a quarter, "YYYY-Qn" or "Qn/YYYY" (n from 1 to 4; "q"
// and "Qn-YYYY" are accepted too), and returns the first and last calendar
// day of the quarter in loc.
func ParseQuarter(s string, loc *time.Location) (from, to time.Time, err error) {
	bad := func(want string) (time.Time, time.Time, error) {
		return time.Time{}, time.Time{}, &PeriodError{Kind: KindQuarter, Value: s, Want: want}
	}
	isQ := func(qs string) bool { return len(qs) == 2 && (qs[0] == 'Q' || qs[0] == 'q') && digits(qs[1:]) }
	t := strings.TrimSpace(s)
	ys, qs, ok := strings.Cut(t, "-")
	if !ok || !isQ(qs) {
		if qs, ys, ok = strings.Cut(t, "/"); !ok {
			qs, ys, ok = strings.Cut(t, "-")
		}
	}
	if !ok || len(ys) != 4 || !digits(ys) || !isQ(qs) {
		return bad("YYYY-Qn, e.g. 2024-Q2")
	}
	y, _ := strconv.Atoi(ys)
	q := int(qs[1] - '0')
	if y < 1 {
		return bad("YYYY-Qn with a year from 0001")
	}
	if q < 1 || q > 4 {
		return bad("YYYY-Qn with n from 1 to 4")
	}
	loc = orUTC(loc)
	from = time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 3, -1), nil
}

// ParseYear parses "YYYY" and returns 1 January and 31 December in loc.
func ParseYear(s string, loc *time.Location) (from, to time.Time, err error) {
	t := strings.TrimSpace(s)
	if len(t) != 4 || !digits(t) || t == "0000" {
		return time.Time{}, time.Time{}, &PeriodError{Kind: KindYear, Value: s, Want: "YYYY, e.g. 2024"}
	}
	y, _ := strconv.Atoi(t)
	loc = orUTC(loc)
	return time.Date(y, 1, 1, 0, 0, 0, 0, loc), time.Date(y, 12, 31, 0, 0, 0, 0, loc), nil
}

// DefaultMonth is the month a report is asked for when none is chosen, at
// now in loc: the month before during its first ten days (when last month's
// report is the one being written), else the current month. It is the first
// day of that month.
func DefaultMonth(now time.Time, loc *time.Location) time.Time {
	n := now.In(orUTC(loc))
	first := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, n.Location())
	if n.Day() <= 10 {
		return first.AddDate(0, -1, 0)
	}
	return first
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// civil is a calendar date without a zone.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time, loc *time.Location) civil {
	y, m, d := t.In(loc).Date()
	return civil{y, m, d}
}

func (c civil) String() string { return fmt.Sprintf("%04d-%02d-%02d", c.y, int(c.m), c.d) }

func (c civil) utc() time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC) }

func (c civil) addDays(n int) civil { return civilOf(c.utc().AddDate(0, 0, n), time.UTC) }

func (c civil) weekday() time.Weekday { return c.utc().Weekday() }

// daysInclusive counts the calendar days from a to b, both included; zero if
// b is before a.
func daysInclusive(a, b civil) int {
	n := int(b.utc().Sub(a.utc()).Hours()/24) + 1
	if n < 0 {
		return 0
	}
	return n
}

// normKind maps Input.Kind to one of the four kinds; anything unknown is a range.
func normKind(k string) string {
	switch k = strings.ToLower(strings.TrimSpace(k)); k {
	case KindMonth, KindQuarter, KindYear:
		return k
	}
	return KindRange
}

// targetScale is how many monthly targets fit in the period.
func targetScale(kind string, from, to civil) float64 {
	switch kind {
	case KindMonth:
		return 1
	case KindQuarter:
		return 3
	case KindYear:
		return 12
	}
	return float64(daysInclusive(from, to)) / daysPerMonth
}

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// periodLabel names the period as the report title does: "tháng 5 năm 2024",
// "quý 2 năm 2024", "năm 2024", "từ ngày 01/05/2024 đến ngày 15/05/2024";
// in English "May 2024", "Q2 2024", "2024", "from 1 May 2024 to 15 May 2024".
func periodLabel(kind string, from, to civil, lang string) string {
	en := lang == "en"
	switch kind {
	case KindMonth:
		if en {
			return fmt.Sprintf("%s %d", monthsEN[from.m-1], from.y)
		}
		return fmt.Sprintf("tháng %d năm %d", int(from.m), from.y)
	case KindQuarter:
		q := (int(from.m)-1)/3 + 1
		if en {
			return fmt.Sprintf("Q%d %d", q, from.y)
		}
		return fmt.Sprintf("quý %d năm %d", q, from.y)
	case KindYear:
		if en {
			return strconv.Itoa(from.y)
		}
		return fmt.Sprintf("năm %d", from.y)
	}
	if en {
		return fmt.Sprintf("from %s to %s", dateEN(from), dateEN(to))
	}
	return fmt.Sprintf("từ ngày %s đến ngày %s", dateVI(from), dateVI(to))
}

func dateVI(c civil) string { return fmt.Sprintf("%02d/%02d/%04d", c.d, int(c.m), c.y) }

func dateEN(c civil) string { return fmt.Sprintf("%d %s %d", c.d, monthsEN[c.m-1], c.y) }

func parseCivil(s string) (civil, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return civil{}, false
	}
	return civilOf(t, time.UTC), true
}
