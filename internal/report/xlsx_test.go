package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func openXLSX(t *testing.T, r Report, lang string) *excelize.File {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteXLSX(&b, lang); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatalf("excelize cannot read the workbook back: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// dumpXLSX lists every non-empty cell of every sheet as "Sheet!A1<TAB>value",
// with "<TAB>=FORMULA" after the cached value of a formula: the workbook's
// content without the zip's timestamps.
func dumpXLSX(t *testing.T, f *excelize.File) []byte {
	t.Helper()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "# %s\n", sheet)
		for i, row := range rows {
			for j, v := range row {
				name, _ := excelize.CoordinatesToCellName(j+1, i+1)
				formula, err := f.GetCellFormula(sheet, name)
				if err != nil {
					t.Fatal(err)
				}
				if v == "" && formula == "" {
					continue
				}
				fmt.Fprintf(&b, "%s\t%s", name, strings.ReplaceAll(v, "\n", `\n`))
				if formula != "" {
					fmt.Fprintf(&b, "\t=%s", formula)
				}
				b.WriteByte('\n')
			}
		}
	}
	return []byte(b.String())
}

func TestXLSXGolden(t *testing.T) {
	r := Build(fixture(t))
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			golden(t, "may2024."+lang+".xlsx.txt", dumpXLSX(t, openXLSX(t, r, lang)))
		})
	}
}

