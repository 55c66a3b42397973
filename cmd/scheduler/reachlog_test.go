package main

import (
	"context"
	"encoding/csv"
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
	for i, l := range []*int{&two, &none, nil} {
		a := playlist.Airing{SegmentID: int64(i + 1), Title: "Bản tin", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at.Add(time.Duration(i) * time.Minute),
			Duration: time.Minute, Status: playlist.StatusCompleted, Listeners: l}
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
	if len(rows) != 4 || rows[0][len(rows[0])-1] != "listeners" {
		t.Fatalf("log CSV: want a header ending in listeners and 3 rows:\n%v", rows)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[len(r)-1])
	}
	if strings.Join(got, "|") != "2|0|" {
		t.Errorf("log CSV listeners = %q, want 2, 0 and empty (a sound card)", got)
	}

	out := filepath.Join(t.TempDir(), "bao-cao.csv")
	mustRun(t, data, "report", "--month", "2024-05", "--format", "csv", "-o", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "CỤM LOA NHẬN") || !strings.Contains(string(b), "2 lượt phát; cụm loa nhận trung bình 1,0/?, ít nhất 0; 1 lượt không") {
		t.Errorf("the report CSV has no 'cụm loa nhận':\n%s", b)
	}
	js := mustRun(t, data, "report", "--month", "2024-05", "--format", "json")
	if !strings.Contains(js, `"reach":{"zone":"chung"`) && !strings.Contains(js, `"reach": {`) {
		t.Errorf("report JSON zones[] has no reach:\n%s", js)
	}
}
