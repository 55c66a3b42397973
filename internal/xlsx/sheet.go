package xlsx

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sheet is one worksheet of a Workbook. Cells may be set in any order: they
// are sorted when the workbook is written.
type Sheet struct {
	wb        *Workbook
	name      string
	cells     map[coord]*cellData
	heights   map[int]float64
	widths    map[int]float64
	merges    [][4]int // c1, r1, c2, r2
	freezeRow int      // the first row below the frozen rows; 0 for none
}

// coord is a cell's (row, column), ordered as in sheetData.
type coord struct{ row, col int }

// kind is the type of a cell's value.
type kind uint8

const (
	kindEmpty kind = iota
	kindNumber
	kindString
	kindBool
)

type cellData struct {
	style   int
	kind    kind
	value   string // number as text, string (cleaned), or "0"/"1"
	formula string
}

// Name is the sheet's name.
func (s *Sheet) Name() string { return s.name }

func (s *Sheet) cell(col, row int) (*cellData, error) {
	if err := checkCell(col, row); err != nil {
		return nil, fmt.Errorf("sheet %q: %w", s.name, err)
	}
	k := coord{row, col}
	c := s.cells[k]
	if c == nil {
		c = &cellData{}
		s.cells[k] = c
	}
	return c, nil
}

// Set stores v in the cell at column col, row row (both from 1), keeping the
// cell's style and removing any formula. v may be a string, an integer, a
// float, a bool, a time.Time (written as Excel's date serial number of its
// wall clock, which needs a date number format to read as a date: a cell
// without a style is given "yyyy-mm-dd hh:mm:ss"), or nil for an empty cell.
func (s *Sheet) Set(col, row int, v any) error {
	c, err := s.cell(col, row)
	if err != nil {
		return err
	}
	c.formula = ""
	if err := s.setValue(c, v); err != nil {
		return fmt.Errorf("sheet %q cell %s: %w", s.name, CellName(col, row), err)
	}
	return nil
}

// SetFormula stores a formula (without the leading "=") in the cell, with
// the value it computes to, which readers that do not calculate show.
func (s *Sheet) SetFormula(col, row int, formula string, cached any) error {
	c, err := s.cell(col, row)
	if err != nil {
		return err
	}
	formula = strings.TrimPrefix(formula, "=")
	if formula == "" {
		return fmt.Errorf("sheet %q cell %s: empty formula", s.name, CellName(col, row))
	}
	if err := s.setValue(c, cached); err != nil {
		return fmt.Errorf("sheet %q cell %s: cached value: %w", s.name, CellName(col, row), err)
	}
	c.formula = formula
	return nil
}

func (s *Sheet) setValue(c *cellData, v any) error {
	switch v := v.(type) {
	case nil:
		c.kind, c.value = kindEmpty, ""
	case string:
		c.kind, c.value = kindString, cleanText(v)
	case []byte:
		c.kind, c.value = kindString, cleanText(string(v))
	case bool:
		c.kind, c.value = kindBool, "0"
		if v {
			c.value = "1"
		}
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		c.kind, c.value = kindNumber, fmt.Sprint(v) // decimal digits
	case float32:
		return s.setFloat(c, float64(v))
	case float64:
		return s.setFloat(c, v)
	case time.Time:
		serial, err := DateSerial(v)
		if err != nil {
			return err
		}
		c.kind, c.value = kindNumber, strconv.FormatFloat(serial, 'f', -1, 64)
		if c.style == 0 {
			id, err := s.wb.Style(Style{NumFmt: "yyyy-mm-dd hh:mm:ss"})
			if err != nil {
				return err
			}
			c.style = id
		}
	default:
		return fmt.Errorf("values of type %T are not supported (use a string, number, bool or time.Time)", v)
	}
	return nil
}

func (s *Sheet) setFloat(c *cellData, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("the number %v cannot be stored in a cell", v)
	}
	c.kind, c.value = kindNumber, formatFloat(v)
	return nil
}

