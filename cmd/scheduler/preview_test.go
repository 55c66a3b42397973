package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// planned is one item of a preview or one row of the log, as compared.
type planned struct {
	Slot    string
	At      time.Time
	Segment int64
}

func (p planned) String() string {
	return fmt.Sprintf("%s %s #%d", p.Slot, p.At.Format("01-02 15:04:05"), p.Segment)
}

// TestPreviewIsWhatSimulateAirsWithAVariedLibrary: over a month, with
// approval required and some segments not approved, validity windows that
// open and close within the month, priority and emergency segments and a
// pin, `schedule preview --json` lists exactly what `simulate` then airs,
// item by item (slot, start, segment).
func TestPreviewIsWhatSimulateAirsWithAVariedLibrary(t *testing.T) {
	data := t.TempDir()
	// Short slots (1 minute: two or three sample segments) so that the
	// planner has to choose, and the 20 h no-repeat window of the shipped
	// config.
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(raw), "output: auto", "output: null", 1)
	if strings.Count(cfg, "      length: 10m\n") != 2 || !strings.Contains(cfg, "required: true") {
		t.Fatal("config.yaml changed: two 10-minute slots and approval.required expected")
	}
	cfg = strings.ReplaceAll(cfg, "      length: 10m\n", "      length: 1m\n")
	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	S := func(args ...string) string { return mustRun(t, data, append([]string{"--config", config}, args...)...) }

	imports := [][]string{
		{"media/tthc", "media/bo-may", "media/tai-chinh-cong"},
		{"--valid-until", "2024-05-12", "media/chinh-quyen-so"},
		{"--valid-from", "2024-05-10", "--valid-until", "2024-05-20", "media/chi-so"},
		{"--priority", "priority", "--valid-from", "2024-05-20", "media/the-che"},
		{"--priority", "priority", "media/khen-thuong"},
		{"--priority", "emergency", "media/chu-truong"},
		{"media/cong-vu"},   // never approved
		{"media/tong-quan"}, // pinned
	}
	for _, args := range imports {
		S(append([]string{"segments", "import"}, args...)...)
	}
	var segs []struct {
		ID   int64  `json:"id"`
		Path string `json:"path"`
	}
	if err := json.Unmarshal([]byte(S("segments", "list", "--json")), &segs); err != nil {
		t.Fatal(err)
	}
	folder := map[int64]string{}
	var approve []string
	pinned := int64(0)
	for _, s := range segs {
		f := filepath.Base(filepath.Dir(s.Path))
		folder[s.ID] = f
		if f != "cong-vu" {
			approve = append(approve, fmt.Sprint(s.ID))
		}
		if f == "tong-quan" {
			pinned = s.ID
		}
	}
	S(append([]string{"segments", "approve"}, approve...)...)
	S("schedule", "pin", fmt.Sprint(pinned), "--slot", "chieu", "--date", "2024-05-14")

	var preview []struct {
		Slot  string `json:"slot"`
		Items []struct {
			SegmentID int64     `json:"segment_id"`
			StartsAt  time.Time `json:"starts_at"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(S("schedule", "preview", "--from", "2024-05-01", "--days", "31", "--json")), &preview); err != nil {
		t.Fatal(err)
	}
	S("simulate", "--from", "2024-05-01", "--to", "2024-05-31")
	var log []struct {
		SegmentID int64     `json:"segment_id"`
		Slot      string    `json:"slot"`
		Scheduled time.Time `json:"scheduled_at"`
		Status    string    `json:"status"`
	}
	if err := json.Unmarshal([]byte(S("log", "--from", "2024-05-01", "--to", "2024-05-31", "--json")), &log); err != nil {
		t.Fatal(err)
	}

	var want, got []planned
	first := map[string]int64{} // "slot date" → first segment
	for _, o := range preview {
		for i, it := range o.Items {
			p := planned{o.Slot, it.StartsAt, it.SegmentID}
			want = append(want, p)
			if i == 0 {
				first[o.Slot+" "+it.StartsAt.Format("2006-01-02")] = it.SegmentID
			}
		}
	}
	for _, a := range log {
		if a.SegmentID == 0 {
			continue // an occurrence with nothing to air, logged missed
		}
		if a.Status != "completed" {
			t.Errorf("%s #%d: %s, want completed", a.Scheduled, a.SegmentID, a.Status)
		}
		got = append(got, planned{a.Slot, a.Scheduled, a.SegmentID})
	}
	if len(want) < 50 {
		t.Fatalf("the preview plans only %d items in a month", len(want))
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("item %d: simulate aired %v, preview said %v (%d aired, %d previewed)", i, got[i], want[i], len(got), len(want))
			}
		}
		t.Fatalf("simulate aired %d items, preview said %d", len(got), len(want))
	}

	// The library's variety reached the plan.
	seen := map[string]int{}
	for _, p := range want {
		day := p.At.Format("2006-01-02")
		f := folder[p.Segment]
		seen[f]++
		switch {
		case f == "cong-vu":
			t.Errorf("%v: an unapproved segment is planned", p)
		case f == "chu-truong":
			t.Errorf("%v: an emergency segment is planned in a slot", p)
		case f == "chinh-quyen-so" && day > "2024-05-12",
			f == "chi-so" && (day < "2024-05-10" || day > "2024-05-20"),
			f == "the-che" && day < "2024-05-20":
			t.Errorf("%v: planned outside its validity", p)
		}
	}
	for _, f := range []string{"tthc", "chinh-quyen-so", "chi-so", "the-che", "khen-thuong", "tong-quan"} {
		if seen[f] == 0 {
			t.Errorf("no segment of %s planned in the month: %v", f, seen)
		}
	}
	t.Logf("%d items planned and aired; by folder: %v", len(want), seen)
	if first["chieu 2024-05-14"] != pinned {
		t.Errorf("14 May evening starts with #%d, want the pinned #%d", first["chieu 2024-05-14"], pinned)
	}
	for _, p := range want {
		if f := folder[p.Segment]; f == "the-che" || f == "khen-thuong" {
			if k := p.Slot + " " + p.At.Format("2006-01-02"); folder[first[k]] != "the-che" && folder[first[k]] != "khen-thuong" && first[k] != pinned {
				t.Errorf("%v: a priority segment, but %s starts with #%d (%s)", p, k, first[k], folder[first[k]])
			}
		}
	}
}
