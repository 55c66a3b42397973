package xlsx

import (
	"fmt"
	"strconv"
	"strings"
)

// Style is how a cell looks. The zero Style is Excel's default (Calibri 11,
// no fill, no border, General number format). Styles are compared by value:
// registering the same Style twice gives the same id.
type Style struct {
	Font Font
	// Fill is a solid background colour as "RRGGBB" ("" for none).
	Fill string
	// Border draws a thin black line on the four sides of the cell.
	Border bool
	// HAlign is "", "left", "center", "right", "fill", "justify",
	// "centerContinuous" or "distributed"; VAlign is "", "top", "center",
	// "bottom", "justify" or "distributed".
	HAlign, VAlign string
	Wrap           bool
	// NumFmt is a number format code such as "0.0" or "dd/mm/yyyy" ("" is
	// General).
	NumFmt string
}

// Font is the font of a Style. The zero Font is Calibri 11, black.
type Font struct {
	Bold, Italic bool
	// Size in points; 0 is 11.
	Size float64
	// Color as "RRGGBB" ("" is automatic, black).
	Color string
}

// defaultFontSize is the size of the zero Font.
const defaultFontSize = 11

// firstCustomNumFmt is the first id Excel leaves to a workbook's own number
// formats.
const firstCustomNumFmt = 164

var hAligns = map[string]bool{"": true, "general": true, "left": true, "center": true, "right": true,
	"fill": true, "justify": true, "centerContinuous": true, "distributed": true}
var vAligns = map[string]bool{"": true, "top": true, "center": true, "bottom": true, "justify": true, "distributed": true}

// styles is the de-duplicated table written to xl/styles.xml. Index 0 of
// every list is the default.
type styles struct {
	xfs     []Style
	xfIndex map[Style]int
	fonts   []Font
	fills   []string
	numFmts []string // custom formats; id firstCustomNumFmt+i
}

func newStyles() *styles {
	return &styles{
		xfs:     []Style{{}},
		xfIndex: map[Style]int{{}: 0},
		fonts:   []Font{{}},
		fills:   []string{"", "gray125"}, // Excel requires these two first
	}
}

// normColor checks an "RRGGBB" colour (a leading # is allowed) and returns
// it in upper case.
func normColor(field, c string) (string, error) {
	c = strings.TrimPrefix(c, "#")
	if c == "" {
		return "", nil
	}
	if _, err := strconv.ParseUint(c, 16, 32); err != nil || len(c) != 6 {
		return "", fmt.Errorf("style: %s colour %q is not RRGGBB hexadecimal, e.g. \"9C0006\"", field, c)
	}
	return strings.ToUpper(c), nil
}

// add registers s and returns its id.
func (t *styles) add(s Style) (int, error) {
	var err error
	if s.Fill, err = normColor("fill", s.Fill); err != nil {
		return 0, err
	}
	if s.Font.Color, err = normColor("font", s.Font.Color); err != nil {
		return 0, err
	}
	if s.Font.Size == defaultFontSize {
		s.Font.Size = 0
	}
	if s.Font.Size < 0 || s.Font.Size > 409 {
		return 0, fmt.Errorf("style: font size %v is outside 1 to 409 points", s.Font.Size)
	}
	if !hAligns[s.HAlign] {
		return 0, fmt.Errorf("style: horizontal alignment %q is not one of left, center, right, fill, justify, centerContinuous, distributed", s.HAlign)
	}
	if !vAligns[s.VAlign] {
		return 0, fmt.Errorf("style: vertical alignment %q is not one of top, center, bottom, justify, distributed", s.VAlign)
	}
	if s.HAlign == "general" {
		s.HAlign = ""
	}
	if strings.EqualFold(s.NumFmt, "General") {
		s.NumFmt = ""
	}
	if id, ok := t.xfIndex[s]; ok {
		return id, nil
	}
	t.xfs = append(t.xfs, s)
	id := len(t.xfs) - 1
	t.xfIndex[s] = id
	return id, nil
}

func indexOf[T comparable](list *[]T, v T) int {
	for i, x := range *list {
		if x == v {
			return i
		}
	}
	*list = append(*list, v)
	return len(*list) - 1
}

