package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// streamInput is a month of two zones streaming (Thôn Đông heard on 2 of 3
// airings, Thôn Tây by no cluster) and one sound card zone.
func streamInput() Input {
	n := func(v int) *int { return &v }
	day := time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC)
	a := func(id int64, zone string, listeners *int) playlist.Airing {
		return playlist.Airing{ID: id, SegmentID: id, Topics: []string{"x"}, Status: playlist.StatusCompleted, Zone: zone,
			ScheduledAt: day.Add(time.Duration(id) * time.Hour), Played: 2 * time.Minute, Listeners: listeners}
	}
	return Input{Kind: "month", From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC),
		Topics: []playlist.Topic{{Code: "x", Name: "X", TargetAirings: 10}},
		Airings: []playlist.Airing{
			a(1, "thon-dong", n(3)), a(2, "thon-dong", n(1)), a(3, "thon-dong", n(0)),
			a(4, "thon-tay", n(0)),
			a(5, "chung", nil),
		},
		Zones: []Zone{{Code: "thon-dong", Name: "Thôn Đông", Clusters: 4}, {Code: "thon-tay", Name: "Thôn Tây", Clusters: 2}, {Code: "chung", Name: "Chung"}}}
}

// "Cụm loa nhận" is in every format but the text and HTML ones tested in
// reach_test.go: the CSV's sentences, JSON zones[].reach, the DOCX's and
// the XLSX summary's section V.
func TestReachInEveryFormat(t *testing.T) {
	r := Build(streamInput())
	line := "Thôn Đông: 3 lượt phát; cụm loa nhận trung bình 1,3/4, ít nhất 0; 1 lượt không cụm loa nào nhận"

	var csv bytes.Buffer
	if err := r.WriteCSV(&csv, "vi"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), "V. CỤM LOA NHẬN") || !strings.Contains(csv.String(), line) {
		t.Errorf("the CSV has no 'cụm loa nhận':\n%s", csv.String())
	}
	if i, j := strings.Index(csv.String(), "CỤM LOA NHẬN"), strings.LastIndex(csv.String(), "Tổng cộng"); i < j {
		t.Errorf("'cụm loa nhận' comes before the last table in the CSV:\n%s", csv.String())
	}

	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Zones []struct {
			Code  string          `json:"code"`
			Reach json.RawMessage `json:"reach"`
		} `json:"zones"`
	}
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, z := range js.Zones {
		got[z.Code] = string(z.Reach)
	}
	want := map[string]string{
		"thon-dong": `{"zone":"thon-dong","name":"Thôn Đông","clusters":4,"airings":3,"listeners_avg":1.3,"listeners_min":0,"unheard":1,"unheard_minutes":2}`,
		"thon-tay":  `{"zone":"thon-tay","name":"Thôn Tây","clusters":2,"airings":1,"listeners_avg":0,"listeners_min":0,"unheard":1,"unheard_minutes":2}`,
		"chung":     "", // a sound card: no reach
	}
	for code, w := range want {
		if got[code] != w {
			t.Errorf("JSON zones[%s].reach = %s, want %s", code, got[code], w)
		}
	}

	var docx bytes.Buffer
	if err := r.WriteDOCX(&docx, "vi"); err != nil {
		t.Fatal(err)
	}
	doc := string(docxDump(t, docxParts(t, docx.Bytes())["word/document.xml"]))
	if !strings.Contains(doc, "V. CỤM LOA NHẬN") || !strings.Contains(doc, "- "+line) {
		t.Errorf("the DOCX has no 'cụm loa nhận':\n%s", doc)
	}
	if i, j := strings.Index(doc, "CỤM LOA NHẬN"), strings.Index(doc, "IV. "); i < j {
		t.Errorf("'cụm loa nhận' comes before the calendar in the DOCX")
	}

	xl := string(dumpXLSX(t, openXLSX(t, r, "en")))
	if !strings.Contains(xl, "V. CLUSTERS THAT RECEIVED IT") || !strings.Contains(xl, "- Thôn Tây: 1 airings; clusters receiving on average 0.0/2") {
		t.Errorf("the XLSX summary has no 'cụm loa nhận':\n%s", xl)
	}
	// The log sheet: the zone, then the listeners (empty for a sound card).
	logSheet := xl[strings.Index(xl, "# Airing log"):]
	logSheet = logSheet[:strings.Index(logSheet[1:], "\n# ")+2] // with its last newline
	for _, w := range []string{"M1\tClusters receiving\n", "M2\t3\n", "M5\t0\n", "L6\tchung\n"} {
		if !strings.Contains(logSheet, w) {
			t.Errorf("the XLSX log sheet lacks %q:\n%s", w, logSheet)
		}
	}
	if strings.Contains(logSheet, "M6\t") {
		t.Errorf("the XLSX log gives listeners to an airing on a sound card:\n%s", logSheet)
	}
	// The totals leave the unheard airings out: figures, not a formula
	// counting every completed airing of the log sheet.
	if r.Totals.Airings != 3 {
		t.Fatalf("totals %+v, want 3 airings delivered", r.Totals)
	}
	if strings.Contains(xl, "COUNTIF(") {
		t.Errorf("the XLSX totals count the log's completed airings, unheard ones too:\n%s", xl)
	}
}

// A segment whose completed airings no cluster received is not a distinct
// segment delivered; one heard once is, whatever its other airings.
func TestSegmentsHeardByNoClusterDoNotCount(t *testing.T) {
	in := streamInput()
	n := 0
	// Segment 1 again in Thôn Đông, heard by none: it was heard before.
	again := in.Airings[0]
	again.ID, again.ScheduledAt, again.Listeners = 6, again.ScheduledAt.Add(time.Hour*10), &n
	in.Airings = append(in.Airings, again)
	for _, viaSummary := range []bool{false, true} {
		if viaSummary {
			s := Summarize(in.Airings, time.UTC)
			in.Summary, in.Airings = &s, nil
		}
		r := Build(in)
		segs := map[string]int{}
		for _, z := range r.Zones {
			segs[z.Code] = z.Totals.Segments
		}
		// Thôn Đông: 1 (heard, then not) and 2 count, 3 does not; Thôn Tây's
		// only segment was heard by none; Chung has a sound card.
		if r.Totals.Segments != 3 || r.Topics[0].Segments != 3 || segs["thon-dong"] != 2 || segs["thon-tay"] != 0 || segs["chung"] != 1 {
			t.Errorf("summary %v: segments %d (topic %d), per zone %v; want 3 (3), thon-dong 2, thon-tay 0, chung 1",
				viaSummary, r.Totals.Segments, r.Topics[0].Segments, segs)
		}
	}
}
