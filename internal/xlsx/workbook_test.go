package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// write writes w and reads it back with excelize, an independent reader.
func write(t *testing.T, w *Workbook) (*excelize.File, []byte) {
	t.Helper()
	var b bytes.Buffer
	n, err := w.WriteTo(&b)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(b.Len()) {
		t.Errorf("WriteTo returned %d bytes, wrote %d", n, b.Len())
	}
	raw := bytes.Clone(b.Bytes())
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatalf("excelize cannot read the workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, raw
}

// part is the text of one part of the zip.
func part(t *testing.T, raw []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == name {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no part %s in the zip", name)
	return ""
}

// wellFormed checks that every part of the zip is well-formed XML 1.0,
// with Go's strict decoder, and that the parts Excel needs are there.
func wellFormed(t *testing.T, raw []byte, sheets int) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range z.File {
		names[f.Name] = true
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(r)
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
		r.Close()
	}
	want := []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
	for i := range sheets {
		want = append(want, fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1))
	}
	for _, n := range want {
		if !names[n] {
			t.Errorf("the zip has no %s", n)
		}
	}
	if z.File[0].Name != "[Content_Types].xml" {
		t.Errorf("the first part is %s, want [Content_Types].xml", z.File[0].Name)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestColumnAndCellNames(t *testing.T) {
	for _, tc := range []struct {
		col, row int
		want     string
	}{
		{1, 1, "A1"}, {26, 2, "Z2"}, {27, 10, "AA10"}, {52, 3, "AZ3"}, {53, 3, "BA3"},
		{702, 1, "ZZ1"}, {703, 1, "AAA1"}, {16384, 1048576, "XFD1048576"},
		{0, 1, ""}, {16385, 1, ""}, {1, 0, ""}, {1, 1048577, ""},
	} {
		if got := CellName(tc.col, tc.row); got != tc.want {
			t.Errorf("CellName(%d, %d) = %q, want %q", tc.col, tc.row, got, tc.want)
		}
		if tc.want == "" {
			continue
		}
		// The same as excelize's.
		ref, err := excelize.CoordinatesToCellName(tc.col, tc.row)
		if err != nil || ref != tc.want {
			t.Errorf("excelize names (%d, %d) %q", tc.col, tc.row, ref)
		}
	}
	for col := 1; col <= 20000; col += 7 {
		want, err := excelize.ColumnNumberToName(col)
		if err != nil {
			want = ""
		}
		if got := ColumnName(col); got != want {
			t.Fatalf("ColumnName(%d) = %q, excelize says %q", col, got, want)
		}
	}
}

func TestValuesAndEscaping(t *testing.T) {
	w := New()
	s, err := w.AddSheet("Nhật ký phát")
	must(t, err)
	tricky := `<b>"Tân Lập" & 'Đông Hưng'</b>`
	must(t, s.Set(1, 1, tricky))
	must(t, s.Set(2, 1, "bell\x07 and \x00nul\x1b dropped, tab\tand\nnewline kept"))
	must(t, s.Set(3, 1, "  padded  "))
	must(t, s.Set(4, 1, "literal _x000D_ stays"))
	must(t, s.Set(5, 1, "cr\r\nlf"))
	must(t, s.Set(6, 1, "bad utf-8 \xff\xfe gone"))
	must(t, s.Set(1, 2, 42))
	must(t, s.Set(2, 2, int64(-7)))
	must(t, s.Set(3, 2, 2.5))
	must(t, s.Set(4, 2, 0.1+0.2)) // 15 significant digits, as Excel keeps
	must(t, s.Set(5, 2, true))
	must(t, s.Set(6, 2, uint8(200)))
	must(t, s.Set(1, 3, tricky)) // a shared string used twice
	must(t, s.Set(2, 3, "to be emptied"))
	must(t, s.Set(2, 3, nil))
	f, raw := write(t, w)
	wellFormed(t, raw, 1)

	for cell, want := range map[string]string{
		"A1": tricky, "B1": "bell and nul dropped, tab\tand\nnewline kept", "C1": "  padded  ",
		"D1": "literal _x000D_ stays", "E1": "cr\r\nlf", "F1": "bad utf-8  gone",
		"A2": "42", "B2": "-7", "C2": "2.5", "D2": "0.3", "E2": "TRUE", "F2": "200", "A3": tricky, "B3": "",
	} {
		got, err := f.GetCellValue("Nhật ký phát", cell)
		must(t, err)
		if got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	for cell, want := range map[string]excelize.CellType{"A1": excelize.CellTypeSharedString,
		"A2": excelize.CellTypeUnset, "E2": excelize.CellTypeBool} {
		got, err := f.GetCellType("Nhật ký phát", cell)
		must(t, err)
		if got != want {
			t.Errorf("%s type = %v, want %v", cell, got, want)
		}
	}
	sst := part(t, raw, "xl/sharedStrings.xml")
	if strings.Count(sst, "Tân Lập") != 1 {
		t.Errorf("the repeated string is not shared once: %s", sst)
	}
	if !strings.Contains(sst, `count="7" uniqueCount="6"`) {
		t.Errorf("shared-string counts: %s", sst)
	}
	if err := s.Set(1, 1, struct{}{}); err == nil || !strings.Contains(err.Error(), "A1") {
		t.Errorf("Set(struct{}) = %v, want an error naming the cell", err)
	}
	for _, v := range []float64{nan(), 1 / zero()} {
		if err := s.Set(1, 1, v); err == nil {
			t.Errorf("Set(%v): no error", v)
		}
	}
}

func nan() float64  { z := zero(); return z / z }
func zero() float64 { return 0 }

func TestLongTextIsTruncatedToExcelsLimit(t *testing.T) {
	w := New()
	s, err := w.AddSheet("S")
	must(t, err)
	must(t, s.Set(1, 1, strings.Repeat("ạ", 40000)))
	f, _ := write(t, w)
	got, err := f.GetCellValue("S", "A1")
	must(t, err)
	if n := len([]rune(got)); n != 32767 {
		t.Errorf("cell has %d characters, want Excel's 32767", n)
	}
}

func TestCellsAreWrittenInOrder(t *testing.T) {
	w := New()
	s, err := w.AddSheet("S")
	must(t, err)
	// Set out of order, rows above 9 to catch a string sort.
	must(t, s.Set(3, 12, "c12"))
	must(t, s.Set(28, 2, "ab2"))
	must(t, s.Set(1, 12, "a12"))
	must(t, s.Set(2, 2, "b2"))
	must(t, s.Set(1, 9, "a9"))
	must(t, s.SetRowHeight(5, 30)) // a row with a height and no cell
	f, raw := write(t, w)
	xml := part(t, raw, "xl/worksheets/sheet1.xml")
	var refs []string
	for _, m := range regexp.MustCompile(`<(?:row|c) r="([A-Z]*[0-9]+)"`).FindAllStringSubmatch(xml, -1) {
		refs = append(refs, m[1])
	}
	if got := strings.Join(refs, " "); got != "2 B2 AB2 5 9 A9 12 A12 C12" {
		t.Errorf("rows and cells in the order %s", got)
	}
	if !strings.Contains(xml, `<dimension ref="A2:AB12"/>`) {
		t.Errorf("dimension missing or wrong: %s", xml)
	}
	rows, err := f.GetRows("S")
	must(t, err)
	if len(rows) != 12 || rows[11][2] != "c12" || rows[1][27] != "ab2" {
		t.Errorf("rows read back: %q", rows)
	}
	h, err := f.GetRowHeight("S", 5)
	must(t, err)
	if h != 30 {
		t.Errorf("row 5 height = %v, want 30", h)
	}
}

func TestStyles(t *testing.T) {
	w := New()
	s, err := w.AddSheet("S")
	must(t, err)
	head := Style{Font: Font{Bold: true, Size: 14, Color: "#9c0006"}, Fill: "E8E8E8", Border: true,
		HAlign: "center", VAlign: "center", Wrap: true}
	id, err := w.Style(head)
	must(t, err)
	again, err := w.Style(Style{Font: Font{Bold: true, Size: 14, Color: "9C0006"}, Fill: "#e8e8e8", Border: true,
		HAlign: "center", VAlign: "center", Wrap: true})
	must(t, err)
	if again != id {
		t.Errorf("the same style registered twice: ids %d and %d", id, again)
	}
	one, err := w.Style(Style{NumFmt: "0.0", Font: Font{Italic: true}})
	must(t, err)
	if one == id {
		t.Error("two different styles share an id")
	}
	def, err := w.Style(Style{Font: Font{Size: 11}})
	must(t, err)
	if def != 0 {
		t.Errorf("the default style has id %d, want 0", def)
	}
	must(t, s.Set(1, 1, "heading"))
	must(t, s.SetStyle(1, 1, 3, 1, id)) // keeps A1's value, adds B1 and C1
	must(t, s.Set(1, 2, 27.0))
	must(t, s.SetStyle(1, 2, 1, 2, one))
	f, raw := write(t, w)

	if v, _ := f.GetCellValue("S", "A1"); v != "heading" {
		t.Errorf("A1 = %q after styling", v)
	}
	if v, _ := f.GetCellValue("S", "A2"); v != "27.0" {
		t.Errorf("A2 = %q, want 27.0 in the format 0.0", v)
	}
	for _, cell := range []string{"A1", "C1"} {
		sid, err := f.GetCellStyle("S", cell)
		must(t, err)
		st, err := f.GetStyle(sid)
		must(t, err)
		if st.Font == nil || !st.Font.Bold || st.Font.Size != 14 || strings.TrimPrefix(st.Font.Color, "FF") != "9C0006" {
			t.Errorf("%s font = %+v", cell, st.Font)
		}
		// excelize reads fill colours only with a theme part; the colour
		// itself is checked in styles.xml below.
		if st.Fill.Type != "pattern" || st.Fill.Pattern != 1 {
			t.Errorf("%s fill = %+v", cell, st.Fill)
		}
		if len(st.Border) != 4 || st.Border[0].Style != 1 {
			t.Errorf("%s border = %+v", cell, st.Border)
		}
		if st.Alignment == nil || st.Alignment.Horizontal != "center" || st.Alignment.Vertical != "center" || !st.Alignment.WrapText {
			t.Errorf("%s alignment = %+v", cell, st.Alignment)
		}
	}
	sid, err := f.GetCellStyle("S", "A2")
	must(t, err)
	st, err := f.GetStyle(sid)
	must(t, err)
	if st.CustomNumFmt == nil || *st.CustomNumFmt != "0.0" || st.Font == nil || !st.Font.Italic {
		t.Errorf("A2 style = %+v", st)
	}
	styles := part(t, raw, "xl/styles.xml")
	if !strings.Contains(styles, `<patternFill patternType="solid"><fgColor rgb="FFE8E8E8"/>`) {
		t.Errorf("no solid E8E8E8 fill: %s", styles)
	}
	if !strings.Contains(styles, `<cellXfs count="3">`) || strings.Count(styles, `<numFmt `) != 1 {
		t.Errorf("styles are not de-duplicated: %s", styles)
	}
	for _, bad := range []Style{{Fill: "red"}, {Font: Font{Color: "12345"}}, {HAlign: "middle"}, {VAlign: "left"}, {Font: Font{Size: 500}}} {
		if _, err := w.Style(bad); err == nil {
			t.Errorf("Style(%+v): no error", bad)
		}
	}
	if err := s.SetStyle(1, 1, 1, 1, 99); err == nil {
		t.Error("SetStyle with an unknown id: no error")
	}
}

func TestFormulaDateMergeLayout(t *testing.T) {
	w := New()
	sum, err := w.AddSheet("Tổng hợp")
	must(t, err)
	log, err := w.AddSheet("Nhật ký phát")
	must(t, err)
	dateStyle, err := w.Style(Style{NumFmt: "dd/mm/yyyy hh:mm:ss"})
	must(t, err)
	must(t, log.Set(1, 1, 3))
	must(t, log.Set(1, 2, 4))
	must(t, sum.SetFormula(1, 1, "=SUM('Nhật ký phát'!A1:A2)", 7))
	must(t, sum.SetFormula(2, 1, `IF(A1>5,"nhiều","ít")`, "nhiều"))
	must(t, sum.SetFormula(3, 1, "A1>5", true))
	ict := time.FixedZone("ICT", 7*3600)
	must(t, sum.Set(1, 2, time.Date(2024, 5, 2, 6, 0, 0, 0, ict)))
	must(t, sum.SetStyle(1, 2, 1, 2, dateStyle))
	must(t, sum.Set(2, 2, time.Date(2024, 5, 31, 23, 59, 59, 0, time.UTC))) // no style: a default date format
	must(t, sum.Set(1, 3, "merged title"))
	must(t, sum.Merge(1, 3, 10, 3))
	must(t, sum.Merge(4, 4, 1, 5)) // corners in any order
	if err := sum.Merge(5, 2, 5, 3); err == nil {
		t.Error("an overlapping merge: no error")
	}
	must(t, sum.SetColWidth(3, 50))
	must(t, sum.SetColWidth(10, 60.5))
	must(t, sum.SetRowHeight(3, 32))
	must(t, sum.FreezeRows(4))
	must(t, log.FreezeRows(2))
	must(t, w.SetActive(1))
	w.SetFullCalcOnLoad(true)
	f, raw := write(t, w)
	wellFormed(t, raw, 2)

	if got := strings.Join(f.GetSheetList(), "|"); got != "Tổng hợp|Nhật ký phát" {
		t.Errorf("sheets = %s", got)
	}
	if got := f.GetActiveSheetIndex(); got != 1 {
		t.Errorf("active sheet = %d, want 1", got)
	}
	for cell, want := range map[string][2]string{
		"A1": {"SUM('Nhật ký phát'!A1:A2)", "7"}, "B1": {`IF(A1>5,"nhiều","ít")`, "nhiều"}, "C1": {"A1>5", "TRUE"},
	} {
		formula, err := f.GetCellFormula("Tổng hợp", cell)
		must(t, err)
		v, err := f.GetCellValue("Tổng hợp", cell)
		must(t, err)
		if formula != want[0] || v != want[1] {
			t.Errorf("%s = %q =%s, want %q =%s", cell, v, formula, want[1], want[0])
		}
	}
	if v, err := f.CalcCellValue("Tổng hợp", "A1"); err != nil || v != "7" {
		t.Errorf("A1 computes to %q (%v), want 7", v, err)
	}
	// The wall clock of the time in its own zone.
	if v, _ := f.GetCellValue("Tổng hợp", "A2"); v != "02/05/2024 06:00:00" {
		t.Errorf("A2 = %q, want 02/05/2024 06:00:00", v)
	}
	if v, _ := f.GetCellValue("Tổng hợp", "A2", excelize.Options{RawCellValue: true}); v != "45414.25" {
		t.Errorf("A2 serial = %q, want 45414.25", v)
	}
	if v, _ := f.GetCellValue("Tổng hợp", "B2"); v != "2024-05-31 23:59:59" {
		t.Errorf("B2 = %q, want the default date format", v)
	}
	merges, err := f.GetMergeCells("Tổng hợp")
	must(t, err)
	var got []string
	for _, m := range merges {
		got = append(got, m.GetStartAxis()+":"+m.GetEndAxis()+"="+m.GetCellValue())
	}
	if strings.Join(got, " ") != "A3:J3=merged title A4:D5=" {
		t.Errorf("merges = %q", got)
	}
	if wd, _ := f.GetColWidth("Tổng hợp", "C"); wd != 50 {
		t.Errorf("column C width = %v", wd)
	}
	if wd, _ := f.GetColWidth("Tổng hợp", "J"); wd != 60.5 {
		t.Errorf("column J width = %v", wd)
	}
	if h, _ := f.GetRowHeight("Tổng hợp", 3); h != 32 {
		t.Errorf("row 3 height = %v", h)
	}
	for sheet, row := range map[string]int{"Tổng hợp": 4, "Nhật ký phát": 2} {
		p, err := f.GetPanes(sheet)
		must(t, err)
		if !p.Freeze || p.YSplit != row-1 || p.XSplit != 0 || p.TopLeftCell != CellName(1, row) {
			t.Errorf("%s panes = %+v, want rows above %d frozen", sheet, p, row)
		}
	}
	props, err := f.GetCalcProps()
	must(t, err)
	if props.FullCalcOnLoad == nil || !*props.FullCalcOnLoad {
		t.Errorf("calcPr = %+v, want fullCalcOnLoad", props)
	}
	if wb := part(t, raw, "xl/workbook.xml"); !strings.Contains(wb, `fullCalcOnLoad="1"`) {
		t.Errorf("workbook.xml: %s", wb)
	}
	for _, bad := range []time.Time{{}, time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if err := sum.Set(1, 9, bad); err == nil {
			t.Errorf("Set(%v): no error", bad)
		}
	}
}

func TestDateSerial(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want float64
	}{
		{time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), 61},
		{time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC), 45414},
		{time.Date(2024, 5, 2, 18, 0, 0, 0, time.FixedZone("ICT", 7*3600)), 45414.75},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 2958465},
	} {
		got, err := DateSerial(tc.t)
		if err != nil || got != tc.want {
			t.Errorf("DateSerial(%v) = %v, %v; want %v", tc.t, got, err, tc.want)
		}
	}
}

