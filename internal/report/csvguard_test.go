package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// A topic name from config.yaml that looks like a formula is written as
// text; the numbers stay numbers.
func TestCSVGuardsFormulaCells(t *testing.T) {
	pct := -12.5
	r := Report{Topics: []TopicRow{{Code: "tthc", Name: `=HYPERLINK("http://x","y")`, TargetAirings: 4, Airings: 1, Minutes: 2.5, AchievedPct: &pct}}}
	var b bytes.Buffer
	if err := r.WriteCSV(&b, "vi"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, `tthc,"'=HYPERLINK(""http://x"",""y"")",4,,1,2.5,0,-12.5`) {
		t.Fatalf("report CSV:\n%s", out)
	}
}

// A title logged raw before titles were cleaned (a line break, a screen
// clear) is one plain line in every printed form and in the XLSX log.
func TestRawTitlesArePrintedClean(t *testing.T) {
	at := time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC)
	raw := "Thông báo\nlịch\x1b[2J tiếp dân"
	r := Build(Input{Kind: "month", From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC),
		Topics:  []playlist.Topic{{Code: "tthc", Name: "TTHC", TargetAirings: 1}},
		Airings: []playlist.Airing{{ID: 1, SegmentID: 2, Title: raw, Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at, Status: playlist.StatusMissed, Reason: "x"}}})
	if len(r.Incidents) != 1 || r.Incidents[0].Title != "Thông báo lịch tiếp dân" || r.Log[0].Title != "Thông báo lịch tiếp dân" {
		t.Fatalf("incidents %+v, log %+v", r.Incidents, r.Log)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b, "vi"); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b") || !strings.Contains(b.String(), "Thông báo lịch tiếp dân") {
		t.Fatalf("text report:\n%s", b.String())
	}
}
