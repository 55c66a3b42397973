package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// Rows of the summary sheet.
const (
	xlsxTableHeadRow = 10 // the heading row of the topic table
	xlsxFirstTopic   = xlsxTableHeadRow + 1
)

// The workbook's type: Times New Roman, as the administrative form is set
// (LibreOffice prints it with the metric-compatible Liberation Serif).
const (
	xlsxFont     = "Times New Roman"
	xlsxFontSize = 12.0
	xlsxA4       = 9 // the paper size code of A4 in SpreadsheetML
)

// Column widths, in characters of the default font.
var (
	// STT · code · topic · target airings · target minutes · airings ·
	// minutes · segments · % of target: 104 characters, an A4 portrait page
	// at about 85 %.
	summaryWidths = []float64{5, 11, 33, 9, 9, 9, 9, 9, 10}
	// id · scheduled · started · ended · slot · segment · title · topics ·
	// seconds · status · reason: A4 landscape.
	logWidths  = []float64{7, 19, 9, 9, 26, 7, 34, 16, 8, 12, 28}
	daysWidths = []float64{13, 8, 14, 10, 14, 10, 10}
	// zone · code · topic · target airings · target minutes · airings ·
	// minutes · segments · % of target: A4 portrait.
	zonesWidths = []float64{16, 11, 30, 8, 8, 8, 8, 8, 9}
	// The log's zone column, after the reason, when there are zones.
	logZoneWidth = 14.0
	// The log's listeners column, last, when an airing went to a stream.
	logListenersWidth = 10.0
)

// WriteXLSX writes the report as an Excel workbook that prints on A4: the
// summary (the administrative form: header, topic table with % of target
// and totals as formulas, totals, the chain head, recipients and signer; one
// page for a typical month), the airing log of the period (r.Log) and the
// calendar, with Vietnamese headings (lang "vi" or "") or English ones
// ("en"). Each sheet has its page set up: A4, one page wide, the heading
// rows repeated on every page, a print area, and row heights that fit the
// wrapped text (LibreOffice does not fit rows itself when it opens a file).
func (r Report) WriteXLSX(w io.Writer, lang string) error {
	wd, err := wordsFor(lang)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f, wd: wd, loc: r.location}
	if x.loc == nil {
		x.loc = time.UTC
	}
	x.do(f.SetDefaultFont(xlsxFont))
	x.styles()
	names := []string{wd.sheetSummary, wd.sheetLog, wd.sheetDays}
	if r.MultiZone() {
		names = append(names, wd.sheetZones)
	}
	x.do(f.SetSheetName("Sheet1", names[0]))
	for _, name := range names[1:] {
		_, err := f.NewSheet(name)
		x.do(err)
	}
	x.summary(names[0], r)
	x.log(names[1], r)
	x.days(names[2], r.Days)
	if r.MultiZone() {
		x.zones(names[3], r)
	}
	full := true
	x.do(f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &full}))
	f.SetActiveSheet(0)
	if x.err != nil {
		return fmt.Errorf("xlsx: %w", x.err)
	}
	_, err = f.WriteTo(w)
	return err
}

// xlsxWriter keeps the first error, so that the sheets read as a list of
// cells.
type xlsxWriter struct {
	f   *excelize.File
	wd  words
	loc *time.Location
	err error

	plain, wrapped, bold, boldLeft, head, title, subtitle, italic int
	num1, dateTime, clock, date, total, totalNum                  int
	// Topic rows: [below target][one decimal], and the centred STT.
	cells [2][2]int
	no    [2]int
}

func (x *xlsxWriter) do(err error) {
	if x.err == nil && err != nil {
		x.err = err
	}
}

func font(bold, italic bool, size float64, color string) *excelize.Font {
	return &excelize.Font{Family: xlsxFont, Size: size, Bold: bold, Italic: italic, Color: color}
}