func TestSheetNames(t *testing.T) {
	w := New()
	if _, err := w.AddSheet("Kết quả tuyên truyền tháng 5 2024"); err == nil {
		t.Error("a 33-character name: no error") // Excel's limit is 31
	}
	if _, err := w.AddSheet("Kết quả tuyên truyền tháng 5/24"); err == nil {
		t.Error("a name with /: no error")
	}
	for _, bad := range []string{"", "a[1]", "a:b", "a*", "a?", `a\b`, "'quoted'", "History", "tab\there"} {
		if _, err := w.AddSheet(bad); err == nil {
			t.Errorf("AddSheet(%q): no error", bad)
		}
	}
	if _, err := w.WriteTo(io.Discard); err == nil {
		t.Error("a workbook with no sheet was written")
	}
	long := "Báo cáo tuyên truyền tháng 5 24" // 31 characters
	if _, err := w.AddSheet(long); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddSheet("BÁO CÁO TUYÊN TRUYỀN THÁNG 5 24"); err == nil {
		t.Error("the same name in another case: no error")
	}
	if _, err := w.AddSheet("Bob & <Alice>"); err != nil {
		t.Fatal(err)
	}
	f, _ := write(t, w)
	if got := strings.Join(f.GetSheetList(), "|"); got != long+"|Bob & <Alice>" {
		t.Errorf("sheets = %q", got)
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	build := func() []byte {
		w := New()
		for _, name := range []string{"A", "B", "C"} {
			s, err := w.AddSheet(name)
			must(t, err)
			for i := range 50 {
				must(t, s.Set(i%7+1, 50-i, name+strings.Repeat("x", i)))
			}
			bold, err := w.Style(Style{Font: Font{Bold: true}, NumFmt: name})
			must(t, err)
			must(t, s.SetStyle(1, 1, 3, 3, bold))
			must(t, s.SetColWidth(2, 9))
			must(t, s.SetColWidth(1, 9))
		}
		var b bytes.Buffer
		if _, err := w.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if !bytes.Equal(build(), build()) {
		t.Error("the same workbook gave different bytes")
	}
}
