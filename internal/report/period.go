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
// message names the bad value and the expected form.
type PeriodError struct {
	Kind  string // "month", "quarter" or "year"
	Value string
	Want  string
}

func (e *PeriodError) Error() string {
	return fmt.Sprintf("%s %q: want %s", e.Kind, e.Value, e.Want)
}

// ParseMonth parses "YYYY-MM" and returns the first and last calendar day of
// that month at midnight in loc (nil means UTC).
func ParseMonth(s string, loc *time.Location) (from, to time.Time, err error) {
	bad := func(want string) (time.Time, time.Time, error) {
		return time.Time{}, time.Time{}, &PeriodError{Kind: KindMonth, Value: s, Want: want}
	}
	ys, ms, ok := strings.Cut(s, "-")
	if !ok || len(ys) != 4 || len(ms) != 2 || !digits(ys) || !digits(ms) {
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

// ParseQuarter parses "YYYY-Qn" (n from 1 to 4; "q" is accepted too) and
// returns the first and last calendar day of the quarter in loc.
func ParseQuarter(s string, loc *time.Location) (from, to time.Time, err error) {
	bad := func(want string) (time.Time, time.Time, error) {
		return time.Time{}, time.Time{}, &PeriodError{Kind: KindQuarter, Value: s, Want: want}
	}
	ys, qs, ok := strings.Cut(s, "-")
	if !ok || len(ys) != 4 || !digits(ys) || len(qs) != 2 || (qs[0] != 'Q' && qs[0] != 'q') || !digits(qs[1:]) {
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
	if len(s) != 4 || !digits(s) || s == "0000" {
		return time.Time{}, time.Time{}, &PeriodError{Kind: KindYear, Value: s, Want: "YYYY, e.g. 2024"}
	}
	y, _ := strconv.Atoi(s)
	loc = orUTC(loc)
	return time.Date(y, 1, 1, 0, 0, 0, 0, loc), time.Date(y, 12, 31, 0, 0, 0, 0, loc), nil
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