func TestXLSX(t *testing.T) {
	r := Build(fixture(t))
	f := openXLSX(t, r, "vi")
	if got := strings.Join(f.GetSheetList(), "|"); got != "Tổng hợp|Nhật ký phát|Theo ngày" {
		t.Fatalf("sheets = %s", got)
	}
	get := func(sheet, cell string) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	formula := func(sheet, cell string) string {
		t.Helper()
		v, err := f.GetCellFormula(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	calc := func(sheet, cell string) float64 {
		t.Helper()
		v, err := f.CalcCellValue(sheet, cell)
		if err != nil {
			t.Fatalf("%s!%s: %v", sheet, cell, err)
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("%s!%s = %q, not a number", sheet, cell, v)
		}
		return n
	}

	// The administrative header.
	for cell, want := range map[string]string{
		"A1": "UBND HUYỆN YÊN MỸ", "A2": "ỦY BAN NHÂN DÂN XÃ TÂN LẬP", "A3": "Số: …/BC-UBND",
		"D1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "D2": "Độc lập - Tự do - Hạnh phúc",
		"D3": "Tân Lập, ngày 03 tháng 6 năm 2024", "A5": "BÁO CÁO",
	} {
		if got := get("Tổng hợp", cell); got != want {
			t.Errorf("Tổng hợp!%s = %q, want %q", cell, got, want)
		}
	}
	if got := get("Tổng hợp", "A6"); !strings.HasSuffix(got, "tháng 5 năm 2024") {
		t.Errorf("subtitle = %q", got)
	}
	// Vietnamese headings of the topic table.
	head := strconv.Itoa(xlsxTableHeadRow)
	for col, want := range map[string]string{"A": "STT", "C": "Lĩnh vực", "D": "Chỉ tiêu (lượt)",
		"F": "Đã phát (lượt)", "G": "Phút", "H": "Số bản tin", "I": "% chỉ tiêu"} {
		if got := get("Tổng hợp", col+head); got != want {
			t.Errorf("heading %s%s = %q, want %q", col, head, got, want)
		}
	}
	// A topic row: tthc, second in the plan, 5 of 6 airings.
	row := strconv.Itoa(xlsxFirstTopic + 1)
	for col, want := range map[string]string{"B": "tthc", "D": "6", "F": "5", "G": "27.0", "H": "2"} {
		if got := get("Tổng hợp", col+row); got != want {
			t.Errorf("tthc %s = %q, want %q", col, got, want)
		}
	}
	if got := formula("Tổng hợp", "I"+row); got != "ROUND(F"+row+"/D"+row+"*100,1)" {
		t.Errorf("tthc %% formula = %q", got)
	}
	if got := calc("Tổng hợp", "I"+row); got != 83.3 {
		t.Errorf("tthc %% = %v, want 83.3", got)
	}
	if got := get("Tổng hợp", "C"+row); !strings.HasSuffix(got, "\n⚠ chưa đạt") {
		t.Errorf("tthc name = %q, want the flag on a line of its own", got)
	}
	// Why, below the table.
	why := 0
	for i := xlsxFirstTopic + len(r.Topics) + 1; i < xlsxFirstTopic+len(r.Topics)+8; i++ {
		if v := get("Tổng hợp", "A"+strconv.Itoa(i)); strings.HasPrefix(v, "- 2. Cải cách thủ tục hành chính") && strings.Contains(v, "2 lượt bị gián đoạn") {
			why = i
		}
	}
	if why == 0 {
		t.Error("no line below the table says why tthc is below target")
	}
	// Both targets: the lower ratio, as Build computes it.
	first := strconv.Itoa(xlsxFirstTopic)
	if got := formula("Tổng hợp", "I"+first); !strings.HasPrefix(got, "ROUND(MIN(") {
		t.Errorf("tong-quan %% formula = %q", got)
	}
	// No target, no formula.
	if got := formula("Tổng hợp", "I"+strconv.Itoa(xlsxFirstTopic+4)); got != "" {
		t.Errorf("khen-thuong (no target) %% formula = %q", got)
	}
	// The totals row: formulas over the log, since an airing with two
	// topics is in two rows; the distinct segments are a value.
	tot := strconv.Itoa(xlsxFirstTopic + len(r.Topics))
	if got := get("Tổng hợp", "C"+tot); got != "Tổng cộng" {
		t.Errorf("totals label = %q", got)
	}
	if got := formula("Tổng hợp", "F"+tot); got != `COUNTIF('Nhật ký phát'!$J$2:$J$18,"đã phát")` {
		t.Errorf("totals airings formula = %q", got)
	}
	if got := formula("Tổng hợp", "G"+tot); got != `ROUND(SUMIF('Nhật ký phát'!$J$2:$J$18,"đã phát",'Nhật ký phát'!$I$2:$I$18)/60,1)` {
		t.Errorf("totals minutes formula = %q", got)
	}
	if got := formula("Tổng hợp", "H"+tot); got != "" || get("Tổng hợp", "H"+tot) != "6" {
		t.Errorf("totals segments = %q (formula %q), want the value 6", get("Tổng hợp", "H"+tot), got)
	}
	// The formulas give the report's totals (12 airings, 59 minutes), not
	// the 14 topic-airings of the rows.
	if got := calc("Tổng hợp", "F"+tot); got != float64(r.Totals.Airings) {
		t.Errorf("totals airings compute to %v, want %d", got, r.Totals.Airings)
	}
	if got := calc("Tổng hợp", "G"+tot); got != r.Totals.Minutes {
		t.Errorf("totals minutes compute to %v, want %v", got, r.Totals.Minutes)
	}

	// The airing log: a heading row and one row per airing, all statuses.
	rows, err := f.GetRows("Nhật ký phát")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(r.Log) || len(r.Log) != 17 {
		t.Errorf("airing log has %d rows, want 1 + %d airings (17)", len(rows), len(r.Log))
	}
	if got := strings.Join(rows[0], "|"); got != "Mã lượt|Giờ theo lịch|Bắt đầu|Kết thúc|Khung giờ|Mã bản tin|Tên bản tin|Lĩnh vực|Đã phát (giây)|Tình trạng|Lý do" {
		t.Errorf("log headings = %s", got)
	}
	statuses := map[string]int{}
	for _, row := range rows[1:] {
		if len(row) > 9 {
			statuses[row[9]]++
		}
	}
	if statuses["đã phát"] != 12 || statuses["bỏ lỡ"] != 1 || statuses["bị gián đoạn"] != 2 || statuses["lỗi phát"] != 1 {
		t.Errorf("log statuses = %v", statuses)
	}
	// Station time, not UTC: the first airing was scheduled at 06:00.
	if got := rows[1][1]; got != "02/05/2024 06:00:00" {
		t.Errorf("first airing scheduled = %q, want 02/05/2024 06:00:00", got)
	}

	// The calendar: 31 days and a totals row.
	days, err := f.GetRows("Theo ngày")
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 1+31+1 {
		t.Errorf("calendar sheet has %d rows, want 33", len(days))
	}
	if got := formula("Theo ngày", "C33"); got != "SUM(C2:C32)" || calc("Theo ngày", "C33") != 12 {
		t.Errorf("calendar total = %q = %v, want SUM(C2:C32) = 12", got, calc("Theo ngày", "C33"))
	}
	if got := calc("Theo ngày", "D33"); got != 59 {
		t.Errorf("calendar minutes = %v, want 59", got)
	}

	// Frozen heading rows.
	for _, sheet := range f.GetSheetList() {
		p, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Freeze || p.YSplit == 0 {
			t.Errorf("%s: panes %+v, want frozen heading rows", sheet, p)
		}
	}

	// The layout: merged header cells, styles, widths, recalculation.
	merges, err := f.GetMergeCells("Tổng hợp")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, m := range merges {
		refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	if got := strings.Join(refs, " "); !strings.HasPrefix(got, "A1:C1 D1:I1 A2:C2 D2:I2 A3:C3 D3:I3 A5:I5 A6:I6 A7:I7 ") {
		t.Errorf("merged cells = %s", got)
	}
	style := func(sheet, cell string) *excelize.Style {
		t.Helper()
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := style("Tổng hợp", "A5"); st.Font == nil || !st.Font.Bold || st.Font.Size != 14 {
		t.Errorf("title font = %+v", st.Font)
	}
	if st := style("Tổng hợp", "C"+head); st.Font == nil || !st.Font.Bold || len(st.Border) != 4 || st.Fill.Pattern != 1 ||
		st.Alignment == nil || !st.Alignment.WrapText {
		t.Errorf("heading style = %+v", st)
	}
	if st := style("Tổng hợp", "G"+row); st.CustomNumFmt == nil || *st.CustomNumFmt != "0.0" ||
		st.Font == nil || st.Font.Color != "9C0006" {
		t.Errorf("tthc minutes (below target) style = %+v, font %+v", st, st.Font)
	}
	if st := style("Nhật ký phát", "B2"); st.CustomNumFmt == nil || *st.CustomNumFmt != "dd/mm/yyyy hh:mm:ss" {
		t.Errorf("log time style = %+v", st)
	}
	// Row heights fit the wrapped text: two lines for the headings, two
	// for a topic name that wraps, one for a short one.
	height := func(sheet string, row int) float64 {
		t.Helper()
		h, err := f.GetRowHeight(sheet, row)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if h := height("Tổng hợp", xlsxTableHeadRow); h < 28 || h > 34 {
		t.Errorf("heading row height = %v, want two lines of 11 pt", h)
	}
	if two, four := height("Tổng hợp", xlsxFirstTopic+4), height("Tổng hợp", xlsxFirstTopic+1); two < 28 || two > 34 || four < 55 {
		t.Errorf("row heights: a two-line topic %v, a four-line one (three and the flag) %v", two, four)
	}
	// Page setup: A4, one page wide, landscape for the log; the print area
	// and the heading rows repeated on each page.
	for sheet, orient := range map[string]string{"Tổng hợp": "portrait", "Nhật ký phát": "landscape", "Theo ngày": "portrait"} {
		p, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if p.Size == nil || *p.Size != 9 || p.Orientation == nil || *p.Orientation != orient ||
			p.FitToWidth == nil || *p.FitToWidth != 1 || p.FitToHeight == nil || *p.FitToHeight != 0 {
			t.Errorf("%s page layout = %+v, want A4 (9) %s, one page wide", sheet, p, orient)
		}
		props, err := f.GetSheetProps(sheet)
		if err != nil || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: fit to page is off (%v)", sheet, err)
		}
	}
	names := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		names[dn.Scope+" "+dn.Name] = dn.RefersTo
	}
	for key, want := range map[string]string{
		"Tổng hợp _xlnm.Print_Titles":     "'Tổng hợp'!$10:$10",
		"Nhật ký phát _xlnm.Print_Titles": "'Nhật ký phát'!$1:$1",
		"Nhật ký phát _xlnm.Print_Area":   "'Nhật ký phát'!$A$1:$K$18",
		"Theo ngày _xlnm.Print_Area":      "'Theo ngày'!$A$1:$G$33",
	} {
		if got := names[key]; got != want {
			t.Errorf("defined name %s = %q, want %q", key, got, want)
		}
	}
	for sheet, widths := range map[string]map[string]float64{"Tổng hợp": {"A": 5, "C": 33, "I": 10}, "Theo ngày": {"A": 13}} {
		for col, want := range widths {
			if got, err := f.GetColWidth(sheet, col); err != nil || got != want {
				t.Errorf("%s column %s width = %v (%v), want %v", sheet, col, got, err, want)
			}
		}
	}
	if p, err := f.GetCalcProps(); err != nil || p.FullCalcOnLoad == nil || !*p.FullCalcOnLoad {
		t.Errorf("calcPr = %+v (%v), want full calculation on load", p, err)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet = %d, want the summary", got)
	}

	en := openXLSX(t, r, "en")
	if got := strings.Join(en.GetSheetList(), "|"); got != "Summary|Airing log|By day" {
		t.Errorf("English sheets = %s", got)
	}
	if err := r.WriteXLSX(&bytes.Buffer{}, "fr"); err == nil {
		t.Error("WriteXLSX(fr): no error")
	}
}
