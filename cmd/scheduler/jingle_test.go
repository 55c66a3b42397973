package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jingleConfig is the shipped config with intro and outro on the morning
// slot (paths relative to the project root, where run() works).
func jingleConfig(t *testing.T, intro, outro string) string {
	t.Helper()
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	const at = "      topics: []                  # empty: every topic may air in this slot\n"
	if !strings.Contains(s, at) {
		t.Fatal("config.yaml: the morning slot's topics line moved")
	}
	s = strings.Replace(s, at, at+"      intro: "+intro+"\n      outro: "+outro+"\n", 1)
	path := filepath.Join(t.TempDir(), "jingles.yaml")
	os.WriteFile(path, []byte(s), 0o644)
	return path
}

func TestJinglesInPreviewAndBadJinglePath(t *testing.T) {
	data := t.TempDir()
	// A missing jingle: exit 2, naming the key and the path.
	bad := jingleConfig(t, "media/jingles/intro.wav", "media/jingles/missing.wav")
	r := run(t, data, nil, "--config", bad, "segments", "list")
	if r.code != 2 || !strings.Contains(r.stderr, "schedule.slots[0].outro") || !strings.Contains(r.stderr, "media/jingles/missing.wav") ||
		!strings.Contains(r.stderr, "không tìm thấy") && !strings.Contains(r.stderr, "nhạc hiệu") {
		t.Fatalf("missing jingle: exit %d: %s", r.code, r.stderr)
	}

	config := jingleConfig(t, "media/jingles/intro.wav", "media/jingles/outro.wav")
	mustRun(t, data, "--config", config, "segments", "import", "--approve", "media")
	var plans []struct {
		Slot     string `json:"slot"`
		StartsAt string `json:"starts_at"`
		LengthMS int64  `json:"length_ms"`
		Items    []struct {
			StartsAt   string `json:"starts_at"`
			DurationMS int64  `json:"duration_ms"`
		} `json:"items"`
	}
	out := mustRun(t, data, "--config", config, "schedule", "preview", "--from", "2024-05-02", "--days", "1", "--json")
	if err := json.Unmarshal([]byte(out), &plans); err != nil {
		t.Fatal(err)
	}
	// The evening slot has nothing left to air (the no-repeat window); the
	// morning one has the intro and outro.
	if len(plans) != 2 || plans[0].Slot != "sang" || len(plans[0].Items) == 0 {
		t.Fatalf("preview: %s", out)
	}
	for _, p := range plans {
		if len(p.Items) == 0 {
			continue
		}
		start, _ := time.Parse(time.RFC3339, p.StartsAt)
		first, _ := time.Parse(time.RFC3339Nano, p.Items[0].StartsAt)
		// The morning slot's items start after the 2.1 s intro and the 1 s gap.
		want := time.Duration(0)
		if p.Slot == "sang" {
			want = 3100 * time.Millisecond
		}
		// (starts_at is written to the second.)
		if got := first.Sub(start); got != want.Truncate(time.Second) {
			t.Errorf("%s: first item at +%v, want +%v", p.Slot, got, want)
		}
		if p.LengthMS != 600000 {
			t.Errorf("%s: length_ms %d, want the slot's 600000", p.Slot, p.LengthMS)
		}
		last := p.Items[len(p.Items)-1]
		end, _ := time.Parse(time.RFC3339Nano, last.StartsAt)
		tail := time.Duration(0)
		if p.Slot == "sang" {
			tail = 3100 * time.Millisecond // gap + 2.1 s outro
		}
		if end.Add(time.Duration(last.DurationMS)*time.Millisecond + tail).After(start.Add(10 * time.Minute)) {
			t.Errorf("%s overruns its 10 minutes with the outro", p.Slot)
		}
	}
	// Segments imported now have their silence measured; analyze --all
	// measures them again.
	r = run(t, data, nil, "--config", config, "segments", "analyze", "--all")
	if r.code != 0 || !strings.Contains(r.stdout, "Đã đo khoảng lặng của số bản tin: 12") {
		t.Errorf("segments analyze --all: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, data, nil, "--config", config, "segments", "analyze"); !strings.Contains(r.stdout, ": 0") {
		t.Errorf("segments analyze with everything measured: %s", r.stdout)
	}
}

// TestPreviewIsWhatAirsWithJinglesAndTrimming: with intro and outro on the
// morning slot and silence trimming on, simulate airs exactly what preview
// planned, at the planned times, each for the trimmed length it was
// planned at (shorter than the file).
func TestPreviewIsWhatAirsWithJinglesAndTrimming(t *testing.T) {
	data := t.TempDir()
	config := jingleConfig(t, "media/jingles/intro.wav", "media/jingles/outro.wav")
	env := []string{"CCHC_AUDIO_TRIM_SILENCE=true"}
	if r := run(t, data, env, "--config", config, "segments", "import", "--approve", "media"); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	var preview []struct {
		Slot  string `json:"slot"`
		Items []struct {
			SegmentID  int64  `json:"segment_id"`
			StartsAt   string `json:"starts_at"`
			DurationMS int64  `json:"duration_ms"`
		} `json:"items"`
	}
	r := run(t, data, env, "--config", config, "schedule", "preview", "--from", "2024-05-01", "--days", "7", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &preview); err != nil {
		t.Fatalf("preview: %v %s", err, r.stderr)
	}
	var segs []struct {
		ID         int64 `json:"id"`
		DurationMS int64 `json:"duration_ms"`
	}
	json.Unmarshal([]byte(run(t, data, env, "--config", config, "segments", "list", "--json").stdout), &segs)
	full := map[int64]int64{}
	for _, s := range segs {
		full[s.ID] = s.DurationMS
	}
	if r := run(t, data, env, "--config", config, "simulate", "--from", "2024-05-01", "--to", "2024-05-07"); r.code != 0 {
		t.Fatalf("simulate: %s", r.stderr)
	}
	var log []airingJSON
	json.Unmarshal([]byte(run(t, data, env, "--config", config, "log", "--from", "2024-05-01", "--to", "2024-05-07", "--json").stdout), &log)
	var aired []airingJSON
	for _, a := range log {
		if a.Status == "completed" {
			aired = append(aired, a)
		}
	}
	k, trimmed := 0, 0
	for _, o := range preview {
		for _, it := range o.Items {
			if k >= len(aired) {
				t.Fatalf("simulate aired %d, preview planned more", len(aired))
			}
			a := aired[k]
			k++
			if a.SegmentID != it.SegmentID || a.Scheduled != it.StartsAt {
				t.Fatalf("airing %d: segment %d at %s; planned %d at %s", k, a.SegmentID, a.Scheduled, it.SegmentID, it.StartsAt)
			}
			if d := a.PlayedMS - it.DurationMS; d < -1 || d > 1 {
				t.Errorf("airing %d played %d ms, planned %d ms", k, a.PlayedMS, it.DurationMS)
			}
			if it.DurationMS < full[it.SegmentID] {
				trimmed++
			}
		}
	}
	if k != len(aired) || k == 0 {
		t.Fatalf("preview planned %d, simulate aired %d", k, len(aired))
	}
	if trimmed == 0 {
		t.Errorf("no segment of the sample library was planned shorter than its file: trimming did nothing")
	}
}
