package web_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/store"
)

// TestUploadedM4APlaysFromItsHouseWAV: a recording sent from a phone (M4A)
// is kept as uploaded, and the segment plays the house WAV ffmpeg decoded
// it into.
func TestUploadedM4APlaysFromItsHouseWAV(t *testing.T) {
	e := newEnv(t, 1)
	cookie, csrf := e.user("vanhanh", store.RoleOperator)
	m4a := filepath.Join(t.TempDir(), "zalo.m4a")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
		"-ac", "1", "-c:a", "aac", "-b:a", "48k", m4a).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	b, err := os.ReadFile(m4a)
	if err != nil {
		t.Fatal(err)
	}
	rec := e.do(as(uploadReq(map[string]string{"topic": "tthc"}, upFile{"ghi âm zalo.m4a", b}), cookie, csrf))
	var out []struct {
		OK      bool `json:"ok"`
		Segment struct {
			Path       string `json:"path"`
			SHA256     string `json:"sha256"`
			DurationMS int64  `json:"duration_ms"`
			Channels   int    `json:"channels"`
		} `json:"segment"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusOK || len(out) != 1 || !out[0].OK {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	sg := out[0].Segment
	// As long as ffmpeg decodes it: 2 s, plus up to a few AAC frames of
	// encoder padding where the file does not say to cut them.
	if sg.DurationMS < 1995 || sg.DurationMS > 2070 || sg.Channels != 1 {
		t.Errorf("segment %+v, want 2 s mono", sg)
	}
	if info, err := audio.Probe(sg.Path); err != nil || info.Format != "wav" || !info.Float {
		t.Errorf("the segment plays %s (%+v, %v), want the house WAV", sg.Path, info, err)
	}
	if _, err := os.Stat(filepath.Join(e.media, "tthc", sg.SHA256+".m4a")); err != nil {
		t.Errorf("the upload is not kept as sent: %v", err)
	}
}
