package report

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// officeToPDF converts files to PDF with LibreOffice, as a commune PC opens
// them, all in one start of soffice (a few seconds each), and returns the
// PDFs' paths in the same order. soffice runs with a profile and a HOME of
// its own, so that parallel runs do not share one; on a timeout its whole
// process group is killed.
func officeToPDF(t *testing.T, dir string, files ...string) []string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice is not installed: the XLSX and DOCX reports are printed with LibreOffice to check their pages; run `make test` (it installs libreoffice-calc-nogui libreoffice-writer-nogui fonts-liberation2 poppler-utils) or apt-get install -y those")
	}
	for _, tool := range []string{"pdfinfo", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run `make test` or apt-get install -y poppler-utils", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "pdf")
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "lo-profile"),
		"--headless", "--norestore", "--nologo", "--convert-to", "pdf", "--outdir", out}, files...)
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	msg, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("soffice did not finish in 3 minutes:\n%s", msg)
	}
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	var pdfs []string
	for _, f := range files {
		pdf := filepath.Join(out, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+".pdf")
		if _, err := os.Stat(pdf); err != nil {
			t.Fatalf("soffice made no %s: %v\n%s", pdf, err, msg)
		}
		pdfs = append(pdfs, pdf)
	}
	return pdfs
}

// pdfPages is the page count and the page size line of a PDF.
func pdfPages(t *testing.T, pdf string) (int, string) {
	t.Helper()
	info, err := exec.Command("pdfinfo", pdf).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	m := pagesRE.FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo gave no page count:\n%s", info)
	}
	n, _ := strconv.Atoi(string(m[1]))
	size := ""
	for _, l := range strings.Split(string(info), "\n") {
		if strings.HasPrefix(l, "Page size:") {
			size = l
		}
	}
	return n, size
}

// pdfText is the text of pages first to last of a PDF (0, 0: all), with
// runs of white space made one space so that wrapped lines read as one.
func pdfText(t *testing.T, pdf string, first, last int) string {
	t.Helper()
	args := []string{"-enc", "UTF-8"}
	if first > 0 {
		args = append(args, "-f", strconv.Itoa(first), "-l", strconv.Itoa(last))
	}
	txt, err := exec.Command("pdftotext", append(args, pdf, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, txt)
	}
	return strings.Join(strings.Fields(string(txt)), " ")
}

// keepPDF copies a PDF to $REPORT_PDF_OUT's folder when set, to look at.
func keepPDF(t *testing.T, pdf, name string) {
	dst := os.Getenv("REPORT_PDF_OUT")
	if dst == "" {
		return
	}
	b, err := os.ReadFile(pdf)
	if err == nil {
		err = os.WriteFile(filepath.Join(filepath.Dir(dst), name), b, 0o644)
	}
	if err != nil {
		t.Log(err)
	}
}

