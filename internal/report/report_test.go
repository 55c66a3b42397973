package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the fixture's zone on machines without zoneinfo

	"github.com/truyenthanh/cchc/internal/playlist"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func hcm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// fixture is a fictional May 2024 of the Tân Lập commune radio.
func fixture(t *testing.T) Input {
	t.Helper()
	loc := hcm(t)
	at := func(day, hh, mm int) time.Time { return time.Date(2024, 5, day, hh, mm, 0, 0, loc) }
	min := func(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }
	var id int64
	air := func(seg int64, title string, topics []string, slot string, when time.Time, st playlist.Status, played, dur time.Duration, reason string) playlist.Airing {
		id++
		a := playlist.Airing{ID: id, SegmentID: seg, Title: title, Topics: topics, Slot: slot,
			ScheduledAt: when, Played: played, Duration: dur, Status: st, Reason: reason}
		if st != playlist.StatusMissed {
			a.StartedAt = when
			a.EndedAt = when.Add(played)
		}
		if slot == "manual" {
			a.ScheduledAt = time.Time{}
		}
		return a
	}
	const (
		done = playlist.StatusCompleted
		intr = playlist.StatusInterrupted
		miss = playlist.StatusMissed
		fail = playlist.StatusFailed
		open = playlist.StatusOpen
	)
	tthc := []string{"tthc"}
	both := []string{"tthc", "chinh-quyen-so"}
	cqs := []string{"chinh-quyen-so"}
	tq := []string{"tong-quan"}
	airings := []playlist.Airing{
		// Listed out of order on purpose: incidents must come out sorted.
		air(2, "Dịch vụ công trực tuyến", both, "manual", at(28, 9, 15), intr, min(1.2), min(6), "dừng để phát tin khẩn cấp về mưa bão"),
		air(1, "Một cửa liên thông ở xã", tthc, "sang", at(2, 6, 0), done, min(5), min(5), ""),
		air(1, "Một cửa liên thông ở xã", tthc, "sang", at(9, 6, 0), done, min(5), min(5), ""),
		air(1, "Một cửa liên thông ở xã", tthc, "chieu", at(16, 17, 0), done, min(5), min(5), ""),
		air(1, "Một cửa liên thông ở xã", tthc, "sang", at(23, 6, 0), intr, min(2.5), min(5), "người vận hành dừng phát"),
		air(2, "Dịch vụ công trực tuyến", both, "chieu", at(3, 17, 0), done, min(6), min(6), ""),
		air(2, "Dịch vụ công trực tuyến", both, "chieu", at(10, 17, 0), done, min(6), min(6), ""),
		air(3, "Chữ ký số cho người dân", cqs, "sang", at(12, 6, 0), done, min(4), min(4), ""),
		air(3, "Chữ ký số cho người dân", cqs, "sang", at(19, 6, 0), fail, 0, min(4), "không đọc được tệp âm thanh"),
		air(4, "Ý nghĩa của cải cách hành chính", tq, "sang", at(4, 6, 0), done, min(5), min(5), ""),
		air(4, "Ý nghĩa của cải cách hành chính", tq, "sang", at(11, 6, 0), done, min(5), min(5), ""),
		air(4, "Ý nghĩa của cải cách hành chính", tq, "sang", at(18, 6, 0), done, min(5), min(5), ""),
		air(4, "Ý nghĩa của cải cách hành chính", tq, "sang", at(25, 6, 0), done, min(5), min(5), ""),
		air(4, "Ý nghĩa của cải cách hành chính", tq, "chieu", at(31, 17, 0), open, min(1), min(5), ""),
		air(5, "Chỉ số PAR INDEX và SIPAS năm 2023", []string{"chi-so"}, "chieu", at(20, 17, 0), miss, 0, min(5), "hệ thống ngừng hoạt động"),
		air(6, "Biểu dương tổ một cửa", []string{"khen-thuong"}, "chieu", at(30, 17, 0), done, min(5), min(5), ""),
		air(7, "Phòng chống lừa đảo qua mạng", []string{"an-ninh-mang"}, "chieu", at(15, 17, 0), done, min(3), min(3), ""),
	}
	from, to, err := ParseMonth("2024-05", loc)
	if err != nil {
		t.Fatal(err)
	}
	return Input{
		Kind: "month", From: from, To: to, Location: loc,
		Topics: []playlist.Topic{
			{Code: "tong-quan", Name: "Tầm quan trọng, ý nghĩa, mục tiêu và kết quả CCHC", PlanItem: "a", TargetAirings: 4, TargetMinutes: 25},
			{Code: "tthc", Name: "Cải cách thủ tục hành chính; một cửa, một cửa liên thông; dịch vụ công trực tuyến", PlanItem: "c", TargetAirings: 6},
			{Code: "chinh-quyen-so", Name: "Xây dựng, phát triển chính quyền điện tử, chính quyền số", PlanItem: "c", TargetMinutes: 15},
			{Code: "chi-so", Name: "Giải pháp nâng cao Chỉ số CCHC (PAR INDEX) và SIPAS", PlanItem: "d", TargetAirings: 2},
			{Code: "khen-thuong", Name: "Biểu dương, khen thưởng tập thể, cá nhân điển hình về CCHC", PlanItem: "đ"},
		},
		Airings: airings,
		Header: Header{
			Committee:       "ỦY BAN NHÂN DÂN XÃ TÂN LẬP",
			Superior:        "UBND HUYỆN YÊN MỸ",
			Commune:         "Tân Lập",
			DocNumberSuffix: "BC-UBND",
			Recipients:      []string{"UBND huyện Yên Mỹ (Phòng Nội vụ);", "Thường trực Đảng ủy, HĐND xã;", "Lưu: VT, VH-TT."},
			SignerTitle:     "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
			SignerName:      "Nguyễn Văn An",
		},
		Issued:     time.Date(2024, 6, 3, 9, 0, 0, 0, loc),
		SlotTitles: map[string]string{"sang": "Chuyên mục CCHC buổi sáng", "chieu": "Chuyên mục CCHC buổi chiều"},
		ChainHead:  &ChainHead{Hash: "3f2a9c0d1e2b4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c", AiringID: 17, Seq: 16},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	r := Build(fixture(t))
	tests := []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"may2024.vi.txt", func(b *bytes.Buffer) error { return r.WriteText(b, "vi") }},
		{"may2024.en.txt", func(b *bytes.Buffer) error { return r.WriteText(b, "en") }},
		{"may2024.vi.csv", func(b *bytes.Buffer) error { return r.WriteCSV(b, "vi") }},
		{"may2024.en.csv", func(b *bytes.Buffer) error { return r.WriteCSV(b, "en") }},
		{"may2024.json", func(b *bytes.Buffer) error { return r.WriteJSON(b) }},
		{"may2024.vi.html", func(b *bytes.Buffer) error { return r.WriteHTML(b, "vi") }},
		{"may2024.en.html", func(b *bytes.Buffer) error { return r.WriteHTML(b, "en") }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, b.Bytes())
		})
	}
}

