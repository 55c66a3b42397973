package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/xlsx"
)

// Rows of the summary sheet.
const (
	xlsxTableHeadRow = 10 // the heading row of the topic table
	xlsxFirstTopic   = xlsxTableHeadRow + 1
)

// WriteXLSX writes the report as an Excel workbook: the summary (the
// administrative header and the topic table, totals as formulas), the
// airing log of the period (r.Log) and the calendar, with Vietnamese
// headings (lang "vi" or "") or English ones ("en").
func (r Report) WriteXLSX(w io.Writer, lang string) error {
	wd, err := wordsFor(lang)
	if err != nil {
		return err
	}
	f := xlsx.New()
	x := &xlsxWriter{f: f, wd: wd, loc: r.location}
	if x.loc == nil {
		x.loc = time.UTC
	}
	if err := x.styles(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	var sheets [3]*xlsx.Sheet
	for i, name := range []string{wd.sheetSummary, wd.sheetLog, wd.sheetDays} {
		if sheets[i], err = f.AddSheet(name); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	x.summary(sheets[0], r)
	x.log(sheets[1], r.Log)
	x.days(sheets[2], r.Days)
	if x.err != nil {
		return fmt.Errorf("xlsx: %w", x.err)
	}
	f.SetFullCalcOnLoad(true)
	if err := f.SetActive(0); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// xlsxWriter keeps the first error, so that the sheets read as a list of
// cells.
type xlsxWriter struct {
	f   *xlsx.Workbook
	wd  words
	loc *time.Location
	err error

	bold, head, title, italic, num1, dateTime, date, total, totalNum int
	// Topic rows: [below target][one decimal].
	cells [2][2]int
}

func (x *xlsxWriter) do(err error) {
	if x.err == nil && err != nil {
		x.err = err
	}
}

func (x *xlsxWriter) style(s xlsx.Style) int {
	id, err := x.f.Style(s)
	x.do(err)
	return id
}

func (x *xlsxWriter) styles() error {
	const one, redFill = "0.0", "FDE8E4"
	x.bold = x.style(xlsx.Style{Font: xlsx.Font{Bold: true}, HAlign: "center"})
	x.title = x.style(xlsx.Style{Font: xlsx.Font{Bold: true, Size: 14}, HAlign: "center"})
	x.italic = x.style(xlsx.Style{Font: xlsx.Font{Italic: true}, HAlign: "center"})
	x.head = x.style(xlsx.Style{Font: xlsx.Font{Bold: true}, Border: true, Fill: "E8E8E8",
		HAlign: "center", VAlign: "center", Wrap: true})
	for below := range 2 {
		for decimal := range 2 {
			st := xlsx.Style{Border: true, VAlign: "top", Wrap: true}
			if below == 1 {
				st.Fill, st.Font = redFill, xlsx.Font{Color: "9C0006"}
			}
			if decimal == 1 {
				st.NumFmt = one
			}
			x.cells[below][decimal] = x.style(st)
		}
	}
	x.num1 = x.style(xlsx.Style{NumFmt: one})
	x.total = x.style(xlsx.Style{Font: xlsx.Font{Bold: true}, Border: true})
	x.totalNum = x.style(xlsx.Style{Font: xlsx.Font{Bold: true}, Border: true, NumFmt: one})
	x.dateTime = x.style(xlsx.Style{NumFmt: x.wd.dateTimeFormat})
	x.date = x.style(xlsx.Style{NumFmt: x.wd.dateFormat})
	return x.err
}

func (x *xlsxWriter) set(s *xlsx.Sheet, col, row int, v any) {
	x.do(s.Set(col, row, v))
}

func (x *xlsxWriter) formula(s *xlsx.Sheet, col, row int, formula string, cached any) {
	x.do(s.SetFormula(col, row, formula, cached))
}

func (x *xlsxWriter) styleRange(s *xlsx.Sheet, c1, r1, c2, r2, style int) {
	x.do(s.SetStyle(c1, r1, c2, r2, style))
}

func (x *xlsxWriter) widths(s *xlsx.Sheet, ws ...float64) {
	for i, w := range ws {
		x.do(s.SetColWidth(i+1, w))
	}
}

// freeze keeps the rows above row in view.
func (x *xlsxWriter) freeze(s *xlsx.Sheet, row int) {
	x.do(s.FreezeRows(row))
}

// summary is the first sheet: the header of the form and the topic table.
//
//	A STT · B code · C topic · D target airings · E target minutes ·
//	F airings · G minutes · H segments · I % of target · J why below
func (x *xlsxWriter) summary(s *xlsx.Sheet, r Report) {
	wd := x.wd
	from, _ := parseCivil(r.Period.From)
	to, _ := parseCivil(r.Period.To)
	suffix := r.Header.DocNumberSuffix
	if suffix == "" {
		suffix = "BC-UBND"
	}
	// The administrative header: the issuing body in A:C, the nation in D:J.
	x.set(s, 1, 1, r.Header.Superior)
	x.set(s, 1, 2, r.Header.Committee)
	x.set(s, 1, 3, wd.docNo+suffix)
	x.set(s, 4, 1, wd.nation)
	x.set(s, 4, 2, wd.motto)
	x.set(s, 4, 3, wd.issuedLine(r.Header.Commune, r.Issued))
	x.set(s, 1, 5, wd.title)
	x.set(s, 1, 6, strings.TrimSpace(wd.subtitle)+" "+periodLabel(r.Period.Kind, from, to, wd.lang))
	x.set(s, 1, 7, fmt.Sprintf(wd.periodLine, wd.periodDate(from), wd.periodDate(to)))
	x.set(s, 1, 8, wd.secTopics)
	for row := 1; row <= 3; row++ {
		x.do(s.Merge(1, row, 3, row))
		x.do(s.Merge(4, row, 10, row))
	}
	for row := 5; row <= 7; row++ {
		x.do(s.Merge(1, row, 10, row))
	}
	x.styleRange(s, 1, 1, 10, 2, x.bold)
	x.styleRange(s, 1, 3, 3, 3, x.bold)
	x.styleRange(s, 4, 3, 10, 3, x.italic)
	x.styleRange(s, 1, 5, 10, 5, x.title)
	x.styleRange(s, 1, 6, 10, 6, x.bold)
	x.styleRange(s, 1, 8, 1, 8, x.style(xlsx.Style{Font: xlsx.Font{Bold: true}}))

	heads := []string{wd.colNo, wd.csvHeader[0], wd.colTopic, wd.colTargetAirings, wd.colTargetMinutes,
		wd.colAirings, wd.colMinutes, wd.colSegments, wd.colPct, wd.belowHeading}
	hr := xlsxTableHeadRow
	for i, h := range heads {
		x.set(s, i+1, hr, strings.ReplaceAll(h, "\n", " "))
	}
	x.styleRange(s, 1, hr, len(heads), hr, x.head)
	x.do(s.SetRowHeight(hr, 32))

	row := xlsxFirstTopic
	for i, t := range r.Topics {
		name := t.Name
		if t.Unplanned {
			name += " " + wd.unplanned
		}
		x.set(s, 1, row, i+1)
		x.set(s, 2, row, t.Code)
		x.set(s, 3, row, name)
		if t.TargetAirings > 0 {
			x.set(s, 4, row, t.TargetAirings)
		}
		if t.TargetMinutes > 0 {
			x.set(s, 5, row, t.TargetMinutes)
		}
		x.set(s, 6, row, t.Airings)
		x.set(s, 7, row, t.Minutes)
		x.set(s, 8, row, t.Segments)
		// % of target: the lower of the ratios that have a target, as Build.
		var ratios []string
		if t.TargetAirings > 0 {
			ratios = append(ratios, fmt.Sprintf("F%d/D%d", row, row))
		}
		if t.TargetMinutes > 0 {
			ratios = append(ratios, fmt.Sprintf("G%d/E%d", row, row))
		}
		if len(ratios) > 0 {
			f := "ROUND(" + ratios[0] + "*100,1)"
			if len(ratios) > 1 {
				f = "ROUND(MIN(" + strings.Join(ratios, ",") + ")*100,1)"
			}
			x.formula(s, 9, row, f, pctOr0(t.AchievedPct))
		}
		if t.BelowTarget {
			rs := make([]string, len(t.Reasons))
			for j, rr := range t.Reasons {
				rs[j] = rr.TextIn(wd.lang)
			}
			x.set(s, 10, row, wd.belowFlag+": "+strings.Join(rs, "; "))
		}
		below := 0
		if t.BelowTarget {
			below = 1
		}
		x.styleRange(s, 1, row, 10, row, x.cells[below][0])
		for _, col := range []int{5, 7, 9} { // minutes and %
			x.styleRange(s, col, row, col, row, x.cells[below][1])
		}
		row++
	}
	x.set(s, 3, row, wd.total)
	// The totals count each airing once, so they are not the sum of the
	// topic rows (an airing with two topics is in two rows): they add up the
	// completed airings of the log sheet instead.
	if n := len(r.Log); n > 0 {
		logRef := func(col string) string { return fmt.Sprintf("'%s'!$%s$2:$%s$%d", wd.sheetLog, col, col, n+1) }
		done := strconvQuote(wd.status(string(playlist.StatusCompleted)))
		x.formula(s, 6, row, fmt.Sprintf("COUNTIF(%s,%s)", logRef("J"), done), r.Totals.Airings)
		x.formula(s, 7, row, fmt.Sprintf("ROUND(SUMIF(%s,%s,%s)/60,1)", logRef("J"), done, logRef("I")), r.Totals.Minutes)
	} else {
		x.set(s, 6, row, 0)
		x.set(s, 7, row, 0.0)
	}
	x.set(s, 8, row, r.Totals.Segments) // distinct segments do not add up
	x.styleRange(s, 1, row, 10, row, x.total)
	x.styleRange(s, 7, row, 7, row, x.totalNum)

	row += 2
	x.set(s, 1, row, wd.multiTopicNote)
	x.do(s.Merge(1, row, 10, row))
	row += 2
	x.set(s, 1, row, wd.secTotals)
	x.styleRange(s, 1, row, 1, row, x.style(xlsx.Style{Font: xlsx.Font{Bold: true}}))
	tot := r.Totals
	for _, kv := range []struct {
		k string
		v any
	}{
		{wd.totAirings, tot.Airings}, {wd.totMinutes, tot.Minutes}, {wd.totSegments, tot.Segments},
		{wd.totInterrupted, tot.Interrupted}, {wd.totMissed, tot.Missed}, {wd.totFailed, tot.Failed},
	} {
		row++
		x.set(s, 3, row, kv.k)
		x.set(s, 6, row, kv.v)
	}
	row += 2
	x.set(s, 1, row, wd.recipients)
	for _, rc := range r.Header.Recipients {
		row++
		x.set(s, 1, row, "- "+rc)
	}
	x.widths(s, 6, 16, 50, 10, 10, 10, 10, 10, 10, 60)
	x.freeze(s, xlsxTableHeadRow+1)
}

// log is the second sheet: every airing of the period.
func (x *xlsxWriter) log(s *xlsx.Sheet, airings []playlist.Airing) {
	wd := x.wd
	for i, h := range wd.logHeadings {
		x.set(s, i+1, 1, h)
	}
	x.styleRange(s, 1, 1, len(wd.logHeadings), 1, x.head)
	for i, a := range airings {
		row := i + 2
		x.set(s, 1, row, a.ID)
		for j, t := range []time.Time{a.ScheduledAt, a.StartedAt, a.EndedAt} {
			if !t.IsZero() {
				x.set(s, 2+j, row, wall(t.In(x.loc)))
				x.styleRange(s, 2+j, row, 2+j, row, x.dateTime)
			}
		}
		slot := a.Slot
		if slot == "manual" {
			slot = wd.manual
		}
		x.set(s, 5, row, slot)
		x.set(s, 6, row, a.SegmentID)
		x.set(s, 7, row, a.Title)
		x.set(s, 8, row, strings.Join(a.Topics, ", "))
		x.set(s, 9, row, float64(a.Played.Milliseconds())/1000)
		x.set(s, 10, row, wd.status(string(a.Status)))
		x.set(s, 11, row, a.Reason)
	}
	x.widths(s, 9, 19, 19, 19, 10, 10, 40, 28, 12, 14, 40)
	x.freeze(s, 2)
}

// days is the third sheet: the calendar, with totals as formulas.
func (x *xlsxWriter) days(s *xlsx.Sheet, days []Day) {
	wd := x.wd
	for i, h := range wd.dayHeadings {
		x.set(s, i+1, 1, h)
	}
	x.styleRange(s, 1, 1, len(wd.dayHeadings), 1, x.head)
	for i, d := range days {
		row := i + 2
		c, _ := parseCivil(d.Date)
		x.set(s, 1, row, c.utc())
		x.styleRange(s, 1, row, 1, row, x.date)
		x.set(s, 2, row, wd.weekday(c.weekday()))
		x.set(s, 3, row, d.Airings)
		x.set(s, 4, row, d.exactMinutes) // shown to 0.1; exact so that the sum is
		x.styleRange(s, 4, row, 4, row, x.num1)
		x.set(s, 5, row, d.Interrupted)
		x.set(s, 6, row, d.Missed)
		x.set(s, 7, row, d.Failed)
	}
	if n := len(days); n > 0 {
		row := n + 2
		x.set(s, 1, row, wd.total)
		var sum Day
		for _, d := range days {
			sum.Airings += d.Airings
			sum.Minutes += d.exactMinutes
			sum.Interrupted += d.Interrupted
			sum.Missed += d.Missed
			sum.Failed += d.Failed
		}
		cached := []any{sum.Airings, round1(sum.Minutes), sum.Interrupted, sum.Missed, sum.Failed}
		for k, col := range []string{"C", "D", "E", "F", "G"} {
			x.formula(s, k+3, row, fmt.Sprintf("SUM(%s2:%s%d)", col, col, row-1), cached[k])
		}
		x.styleRange(s, 1, row, 7, row, x.total)
		x.styleRange(s, 4, row, 4, row, x.totalNum)
	}
	x.widths(s, 13, 8, 16, 10, 14, 10, 10)
	x.freeze(s, 2)
}

// wall is t's wall-clock time as UTC: Excel cells have no zone, and the
// station's time is what the clerk expects to read.
func wall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// strconvQuote quotes s as an Excel string literal.
func strconvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
