package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truyenthanh/cchc/internal/config"
)

func TestSlotJinglesAreCheckedAtLoad(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "note.wav")
	os.WriteFile(text, []byte("not audio at all, just text"), 0o644)
	unreadable := filepath.Join(dir, "locked.wav")
	raw, _ := os.ReadFile("../../media/jingles/intro.wav")
	os.WriteFile(unreadable, raw, 0o000)
	cases := []struct {
		name, key, value, problem string
	}{
		{"missing", "intro", filepath.Join(dir, "nope.wav"), "file not found"},
		{"not audio", "outro", text, "not"},
		{"a folder", "intro", dir, "folder"},
	}
	if os.Geteuid() != 0 { // root reads any file
		cases = append(cases, struct{ name, key, value, problem string }{"unreadable", "outro", unreadable, "permission denied"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := mustReplace(t, minimal, "      length: 10m\n    - name: chieu", "      length: 10m\n      "+c.key+": "+c.value+"\n    - name: chieu")
			_, err := config.Parse("c.yaml", []byte(src), noEnv)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if want := "schedule.slots[0]." + c.key; ce.Key != want || ce.Value != c.value || ce.Line != lineOf(t, src, c.key+": ") {
				t.Errorf("error at %s = %q line %d; want %s = %q line %d", ce.Key, ce.Value, ce.Line, want, c.value, lineOf(t, src, c.key+": "))
			}
			if !strings.Contains(ce.Problem, c.problem) || !strings.Contains(ce.Localize("vi"), "nhạc hiệu") {
				t.Errorf("problem %q (want %q), vi: %s", ce.Problem, c.problem, ce.Localize("vi"))
			}
		})
	}
	src := mustReplace(t, minimal, "      length: 10m\n    - name: chieu", "      length: 10m\n      intro: ../../media/jingles/intro.wav\n      outro: ../../media/jingles/outro.wav\n    - name: chieu")
	cfg, err := config.Parse("c.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatalf("good jingles refused: %v", err)
	}
	if s := cfg.Schedule.Slots[0]; s.Intro != "../../media/jingles/intro.wav" || s.Outro != "../../media/jingles/outro.wav" {
		t.Errorf("slot jingles %q %q", s.Intro, s.Outro)
	}
	if cfg.Audio.TrimSilence {
		t.Errorf("audio.trim_silence is on by default")
	}
}