func rowOf(t *testing.T, r Report, code string) TopicRow {
	t.Helper()
	for _, row := range r.Topics {
		if row.Code == code {
			return row
		}
	}
	t.Fatalf("no row for topic %q", code)
	return TopicRow{}
}

func TestBuildFixture(t *testing.T) {
	r := Build(fixture(t))

	var codes []string
	for _, row := range r.Topics {
		codes = append(codes, row.Code)
	}
	if got, want := strings.Join(codes, ","), "tong-quan,tthc,chinh-quyen-so,chi-so,khen-thuong,an-ninh-mang"; got != want {
		t.Errorf("row order = %s, want %s", got, want)
	}

	tests := []struct {
		code                string
		airings, segments   int
		minutes             float64
		pct                 float64 // -1: none
		below               bool
		interr, miss, fails int
		reasons             []string
	}{
		// both targets: 4/4 airings but 20/25 minutes, the lower one counts
		{"tong-quan", 4, 1, 20, 80, true, 0, 0, 0, []string{ReasonShortMinutes}},
		// the two-topic segment counts here and under chinh-quyen-so
		{"tthc", 5, 2, 27, 83.3, true, 2, 0, 0, []string{ReasonInterrupted, ReasonShortAirings}},
		{"chinh-quyen-so", 3, 2, 16, 106.7, false, 1, 0, 1, nil},
		{"chi-so", 0, 0, 0, 0, true, 0, 1, 0, []string{ReasonNoneCompleted, ReasonMissed, ReasonShortAirings}},
		{"khen-thuong", 1, 1, 5, -1, false, 0, 0, 0, nil},
		{"an-ninh-mang", 1, 1, 3, -1, false, 0, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			row := rowOf(t, r, tt.code)
			if row.Airings != tt.airings || row.Segments != tt.segments || row.Minutes != tt.minutes {
				t.Errorf("airings, segments, minutes = %d, %d, %v; want %d, %d, %v",
					row.Airings, row.Segments, row.Minutes, tt.airings, tt.segments, tt.minutes)
			}
			switch {
			case tt.pct < 0 && row.AchievedPct != nil:
				t.Errorf("achieved_pct = %v, want none", *row.AchievedPct)
			case tt.pct >= 0 && (row.AchievedPct == nil || *row.AchievedPct != tt.pct):
				t.Errorf("achieved_pct = %v, want %v", row.AchievedPct, tt.pct)
			}
			if row.BelowTarget != tt.below {
				t.Errorf("below_target = %v, want %v", row.BelowTarget, tt.below)
			}
			if row.Interrupted != tt.interr || row.Missed != tt.miss || row.Failed != tt.fails {
				t.Errorf("interrupted, missed, failed = %d, %d, %d; want %d, %d, %d",
					row.Interrupted, row.Missed, row.Failed, tt.interr, tt.miss, tt.fails)
			}
			var kinds []string
			for _, rr := range row.Reasons {
				kinds = append(kinds, rr.Kind)
				if rr.Text == "" || rr.TextIn("en") == "" {
					t.Errorf("reason %s has no text", rr.Kind)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(tt.reasons, ",") {
				t.Errorf("reasons = %v, want %v", kinds, tt.reasons)
			}
		})
	}

	if !rowOf(t, r, "an-ninh-mang").Unplanned || rowOf(t, r, "tthc").Unplanned {
		t.Error("only the code missing from the plan should be marked unplanned")
	}

	// Totals count each airing once: 14 topic-airings but 12 airings.
	want := Totals{Airings: 12, Minutes: 59, Segments: 6, Interrupted: 2, Missed: 1, Failed: 1}
	if r.Totals != want {
		t.Errorf("totals = %+v, want %+v", r.Totals, want)
	}

	// Incidents: the non-completed airings, by time; the open one is left out.
	var got []string
	for _, in := range r.Incidents {
		got = append(got, in.ScheduledAt.Format("02 15:04")+" "+in.Status)
	}
	wantInc := "19 06:00 failed,20 17:00 missed,23 06:00 interrupted,28 09:15 interrupted"
	if strings.Join(got, ",") != wantInc {
		t.Errorf("incidents = %v, want %s", got, wantInc)
	}
	if r.Period != (Period{From: "2024-05-01", To: "2024-05-31", Kind: "month", Label: "tháng 5 năm 2024"}) {
		t.Errorf("period = %+v", r.Period)
	}
}

func TestOnlyCompletedCounts(t *testing.T) {
	topics := []playlist.Topic{{Code: "x", Name: "X", TargetAirings: 1}}
	for _, st := range []playlist.Status{playlist.StatusInterrupted, playlist.StatusMissed,
		playlist.StatusFailed, playlist.StatusOpen, playlist.StatusCompleted} {
		t.Run(string(st), func(t *testing.T) {
			a := playlist.Airing{ID: 1, SegmentID: 9, Topics: []string{"x"}, Status: st,
				ScheduledAt: time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC), Played: 3 * time.Minute}
			r := Build(Input{Kind: "month", From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
				To: time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC), Topics: topics, Airings: []playlist.Airing{a}})
			row := r.Topics[0]
			wantN, wantMin := 0, 0.0
			if st == playlist.StatusCompleted {
				wantN, wantMin = 1, 3
			}
			if row.Airings != wantN || row.Minutes != wantMin || r.Totals.Airings != wantN || r.Totals.Minutes != wantMin {
				t.Errorf("%s: row %d airings %v min, totals %d airings %v min; want %d, %v",
					st, row.Airings, row.Minutes, r.Totals.Airings, r.Totals.Minutes, wantN, wantMin)
			}
			if row.BelowTarget == (st == playlist.StatusCompleted) {
				t.Errorf("%s: below_target = %v", st, row.BelowTarget)
			}
			wantInc := st != playlist.StatusCompleted && st != playlist.StatusOpen
			if (len(r.Incidents) == 1) != wantInc {
				t.Errorf("%s: %d incidents", st, len(r.Incidents))
			}
		})
	}
}