var thin = []excelize.Border{
	{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
	{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
}

func (x *xlsxWriter) style(s excelize.Style) int {
	id, err := x.f.NewStyle(&s)
	x.do(err)
	return id
}

func (x *xlsxWriter) styles() {
	one, redFill := "0.0", "FDE8E4"
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	x.plain = x.style(excelize.Style{Font: font(false, false, xlsxFontSize, "")})
	x.wrapped = x.style(excelize.Style{Font: font(false, false, xlsxFontSize, ""),
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	x.bold = x.style(excelize.Style{Font: font(true, false, xlsxFontSize, ""), Alignment: center})
	x.boldLeft = x.style(excelize.Style{Font: font(true, false, xlsxFontSize, ""),
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	x.title = x.style(excelize.Style{Font: font(true, false, 14, ""), Alignment: center})
	x.subtitle = x.style(excelize.Style{Font: font(true, false, 13, ""), Alignment: center})
	x.italic = x.style(excelize.Style{Font: font(false, true, xlsxFontSize, ""), Alignment: center})
	x.head = x.style(excelize.Style{Font: font(true, false, 11, ""), Border: thin,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E8E8"}}, Alignment: center})
	for below := range 2 {
		for decimal := range 2 {
			st := excelize.Style{Font: font(false, false, 11, ""), Border: thin,
				Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}
			if below == 1 {
				st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{redFill}}
				st.Font = font(false, false, 11, "9C0006")
			}
			if decimal == 1 {
				st.CustomNumFmt = &one
			}
			x.cells[below][decimal] = x.style(st)
			if decimal == 0 {
				st.Alignment = &excelize.Alignment{Horizontal: "center", Vertical: "top"}
				x.no[below] = x.style(st)
			}
		}
	}
	x.num1 = x.style(excelize.Style{Font: font(false, false, 11, ""), Border: thin, CustomNumFmt: &one,
		Alignment: &excelize.Alignment{Vertical: "top"}})
	x.total = x.style(excelize.Style{Font: font(true, false, 11, ""), Border: thin})
	x.totalNum = x.style(excelize.Style{Font: font(true, false, 11, ""), Border: thin, CustomNumFmt: &one})
	cell := func(format string) int {
		return x.style(excelize.Style{Font: font(false, false, 11, ""), Border: thin, CustomNumFmt: &format,
			Alignment: &excelize.Alignment{Vertical: "top"}})
	}
	x.dateTime = cell(x.wd.dateTimeFormat)
	x.clock = cell("hh:mm:ss")
	x.date = cell(x.wd.dateFormat)
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

func (x *xlsxWriter) set(sheet string, col, row int, v any) {
	x.do(x.f.SetCellValue(sheet, cellName(col, row), v))
}

// formula sets a formula with its value, which a reader that does not
// calculate shows.
func (x *xlsxWriter) formula(sheet string, col, row int, formula string, cached any) {
	x.set(sheet, col, row, cached)
	x.do(x.f.SetCellFormula(sheet, cellName(col, row), formula))
}

func (x *xlsxWriter) styleRange(sheet string, c1, r1, c2, r2, style int) {
	x.do(x.f.SetCellStyle(sheet, cellName(c1, r1), cellName(c2, r2), style))
}

func (x *xlsxWriter) merge(sheet string, c1, r1, c2, r2 int) {
	x.do(x.f.MergeCell(sheet, cellName(c1, r1), cellName(c2, r2)))
}

func (x *xlsxWriter) widths(sheet string, ws []float64) {
	for i, w := range ws {
		x.do(x.f.SetColWidth(sheet, colName(i+1), colName(i+1), w))
	}
}

// fit sets row's height to hold each text wrapped in its width (in
// characters of the default font) at size points; it never lowers a height
// already set taller.
func (x *xlsxWriter) fit(sheet string, row int, size float64, bold bool, cells ...fitCell) {
	lines := 1
	for _, c := range cells {
		lines = max(lines, wrappedLines(c.text, c.width, size, bold))
	}
	h := math.Ceil(float64(lines)*size*1.2 + 2)
	if cur, err := x.f.GetRowHeight(sheet, row); err == nil && cur > h {
		return
	}
	x.do(x.f.SetRowHeight(sheet, row, h))
}

type fitCell struct {
	text  string
	width float64
}

// wrappedLines is how many lines text takes in a cell width characters
// wide, at size points. A character of Times New Roman is on average a
// little narrower than the "0" that column widths count, a bold or capital
// one wider: the estimate errs on the side of one line more.
func wrappedLines(text string, width, size float64, bold bool) int {
	per := width * xlsxFontSize / size
	if bold {
		per *= 0.92
	}
	if letters := strings.ToUpper(text); letters == text && strings.ToLower(text) != text {
		per *= 0.75 // all capitals
	}
	n := 0
	for _, para := range strings.Split(text, "\n") {
		n += len(wrap(para, max(1, int(per))))
	}
	return n
}

// page sets a sheet up for printing: A4, one page wide and as many long as
// needed, margins as Decree 30/2020 sets them for documents (20 mm top and
// bottom, 30 mm left, 15 mm right; portrait), the page number in the
// footer, the print area and the rows repeated at the top of every page.
func (x *xlsxWriter) page(sheet string, landscape bool, lastCol, lastRow, titleRow int) {
	size, wide, tall := xlsxA4, 1, 0
	orient := "portrait"
	if landscape {
		orient = "landscape"
	}
	x.do(x.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient,
		FitToWidth: &wide, FitToHeight: &tall}))
	fit := true
	x.do(x.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	const mm = 1 / 25.4
	top, bottom, left, right, hf := 20*mm, 20*mm, 30*mm, 15*mm, 8*mm
	if landscape {
		left, right = 20*mm, 15*mm
	}
	center := true
	x.do(x.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Top: &top, Bottom: &bottom, Left: &left,
		Right: &right, Header: &hf, Footer: &hf, Horizontally: &center}))
	x.do(x.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C&\"" + xlsxFont + "\"&10&P/&N"}))
	quoted := "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
	x.do(x.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", Scope: sheet,
		RefersTo: fmt.Sprintf("%s!$A$1:$%s$%d", quoted, colName(lastCol), lastRow)}))
	if titleRow > 0 {
		x.do(x.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
			RefersTo: fmt.Sprintf("%s!$%d:$%d", quoted, titleRow, titleRow)}))
	}
}

