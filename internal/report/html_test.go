package report

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// typicalMonth is a full month of a station with two slots, Monday to
// Saturday, three segments in each occurrence, and the usual incidents.
func typicalMonth(t *testing.T) Input {
	t.Helper()
	in := fixture(t)
	loc := in.Location
	topics := []string{"tong-quan", "tthc", "chinh-quyen-so", "chi-so", "khen-thuong"}
	var as []playlist.Airing
	id := int64(0)
	for day := 1; day <= 31; day++ {
		for _, slot := range []struct {
			name   string
			hh, mm int
		}{{"sang", 6, 0}, {"chieu", 17, 15}} {
			at := time.Date(2024, 5, day, slot.hh, slot.mm, 0, 0, loc)
			if at.Weekday() == time.Sunday {
				continue
			}
			for k := range 3 {
				id++
				seg := (id % 14) + 1
				topic := topics[int(seg)%len(topics)]
				a := playlist.Airing{ID: id, SegmentID: seg, Title: fmt.Sprintf("Bản tin số %d về %s", seg, topic),
					Topics: []string{topic}, Slot: slot.name, ScheduledAt: at.Add(time.Duration(k) * 4 * time.Minute),
					Duration: 4 * time.Minute, Played: 4 * time.Minute, Status: playlist.StatusCompleted}
				switch {
				case day == 7 && slot.hh == 17: // a power cut
					a.Status, a.Played, a.Reason = playlist.StatusMissed, 0, "hệ thống ngừng hoạt động"
				case day%9 == 0 && k == 2:
					a.Status, a.Played, a.Reason = playlist.StatusInterrupted, 90*time.Second, "người vận hành dừng phát"
				case day == 22 && k == 0 && slot.hh == 6:
					a.Status, a.Played, a.Reason = playlist.StatusFailed, 0, "không đọc được tệp âm thanh"
				}
				if a.Status != playlist.StatusMissed {
					a.StartedAt = a.ScheduledAt
					a.EndedAt = a.StartedAt.Add(a.Played)
				}
				as = append(as, a)
			}
		}
	}
	in.Airings = as
	in.Topics[0].TargetAirings, in.Topics[0].TargetMinutes = 30, 120
	in.Topics[1].TargetAirings = 40
	in.Topics[2].TargetMinutes = 100
	in.Topics[3].TargetAirings = 30
	return in
}

func TestHTML(t *testing.T) {
	r := Build(fixture(t))
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"vi", []string{`<html lang="vi">`, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
			"Số: …/BC-UBND", "Tân Lập, ngày 03 tháng 6 năm 2024", "BÁO CÁO", "tháng 5 năm 2024",
			"UBND HUYỆN YÊN MỸ", "ỦY BAN NHÂN DÂN XÃ TÂN LẬP", "⚠ chưa đạt", "Nơi nhận:", "Nguyễn Văn An",
			"IV. KẾT QUẢ THEO NGÀY", "Tháng 5/2024", "size: A4 portrait", "<svg", "chỉ tiêu 100%"}},
		{"en", []string{`<html lang="en">`, "SOCIALIST REPUBLIC OF VIET NAM", "REPORT", "May 2024",
			"⚠ below target", "Recipients:", "IV. DAY BY DAY", "target 100%"}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.WriteHTML(&b, tt.lang); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("HTML has no %q", w)
				}
			}
			// Self-contained: nothing is fetched when the page is opened or printed.
			for _, ext := range []string{"http://", "https://", "<link", "<script", "@import", "url(", "@font-face"} {
				if i := strings.Index(page, ext); i >= 0 && !strings.HasPrefix(page[i:], "http://www.w3.org/2000/svg") {
					t.Errorf("HTML refers to an external asset: %q", page[max(0, i-40):min(len(page), i+60)])
				}
			}
			// One row per topic, the below-target ones marked.
			if got := strings.Count(page, `<tr class="below">`); got != 3 {
				t.Errorf("%d rows flagged below target, want 3", got)
			}
			// One bar per topic with a target, one calendar cell per day.
			if got := strings.Count(page, "<rect "); got != 4 {
				t.Errorf("%d bars, want 4 (the topics with a target)", got)
			}
			if got := strings.Count(page, `<span class="dn">`); got != 31 {
				t.Errorf("%d calendar days, want 31", got)
			}
		})
	}
	if err := r.WriteHTML(&bytes.Buffer{}, "fr"); err == nil {
		t.Error("WriteHTML(fr): no error")
	}
}