func TestTargetScaling(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		kind        string
		from, to    time.Time
		wantAirings int
		wantMinutes float64
	}{
		{"month", d(2024, 2, 1), d(2024, 2, 29), 10, 12.5},
		{"quarter", d(2024, 4, 1), d(2024, 6, 30), 30, 37.5},
		{"year", d(2024, 1, 1), d(2024, 12, 31), 120, 150},
		// 15 days / 30.436875 = 0.4928: 4.93 → 5 airings, 6.16 → 6.2 minutes
		{"range", d(2024, 5, 1), d(2024, 5, 15), 5, 6.2},
		// unknown kinds are ranges: 61 days → 2.004 months
		{"weird", d(2024, 5, 1), d(2024, 6, 30), 20, 25.1},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			r := Build(Input{Kind: tt.kind, From: tt.from, To: tt.to,
				Topics: []playlist.Topic{{Code: "x", TargetAirings: 10, TargetMinutes: 12.5}}})
			row := r.Topics[0]
			if row.TargetAirings != tt.wantAirings || row.TargetMinutes != tt.wantMinutes {
				t.Errorf("targets = %d airings, %v min; want %d, %v", row.TargetAirings, row.TargetMinutes, tt.wantAirings, tt.wantMinutes)
			}
		})
	}
}

