package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/gomutex/godocx"
	"github.com/gomutex/godocx/docx"
	"github.com/gomutex/godocx/wml/ctypes"
	"github.com/gomutex/godocx/wml/stypes"
)

// The Word report is set as Decree 30/2020/NĐ-CP sets out administrative
// documents: A4 portrait, margins 20 mm top and bottom, 30 mm left, 15 mm
// right, Times New Roman, body text in 13 pt (its 13–14), the national motto
// and the issuing body in 12–13 pt bold, the title in 14 pt bold. Tables and
// notes are in 11 pt, as such reports commonly set them, so that a typical
// month fits on two pages.
const (
	docxFont     = "Times New Roman"
	docxBody     = 13 // pt
	docxTable    = 11
	docxSmall    = 10
	twipsPerMM   = 56.7
	docxTextMM   = 210 - 30 - 15 // the text's width on the page
	docxLineAuto = 240           // single line spacing, in 240ths of a line
)

func mm(v float64) int { return int(v*twipsPerMM + 0.5) }

// WriteDOCX writes the report as a Word document the clerk can edit — write
// the document number after "Số:", sign and stamp — with the same form and
// words as the HTML page: header, title, the table by topic, why topics are
// below target, totals, the airings not completed, the calendar, "cụm loa
// nhận" (with streams), the chain head, recipients and signer; Vietnamese
// (lang "vi" or "") or English ("en").
func (r Report) WriteDOCX(w io.Writer, lang string) error {
	wd, err := wordsFor(lang)
	if err != nil {
		return err
	}
	v, err := r.htmlView(wd)
	if err != nil {
		return err
	}
	doc, err := godocx.NewDocument()
	if err != nil {
		return fmt.Errorf("docx: %w", err)
	}
	d := docxWriter{doc: doc}
	d.setup(wd.lang)
	d.header(v)
	d.title(v)
	d.topics(v)
	d.totals(v)
	d.incidents(v)
	d.calendar(v)
	d.reach(v)
	d.para(v.Chain, docxSmall, style{italic: true, before: 120})
	d.footer(v)
	if err := doc.Write(w); err != nil {
		return fmt.Errorf("docx: %w", err)
	}
	return nil
}

type docxWriter struct {
	doc *docx.RootDoc
}

// style of a paragraph and its text.
type style struct {
	bold, italic  bool
	center, right bool
	before, after uint64 // spacing in twips
	keepNext      bool
	indent        int // hanging indent, twips
}

// setup sets the page and the defaults every paragraph starts from.
func (d docxWriter) setup(lang string) {
	w, h := uint64(mm(210)), uint64(mm(297))
	code := 9 // A4
	d.doc.Document.Body.SectPr = &ctypes.SectionProp{
		PageSize: &ctypes.PageSize{Width: &w, Height: &h, Orient: stypes.PageOrientPortrait, Code: &code},
		PageMargin: &ctypes.PageMargin{Top: ptr(mm(20)), Bottom: ptr(mm(20)), Left: ptr(mm(30)), Right: ptr(mm(15)),
			Header: ptr(mm(10)), Footer: ptr(mm(10)), Gutter: ptr(0)},
	}
	if d.doc.DocStyles == nil {
		return
	}
	defs := d.doc.DocStyles.DocDefaults
	if defs == nil {
		defs = &ctypes.DocDefault{}
		d.doc.DocStyles.DocDefaults = defs
	}
	language := "vi-VN"
	if lang == "en" {
		language = "en-GB"
	}
	defs.RunProp = &ctypes.RunPropDefault{RunProp: &ctypes.RunProperty{
		Fonts: &ctypes.RunFonts{Ascii: docxFont, HAnsi: docxFont, EastAsia: docxFont, CS: docxFont},
		Size:  ctypes.NewFontSize(docxBody * 2), SizeCs: ctypes.NewFontSizeCS(docxBody * 2),
		Lang: &ctypes.Lang{Val: &language},
	}}
	line, rule := docxLineAuto, stypes.LineSpacingRuleAuto
	zero := uint64(0)
	defs.ParaProp = &ctypes.ParaPropDefault{ParaProp: &ctypes.ParagraphProp{
		Spacing: &ctypes.Spacing{Before: &zero, After: &zero, Line: &line, LineRule: &rule},
	}}
}

