package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/config"
)

func TestWriteSettingsKeepsCommentsAndValidates(t *testing.T) {
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, raw, 0o640); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.WriteSettings(path, config.Settings{
		Slots:  []config.SlotSetting{{Name: "sang", Hour: 6, Minute: 30, Length: 12 * time.Minute, DaysOff: []string{"2027-02-05..2027-02-10", "2027-09-02"}}},
		Topics: []config.TopicTarget{{Code: "tthc", Airings: 20, Minutes: 45.5}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Schedule.Slots[0]; s.Cron != "30 6 * * 1-6" || s.Length != 12*time.Minute || len(s.DaysOff) != 2 {
		t.Errorf("slot after the save: %+v", s)
	}
	out, _ := os.ReadFile(path)
	for _, want := range []string{"# Cấu hình trạm truyền thanh xã", "# Tết Đinh Mùi", "# a leader must approve (phê duyệt) a segment before it airs",
		"cron: \"30 6 * * 1-6\"", "length: 12m", "target_airings: 20", "target_minutes: 45.5"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the written file lacks %q", want)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	// A slot that reaches into quiet hours is refused by Validate's rule,
	// and the file is left as it was.
	_, err = config.WriteSettings(path, config.Settings{Slots: []config.SlotSetting{{Name: "chieu", Hour: 21, Minute: 25, Length: 10 * time.Minute}}})
	var ce *config.Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Localize("vi"), "giờ") {
		t.Fatalf("a slot in quiet hours: %v", err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(out) {
		t.Error("a refused save changed the file")
	}
	if _, err := config.WriteSettings(path, config.Settings{Slots: []config.SlotSetting{{Name: "dem", Hour: 1, Length: time.Minute}}}); !errors.As(err, &ce) {
		t.Errorf("an unknown slot: %v", err)
	}
}

func TestWriteSettingsChangesOnlyTheValues(t *testing.T) {
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, raw, 0o644)
	if _, err := config.WriteSettings(path, config.Settings{
		Slots:  []config.SlotSetting{{Name: "chieu", Hour: 17, Minute: 0, Length: 15 * time.Minute, DaysOff: []string{"2027-02-05..2027-02-10", "2027-04-30"}}},
		Topics: []config.TopicTarget{{Code: "the-che", Airings: 6, Minutes: 12.5}},
	}); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(path)
	before, after := strings.Split(string(raw), "\n"), strings.Split(string(out), "\n")
	if len(before) != len(after) {
		t.Fatalf("%d lines became %d", len(before), len(after))
	}
	var changed []string
	for i := range before {
		if before[i] != after[i] {
			changed = append(changed, after[i])
		}
	}
	want := []string{`      cron: "0 17 * * 1-6"`, "      length: 15m", `      days_off: ["2027-02-05..2027-02-10", "2027-04-30"]`, "    target_airings: 6", "    target_minutes: 12.5"}
	if strings.Join(changed, "\n") != strings.Join(want, "\n") {
		t.Errorf("changed lines:\n%s\nwant:\n%s", strings.Join(changed, "\n"), strings.Join(want, "\n"))
	}
}