func TestAchievedPct(t *testing.T) {
	none := -1.0
	tests := []struct {
		name      string
		airings   int
		minutes   float64 // per airing
		tAirings  int
		tMinutes  float64
		wantPct   float64
		wantBelow bool
	}{
		{"airings target only", 3, 5, 4, 0, 75, true},
		{"minutes target only", 3, 5, 0, 10, 150, false},
		{"both, airings lower", 2, 10, 4, 10, 50, true},
		{"both, minutes lower", 4, 1, 4, 10, 40, true},
		{"no target", 3, 5, 0, 0, none, false},
		{"exactly met", 4, 5, 4, 20, 100, false},
		{"rounds to one decimal", 1, 5, 3, 0, 33.3, true},
		{"just short is never 100", 1, 9.9995, 0, 10, 99.9, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var as []playlist.Airing
			for i := range tt.airings {
				as = append(as, playlist.Airing{ID: int64(i), SegmentID: 1, Topics: []string{"x"},
					Status: playlist.StatusCompleted, Played: time.Duration(tt.minutes * float64(time.Minute))})
			}
			r := Build(Input{Kind: "month", Topics: []playlist.Topic{{Code: "x", TargetAirings: tt.tAirings, TargetMinutes: tt.tMinutes}}, Airings: as})
			row := r.Topics[0]
			if tt.wantPct == none {
				if row.AchievedPct != nil {
					t.Errorf("achieved_pct = %v, want null", *row.AchievedPct)
				}
			} else if row.AchievedPct == nil || math.Abs(*row.AchievedPct-tt.wantPct) > 1e-9 {
				t.Errorf("achieved_pct = %v, want %v", row.AchievedPct, tt.wantPct)
			}
			if row.BelowTarget != tt.wantBelow {
				t.Errorf("below_target = %v, want %v", row.BelowTarget, tt.wantBelow)
			}
		})
	}
}