// TestOfficeFormatsPrint prints a typical month's XLSX and DOCX with
// LibreOffice and reads the PDFs back: the XLSX summary on one A4 page, the
// workbook in a few pages, the DOCX in one to three, their words there.
func TestOfficeFormatsPrint(t *testing.T) {
	r := Build(typicalMonth(t))
	// The same month in three zones, printed in the same start of soffice;
	// Thôn Tây streams to its 4 clusters, one airing in five heard by none.
	zin := typicalMonth(t)
	zin.Zones = append([]Zone(nil), threeZones...)
	zin.Zones[1].Clusters = 4
	for i := range zin.Airings {
		zin.Airings[i].Zone = threeZones[i%3].Code
		if i%3 == 1 {
			n := 3
			if i%5 == 0 {
				n = 0
			}
			zin.Airings[i].Listeners = &n
		}
	}
	zr := Build(zin)
	if len(zr.Reach) != 1 || zr.Reach[0].Unheard == 0 {
		t.Fatalf("the three-zone fixture has no stream heard by no cluster: reach %+v", zr.Reach)
	}
	dir := t.TempDir()
	// Distinct base names: soffice names each PDF after its file.
	xlsxPath, docxPath := filepath.Join(dir, "bao-cao-xlsx.xlsx"), filepath.Join(dir, "bao-cao-docx.docx")
	zxlsxPath, zdocxPath := filepath.Join(dir, "vung-xlsx.xlsx"), filepath.Join(dir, "vung-docx.docx")
	for path, write := range map[string]func(*os.File) error{
		xlsxPath:  func(f *os.File) error { return r.WriteXLSX(f, "vi") },
		docxPath:  func(f *os.File) error { return r.WriteDOCX(f, "vi") },
		zxlsxPath: func(f *os.File) error { return zr.WriteXLSX(f, "vi") },
		zdocxPath: func(f *os.File) error { return zr.WriteDOCX(f, "vi") },
	} {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := write(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	pdfs := officeToPDF(t, dir, xlsxPath, docxPath, zxlsxPath, zdocxPath)
	keepPDF(t, pdfs[0], "report-xlsx.pdf")
	keepPDF(t, pdfs[1], "report-docx.pdf")

	topic := r.Topics[1].Name // wraps in its cell
	common := []string{"UBND HUYỆN YÊN MỸ", "ỦY BAN NHÂN DÂN XÃ TÂN LẬP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "tháng 5 năm 2024", topic, "Tổng cộng",
		"Nơi nhận:", "UBND huyện Yên Mỹ (Phòng Nội vụ);", "Nguyễn Văn An", r.ChainHead.Short()}

	t.Run("xlsx", func(t *testing.T) {
		pages, size := pdfPages(t, pdfs[0])
		if !strings.Contains(size, "(A4)") {
			t.Errorf("page size is not A4: %s", size)
		}
		// The summary, the log of 162 airings on landscape pages, the calendar.
		if pages < 3 || pages > 10 {
			t.Errorf("the workbook prints on %d pages, want 3 to 10", pages)
		}
		first := pdfText(t, pdfs[0], 1, 1)
		for _, w := range append(common, strconv.Itoa(r.Totals.Airings)) {
			if !strings.Contains(first, w) {
				t.Errorf("page 1 (the summary) has no %q:\n%s", w, first)
			}
		}
		// The summary is one page: page 2 starts the log, its headings repeated.
		second := pdfText(t, pdfs[0], 2, 2)
		if !strings.Contains(second, "Giờ theo lịch") || strings.Contains(second, "Nơi nhận") {
			t.Errorf("page 2 is not the airing log:\n%.300s", second)
		}
		if strings.Contains(second, "###") {
			t.Errorf("a column of the log is too narrow for its times (###):\n%.300s", second)
		}
		third := pdfText(t, pdfs[0], 3, 3)
		if !strings.Contains(third, "Giờ theo lịch") || !strings.Contains(third, "Tình trạng") {
			t.Errorf("page 3 does not repeat the log's headings:\n%.300s", third)
		}
		last := pdfText(t, pdfs[0], pages, pages)
		if !strings.Contains(last, "Tổng cộng") || !strings.Contains(last, "Ngày Thứ") {
			t.Errorf("the last page is not the calendar with its total:\n%.300s", last)
		}
		all := pdfText(t, pdfs[0], 0, 0)
		if strings.Contains(all, " sang ") || !strings.Contains(all, "Chuyên mục CCHC buổi sáng") {
			t.Error("the airing log names slots by code, not by title")
		}
		t.Logf("xlsx: %d pages", pages)
	})
	t.Run("docx", func(t *testing.T) {
		pages, size := pdfPages(t, pdfs[1])
		if !strings.Contains(size, "(A4)") {
			t.Errorf("page size is not A4: %s", size)
		}
		if pages < 1 || pages > 3 {
			t.Errorf("a typical month's DOCX prints on %d pages, want 1 to 3", pages)
		}
		all := pdfText(t, pdfs[1], 0, 0)
		if strings.Contains(all, "CỤM LOA NHẬN") {
			t.Error("a report without streams prints a 'cụm loa nhận' section")
		}
		for _, w := range append(common, "Số: …/BC-UBND", "Tân Lập, ngày 03 tháng 6 năm 2024",
			"I. KẾT QUẢ TUYÊN TRUYỀN THEO LĨNH VỰC", "II. TỔNG HỢP", "III. CÁC LƯỢT PHÁT KHÔNG HOÀN THÀNH",
			"Chuyên mục CCHC buổi chiều", "đã phát 1 phút 30 giây trên 4 phút", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH") {
			if !strings.Contains(all, w) {
				t.Errorf("the DOCX has no %q", w)
			}
		}
		t.Logf("docx: %d pages", pages)
	})
	// The three-zone report has streams: "cụm loa nhận" is section V.
	t.Run("zones", func(t *testing.T) {
		for i, name := range []string{"xlsx", "docx"} {
			pdf := pdfs[2+i]
			pages, size := pdfPages(t, pdf)
			if !strings.Contains(size, "(A4)") {
				t.Errorf("%s: page size is not A4: %s", name, size)
			}
			// The zones' tables add a page or two to the plain report.
			if pages < 2 || pages > 12 {
				t.Errorf("%s: the three-zone report prints on %d pages, want 2 to 12", name, pages)
			}
			all := pdfText(t, pdf, 0, 0)
			reach := fmt.Sprintf("Thôn Tây: %d lượt phát; cụm loa nhận trung bình", zr.Reach[0].Airings)
			for _, w := range []string{"Thôn Đông", "Thôn Tây", "Xã Yên Phú cũ", "Toàn xã (cộng các vùng)", "Tổng cộng",
				"V. CỤM LOA NHẬN", reach, "(không tính là đã tuyên truyền)"} {
				if name == "docx" && w == "Toàn xã (cộng các vùng)" {
					w = "Kết quả theo từng vùng phát:"
				}
				if !strings.Contains(all, w) {
					t.Errorf("%s: the printed three-zone report has no %q", name, w)
				}
			}
			if strings.Contains(all, "###") {
				t.Errorf("%s: a column is too narrow for its figures (###)", name)
			}
			t.Logf("%s with three zones: %d pages", name, pages)
		}
		keepPDF(t, pdfs[3], "report-zones-docx.pdf")
	})
}
