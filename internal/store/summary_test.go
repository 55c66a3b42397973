package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/store"
)

// The tallies the database keeps as airings close, the GROUP BY queries
// and the rows themselves must give the very same report, whatever order
// rows were written and closed in: near midnight, across days, with open,
// late-logged missed and multi-topic airings.
func TestSummarizeAgreesWithTheRows(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	at := func(d, h, m int) time.Time { return time.Date(2025, 6, d, h, m, 0, 0, hcm) }
	closeAs := func(a playlist.Airing, status playlist.Status, played time.Duration, reason string) {
		t.Helper()
		id, err := st.StartAiring(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if status == playlist.StatusOpen {
			return
		}
		if err := st.CloseAiring(ctx, id, status, a.StartedAt, a.StartedAt.Add(played), played, reason); err != nil {
			t.Fatal(err)
		}
	}
	airing := func(seg int64, topics []string, when time.Time) playlist.Airing {
		return playlist.Airing{SegmentID: seg, Title: "bản tin", Topics: topics, Slot: "sang", ScheduledAt: when, StartedAt: when, Duration: 3 * time.Minute}
	}
	// The last day of May and the first of July bound the month: their
	// airings must stay out of June's report.
	closeAs(airing(1, []string{"tthc"}, at(0, 23, 59)), playlist.StatusCompleted, 3*time.Minute, "")
	closeAs(airing(1, []string{"tthc"}, at(1, 0, 0)), playlist.StatusCompleted, 3*time.Minute, "")
	closeAs(airing(2, []string{"tthc", "chi-so"}, at(1, 6, 0)), playlist.StatusCompleted, 150*time.Second, "")
	closeAs(airing(2, []string{"tthc", "chi-so"}, at(1, 23, 59)), playlist.StatusInterrupted, 70*time.Second, "emergency")
	closeAs(airing(3, []string{"chi-so"}, at(2, 0, 1)), playlist.StatusCompleted, 2*time.Minute+333*time.Millisecond, "")
	closeAs(airing(3, []string{"chi-so"}, at(15, 17, 0)), playlist.StatusOpen, 0, "")
	closeAs(airing(4, []string{"khen-thuong"}, at(30, 23, 59)), playlist.StatusCompleted, 61*time.Second, "")
	closeAs(airing(4, []string{"khen-thuong"}, at(31, 0, 0)), playlist.StatusCompleted, 61*time.Second, "")
	for _, a := range []playlist.Airing{
		{Title: "Buổi sáng", Slot: "sang", ScheduledAt: at(3, 6, 0), Status: playlist.StatusMissed, Reason: "station down"},
		{SegmentID: 5, Title: "x", Topics: []string{"the-che"}, Slot: "chieu", ScheduledAt: at(20, 17, 0), Status: playlist.StatusFailed, Reason: "no device"},
	} {
		if _, err := st.LogClosed(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	from, to := at(1, 0, 0), at(1, 0, 0).AddDate(0, 1, 0)
	offset := 7 * time.Hour
	rows, err := st.Airings(ctx, "", from, to)
	if err != nil {
		t.Fatal(err)
	}
	tallied, err := st.Summarize(ctx, "", from, to, offset)
	if err != nil {
		t.Fatal(err)
	}
	grouped, err := store.SummarizeRows(st, ctx, "", from, to, offset)
	if err != nil {
		t.Fatal(err)
	}
	build := func(in report.Input) string {
		in.Kind, in.From, in.To, in.Location = report.KindMonth, from, to.AddDate(0, 0, -1), hcm
		in.Topics = []playlist.Topic{{Code: "tthc", Name: "TTHC", TargetAirings: 4}, {Code: "chi-so", Name: "Chỉ số", TargetMinutes: 10}}
		b, err := json.Marshal(report.Build(in))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	want := build(report.Input{Airings: rows})
	for name, s := range map[string]store.AiringSummary{"tallies": tallied, "group by": grouped} {
		if got := build(report.Input{Summary: toReport(s)}); got != want {
			t.Errorf("report from the %s differs from the report from the rows:\n got %s\nwant %s", name, got, want)
		}
	}
	var r report.Report
	if err := json.Unmarshal([]byte(want), &r); err != nil {
		t.Fatal(err)
	}
	// The figures themselves, so that the three cannot agree on nothing.
	if r.Totals.Airings != 4 || r.Totals.Interrupted != 1 || r.Totals.Missed != 1 || r.Totals.Failed != 1 || r.Totals.Segments != 4 {
		t.Errorf("totals = %+v, want 4 completed of 4 segments, 1 interrupted, 1 missed, 1 failed", r.Totals)
	}
	if d := r.Days[0]; d.Airings != 2 || d.Interrupted != 1 {
		t.Errorf("1 June = %+v, want 2 completed and 1 interrupted", d)
	}
	if len(r.Incidents) != 3 {
		t.Errorf("incidents = %d, want 3", len(r.Incidents))
	}
}

func toReport(s store.AiringSummary) *report.Summary {
	out := &report.Summary{Incidents: s.Incidents}
	for _, g := range s.Groups {
		out.Groups = append(out.Groups, report.Group{At: g.At, Topics: g.Topics, Status: g.Status, Airings: g.Airings, PlayedMS: g.PlayedMS})
	}
	for _, a := range s.Aired {
		out.Aired = append(out.Aired, report.Aired{Topics: a.Topics, SegmentID: a.SegmentID})
	}
	return out
}