func TestJSONContract(t *testing.T) {
	var b bytes.Buffer
	if err := Build(fixture(t)).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Period    map[string]any   `json:"period"`
		Topics    []map[string]any `json:"topics"`
		Totals    map[string]any   `json:"totals"`
		Incidents []map[string]any `json:"incidents"`
		ChainHead map[string]any   `json:"chain_head"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	has := func(what string, m map[string]any, keys ...string) {
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s has no %q", what, k)
			}
		}
	}
	has("period", doc.Period, "from", "to", "kind", "label")
	has("totals", doc.Totals, "airings", "minutes", "interrupted", "missed", "failed")
	for _, tp := range doc.Topics {
		has("topic", tp, "code", "name", "target_airings", "target_minutes", "airings", "minutes",
			"segments", "achieved_pct", "below_target", "reasons")
	}
	if len(doc.Incidents) == 0 {
		t.Fatal("no incidents")
	}
	for _, in := range doc.Incidents {
		has("incident", in, "id", "segment_id", "title", "topics", "slot", "scheduled_at", "status", "reason", "played_ms")
	}
	if got := doc.Incidents[0]["scheduled_at"]; got != "2024-05-19T06:00:00+07:00" {
		t.Errorf("scheduled_at = %v, want RFC 3339 with +07:00", got)
	}
	if got := doc.Topics[4]["achieved_pct"]; got != nil {
		t.Errorf("achieved_pct without target = %v, want null", got)
	}
	if got := doc.Incidents[3]["played_ms"]; got != float64(72000) {
		t.Errorf("played_ms = %v, want 72000", got)
	}
	// Slot codes stay codes; the printed title is beside them.
	if got, title := doc.Incidents[0]["slot"], doc.Incidents[0]["slot_title"]; got != "sang" || title != "Chuyên mục CCHC buổi sáng" {
		t.Errorf("slot, slot_title = %v, %v; want sang, its title", got, title)
	}
	if got := doc.Incidents[3]["slot_title"]; got != "Phát ngay" {
		t.Errorf("manual airing slot_title = %v, want Phát ngay", got)
	}
	// The chain head, with the full hash.
	if h := doc.ChainHead; h["hash"] != "3f2a9c0d1e2b4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c" ||
		h["airing_id"] != float64(17) || h["seq"] != float64(16) {
		t.Errorf("chain_head = %v", h)
	}
	// No chain yet: null, not missing.
	in := fixture(t)
	in.ChainHead = nil
	b.Reset()
	if err := Build(in).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"chain_head": null`) {
		t.Errorf("a report without a chain head has no \"chain_head\": null")
	}
}

func TestCSV(t *testing.T) {
	r := Build(fixture(t))
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.WriteCSV(&b, lang); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b.Bytes(), []byte{0xEF, 0xBB, 0xBF}) {
				t.Fatalf("no UTF-8 BOM: % x", b.Bytes()[:3])
			}
			lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
			// Header, topics, totals, a blank row and the chain head.
			if want := 1 + len(r.Topics) + 3; len(lines) != want {
				t.Fatalf("%d lines, want %d", len(lines), want)
			}
			if tot := lines[1+len(r.Topics)]; !strings.Contains(tot, ",12,59.0,6,") {
				t.Errorf("totals row = %q", tot)
			}
			if got := lines[len(lines)-2]; got != ",,,,,,," {
				t.Errorf("row before the chain head = %q, want a blank row", got)
			}
			if got := lines[len(lines)-1]; !strings.HasPrefix(got, `,"`) || !strings.Contains(got, "3f2a9c0d1e2b4f5a (") ||
				!strings.Contains(got, "#17") || !strings.Contains(got, "log verify --head 3f2a9c0d1e2b4f5a") {
				t.Errorf("chain head row = %q", got)
			}
		})
	}
}

func TestWriteUnknownLanguage(t *testing.T) {
	r := Build(fixture(t))
	var b bytes.Buffer
	if err := r.WriteText(&b, "fr"); err == nil || !strings.Contains(err.Error(), `"fr"`) {
		t.Errorf("WriteText(fr) error = %v, want one naming \"fr\"", err)
	}
	if err := r.WriteCSV(&b, "fr"); err == nil {
		t.Error("WriteCSV(fr): no error")
	}
}