// formatFloat writes v in the shortest decimal form that reads back as v,
// limited to the 15 significant digits Excel keeps.
func formatFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	digits := 0
	for _, c := range []byte(strings.TrimLeft(strings.TrimLeft(s, "-"), "0.")) {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	if digits <= 15 {
		return s
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// Excel's day 1 is 1900-01-01, and it counts a 29 February 1900 that did
// not exist: from 1 March 1900 on, serial n is n days after 1899-12-30.
var (
	serialEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	firstSerial = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)
	lastSerial  = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ErrDateRange is returned for a time.Time Excel cannot hold.
var ErrDateRange = errors.New("dates before 1 March 1900 or after 9999 cannot be written as Excel dates")

// DateSerial is Excel's serial number (days since 1899-12-30, the time of
// day as the fraction) of t's wall clock in t's own location: 2024-05-02
// 06:00 is 45414.25 whatever the zone.
func DateSerial(t time.Time) (float64, error) {
	w := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	if w.Before(firstSerial) || !w.Before(lastSerial) {
		return 0, fmt.Errorf("%s: %w", t.Format(time.DateTime), ErrDateRange)
	}
	const day = 24 * time.Hour
	secs := w.Unix() - serialEpoch.Unix()
	days := secs / 86400
	rem := time.Duration(secs%86400)*time.Second + time.Duration(w.Nanosecond())
	return float64(days) + float64(rem)/float64(day), nil
}

// SetStyle gives the style id (from Workbook.Style) to every cell of the
// range from (c1, r1) to (c2, r2), keeping their values.
func (s *Sheet) SetStyle(c1, r1, c2, r2, style int) error {
	c1, r1, c2, r2, err := checkRange(c1, r1, c2, r2)
	if err != nil {
		return fmt.Errorf("sheet %q: %w", s.name, err)
	}
	if style < 0 || style >= len(s.wb.styles.xfs) {
		return fmt.Errorf("sheet %q: style id %d was not made by Workbook.Style", s.name, style)
	}
	for row := r1; row <= r2; row++ {
		for col := c1; col <= c2; col++ {
			c, _ := s.cell(col, row)
			c.style = style
		}
	}
	return nil
}

// Merge merges the cells from (c1, r1) to (c2, r2); the merged cell shows
// the value of the top-left one. Merged ranges may not overlap.
func (s *Sheet) Merge(c1, r1, c2, r2 int) error {
	c1, r1, c2, r2, err := checkRange(c1, r1, c2, r2)
	if err != nil {
		return fmt.Errorf("sheet %q: %w", s.name, err)
	}
	if c1 == c2 && r1 == r2 {
		return nil
	}
	for _, m := range s.merges {
		if c1 <= m[2] && m[0] <= c2 && r1 <= m[3] && m[1] <= r2 {
			return fmt.Errorf("sheet %q: merged range %s:%s overlaps %s:%s", s.name,
				CellName(c1, r1), CellName(c2, r2), CellName(m[0], m[1]), CellName(m[2], m[3]))
		}
	}
	s.merges = append(s.merges, [4]int{c1, r1, c2, r2})
	return nil
}

// SetRowHeight sets the height of a row in points (0 to 409).
func (s *Sheet) SetRowHeight(row int, points float64) error {
	if err := checkCell(1, row); err != nil {
		return fmt.Errorf("sheet %q: %w", s.name, err)
	}
	if points < 0 || points > 409 {
		return fmt.Errorf("sheet %q row %d: height %v is outside 0 to 409 points", s.name, row, points)
	}
	s.heights[row] = points
	return nil
}

// SetColWidth sets the width of a column in characters (0 to 255).
func (s *Sheet) SetColWidth(col int, chars float64) error {
	if err := checkCell(col, 1); err != nil {
		return fmt.Errorf("sheet %q: %w", s.name, err)
	}
	if chars < 0 || chars > 255 {
		return fmt.Errorf("sheet %q column %s: width %v is outside 0 to 255 characters", s.name, ColumnName(col), chars)
	}
	s.widths[col] = chars
	return nil
}

// FreezeRows keeps the rows above row in view when the sheet scrolls
// (FreezeRows(2) freezes a heading in row 1); 1 or less unfreezes.
func (s *Sheet) FreezeRows(row int) error {
	if row > MaxRows {
		return fmt.Errorf("sheet %q: cannot freeze above row %d (the last row is %d)", s.name, row, MaxRows)
	}
	s.freezeRow = max(row, 0)
	if row <= 1 {
		s.freezeRow = 0
	}
	return nil
}

// xml writes xl/worksheets/sheetN.xml, cells in row then column order;
// shared adds a string to the shared-string table and returns its index.
func (s *Sheet) xml(selected bool, shared func(string) int) string {
	keys := make([]coord, 0, len(s.cells))
	for k := range s.cells {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b coord) int {
		if a.row != b.row {
			return a.row - b.row
		}
		return a.col - b.col
	})
	rows := make([]int, 0, len(s.heights)+len(keys))
	for r := range s.heights {
		rows = append(rows, r)
	}
	for _, k := range keys {
		rows = append(rows, k.row)
	}
	slices.Sort(rows)
	rows = slices.Compact(rows)

	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString(`<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`)
	b.WriteString(`<dimension ref="` + s.dimension(keys) + `"/>`)
	b.WriteString(`<sheetViews><sheetView workbookViewId="0"`)
	if selected {
		b.WriteString(` tabSelected="1"`)
	}
	if s.freezeRow > 1 {
		top := CellName(1, s.freezeRow)
		fmt.Fprintf(&b, `><pane ySplit="%d" topLeftCell="%s" activePane="bottomLeft" state="frozen"/>`, s.freezeRow-1, top)
		fmt.Fprintf(&b, `<selection pane="bottomLeft" activeCell="%s" sqref="%s"/></sheetView>`, top, top)
	} else {
		b.WriteString(`/>`)
	}
	b.WriteString(`</sheetViews><sheetFormatPr defaultRowHeight="15"/>`)
	if len(s.widths) > 0 {
		cols := make([]int, 0, len(s.widths))
		for c := range s.widths {
			cols = append(cols, c)
		}
		slices.Sort(cols)
		b.WriteString(`<cols>`)
		for _, c := range cols {
			fmt.Fprintf(&b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, c, c, strconv.FormatFloat(s.widths[c], 'f', -1, 64))
		}
		b.WriteString(`</cols>`)
	}
	b.WriteString(`<sheetData>`)
	k := 0
	for _, r := range rows {
		fmt.Fprintf(&b, `<row r="%d"`, r)
		if h, ok := s.heights[r]; ok {
			fmt.Fprintf(&b, ` ht="%s" customHeight="1"`, strconv.FormatFloat(h, 'f', -1, 64))
		}
		b.WriteString(`>`)
		for ; k < len(keys) && keys[k].row == r; k++ {
			s.cellXML(&b, keys[k], s.cells[keys[k]], shared)
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData>`)
	if len(s.merges) > 0 {
		fmt.Fprintf(&b, `<mergeCells count="%d">`, len(s.merges))
		for _, m := range s.merges {
			fmt.Fprintf(&b, `<mergeCell ref="%s:%s"/>`, CellName(m[0], m[1]), CellName(m[2], m[3]))
		}
		b.WriteString(`</mergeCells>`)
	}
	b.WriteString(`<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>`)
	b.WriteString(`</worksheet>`)
	return b.String()
}

func (s *Sheet) dimension(keys []coord) string {
	if len(keys) == 0 {
		return "A1"
	}
	minC, maxC := keys[0].col, keys[0].col
	for _, k := range keys {
		minC, maxC = min(minC, k.col), max(maxC, k.col)
	}
	first, last := CellName(minC, keys[0].row), CellName(maxC, keys[len(keys)-1].row)
	if first == last {
		return first
	}
	return first + ":" + last
}

func (s *Sheet) cellXML(b *strings.Builder, k coord, c *cellData, shared func(string) int) {
	b.WriteString(`<c r="` + CellName(k.col, k.row) + `"`)
	if c.style != 0 {
		b.WriteString(` s="` + strconv.Itoa(c.style) + `"`)
	}
	switch {
	case c.kind == kindBool:
		b.WriteString(` t="b"`)
	case c.kind == kindString && c.formula != "":
		b.WriteString(` t="str"`)
	case c.kind == kindString:
		b.WriteString(` t="s"`)
	}
	if c.kind == kindEmpty && c.formula == "" {
		b.WriteString(`/>`)
		return
	}
	b.WriteString(`>`)
	if c.formula != "" {
		b.WriteString(`<f>`)
		escape(b, c.formula, false)
		b.WriteString(`</f>`)
	}
	switch {
	case c.kind == kindString && c.formula == "":
		b.WriteString(`<v>` + strconv.Itoa(shared(c.value)) + `</v>`)
	case c.kind != kindEmpty:
		b.WriteString(`<v>`)
		escape(b, c.value, false)
		b.WriteString(`</v>`)
	}
	b.WriteString(`</c>`)
}
