package report

import (
	"fmt"
	"strings"
)

// calendarMonth is one month of the calendar laid out in weeks, Monday
// first; a nil day is outside the month or the period.
type calendarMonth struct {
	first civil
	weeks [][7]*Day
}

// calendar lays r.Days out month by month.
func (r Report) calendar() []calendarMonth {
	var months []calendarMonth
	for i := range r.Days {
		d := &r.Days[i]
		c, ok := parseCivil(d.Date)
		if !ok {
			continue
		}
		col := (int(c.weekday()) + 6) % 7
		if n := len(months); n == 0 || months[n-1].first.m != c.m || months[n-1].first.y != c.y {
			months = append(months, calendarMonth{first: c, weeks: [][7]*Day{{}}})
		} else if col == 0 {
			months[n-1].weeks = append(months[n-1].weeks, [7]*Day{})
		}
		m := &months[len(months)-1]
		m.weeks[len(m.weeks)-1][col] = d
	}
	return months
}

// incidents is the number of airings of the day that did not complete.
func (d Day) incidents() int { return d.Interrupted + d.Missed + d.Failed }

// daysText renders the calendar as week rows: each cell is the day of the
// month, the completed airings ("-" when nothing was logged) and "!" when
// an airing did not complete.
func (r Report) daysText(wd words, page int) []string {
	const cellGap = "  "
	months := r.calendar()
	labelW := 0
	for _, m := range months {
		labelW = max(labelW, width(wd.monthLabel(m.first)))
	}
	cells := make([]string, 7)
	cellW := 6
	for _, m := range months {
		for _, wk := range m.weeks {
			for _, d := range wk {
				if d != nil {
					cellW = max(cellW, width(dayCell(*d)))
				}
			}
		}
	}
	out := wrap(wd.daysNote, page)
	for i, name := range wd.weekdays {
		cells[i] = padRight(name, cellW)
	}
	out = append(out, strings.TrimRight(padRight("", labelW)+cellGap+strings.Join(cells, cellGap), " "))
	for _, m := range months {
		for i, wk := range m.weeks {
			label := ""
			if i == 0 {
				label = wd.monthLabel(m.first)
			}
			for j, d := range wk {
				cells[j] = strings.Repeat(" ", cellW)
				if d != nil {
					cells[j] = padRight(dayCell(*d), cellW)
				}
			}
			out = append(out, strings.TrimRight(padRight(label, labelW)+cellGap+strings.Join(cells, cellGap), " "))
		}
	}
	return out
}

// dayCell is "02  3" or "19  0!".
func dayCell(d Day) string {
	count := "-"
	if d.Airings > 0 || d.incidents() > 0 {
		count = fmt.Sprint(d.Airings)
	}
	mark := ""
	if d.incidents() > 0 {
		mark = "!"
	}
	return fmt.Sprintf("%s %2s%s", d.Date[8:], count, mark)
}
