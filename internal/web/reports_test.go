package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// logTthc logs n completed airings of topic tthc on day.
func (e *env) logTthc(day time.Time, n int) {
	e.t.Helper()
	for i := range n {
		at := day.Add(6*time.Hour + time.Duration(i)*time.Minute)
		a := playlist.Airing{SegmentID: 1, Title: "Bản tin", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at,
			StartedAt: at, EndedAt: at.Add(time.Minute), Duration: time.Minute, Played: time.Minute, Status: playlist.StatusCompleted}
		if _, err := e.st.LogClosed(context.Background(), a); err != nil {
			e.t.Fatal(err)
		}
	}
}

// reportLinks are the download buttons of a report page, as a browser
// reads them: each href entity-decoded and resolved against the page.
func reportLinks(t *testing.T, page *url.URL, body string) map[string]*url.URL {
	t.Helper()
	out := map[string]*url.URL{}
	for _, m := range regexp.MustCompile(`<a\s[^>]*href="([^"]*)"[^>]*id="(report-[a-z]+)"`).FindAllStringSubmatch(body, -1) {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatalf("link %s: %v", m[2], err)
		}
		out[m[2]] = page.ResolveReference(u)
	}
	return out
}

// TestReportPageLinksDownloadTheChosenPeriod asks the report page for a
// month, a quarter and a year that are not the default, follows every
// download button and reads the period back out of each file.
func TestReportPageLinksDownloadTheChosenPeriod(t *testing.T) {
	e := newEnv(t, 10) // the clock: 10 May 2024, so the default is April
	cookie, _ := e.user("xem", store.RoleViewer)
	// Each period gets its own count of tthc airings, so every file
	// shows which period it covers.
	e.logTthc(time.Date(2023, 2, 1, 0, 0, 0, 0, hcm), 4)
	e.logTthc(time.Date(2023, 11, 15, 0, 0, 0, 0, hcm), 2)
	e.logTthc(time.Date(2024, 3, 12, 0, 0, 0, 0, hcm), 3)
	e.logTthc(time.Date(2024, 4, 20, 0, 0, 0, 0, hcm), 5)
	e.logTthc(time.Date(2024, 5, 5, 0, 0, 0, 0, hcm), 7)
	tests := []struct {
		page               string
		label, from, to    string
		kind               string
		airings            int
		monthPicker, quote string
	}{
		{"/reports?month=2024-03", "tháng 3 năm 2024", "2024-03-01", "2024-03-31", "month", 3, "2024-03", ""},
		{"/reports?month=3%2F2024", "tháng 3 năm 2024", "2024-03-01", "2024-03-31", "month", 3, "2024-03", ""},
		{"/reports?quarter=2023-Q4", "quý 4 năm 2023", "2023-10-01", "2023-12-31", "quarter", 2, "2023-10", `value="2023-Q4" selected`},
		{"/reports?quarter=Q4%2F2023", "quý 4 năm 2023", "2023-10-01", "2023-12-31", "quarter", 2, "2023-10", `value="2023-Q4" selected`},
		{"/reports?year=2023", "năm 2023", "2023-01-01", "2023-12-31", "year", 6, "2023-01", `value="2023" selected`},
	}
	formats := []string{"report-view", "report-html", "report-xlsx", "report-docx", "report-csv", "report-json"}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			page, _ := url.Parse("http://cchc.local" + tt.page)
			rec := e.do(as(httptest.NewRequest("GET", page.String(), nil), cookie, ""))
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, "<h2>"+tt.label+"</h2>") {
				t.Fatalf("page: %d, want the heading %q", rec.Code, tt.label)
			}
			if !strings.Contains(body, `<option value="`+tt.monthPicker+`" selected>`) || !strings.Contains(body, tt.quote) {
				t.Errorf("the pickers do not show the period (month %s, %s)", tt.monthPicker, tt.quote)
			}
			links := reportLinks(t, page, body)
			if len(links) != len(formats) {
				t.Fatalf("links %v, want %v", links, formats)
			}
			for _, id := range formats {
				u := links[id]
				if u == nil {
					t.Fatalf("no %s button", id)
				}
				if u.Path != "/api/report" || u.Query().Get(tt.kind) == "" {
					t.Errorf("%s: %s does not ask for the %s", id, u, tt.kind)
				}
				rec := e.do(as(httptest.NewRequest("GET", u.String(), nil), cookie, ""))
				if rec.Code != http.StatusOK {
					t.Fatalf("%s %s: %d %s", id, u, rec.Code, rec.Body)
				}
				if id != "report-view" {
					if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, tt.from+"-"+tt.to) {
						t.Errorf("%s: file name %q, want the period %s–%s", id, cd, tt.from, tt.to)
					}
				}
				checkReportFile(t, id, rec.Body.Bytes(), tt.label, tt.from, tt.to, tt.kind, tt.airings)
			}
		})
	}
}

