package report

import (
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// Airings on a stream that no cluster received are not propaganda
// delivered: they leave the coverage, the totals and the days, and the
// "cụm loa nhận" section counts them, per zone, with the listeners against
// the clusters expected. Airings on a sound card (no listener count) count
// as before.
func TestAiringsHeardByNoClusterDoNotCount(t *testing.T) {
	n := func(v int) *int { return &v }
	day := time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC)
	a := func(id int64, zone string, listeners *int) playlist.Airing {
		return playlist.Airing{ID: id, SegmentID: id, Topics: []string{"x"}, Status: playlist.StatusCompleted, Zone: zone,
			ScheduledAt: day.Add(time.Duration(id) * time.Hour), Played: 2 * time.Minute, Listeners: listeners}
	}
	airings := []playlist.Airing{
		a(1, "thon-dong", n(3)), a(2, "thon-dong", n(1)), a(3, "thon-dong", n(0)),
		a(4, "thon-tay", n(0)),
		a(5, "chung", nil), // a sound card: no count, delivered
	}
	in := Input{Kind: "month", From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC),
		Topics: []playlist.Topic{{Code: "x", Name: "X", TargetAirings: 10}}, Airings: airings,
		Zones: []Zone{{Code: "thon-dong", Name: "Thôn Đông", Clusters: 4}, {Code: "thon-tay", Name: "Thôn Tây", Clusters: 2}}}
	for _, viaSummary := range []bool{false, true} {
		if viaSummary {
			s := Summarize(airings, time.UTC)
			in.Summary, in.Airings = &s, nil
		}
		r := Build(in)
		if r.Totals.Airings != 3 || r.Totals.Minutes != 6 || r.Totals.Unheard != 2 || r.Topics[0].Airings != 3 || r.Days[1].Airings != 3 {
			t.Fatalf("summary %v: totals %+v, topic %d airings, day %d airings; want 3 delivered (6 min), 2 unheard",
				viaSummary, r.Totals, r.Topics[0].Airings, r.Days[1].Airings)
		}
		want := []Reach{
			{Zone: "thon-dong", Name: "Thôn Đông", Clusters: 4, Airings: 3, ListenersAvg: 1.3, ListenersMin: 0, Unheard: 1, UnheardMinutes: 2},
			{Zone: "thon-tay", Name: "Thôn Tây", Clusters: 2, Airings: 1, ListenersAvg: 0, ListenersMin: 0, Unheard: 1, UnheardMinutes: 2},
		}
		if len(r.Reach) != 2 || r.Reach[0] != want[0] || r.Reach[1] != want[1] {
			t.Fatalf("summary %v: reach %+v, want %+v", viaSummary, r.Reach, want)
		}
		text := mustText(t, r, "vi")
		for _, s := range []string{"CỤM LOA NHẬN", "Thôn Đông: 3 lượt phát; cụm loa nhận trung bình 1,3/4, ít nhất 0; 1 lượt không", "cụm loa nào nhận (không tính là đã tuyên truyền)"} {
			if !strings.Contains(text, s) {
				t.Errorf("the text report lacks %q:\n%s", s, text)
			}
		}
	}
}

// In a zone with a sound card beside its streams, an airing no cluster
// received was still heard through the amplifier: it stays in the
// coverage and the totals; only a zone of streams alone loses it.
func TestUnheardCountsOnlyInZonesOfStreamsAlone(t *testing.T) {
	n := func(v int) *int { return &v }
	day := time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC)
	a := func(id int64, zone string, listeners *int) playlist.Airing {
		return playlist.Airing{ID: id, SegmentID: id, Topics: []string{"x"}, Status: playlist.StatusCompleted, Zone: zone,
			ScheduledAt: day.Add(time.Duration(id) * time.Hour), Played: 2 * time.Minute, Listeners: listeners}
	}
	airings := []playlist.Airing{
		a(1, "dong", n(0)), a(2, "dong", n(2)), // streams only
		a(3, "tay", n(0)), a(4, "tay", n(1)), // a sound card and a stream
	}
	in := Input{Kind: "month", From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC),
		Topics: []playlist.Topic{{Code: "x", Name: "X", TargetAirings: 10}}, Airings: airings,
		Zones: []Zone{{Code: "dong", Name: "Đông", Clusters: 2}, {Code: "tay", Name: "Tây", Clusters: 1, Amplified: true}}}
	r := Build(in)
	if r.Totals.Airings != 3 || r.Totals.Unheard != 1 {
		t.Errorf("totals %+v, want 3 delivered, 1 unheard (dong's)", r.Totals)
	}
	got := map[string]int{}
	for _, z := range r.Zones {
		got[z.Code] = z.Totals.Airings
	}
	if got["dong"] != 1 || got["tay"] != 2 {
		t.Errorf("delivered by zone %v, want dong 1, tay 2", got)
	}
	if len(r.Reach) != 2 || r.Reach[0].Unheard != 1 || r.Reach[1].Unheard != 1 || r.Reach[0].Amplified || !r.Reach[1].Amplified {
		t.Errorf("reach %+v, want 1 unheard in each, tay amplified", r.Reach)
	}
	text := mustText(t, r, "vi")
	for _, s := range []string{"Đông: 2 lượt phát; cụm loa nhận trung bình 1,0/2", "Tây: 2 lượt phát; cụm loa nhận trung bình 0,5/1",
		"(không tính là đã tuyên truyền)", "(vẫn tính là đã tuyên truyền"} {
		if strings.Count(text, s) != 1 {
			t.Errorf("the text report has %q %d times, want once:\n%s", s, strings.Count(text, s), text)
		}
	}
}

func TestReachInHTML(t *testing.T) {
	n := 0
	in := Input{Kind: "month", From: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC),
		Airings: []playlist.Airing{{ID: 1, Topics: []string{"x"}, Status: playlist.StatusCompleted, Zone: "thon-tay",
			ScheduledAt: time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC), Played: time.Minute, Listeners: &n}},
		Zones: []Zone{{Code: "thon-tay", Name: "Thôn Tây", Clusters: 2}}}
	var b strings.Builder
	if err := Build(in).WriteHTML(&b, "vi"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "CỤM LOA NHẬN") || !strings.Contains(b.String(), "Thôn Tây: 1 lượt phát") {
		t.Errorf("the HTML report has no 'cụm loa nhận' section")
	}
}