// freeze keeps the rows above row in view.
func (x *xlsxWriter) freeze(sheet string, row int) {
	x.do(x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: row - 1,
		TopLeftCell: cellName(1, row), ActivePane: "bottomLeft"}))
}

func sum(ws []float64) float64 {
	s := 0.0
	for _, w := range ws {
		s += w
	}
	return s
}

// summary is the first sheet: the administrative form.
//
//	A STT · B code · C topic · D target airings · E target minutes ·
//	F airings · G minutes · H segments · I % of target
func (x *xlsxWriter) summary(s string, r Report) {
	wd := x.wd
	const last = 9 // column I
	from, _ := parseCivil(r.Period.From)
	to, _ := parseCivil(r.Period.To)
	suffix := r.Header.DocNumberSuffix
	if suffix == "" {
		suffix = "BC-UBND"
	}
	leftW, rightW := sum(summaryWidths[:3]), sum(summaryWidths[3:])
	// The administrative header: the issuing body in A:C, the nation in D:I.
	head := [3][2]string{
		{r.Header.Superior, wd.nation},
		{r.Header.Committee, wd.motto},
		{wd.docNo + suffix, wd.issuedLine(r.Header.Commune, r.Issued)},
	}
	for i, h := range head {
		row := i + 1
		x.set(s, 1, row, h[0])
		x.set(s, 4, row, h[1])
		x.merge(s, 1, row, 3, row)
		x.merge(s, 4, row, last, row)
		x.fit(s, row, xlsxFontSize, true, fitCell{h[0], leftW}, fitCell{h[1], rightW})
	}
	x.styleRange(s, 1, 1, last, 2, x.bold)
	x.styleRange(s, 1, 3, 3, 3, x.bold)
	x.styleRange(s, 4, 3, last, 3, x.italic)
	subtitle := strings.TrimSpace(wd.subtitle) + "\n" + periodLabel(r.Period.Kind, from, to, wd.lang)
	perLine := fmt.Sprintf(wd.periodLine, wd.periodDate(from), wd.periodDate(to))
	if z, ok := r.only(); ok {
		perLine += "\n" + fmt.Sprintf(wd.zoneLine, z.Name, z.Code)
	}
	for i, v := range []string{wd.title, subtitle, perLine} {
		x.set(s, 1, 5+i, v)
		x.merge(s, 1, 5+i, last, 5+i)
	}
	x.styleRange(s, 1, 5, last, 5, x.title)
	x.styleRange(s, 1, 6, last, 6, x.subtitle)
	x.styleRange(s, 1, 7, last, 7, x.wrapped)
	x.fit(s, 5, 14, true)
	x.fit(s, 6, 13, true, fitCell{subtitle, sum(summaryWidths)})
	if r.Zone != "" {
		x.fit(s, 7, xlsxFontSize, false, fitCell{perLine, sum(summaryWidths)})
	}
	x.set(s, 1, 8, wd.secTopics)
	x.styleRange(s, 1, 8, 1, 8, x.style(excelize.Style{Font: font(true, false, xlsxFontSize, "")}))

	heads := []string{wd.colNo, wd.csvHeader[0], wd.colTopic, wd.colTargetAirings, wd.colTargetMinutes,
		wd.colAirings, wd.colMinutes, wd.colSegments, wd.colPct}
	hr := xlsxTableHeadRow
	var fits []fitCell
	for i, h := range heads {
		h = strings.ReplaceAll(h, "\n", " ")
		x.set(s, i+1, hr, h)
		fits = append(fits, fitCell{h, summaryWidths[i]})
	}
	x.styleRange(s, 1, hr, last, hr, x.head)
	x.fit(s, hr, 11, true, fits...)

	row := xlsxFirstTopic
	for i, t := range r.Topics {
		name := t.Name
		if t.Unplanned {
			name += " " + wd.unplanned
		}
		if t.BelowTarget {
			name += "\n" + wd.belowFlag
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
		below := 0
		if t.BelowTarget {
			below = 1
		}
		x.styleRange(s, 1, row, last, row, x.cells[below][0])
		x.styleRange(s, 1, row, 1, row, x.no[below])
		for _, col := range []int{5, 7, 9} { // minutes and %
			x.styleRange(s, col, row, col, row, x.cells[below][1])
		}
		x.fit(s, row, 11, false, fitCell{name, summaryWidths[2]}, fitCell{t.Code, summaryWidths[1]})
		row++
	}
	x.set(s, 3, row, wd.total)
	// The totals count each airing once, so they are not the sum of the
	// topic rows (an airing with two topics is in two rows): they add up the
	// completed airings of the log sheet instead.
	// Airings no cluster received (reach.go) are out of the totals but
	// completed in the log: then the figures, not the formulas.
	if n := len(r.Log); n > 0 && r.Totals.Unheard == 0 {
		logRef := func(col string) string { return fmt.Sprintf("'%s'!$%s$2:$%s$%d", wd.sheetLog, col, col, n+1) }
		done := strconvQuote(wd.status(string(playlist.StatusCompleted)))
		x.formula(s, 6, row, fmt.Sprintf("COUNTIF(%s,%s)", logRef("J"), done), r.Totals.Airings)
		x.formula(s, 7, row, fmt.Sprintf("ROUND(SUMIF(%s,%s,%s)/60,1)", logRef("J"), done, logRef("I")), r.Totals.Minutes)
	} else {
		x.set(s, 6, row, r.Totals.Airings)
		x.set(s, 7, row, r.Totals.Minutes)
	}
	x.set(s, 8, row, r.Totals.Segments) // distinct segments do not add up
	x.styleRange(s, 1, row, last, row, x.total)
	x.styleRange(s, 7, row, 7, row, x.totalNum)

	// Why topics are below target, one line each, across the page.
	full := sum(summaryWidths)
	line := func(text string, style int, bold bool) {
		row++
		x.set(s, 1, row, text)
		x.merge(s, 1, row, last, row)
		x.styleRange(s, 1, row, last, row, style)
		x.fit(s, row, xlsxFontSize, bold, fitCell{text, full})
	}
	var below []string
	for i, t := range r.Topics {
		if !t.BelowTarget {
			continue
		}
		rs := make([]string, len(t.Reasons))
		for j, rr := range t.Reasons {
			rs[j] = rr.TextIn(wd.lang)
		}
		below = append(below, fmt.Sprintf("- %d. %s (%s%%): %s.", i+1, t.Name, wd.num(pctOr0(t.AchievedPct)), strings.Join(rs, "; ")))
	}
	if len(below) > 0 {
		line(wd.belowHeading, x.boldLeft, true)
		for _, b := range below {
			line(b, x.wrapped, false)
		}
	}
	line(wd.multiTopicNote, x.style(excelize.Style{Font: font(false, true, 11, ""),
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}), false)

	row++
	line(wd.secTotals, x.boldLeft, true)
	tot := r.Totals
	for _, kv := range []struct {
		k string
		v any
	}{
		{wd.totAirings, tot.Airings}, {wd.totMinutes, tot.Minutes}, {wd.totSegments, tot.Segments},
		{wd.totInterrupted, tot.Interrupted}, {wd.totMissed, tot.Missed}, {wd.totFailed, tot.Failed},
	} {
		row++
		x.set(s, 2, row, "- "+kv.k)
		x.set(s, 6, row, kv.v)
		x.merge(s, 2, row, 5, row)
		x.styleRange(s, 2, row, 6, row, x.plain)
	}
	// V. "Cụm loa nhận" (reach.go), absent without streams.
	if rl := r.reachLines(wd.lang); len(rl) > 0 {
		row++
		line(rl[0], x.boldLeft, true)
		for _, l := range rl[1:] {
			line(l, x.wrapped, false)
		}
	}
	row++
	line(wd.chainLine(r.ChainHead), x.style(excelize.Style{Font: font(false, false, 10, ""),
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}), false)

	// Recipients in A:C, the signer in D:I, side by side.
	row += 2
	rec := []string{wd.recipients}
	for _, rc := range r.Header.Recipients {
		rec = append(rec, "- "+rc)
	}
	var sign []string
	for _, l := range strings.Split(r.Header.SignerTitle, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			sign = append(sign, l)
		}
	}
	sign = append(sign, make([]string, 4)...) // room for the signature and the stamp
	sign = append(sign, r.Header.SignerName)
	recStyle := x.style(excelize.Style{Font: font(false, false, 11, ""), Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	recHead := x.style(excelize.Style{Font: font(true, true, xlsxFontSize, "")})
	for i := range max(len(rec), len(sign)) {
		rr := row + i
		if i < len(rec) {
			x.set(s, 1, rr, rec[i])
			x.merge(s, 1, rr, 3, rr)
			st := recStyle
			if i == 0 {
				st = recHead
			}
			x.styleRange(s, 1, rr, 3, rr, st)
			x.fit(s, rr, 11, false, fitCell{rec[i], leftW})
		}
		if i < len(sign) {
			x.set(s, 4, rr, sign[i])
			x.merge(s, 4, rr, last, rr)
			x.styleRange(s, 4, rr, last, rr, x.bold)
		}
	}
	lastRow := row + max(len(rec), len(sign)) - 1

	x.widths(s, summaryWidths)
	x.freeze(s, xlsxTableHeadRow+1)
	x.page(s, false, last, lastRow, xlsxTableHeadRow)
}

// log is the second sheet: every airing of the period.
func (x *xlsxWriter) log(s string, r Report) {
	wd := x.wd
	headings, widths := wd.logHeadings, logWidths
	if r.MultiZone() { // the zone of each airing, in a last column
		headings = append(append([]string{}, headings...), wd.colZone)
		widths = append(append([]float64{}, widths...), logZoneWidth)
	}
	// The listeners of the airings on stream outputs (empty for the
	// others), in a last column when there are any.
	listenersCol := 0
	for _, a := range r.Log {
		if a.Listeners != nil {
			headings = append(append([]string{}, headings...), wd.colListeners)
			widths = append(append([]float64{}, widths...), logListenersWidth)
			listenersCol = len(headings)
			break
		}
	}
	n := len(headings)
	var fits []fitCell
	for i, h := range headings {
		x.set(s, i+1, 1, h)
		fits = append(fits, fitCell{h, widths[i]})
	}
	x.styleRange(s, 1, 1, n, 1, x.head)
	x.fit(s, 1, 11, true, fits...)
	text := x.style(excelize.Style{Font: font(false, false, 11, ""), Border: thin,
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	for i, a := range r.Log {
		row := i + 2
		x.styleRange(s, 1, row, n, row, text)
		x.set(s, 1, row, a.ID)
		for j, t := range []time.Time{a.ScheduledAt, a.StartedAt, a.EndedAt} {
			if !t.IsZero() {
				x.set(s, 2+j, row, wall(t.In(x.loc)))
				st := x.clock // the start and end: the day is the scheduled one
				if j == 0 {
					st = x.dateTime
				}
				x.styleRange(s, 2+j, row, 2+j, row, st)
			}
		}
		slot := r.slotName(wd, a.Slot)
		x.set(s, 5, row, slot)
		x.set(s, 6, row, a.SegmentID)
		x.set(s, 7, row, a.Title)
		topics := strings.Join(a.Topics, ", ")
		x.set(s, 8, row, topics)
		x.set(s, 9, row, float64(a.Played.Milliseconds())/1000)
		x.set(s, 10, row, wd.status(string(a.Status)))
		x.set(s, 11, row, a.Reason)
		if r.MultiZone() {
			x.set(s, 12, row, zoneCode(a.Zone))
		}
		if listenersCol > 0 && a.Listeners != nil {
			x.set(s, listenersCol, row, *a.Listeners)
		}
		x.fit(s, row, 11, false, fitCell{slot, logWidths[4]}, fitCell{a.Title, logWidths[6]},
			fitCell{topics, logWidths[7]}, fitCell{a.Reason, logWidths[10]})
	}
	x.widths(s, widths)
	x.freeze(s, 2)
	if len(r.Log) > 0 {
		x.do(x.f.AutoFilter(s, fmt.Sprintf("A1:%s%d", colName(n), len(r.Log)+1), nil))
	}
	x.page(s, true, n, len(r.Log)+1, 1)
}

// days is the third sheet: the calendar, with totals as formulas.
func (x *xlsxWriter) days(s string, days []Day) {
	wd := x.wd
	n := len(wd.dayHeadings)
	var fits []fitCell
	for i, h := range wd.dayHeadings {
		x.set(s, i+1, 1, h)
		fits = append(fits, fitCell{h, daysWidths[i]})
	}
	x.styleRange(s, 1, 1, n, 1, x.head)
	x.fit(s, 1, 11, true, fits...)
	plain := x.style(excelize.Style{Font: font(false, false, 11, ""), Border: thin})
	for i, d := range days {
		row := i + 2
		c, _ := parseCivil(d.Date)
		x.styleRange(s, 1, row, n, row, plain)
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
	lastRow := 1
	if nd := len(days); nd > 0 {
		row := nd + 2
		x.set(s, 1, row, wd.total)
		var total Day
		for _, d := range days {
			total.Airings += d.Airings
			total.Minutes += d.exactMinutes
			total.Interrupted += d.Interrupted
			total.Missed += d.Missed
			total.Failed += d.Failed
		}
		cached := []any{total.Airings, round1(total.Minutes), total.Interrupted, total.Missed, total.Failed}
		for k, col := range []string{"C", "D", "E", "F", "G"} {
			x.formula(s, k+3, row, fmt.Sprintf("SUM(%s2:%s%d)", col, col, row-1), cached[k])
		}
		x.styleRange(s, 1, row, n, row, x.total)
		x.styleRange(s, 4, row, 4, row, x.totalNum)
		lastRow = row
	}
	x.widths(s, daysWidths)
	x.freeze(s, 2)
	x.page(s, false, n, lastRow, 1)
}

// zones is the fourth sheet of a report with several zones: the coverage
// table of the whole commune, then of each zone, one below the other, the
// zone named in column A.
func (x *xlsxWriter) zones(s string, r Report) {
	wd := x.wd
	const last = 9
	heads := []string{wd.colZone, wd.csvHeader[0], wd.colTopic, wd.colTargetAirings, wd.colTargetMinutes,
		wd.colAirings, wd.colMinutes, wd.colSegments, wd.colPct}
	var fits []fitCell
	for i, h := range heads {
		h = strings.ReplaceAll(h, "\n", " ")
		x.set(s, i+1, 1, h)
		fits = append(fits, fitCell{h, zonesWidths[i]})
	}
	x.styleRange(s, 1, 1, last, 1, x.head)
	x.fit(s, 1, 11, true, fits...)
	row := 2
	table := func(zone string, topics []TopicRow, tot Totals) {
		for _, t := range topics {
			below := 0
			if t.BelowTarget {
				below = 1
			}
			x.set(s, 1, row, zone)
			x.set(s, 2, row, t.Code)
			x.set(s, 3, row, t.Name)
			if t.TargetAirings > 0 {
				x.set(s, 4, row, t.TargetAirings)
			}
			if t.TargetMinutes > 0 {
				x.set(s, 5, row, t.TargetMinutes)
			}
			x.set(s, 6, row, t.Airings)
			x.set(s, 7, row, t.Minutes)
			x.set(s, 8, row, t.Segments)
			if t.AchievedPct != nil {
				x.set(s, 9, row, *t.AchievedPct)
			}
			x.styleRange(s, 1, row, last, row, x.cells[below][0])
			for _, col := range []int{5, 7, 9} {
				x.styleRange(s, col, row, col, row, x.cells[below][1])
			}
			x.fit(s, row, 11, false, fitCell{zone, zonesWidths[0]}, fitCell{t.Name, zonesWidths[2]}, fitCell{t.Code, zonesWidths[1]})
			row++
		}
		x.set(s, 1, row, zone)
		x.set(s, 3, row, wd.total)
		x.set(s, 6, row, tot.Airings)
		x.set(s, 7, row, tot.Minutes)
		x.set(s, 8, row, tot.Segments)
		x.styleRange(s, 1, row, last, row, x.total)
		x.styleRange(s, 7, row, 7, row, x.totalNum)
		x.fit(s, row, 11, true, fitCell{zone, zonesWidths[0]})
		row++
	}
	table(wd.allZones, r.Topics, r.Totals)
	for _, z := range r.Zones {
		name := z.Name
		if z.Unlisted {
			name += " (" + wd.unlistedZone + ")"
		}
		table(name, z.Topics, z.Totals)
	}
	// The note on what the commune's target means, across the page.
	x.set(s, 1, row, wd.zonesNote)
	x.merge(s, 1, row, last, row)
	x.styleRange(s, 1, row, last, row, x.wrapped)
	x.fit(s, row, xlsxFontSize, false, fitCell{wd.zonesNote, sum(zonesWidths)})
	x.widths(s, zonesWidths)
	x.freeze(s, 2)
	x.page(s, false, last, row, 1)
}

// wall is t's wall-clock time as UTC: Excel cells have no zone, and the
// station's time is what the clerk expects to read.
func wall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// strconvQuote quotes s as an Excel string literal.
func strconvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