func TestTextLayout(t *testing.T) {
	r := Build(fixture(t))
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.WriteText(&b, lang); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(b.String(), "\n")
			page, rules := 0, 0
			for _, l := range lines {
				if strings.HasPrefix(l, "────────────────────") {
					if page != 0 && width(l) != page {
						t.Errorf("table rules differ: %d and %d columns", page, width(l))
					}
					page = width(l)
					rules++
				}
			}
			if rules != 4 {
				t.Fatalf("%d table rules, want 4", rules)
			}
			page = max(page, minPage)
			for _, l := range lines {
				if width(l) > page {
					t.Errorf("line wider than the page (%d > %d): %q", width(l), page, l)
				}
			}
			text := b.String()
			for _, w := range map[string][]string{
				"vi": {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: …/BC-UBND", "Tân Lập, ngày 03 tháng 6 năm 2024",
					"tháng 5 năm 2024", "⚠ chưa đạt", "bỏ lỡ", "lỗi phát", "bị gián đoạn", "Nơi nhận:", "- Lưu: VT, VH-TT.", "Nguyễn Văn An"},
				"en": {"SOCIALIST REPUBLIC OF VIET NAM", "REPORT", "Tân Lập, 3 June 2024", "May 2024", "Recipients:", "⚠ below target", "missed"},
			}[lang] {
				if !strings.Contains(text, w) {
					t.Errorf("text has no %q", w)
				}
			}
			// The right header column starts at the same column on every header
			// line as the centred text allows: check "Độc lập" is centred under
			// "CỘNG HÒA" by display width, not bytes.
			if lang == "vi" {
				c1 := centre(lines[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
				c2 := centre(lines[1], "Độc lập - Tự do - Hạnh phúc")
				if c1 < 0 || c2 < 0 || abs(c1-c2) > 1 {
					t.Errorf("right header not centred by display width: centres %d and %d\n%s\n%s", c1, c2, lines[0], lines[1])
				}
			}
		})
	}
}