// checkReportFile reads the period and the tthc airings back out of a
// downloaded report.
func checkReportFile(t *testing.T, id string, b []byte, label, from, to, kind string, airings int) {
	t.Helper()
	switch id {
	case "report-view", "report-html":
		if !bytes.Contains(b, []byte(label)) {
			t.Errorf("%s: no %q in the page", id, label)
		}
	case "report-json":
		var r struct {
			Period struct{ From, To, Kind, Label string }
			Topics []struct {
				Code    string
				Airings int
			}
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if r.Period.From != from || r.Period.To != to || r.Period.Kind != kind || r.Period.Label != label {
			t.Errorf("json period %+v, want %s %s–%s", r.Period, kind, from, to)
		}
		for _, tp := range r.Topics {
			if tp.Code == "tthc" && tp.Airings != airings {
				t.Errorf("json: tthc %d airings, want %d", tp.Airings, airings)
			}
		}
	case "report-csv":
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col, found := -1, false
		for _, rec := range recs {
			for i, f := range rec {
				if f == "Đã phát (lượt)" {
					col = i
				}
			}
			if len(rec) > 0 && rec[0] == "tthc" && col >= 0 && col < len(rec) {
				found = true
				if rec[col] != strconv.Itoa(airings) {
					t.Errorf("csv: tthc %s airings, want %d", rec[col], airings)
				}
			}
		}
		if !found {
			t.Errorf("csv: no tthc row under an airings column:\n%s", b)
		}
	case "report-xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var cells []string
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				cells = append(cells, r...)
			}
		}
		if all := strings.Join(cells, "\x00"); !strings.Contains(all, label) {
			t.Errorf("xlsx: no %q in any sheet", label)
		}
	case "report-docx":
		if text := docxText(t, b); !strings.Contains(text, label) {
			t.Errorf("docx: no %q in the document", label)
		}
	default:
		t.Errorf("no check for %s", id)
	}
}

func TestReportPageDefaultsToLastMonthForTheFirstTenDays(t *testing.T) {
	e := newEnv(t, 10)
	for i, c := range []struct {
		now          time.Time
		label, month string
	}{
		{time.Date(2024, 5, 10, 23, 30, 0, 0, hcm), "tháng 4 năm 2024", "2024-04"},
		{time.Date(2024, 5, 11, 0, 0, 0, 0, hcm), "tháng 5 năm 2024", "2024-05"},
		{time.Date(2024, 1, 3, 8, 0, 0, 0, hcm), "tháng 12 năm 2023", "2023-12"},
		// 10 May 17:30 UTC is already the 11th at the station.
		{time.Date(2024, 5, 10, 17, 30, 0, 0, time.UTC), "tháng 5 năm 2024", "2024-05"},
	} {
		e.clock.mu.Lock()
		e.clock.now = c.now
		e.clock.mu.Unlock()
		cookie, _ := e.user("xem"+strconv.Itoa(i), store.RoleViewer)
		body := e.do(as(httptest.NewRequest("GET", "/reports", nil), cookie, "")).Body.String()
		if !strings.Contains(body, "<h2>"+c.label+"</h2>") || !strings.Contains(body, `<option value="`+c.month+`" selected>`) {
			t.Errorf("at %v the page shows another month, want %s", c.now, c.label)
		}
		var r struct{ Period struct{ Label string } }
		json.Unmarshal(e.do(as(jsonReq("GET", "/api/report", nil), cookie, "")).Body.Bytes(), &r)
		if r.Period.Label != c.label {
			t.Errorf("at %v /api/report gives %q, want %s", c.now, r.Period.Label, c.label)
		}
	}
}

func TestBadReportPeriodIs400InVietnamese(t *testing.T) {
	e := newEnv(t, 10)
	cookie, _ := e.user("xem", store.RoleViewer)
	for _, c := range []struct{ query, vi, en string }{
		{"month=13%2F2026", `Tháng không hợp lệ: &#34;13/2026&#34; — hãy chọn tháng dạng 11/2026`, `Invalid month: &#34;13/2026&#34;`},
		{"quarter=2026-Q5", `Quý không hợp lệ: &#34;2026-Q5&#34;`, `Invalid quarter: &#34;2026-Q5&#34;`},
		{"year=26", `Năm không hợp lệ: &#34;26&#34;`, `Invalid year: &#34;26&#34;`},
	} {
		for lang, want := range map[string]string{"vi": c.vi, "en": c.en} {
			rec := e.do(as(httptest.NewRequest("GET", "/reports?lang="+lang+"&"+c.query, nil), cookie, ""))
			if body := rec.Body.String(); rec.Code != http.StatusBadRequest || !strings.Contains(body, want) || strings.Contains(body, `id="report-`) {
				t.Errorf("page %s in %s: %d, want 400 with %s and no download", c.query, lang, rec.Code, want)
			}
			rec = e.do(as(jsonReq("GET", "/api/report?lang="+lang+"&"+c.query, nil), cookie, ""))
			var out struct{ Error string }
			json.Unmarshal(rec.Body.Bytes(), &out)
			if rec.Code != http.StatusBadRequest || !strings.Contains(out.Error, html.UnescapeString(want)) {
				t.Errorf("api %s in %s: %d %q, want 400 with %s", c.query, lang, rec.Code, out.Error, want)
			}
		}
	}
}

// docxText is the text of a DOCX's main document, its tags taken out (a
// phrase may be split across runs, never across paragraphs here).
func docxText(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("docx: %v", err)
	}
	f, err := zr.Open("word/document.xml")
	if err != nil {
		t.Fatalf("docx: %v", err)
	}
	defer f.Close()
	var text strings.Builder
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return text.String()
		}
		if err != nil {
			t.Fatalf("docx: %v", err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
		}
	}
}
