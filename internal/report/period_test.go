package report

import (
	"errors"
	"testing"
	"time"
)

func TestParseHandWrittenPeriods(t *testing.T) {
	loc := hcm(t)
	type parser func(string, *time.Location) (time.Time, time.Time, error)
	tests := []struct {
		name     string
		parse    parser
		in       string
		from, to string
	}{
		{"month/year", ParseMonth, "11/2026", "2026-11-01", "2026-11-30"},
		{"one-digit month/year", ParseMonth, "5/2026", "2026-05-01", "2026-05-31"},
		{"T month", ParseMonth, "T11/2026", "2026-11-01", "2026-11-30"},
		{"tháng month", ParseMonth, "tháng 2/2024", "2024-02-01", "2024-02-29"},
		{"spaces", ParseMonth, " 12/2026 ", "2026-12-01", "2026-12-31"},
		{"ISO month", ParseMonth, "2026-11", "2026-11-01", "2026-11-30"},
		{"Q/year", ParseQuarter, "Q4/2026", "2026-10-01", "2026-12-31"},
		{"Q-year", ParseQuarter, "q1-2026", "2026-01-01", "2026-03-31"},
		{"year-Q", ParseQuarter, "2026-Q3", "2026-07-01", "2026-09-30"},
		{"year", ParseYear, "2026", "2026-01-01", "2026-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, err := tt.parse(tt.in, loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := from.Format(time.DateOnly) + " " + to.Format(time.DateOnly); got != tt.from+" "+tt.to {
				t.Errorf("%q = %s, want %s %s", tt.in, got, tt.from, tt.to)
			}
			if from.Location() != loc {
				t.Errorf("zone %v", from.Location())
			}
		})
	}
}

func TestBadPeriodsSpeakVietnamese(t *testing.T) {
	tests := []struct {
		parse  func(string, *time.Location) (time.Time, time.Time, error)
		in     string
		vi, en string
	}{
		{ParseMonth, "13/2026", `Tháng không hợp lệ: "13/2026" — hãy chọn tháng dạng 11/2026 (hoặc 2026-11), tháng từ 1 đến 12`,
			`Invalid month: "13/2026" — choose a month like 11/2026 (or 2026-11), month 1 to 12`},
		{ParseMonth, "0/2026", `Tháng không hợp lệ: "0/2026"`, `Invalid month: "0/2026"`},
		{ParseMonth, "11/26", `Tháng không hợp lệ: "11/26"`, `Invalid month: "11/26"`},
		{ParseMonth, "11/2026/1", `Tháng không hợp lệ: "11/2026/1"`, `Invalid month: "11/2026/1"`},
		{ParseMonth, "tháng mười", `Tháng không hợp lệ: "tháng mười"`, `Invalid month: "tháng mười"`},
		{ParseQuarter, "Q5/2026", `Quý không hợp lệ: "Q5/2026" — hãy chọn quý dạng Q4/2026 (hoặc 2026-Q4), quý từ 1 đến 4`,
			`Invalid quarter: "Q5/2026" — choose a quarter like Q4/2026`},
		{ParseQuarter, "4/2026", `Quý không hợp lệ: "4/2026"`, `Invalid quarter: "4/2026"`},
		{ParseYear, "26", `Năm không hợp lệ: "26" — hãy chọn năm dạng 2026`, `Invalid year: "26" — choose a year like 2026`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, _, err := tt.parse(tt.in, time.UTC)
			var pe *PeriodError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: error %v, want a PeriodError", tt.in, err)
			}
			if vi := pe.Localize("vi"); len(vi) < len(tt.vi) || vi[:len(tt.vi)] != tt.vi {
				t.Errorf("vi: %s\nwant prefix %s", vi, tt.vi)
			}
			if en := pe.Localize("en"); len(en) < len(tt.en) || en[:len(tt.en)] != tt.en {
				t.Errorf("en: %s\nwant prefix %s", en, tt.en)
			}
		})
	}
}

func TestDefaultMonthIsLastMonthForTheFirstTenDays(t *testing.T) {
	loc := hcm(t)
	tests := []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 12, 1, 0, 0, 0, 0, loc), "2026-11"},
		{time.Date(2026, 12, 10, 23, 59, 0, 0, loc), "2026-11"},
		{time.Date(2026, 12, 11, 0, 0, 0, 0, loc), "2026-12"},
		{time.Date(2027, 1, 5, 8, 0, 0, 0, loc), "2026-12"},
		// 10 December 18:00 UTC is already the 11th in Hà Nội.
		{time.Date(2026, 12, 10, 18, 0, 0, 0, time.UTC), "2026-12"},
		// 31 October 20:00 UTC is 1 November in Hà Nội: October's report.
		{time.Date(2026, 10, 31, 20, 0, 0, 0, time.UTC), "2026-10"},
	}
	for _, tt := range tests {
		got := DefaultMonth(tt.now, loc)
		if got.Format("2006-01") != tt.want || got.Day() != 1 || got.Location() != loc {
			t.Errorf("DefaultMonth(%v) = %v, want %s-01 in %v", tt.now, got, tt.want, loc)
		}
	}
}