// centre is the display column of the middle of sub in line, or -1.
func centre(line, sub string) int {
	i := strings.Index(line, sub)
	if i < 0 {
		return -1
	}
	return 2*width(line[:i]) + width(sub)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func TestWidthAndWrap(t *testing.T) {
	decomposed := "Ta\u0302n La\u0323\u0302p" // "Tân Lập" with combining marks
	tests := []struct {
		s    string
		want int
	}{
		{"Tân Lập", 7},
		{decomposed, 7},
		{"ỦY BAN NHÂN DÂN", 15},
		{"⚠ chưa đạt", 10},
		{"", 0},
	}
	for _, tt := range tests {
		if got := width(tt.s); got != tt.want {
			t.Errorf("width(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
	if got := padRight("Lập", 5); got != "Lập  " {
		t.Errorf("padRight = %q", got)
	}
	for _, l := range wrap("Cải cách thủ tục hành chính; một cửa, một cửa liên thông", 12) {
		if width(l) > 12 {
			t.Errorf("wrapped line %q is %d wide", l, width(l))
		}
	}
	if got := wrap("abcdefghij", 4); strings.Join(got, "|") != "abcd|efgh|ij" {
		t.Errorf("long word cut = %v", got)
	}
}

func TestParsePeriods(t *testing.T) {
	loc := hcm(t)
	type parser func(string, *time.Location) (time.Time, time.Time, error)
	tests := []struct {
		name     string
		parse    parser
		in       string
		from, to string
		err      string
	}{
		{"month", ParseMonth, "2024-05", "2024-05-01", "2024-05-31", ""},
		{"leap February", ParseMonth, "2024-02", "2024-02-01", "2024-02-29", ""},
		{"February", ParseMonth, "2023-02", "2023-02-01", "2023-02-28", ""},
		{"month 13", ParseMonth, "2024-13", "", "", `month "2024-13": want YYYY-MM with a month from 01 to 12`},
		{"month 00", ParseMonth, "2024-00", "", "", `month "2024-00": want YYYY-MM with a month from 01 to 12`},
		{"one-digit month", ParseMonth, "2024-5", "", "", `month "2024-5": want YYYY-MM, e.g. 2024-05`},
		{"not a month", ParseMonth, "May", "", "", `month "May": want YYYY-MM, e.g. 2024-05`},
		{"empty month", ParseMonth, "", "", "", `month "": want YYYY-MM, e.g. 2024-05`},
		{"quarter", ParseQuarter, "2024-Q2", "2024-04-01", "2024-06-30", ""},
		{"lower-case quarter", ParseQuarter, "2024-q4", "2024-10-01", "2024-12-31", ""},
		{"quarter 5", ParseQuarter, "2024-Q5", "", "", `quarter "2024-Q5": want YYYY-Qn with n from 1 to 4`},
		{"bad quarter", ParseQuarter, "2024-2", "", "", `quarter "2024-2": want YYYY-Qn, e.g. 2024-Q2`},
		{"year", ParseYear, "2024", "2024-01-01", "2024-12-31", ""},
		{"short year", ParseYear, "24", "", "", `year "24": want YYYY, e.g. 2024`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, err := tt.parse(tt.in, loc)
			if tt.err != "" {
				var pe *PeriodError
				if err == nil || err.Error() != tt.err || !errors.As(err, &pe) {
					t.Fatalf("error = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := from.Format(time.DateOnly) + " " + to.Format(time.DateOnly); got != tt.from+" "+tt.to {
				t.Errorf("got %s, want %s %s", got, tt.from, tt.to)
			}
			if from.Location() != loc || from.Hour() != 0 {
				t.Errorf("from = %v, want midnight in %v", from, loc)
			}
		})
	}
}

func TestPeriodLabels(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		kind     string
		from, to time.Time
		vi, en   string
	}{
		{"month", d(2024, 5, 1), d(2024, 5, 31), "tháng 5 năm 2024", "May 2024"},
		{"quarter", d(2024, 4, 1), d(2024, 6, 30), "quý 2 năm 2024", "Q2 2024"},
		{"year", d(2024, 1, 1), d(2024, 12, 31), "năm 2024", "2024"},
		{"range", d(2024, 5, 1), d(2024, 5, 15), "từ ngày 01/05/2024 đến ngày 15/05/2024", "from 1 May 2024 to 15 May 2024"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			r := Build(Input{Kind: tt.kind, From: tt.from, To: tt.to})
			if r.Period.Label != tt.vi {
				t.Errorf("label = %q, want %q", r.Period.Label, tt.vi)
			}
			var b bytes.Buffer
			if err := r.WriteText(&b, "en"); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tt.en) {
				t.Errorf("English text has no %q", tt.en)
			}
			if !strings.Contains(strings.Join(strings.Fields(mustText(t, r, "vi")), " "), tt.vi) {
				t.Errorf("Vietnamese text has no %q", tt.vi)
			}
		})
	}
}

func mustText(t *testing.T, r Report, lang string) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteText(&b, lang); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestIssuedLine(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), "Tân Lập, ngày 26 tháng 11 năm 2026"},
		{time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC), "Tân Lập, ngày 05 tháng 02 năm 2026"},
		{time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "Tân Lập, ngày 05 tháng 3 năm 2026"},
		{time.Time{}, "Tân Lập, ngày … tháng … năm …"},
	}
	for _, tt := range tests {
		if got := vi.issuedLine("Tân Lập", tt.t); got != tt.want {
			t.Errorf("issuedLine(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestSlotNames(t *testing.T) {
	r := Build(fixture(t))
	for _, tt := range []struct {
		slot, lang, want string
	}{
		{"sang", "vi", "Chuyên mục CCHC buổi sáng"},
		{"chieu", "en", "Chuyên mục CCHC buổi chiều"}, // the commune's own title
		{"manual", "vi", "Phát ngay"},
		{"manual", "en", "Play now"},
		{"emergency", "vi", "Phát khẩn cấp"},
		{"emergency", "en", "Emergency"},
		{"trua", "vi", "trua"}, // a slot no longer in the config keeps its name
	} {
		wd, err := wordsFor(tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.slotName(wd, tt.slot); got != tt.want {
			t.Errorf("slotName(%s, %s) = %q, want %q", tt.lang, tt.slot, got, tt.want)
		}
	}
	// The printed forms: no slot code where a title is known.
	var b bytes.Buffer
	if err := r.WriteText(&b, "vi"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), ", sang:") || !strings.Contains(b.String(), "06:00, Chuyên mục CCHC buổi sáng: «") {
		t.Errorf("the text form's incidents do not name slots by title:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "(đã phát 2 phút 30 giây trên 5 phút)") {
		t.Error("the text form does not say the played length in minutes and seconds")
	}
}