func ptr[T any](v T) *T { return &v }

// paraIn adds a paragraph to add (the body or a cell) with lines of text,
// each after the first on a new line.
func paraIn(p *docx.Paragraph, text string, size uint64, st style) *docx.Paragraph {
	switch {
	case st.center:
		p.Justification(stypes.JustificationCenter)
	case st.right:
		p.Justification(stypes.JustificationRight)
	}
	if st.before > 0 || st.after > 0 {
		p.Spacing(st.before, st.after)
	}
	ct := p.GetCT()
	if st.keepNext {
		if ct.Property == nil {
			ct.Property = &ctypes.ParagraphProp{}
		}
		ct.Property.KeepNext = &ctypes.OnOff{}
	}
	if st.indent > 0 {
		p.Indent(&ctypes.Indent{Left: ptr(st.indent), Hanging: ptr(uint64(st.indent))})
	}
	brk := stypes.BreakTypeTextWrapping
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			p.AddRun().AddBreak(&brk)
		}
		p.AddText(line).Size(size).Bold(st.bold).Italic(st.italic)
	}
	return p
}

func (d docxWriter) para(text string, size uint64, st style) *docx.Paragraph {
	return paraIn(d.doc.AddEmptyParagraph(), text, size, st)
}

func cellPara(c *docx.Cell, text string, size uint64, st style) *docx.Paragraph {
	return paraIn(c.AddEmptyPara(), text, size, st)
}

var (
	noBorder   = &ctypes.Border{Val: stypes.BorderStyleNone}
	thinBorder = &ctypes.Border{Val: stypes.BorderStyleSingle, Size: ptr(4), Color: ptr("000000")}
)

// table adds a fixed-layout table whose columns take the given shares of
// the text width; bordered or not.
func (d docxWriter) table(shares []float64, bordered bool) (*docx.Table, []int) {
	t := d.doc.AddTable()
	total := mm(docxTextMM)
	widths := make([]int, len(shares))
	grid := make([]uint64, len(shares))
	for i, s := range shares {
		widths[i] = int(float64(total) * s)
		grid[i] = uint64(widths[i])
	}
	t.Width(total, stypes.TableWidthDxa)
	t.Grid(grid...)
	t.Layout(stypes.TableLayoutFixed)
	b := noBorder
	if bordered {
		b = thinBorder
	}
	ct := t.GetCT()
	ct.TableProp.Borders = &ctypes.TableBorders{Top: b, Left: b, Bottom: b, Right: b, InsideH: b, InsideV: b}
	margins := ctypes.DefaultCellMargins().Margin(20, 70, 20, 70)
	ct.TableProp.CellMargin = &margins
	return t, widths
}

// row adds a row of cells, widths as the grid's; a heading row repeats on
// each page; no row breaks across pages.
func row(t *docx.Table, widths []int, heading bool) []*docx.Cell {
	r := t.AddRow()
	cells := make([]*docx.Cell, len(widths))
	for i, w := range widths {
		cells[i] = r.AddCell().Width(w, stypes.TableWidthDxa)
	}
	ct := t.GetCT()
	last := ct.RowContents[len(ct.RowContents)-1].Row
	if last.Property == nil {
		last.Property = &ctypes.RowProperty{}
	}
	last.Property.CantSplit = &ctypes.OnOff{}
	if heading {
		last.Property.Header = &ctypes.OnOff{}
	}
	return cells
}