// TestHTMLChartScale checks the bars against the 100 % line: a topic at
// 80 % ends left of it, one at 106.7 % right of it.
func TestHTMLChartScale(t *testing.T) {
	r := Build(fixture(t))
	c := r.chart(vi)
	bar := func(code string) htmlBar {
		for i, tp := range r.Topics {
			if tp.Code == code {
				return c.Bars[i]
			}
		}
		t.Fatalf("no topic %s", code)
		return htmlBar{}
	}
	end := func(b htmlBar) float64 { return float64(c.BarX) + b.W }
	if b := bar("tong-quan"); end(b) >= c.TargetX || !b.Below {
		t.Errorf("80%% bar ends at %v, target line at %v", end(b), c.TargetX)
	}
	if b := bar("chinh-quyen-so"); end(b) <= c.TargetX || b.Below {
		t.Errorf("106.7%% bar ends at %v, target line at %v", end(b), c.TargetX)
	}
	if b := bar("khen-thuong"); !b.NoGoal || b.W != 0 {
		t.Errorf("topic without a target drawn as %+v", b)
	}
	if b := bar("chi-so"); b.W != 0 || b.NoGoal {
		t.Errorf("0%% bar = %+v", b)
	}
	// A topic far above target is clipped at the scale's end.
	p := 500.0
	r.Topics[0].AchievedPct = &p
	c = r.chart(vi)
	if b := c.Bars[0]; !b.Clipped || float64(c.BarX)+b.W != float64(chartBarEnd) {
		t.Errorf("500%% bar = %+v, want clipped at %d", b, chartBarEnd)
	}
}

var pagesRE = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// TestHTMLPrintsOnA4 prints a typical month with headless Chromium and
// checks that it takes one to three A4 pages.
func TestHTMLPrintsOnA4(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: the HTML report must be printed to check its pages; run `make test` (it installs chromium poppler-utils fonts-dejavu-core) or apt-get install -y chromium poppler-utils fonts-dejavu-core")
	}
	pdfinfo, err := exec.LookPath("pdfinfo")
	if err != nil {
		t.Fatal("pdfinfo is not installed: run `make test` or apt-get install -y poppler-utils")
	}
	r := Build(typicalMonth(t))
	if r.Totals.Airings < 100 || len(r.Incidents) < 5 {
		t.Fatalf("the typical month is not typical: %+v, %d incidents", r.Totals, len(r.Incidents))
	}
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.pdf")
			var b bytes.Buffer
			if err := r.WriteHTML(&b, lang); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--user-data-dir="+filepath.Join(dir, "profile"), "--no-pdf-header-footer",
				"--print-to-pdf="+out, "file://"+in)
			cmd.Env = append(os.Environ(), "HOME="+dir)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("chromium: %v\n%s", err, msg)
			}
			info, err := exec.Command(pdfinfo, out).CombinedOutput()
			if err != nil {
				t.Fatalf("pdfinfo: %v\n%s", err, info)
			}
			m := pagesRE.FindSubmatch(info)
			if m == nil {
				t.Fatalf("pdfinfo gave no page count:\n%s", info)
			}
			pages, _ := strconv.Atoi(string(m[1]))
			if pages < 1 || pages > 3 {
				t.Errorf("a typical month prints on %d pages, want 1 to 3", pages)
			}
			if !strings.Contains(string(info), "(A4)") {
				t.Errorf("page size is not A4:\n%s", info)
			}
			if dst := os.Getenv("REPORT_PDF_OUT"); dst != "" { // to look at the result
				pdf, _ := os.ReadFile(out)
				_ = os.WriteFile(strings.TrimSuffix(dst, ".pdf")+"."+lang+".pdf", pdf, 0o644)
			}
			t.Logf("%s: %d pages", lang, pages)
		})
	}
}
