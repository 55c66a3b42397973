package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// TestLogCSVListenersAndReportReach: `log --format csv` ends with a
// listeners column (empty for an airing not on a stream output), and the
// report's CSV and JSON carry "cụm loa nhận".
func TestLogCSVListenersAndReportReach(t *testing.T) {
	data := t.TempDir()
	st, err := store.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 10, 6, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	two, none := 2, 0
	// Segment 1 heard by 2 clusters, then by none; segment 2 by none; 3 on a sound card.
	for i, l := range []struct {
		seg       int64
		listeners *int
	}{{1, &two}, {2, &none}, {3, nil}, {1, &none}} {
		a := playlist.Airing{SegmentID: l.seg, Title: "Bản tin", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at.Add(time.Duration(i) * time.Minute),
			Duration: time.Minute, Status: playlist.StatusCompleted, Listeners: l.listeners}
		a.StartedAt, a.EndedAt, a.Played = a.ScheduledAt, a.ScheduledAt.Add(time.Minute), time.Minute
		if _, err := st.LogClosed(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(mustRun(t, data, "log", "--from", "2024-05-10", "--format", "csv"), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][len(rows[0])-1] != "listeners" {
		t.Fatalf("log CSV: want a header ending in listeners and 4 rows:\n%v", rows)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[len(r)-1])
	}
	if strings.Join(got, "|") != "2|0||0" {
		t.Errorf("log CSV listeners = %q, want 2, 0, empty (a sound card), 0", got)
	}

	// The commune's one zone streams only: airings heard by no cluster are
	// not propaganda delivered.
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	streamOnly := writeConfig(t, "stream.yaml", strings.Replace(string(raw), "output: auto", "output: icecast://source:hackme@127.0.0.1:8000/chung", 1))
	out := filepath.Join(t.TempDir(), "bao-cao.csv")
	mustRun(t, data, "--config", streamOnly, "report", "--month", "2024-05", "--format", "csv", "-o", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "CỤM LOA NHẬN") || !strings.Contains(string(b), "3 lượt phát; cụm loa nhận trung bình 0,7/?, ít nhất 0; 2 lượt không") {
		t.Errorf("the report CSV has no 'cụm loa nhận':\n%s", b)
	}
	type reportJSON struct {
		Totals struct{ Airings, Segments, Unheard int }
		Zones  []struct {
			Reach *struct{ Airings, Unheard int }
		}
	}
	// The month's figures come from the tallies, May 10 alone's from the
	// rows: both leave segment 2 (heard by none) out of the distinct segments.
	for _, period := range [][]string{{"--month", "2024-05"}, {"--from", "2024-05-10", "--to", "2024-05-10"}} {
		var rep reportJSON
		js := mustRun(t, data, append([]string{"--config", streamOnly, "report", "--format", "json"}, period...)...)
		if err := json.Unmarshal([]byte(js), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Totals.Airings != 2 || rep.Totals.Segments != 2 || rep.Totals.Unheard != 2 || len(rep.Zones) != 1 || rep.Zones[0].Reach == nil || rep.Zones[0].Reach.Unheard != 2 {
			t.Errorf("report %v: totals %+v, zones %+v; want 2 airings and 2 segments delivered, 2 unheard, zones[0].reach", period, rep.Totals, rep.Zones)
		}
	}
	// The zone's amplifier played them too (audio.output is a sound card):
	// every airing counts, and "cụm loa nhận" still says who listened.
	var rep reportJSON
	if err := json.Unmarshal([]byte(mustRun(t, data, "report", "--format", "json", "--month", "2024-05")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Airings != 4 || rep.Totals.Segments != 3 || rep.Totals.Unheard != 0 || len(rep.Zones) != 1 || rep.Zones[0].Reach == nil || rep.Zones[0].Reach.Unheard != 2 {
		t.Errorf("report with a sound card: totals %+v, zones %+v; want all 4 airings and 3 segments delivered, reach still naming 2 unheard", rep.Totals, rep.Zones)
	}
}