// header is the two-column head of the form: the issuing body and the
// document number on the left, the national motto and the place and date on
// the right, each with a short rule below its bold lines.
func (d docxWriter) header(v htmlView) {
	t, widths := d.table([]float64{0.44, 0.56}, false)
	none := ctypes.DefaultCellMargins().Margin(0, 0, 0, 0)
	t.GetCT().TableProp.CellMargin = &none
	c := row(t, widths, false)
	if v.Superior != "" {
		cellPara(c[0], v.Superior, 12, style{center: true})
	}
	cellPara(c[0], v.Committee, 12, style{center: true, bold: true})
	rule(c[0], widths[0], 0.3)
	cellPara(c[0], v.DocNo, docxBody, style{center: true, before: 120})
	cellPara(c[1], v.Nation, 12, style{center: true, bold: true})
	cellPara(c[1], v.Motto, docxBody, style{center: true, bold: true})
	rule(c[1], widths[1], 0.5)
	cellPara(c[1], v.Issued, docxBody, style{center: true, italic: true, before: 120})
}

// rule draws the short line the form has below the committee's name and
// below the motto: the bottom border of an empty paragraph, set in from both
// sides of a cell width wide so that it is a third of it (the motto's: as
// wide as the motto).
func rule(c *docx.Cell, width int, share float64) {
	p := c.AddEmptyPara()
	in := int(float64(width) * (1 - share) / 2)
	p.Indent(&ctypes.Indent{Left: ptr(in), Right: ptr(in)})
	ct := p.GetCT()
	ct.Property.Border = &ctypes.ParaBorder{Bottom: &ctypes.Border{Val: stypes.BorderStyleSingle, Size: ptr(6), Color: ptr("000000")}}
	p.Spacing(0, 0)
	p.AddText("").Size(2)
}

func (d docxWriter) title(v htmlView) {
	d.para(v.Title, 14, style{center: true, bold: true, before: 360})
	d.para(v.Subtitle+"\n"+v.Label, 14, style{center: true, bold: true})
	if v.ZoneLine != "" {
		d.para(v.PerLine, docxBody, style{before: 200})
		d.para(v.ZoneLine, docxBody, style{after: 120})
		return
	}
	d.para(v.PerLine, docxBody, style{before: 200, after: 120})
}

func (d docxWriter) heading(text string) {
	d.para(text, docxBody, style{bold: true, before: 160, after: 80, keepNext: true})
}

// topics is section I: the table by topic, the topics below target and why,
// and the note on counting.
func (d docxWriter) topics(v htmlView) {
	d.heading(v.SecTopics)
	d.topicTable(v.Table)
	if len(v.Below) > 0 {
		d.para(v.BelowHeading, docxBody, style{bold: true, before: 120, keepNext: true})
		for _, b := range v.Below {
			d.para("- "+b, docxBody, style{indent: mm(5)})
		}
	}
	d.para(v.Note, docxTable, style{italic: true, before: 80})
	if len(v.Zones) > 0 {
		d.para(v.ZonesHeading, docxBody, style{bold: true, before: 160, keepNext: true})
		d.para(v.ZonesNote, docxTable, style{italic: true, keepNext: true})
		for _, z := range v.Zones {
			d.para(z.Title, docxBody, style{bold: true, before: 120, keepNext: true})
			d.topicTable(z.Table)
		}
	}
}

// topicTable is a coverage table: the commune's or a zone's.
func (d docxWriter) topicTable(tb htmlTable) {
	t, widths := d.table([]float64{0.06, 0.40, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09}, true)
	head := row(t, widths, true)
	for i, h := range tb.Heads {
		head[i].VerticalAlign("center").BackgroundColor("E8E8E8")
		cellPara(head[i], strings.Join(h, "\n"), docxTable, style{bold: true, center: true})
	}
	for _, r := range tb.Rows {
		c := row(t, widths, false)
		cells := []string{r.No, r.Name, r.TargetAirings, r.TargetMinutes, r.Airings, r.Minutes, r.Segments, r.Pct}
		for i, s := range cells {
			if r.Below {
				c[i].BackgroundColor("FDE8E4")
			}
			cellPara(c[i], s, docxTable, style{center: i == 0, right: i > 1})
		}
		if r.Flag != "" {
			cellPara(c[1], r.Flag, docxSmall, style{italic: true})
		}
	}
	c := row(t, widths, false)
	for i, s := range []string{"", tb.Total.Name, "", "", tb.Total.Airings, tb.Total.Minutes, tb.Total.Segments, ""} {
		cellPara(c[i], s, docxTable, style{bold: true, right: i > 1})
	}
}