// xml writes xl/styles.xml.
func (t *styles) xml() string {
	type xf struct{ numFmt, font, fill int }
	refs := make([]xf, len(t.xfs))
	for i, s := range t.xfs {
		r := xf{font: indexOf(&t.fonts, s.Font)}
		if s.Fill != "" {
			r.fill = indexOf(&t.fills, s.Fill)
		}
		if s.NumFmt != "" {
			r.numFmt = firstCustomNumFmt + indexOf(&t.numFmts, s.NumFmt)
		}
		refs[i] = r
	}

	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString(`<styleSheet xmlns="` + nsMain + `">`)
	if len(t.numFmts) > 0 {
		fmt.Fprintf(&b, `<numFmts count="%d">`, len(t.numFmts))
		for i, code := range t.numFmts {
			fmt.Fprintf(&b, `<numFmt numFmtId="%d" formatCode="`, firstCustomNumFmt+i)
			escape(&b, code, true)
			b.WriteString(`"/>`)
		}
		b.WriteString(`</numFmts>`)
	}
	fmt.Fprintf(&b, `<fonts count="%d">`, len(t.fonts))
	for _, f := range t.fonts {
		b.WriteString(`<font>`)
		if f.Bold {
			b.WriteString(`<b/>`)
		}
		if f.Italic {
			b.WriteString(`<i/>`)
		}
		size := f.Size
		if size == 0 {
			size = defaultFontSize
		}
		b.WriteString(`<sz val="` + strconv.FormatFloat(size, 'f', -1, 64) + `"/>`)
		if f.Color != "" {
			b.WriteString(`<color rgb="FF` + f.Color + `"/>`)
		}
		b.WriteString(`<name val="Calibri"/><family val="2"/></font>`)
	}
	b.WriteString(`</fonts>`)
	fmt.Fprintf(&b, `<fills count="%d">`, len(t.fills))
	for i, f := range t.fills {
		switch i {
		case 0:
			b.WriteString(`<fill><patternFill patternType="none"/></fill>`)
		case 1:
			b.WriteString(`<fill><patternFill patternType="gray125"/></fill>`)
		default:
			b.WriteString(`<fill><patternFill patternType="solid"><fgColor rgb="FF` + f + `"/><bgColor indexed="64"/></patternFill></fill>`)
		}
	}
	b.WriteString(`</fills>`)
	b.WriteString(`<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border>`)
	for _, side := range []string{"left", "right", "top", "bottom"} {
		b.WriteString(`<` + side + ` style="thin"><color rgb="FF000000"/></` + side + `>`)
	}
	b.WriteString(`<diagonal/></border></borders>`)
	b.WriteString(`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`)
	fmt.Fprintf(&b, `<cellXfs count="%d">`, len(t.xfs))
	for i, s := range t.xfs {
		r := refs[i]
		border := 0
		if s.Border {
			border = 1
		}
		fmt.Fprintf(&b, `<xf numFmtId="%d" fontId="%d" fillId="%d" borderId="%d" xfId="0"`, r.numFmt, r.font, r.fill, border)
		if r.numFmt != 0 {
			b.WriteString(` applyNumberFormat="1"`)
		}
		if r.font != 0 {
			b.WriteString(` applyFont="1"`)
		}
		if r.fill != 0 {
			b.WriteString(` applyFill="1"`)
		}
		if border != 0 {
			b.WriteString(` applyBorder="1"`)
		}
		if s.HAlign == "" && s.VAlign == "" && !s.Wrap {
			b.WriteString(`/>`)
			continue
		}
		b.WriteString(` applyAlignment="1"><alignment`)
		if s.HAlign != "" {
			b.WriteString(` horizontal="` + s.HAlign + `"`)
		}
		if s.VAlign != "" {
			b.WriteString(` vertical="` + s.VAlign + `"`)
		}
		if s.Wrap {
			b.WriteString(` wrapText="1"`)
		}
		b.WriteString(`/></xf>`)
	}
	b.WriteString(`</cellXfs>`)
	b.WriteString(`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>`)
	b.WriteString(`<dxfs count="0"/><tableStyles count="0"/></styleSheet>`)
	return b.String()
}
