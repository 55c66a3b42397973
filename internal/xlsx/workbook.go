// Package xlsx writes Excel workbooks (Office Open XML SpreadsheetML) with
// the standard library only: named sheets of strings, numbers, booleans,
// dates and formulas with their cached values, de-duplicated cell styles,
// merged cells, row heights, column widths and frozen heading rows. It
// writes; it does not read.
package xlsx

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"
)

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel  = "http://schemas.openxmlformats.org/package/2006/relationships"
	typeSheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
	relDoc    = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
)

// zipTime is the modification time of every part, so that the same
// workbook gives the same bytes.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Workbook is a workbook being built in memory.
type Workbook struct {
	sheets         []*Sheet
	styles         *styles
	active         int
	fullCalcOnLoad bool
}

// New returns an empty workbook; it needs at least one sheet to be written.
func New() *Workbook {
	return &Workbook{styles: newStyles()}
}

// AddSheet appends a sheet. Excel's rules on names apply: 1 to 31
// characters, none of []:*?/\, no apostrophe at either end, no two sheets
// with the same name in any case.
func (w *Workbook) AddSheet(name string) (*Sheet, error) {
	if err := w.checkName(name); err != nil {
		return nil, err
	}
	s := &Sheet{wb: w, name: name, cells: map[coord]*cellData{}, heights: map[int]float64{}, widths: map[int]float64{}}
	w.sheets = append(w.sheets, s)
	return s, nil
}

func (w *Workbook) checkName(name string) error {
	n := len(utf16.Encode([]rune(name)))
	switch {
	case name == "":
		return fmt.Errorf("sheet name is empty")
	case n > 31:
		return fmt.Errorf("sheet name %q is %d characters long; Excel allows 31", name, n)
	case strings.ContainsAny(name, `[]:*?/\`):
		return fmt.Errorf("sheet name %q contains one of []:*?/\\, which Excel does not allow", name)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return fmt.Errorf("sheet name %q starts or ends with an apostrophe, which Excel does not allow", name)
	case strings.EqualFold(name, "History"):
		return fmt.Errorf("sheet name %q is reserved by Excel", name)
	}
	for _, r := range name {
		if r < 0x20 || !validXMLRune(r) {
			return fmt.Errorf("sheet name %q contains a control character", name)
		}
	}
	for _, s := range w.sheets {
		if strings.EqualFold(s.name, name) {
			return fmt.Errorf("sheet name %q is already used by sheet %q", name, s.name)
		}
	}
	return nil
}

// Sheets lists the sheets in order.
func (w *Workbook) Sheets() []*Sheet { return w.sheets }

// Style registers a style and returns its id for Sheet.SetStyle; the same
// Style always gives the same id.
func (w *Workbook) Style(s Style) (int, error) {
	return w.styles.add(s)
}

// SetActive makes sheet i (from 0) the one shown when the file is opened.
func (w *Workbook) SetActive(i int) error {
	if i < 0 || i >= len(w.sheets) {
		return fmt.Errorf("active sheet %d: the workbook has %d sheets", i, len(w.sheets))
	}
	w.active = i
	return nil
}

// SetFullCalcOnLoad asks the spreadsheet to recalculate every formula when
// it opens the file, rather than trust the cached values.
func (w *Workbook) SetFullCalcOnLoad(on bool) { w.fullCalcOnLoad = on }

// WriteTo writes the workbook as an .xlsx file. The same workbook always
// gives the same bytes.
func (w *Workbook) WriteTo(out io.Writer) (int64, error) {
	if len(w.sheets) == 0 {
		return 0, fmt.Errorf("xlsx: the workbook has no sheet")
	}
	cw := &countWriter{w: out}
	z := zip.NewWriter(cw)

	// The sheets first: they fill the shared-string table.
	var strs []string
	index := map[string]int{}
	shared := func(s string) int {
		i, ok := index[s]
		if !ok {
			i = len(strs)
			index[s] = i
			strs = append(strs, s)
		}
		return i
	}
	sheetXML := make([]string, len(w.sheets))
	refs := 0
	for i, s := range w.sheets {
		sheetXML[i] = s.xml(i == w.active, shared)
		for _, c := range s.cells {
			if c.kind == kindString && c.formula == "" {
				refs++
			}
		}
	}

	parts := []struct{ name, body string }{
		{"[Content_Types].xml", w.contentTypes(len(strs) > 0)},
		{"_rels/.rels", xmlHeader + `<Relationships xmlns="` + nsPkgRel + `">` +
			`<Relationship Id="rId1" Type="` + relDoc + `officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", w.workbookXML()},
		{"xl/_rels/workbook.xml.rels", w.workbookRels(len(strs) > 0)},
		{"xl/styles.xml", w.styles.xml()},
	}
	for i, body := range sheetXML {
		parts = append(parts, struct{ name, body string }{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), body})
	}
	if len(strs) > 0 {
		parts = append(parts, struct{ name, body string }{"xl/sharedStrings.xml", sharedStringsXML(strs, refs)})
	}
	for _, p := range parts {
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return cw.n, fmt.Errorf("xlsx: %s: %w", p.name, err)
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return cw.n, fmt.Errorf("xlsx: %s: %w", p.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return cw.n, fmt.Errorf("xlsx: %w", err)
	}
	return cw.n, nil
}