// totals is section II.
func (d docxWriter) totals(v htmlView) {
	d.heading(v.SecTotals)
	for _, s := range v.Totals {
		d.para("- "+s, docxBody, style{})
	}
}

// incidents is section III: the airings not completed.
func (d docxWriter) incidents(v htmlView) {
	d.heading(v.SecIncidents)
	if len(v.Incidents) == 0 {
		d.para(v.NoIncidents, docxBody, style{})
		return
	}
	t, widths := d.table([]float64{0.06, 0.15, 0.17, 0.24, 0.18, 0.20}, true)
	head := row(t, widths, true)
	for i, h := range v.IncHeads {
		head[i].VerticalAlign("center").BackgroundColor("E8E8E8")
		cellPara(head[i], h, docxSmall, style{bold: true, center: true})
	}
	for _, in := range v.Incidents {
		c := row(t, widths, false)
		for i, s := range []string{in.No, in.Time, in.Slot, in.Title, in.Status, in.Reason} {
			cellPara(c[i], s, docxSmall, style{center: i == 0})
		}
		if in.Played != "" {
			cellPara(c[4], in.Played, docxSmall, style{italic: true})
		}
	}
}

// calendar is section IV: a month calendar per month, each day with its
// completed airings and minutes and letters for its incidents.
func (d docxWriter) calendar(v htmlView) {
	d.heading(v.SecDays)
	shares := make([]float64, 7)
	for i := range shares {
		shares[i] = 1.0 / 7
	}
	for _, m := range v.Months {
		d.para(m.Label, docxTable, style{bold: true, before: 60, keepNext: true})
		t, widths := d.table(shares, true)
		head := row(t, widths, true)
		for i, wd := range v.Weekdays {
			head[i].BackgroundColor("EEEEEE")
			cellPara(head[i], wd, docxSmall, style{bold: true, center: true})
		}
		for _, week := range m.Weeks {
			c := row(t, widths, false)
			for i, day := range week {
				if day == nil {
					c[i].BackgroundColor("F3F3F3")
					cellPara(c[i], "", docxSmall, style{})
					continue
				}
				text := day.Day
				if day.Airings != "" {
					text += " · " + day.Airings + "\n" + day.Minutes
				}
				cellPara(c[i], text, docxSmall, style{})
				if len(day.Incidents) > 0 {
					cellPara(c[i], strings.Join(day.Incidents, " "), docxSmall, style{bold: true})
				}
			}
		}
	}
	d.para(v.DaysLegend, docxSmall, style{italic: true, before: 60})
}

// reach is section V, "cụm loa nhận": who received the airings on stream
// outputs, one line per zone; absent without streams.
func (d docxWriter) reach(v htmlView) {
	if len(v.Reach) == 0 {
		return
	}
	d.heading(v.ReachHeading)
	for _, l := range v.Reach {
		d.para("- "+l, docxBody, style{indent: mm(5)})
	}
}

// footer is "Nơi nhận" on the left and the signer on the right, with room
// for the signature and the stamp.
func (d docxWriter) footer(v htmlView) {
	d.para("", docxBody, style{keepNext: true})
	t, widths := d.table([]float64{0.5, 0.5}, false)
	c := row(t, widths, false)
	cellPara(c[0], v.RecipientsHeading, 12, style{bold: true, italic: true})
	for _, rc := range v.Recipients {
		cellPara(c[0], "- "+rc, docxTable, style{})
	}
	for _, l := range v.SignerTitle {
		cellPara(c[1], l, docxBody, style{bold: true, center: true})
	}
	cellPara(c[1], v.SignerName, docxBody, style{bold: true, center: true, before: 1600})
}