func (w *Workbook) contentTypes(sharedStrings bool) string {
	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`)
	b.WriteString(`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`)
	b.WriteString(`<Default Extension="xml" ContentType="application/xml"/>`)
	b.WriteString(`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`)
	for i := range w.sheets {
		fmt.Fprintf(&b, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="%s"/>`, i+1, typeSheet)
	}
	b.WriteString(`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	if sharedStrings {
		b.WriteString(`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`)
	}
	b.WriteString(`</Types>`)
	return b.String()
}

func (w *Workbook) workbookXML() string {
	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString(`<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`)
	fmt.Fprintf(&b, `<workbookPr/><bookViews><workbookView activeTab="%d"/></bookViews><sheets>`, w.active)
	for i, s := range w.sheets {
		b.WriteString(`<sheet name="`)
		escape(&b, s.name, true)
		fmt.Fprintf(&b, `" sheetId="%d" r:id="rId%d"/>`, i+1, i+1)
	}
	b.WriteString(`</sheets>`)
	if w.fullCalcOnLoad {
		b.WriteString(`<calcPr calcId="191029" fullCalcOnLoad="1"/>`)
	} else {
		b.WriteString(`<calcPr calcId="191029"/>`)
	}
	b.WriteString(`</workbook>`)
	return b.String()
}

func (w *Workbook) workbookRels(sharedStrings bool) string {
	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString(`<Relationships xmlns="` + nsPkgRel + `">`)
	n := len(w.sheets)
	for i := range w.sheets {
		fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="%sworksheet" Target="worksheets/sheet%d.xml"/>`, i+1, relDoc, i+1)
	}
	fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="%sstyles" Target="styles.xml"/>`, n+1, relDoc)
	if sharedStrings {
		fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="%ssharedStrings" Target="sharedStrings.xml"/>`, n+2, relDoc)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

func sharedStringsXML(strs []string, refs int) string {
	var b strings.Builder
	b.WriteString(xmlHeader)
	fmt.Fprintf(&b, `<sst xmlns="%s" count="%d" uniqueCount="%d">`, nsMain, refs, len(strs))
	for _, s := range strs {
		if needsPreserve(s) {
			b.WriteString(`<si><t xml:space="preserve">`)
		} else {
			b.WriteString(`<si><t>`)
		}
		escape(&b, s, false)
		b.WriteString(`</t></si>`)
	}
	b.WriteString(`</sst>`)
	return b.String()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
