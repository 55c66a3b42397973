package config_test

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/config"
)

// minimal is a small valid config. Line numbers below refer to it.
const minimal = `station:
  commune: "Tân Lập"
audio:
  output: auto
  sample_rate: 48000
schedule:
  slots:
    - name: sang
      cron: "0 6 * * 1-6"
      length: 10m
    - name: chieu
      cron: "15 17 * * 1-6"
      length: 10m
      topics: [tthc]
topics:
  - code: tthc
    name: "Thủ tục hành chính"
    target_airings: 16
  - code: chi-so
    name: "Chỉ số CCHC"
    target_airings: 4
`

func noEnv(string) (string, bool) { return "", false }

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// lineOf returns the 1-based line of the first line of src containing sub.
func lineOf(t *testing.T, src, sub string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, sub) {
			return i + 1
		}
	}
	t.Fatalf("%q not in test YAML", sub)
	return 0
}

func mustReplace(t *testing.T, src, old, new string) string {
	t.Helper()
	if !strings.Contains(src, old) {
		t.Fatalf("%q not in test YAML", old)
	}
	return strings.Replace(src, old, new, 1)
}

func TestParseShippedConfig(t *testing.T) {
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("config.yaml", raw, noEnv)
	if err != nil {
		t.Fatalf("shipped config.yaml: %v", err)
	}
	if got := len(cfg.Topics); got != 10 {
		t.Errorf("topics = %d, want 10", got)
	}
	if got := len(cfg.Schedule.Slots); got != 2 {
		t.Errorf("slots = %d, want 2", got)
	}
	if cfg.Station.Timezone != "Asia/Ho_Chi_Minh" {
		t.Errorf("timezone = %q", cfg.Station.Timezone)
	}
	if !cfg.Approval.Required {
		t.Error("approval.required = false, want true")
	}
}

func TestParseMinimalAndDefaults(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(minimal), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	def := config.Default()
	if cfg.Audio.Gap != def.Audio.Gap || cfg.Schedule.NoRepeat != def.Schedule.NoRepeat || cfg.Web.Listen != def.Web.Listen {
		t.Errorf("defaults not applied: gap %v no_repeat %v listen %q", cfg.Audio.Gap, cfg.Schedule.NoRepeat, cfg.Web.Listen)
	}
	if got := cfg.Schedule.Slots[1].Topics; len(got) != 1 || got[0] != "tthc" {
		t.Errorf("slot topics = %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		key      string // want Error.Key ("" = do not check)
		lineOf   string // the line of the first line containing this
		contains []string
		fix      string // substring of Fix
	}{
		{
			name:     "unknown key",
			yaml:     mustReplace(t, minimal, "  output: auto\n", "  outptu: null\n"),
			lineOf:   "outptu",
			contains: []string{"outptu"},
		},
		{
			name:     "bad cron",
			yaml:     mustReplace(t, minimal, `"15 17 * * 1-6"`, `"15 25 * * 1-6"`),
			key:      "schedule.slots[1].cron",
			lineOf:   "15 25",
			contains: []string{"15 25 * * 1-6"},
			fix:      "minute hour day month weekday",
		},
		{
			name:     "bad output",
			yaml:     mustReplace(t, minimal, "output: auto", "output: speaker"),
			key:      "audio.output",
			lineOf:   "output: speaker",
			contains: []string{"speaker"},
		},
		{
			name:   "file output without .wav",
			yaml:   mustReplace(t, minimal, "output: auto", "output: file:rec.mp3"),
			key:    "audio.output",
			lineOf: "output: file",
		},
		{
			name:     "bad sample rate",
			yaml:     mustReplace(t, minimal, "sample_rate: 48000", "sample_rate: 12345"),
			key:      "audio.sample_rate",
			lineOf:   "sample_rate",
			contains: []string{"12345"},
		},
		{
			name:     "duplicate topic code",
			yaml:     mustReplace(t, minimal, "code: chi-so", "code: tthc"),
			key:      "topics[1].code",
			lineOf:   `name: "Chỉ số CCHC"`, // replaced below
			contains: []string{"tthc", "twice"},
		},
		{
			name:     "slot topic not listed",
			yaml:     mustReplace(t, minimal, "topics: [tthc]", "topics: [tthc, the-che]"),
			key:      "schedule.slots[1].topics[1]",
			lineOf:   "topics: [tthc, the-che]",
			contains: []string{"the-che"},
		},
		{
			name:     "slot too short",
			yaml:     mustReplace(t, minimal, "length: 10m", "length: 500ms"),
			key:      "schedule.slots[0].length",
			lineOf:   "length: 500ms",
			contains: []string{"500ms"},
			fix:      "1s to 6h",
		},
		{
			name:     "overlapping slots",
			yaml:     mustReplace(t, minimal, `"15 17 * * 1-6"`, `"5 6 * * 1-6"`),
			key:      "schedule.slots[1].cron",
			lineOf:   `"5 6 * * 1-6"`,
			contains: []string{"sang", "chieu", "overlaps"},
		},
		{
			name:     "upload limit zero",
			yaml:     minimal + "web:\n  max_upload_mb: 0\n",
			key:      "web.max_upload_mb",
			lineOf:   "max_upload_mb",
			contains: []string{"web.max_upload_mb"},
			fix:      "1 to 4096",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("c.yaml", []byte(tt.yaml), noEnv)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want *config.Error", err, err)
			}
			if ce.File != "c.yaml" {
				t.Errorf("File = %q", ce.File)
			}
			if tt.key != "" && ce.Key != tt.key {
				t.Errorf("Key = %q, want %q (%v)", ce.Key, tt.key, err)
			}
			want := lineOf(t, tt.yaml, tt.lineOf)
			if tt.name == "duplicate topic code" {
				want = lineOf(t, tt.yaml, `name: "Chỉ số CCHC"`) - 1 // the second "code: tthc"
			}
			if ce.Line != want {
				t.Errorf("Line = %d, want %d (%v)", ce.Line, want, err)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not mention %q", err.Error(), s)
				}
			}
			if ce.Fix == "" {
				t.Errorf("no Fix in %v", err)
			}
			if tt.fix != "" && !strings.Contains(ce.Fix, tt.fix) {
				t.Errorf("Fix = %q, want it to mention %q", ce.Fix, tt.fix)
			}
		})
	}
}

func TestYAMLSyntaxErrorHasLine(t *testing.T) {
	src := mustReplace(t, minimal, "  sample_rate: 48000\n", "  sample_rate: [48000\n")
	_, err := config.Parse("c.yaml", []byte(src), noEnv)
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *config.Error", err)
	}
	if ce.Line <= 0 {
		t.Errorf("Line = %d, want > 0 (%v)", ce.Line, err)
	}
	if !strings.Contains(err.Error(), "c.yaml:") {
		t.Errorf("message %q lacks file:line", err.Error())
	}
}

func TestEnvOverride(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(config.Config) bool
		bad   string // want an *Error with this key
	}{
		{"output null", map[string]string{"CCHC_AUDIO_OUTPUT": "null"},
			func(c config.Config) bool { return c.Audio.Output == "null" }, ""},
		{"data dir (not in file)", map[string]string{"CCHC_STATION_DATA_DIR": "/var/lib/cchc"},
			func(c config.Config) bool { return c.Station.DataDir == "/var/lib/cchc" }, ""},
		{"gap duration", map[string]string{"CCHC_AUDIO_GAP": "2s"},
			func(c config.Config) bool { return c.Audio.Gap.Seconds() == 2 }, ""},
		{"bad output from env is validated", map[string]string{"CCHC_AUDIO_OUTPUT": "speaker"}, nil, "audio.output"},
		{"unrelated variable ignored", map[string]string{"AUDIO_OUTPUT": "null"},
			func(c config.Config) bool { return c.Audio.Output == "auto" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("c.yaml", []byte(minimal), envOf(tt.env))
			if tt.bad != "" {
				var ce *config.Error
				if !errors.As(err, &ce) || ce.Key != tt.bad {
					t.Fatalf("err = %v, want *Error on %s", err, tt.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Errorf("override not applied: %+v", cfg.Audio)
			}
		})
	}
}

func TestLocalize(t *testing.T) {
	src := mustReplace(t, minimal, "sample_rate: 48000", "sample_rate: 12345")
	_, err := config.Parse("tram.yaml", []byte(src), noEnv)
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *config.Error", err)
	}
	vi, en := ce.Localize("vi"), ce.Localize("en")
	if vi == en {
		t.Fatalf("vi and en are the same: %q", vi)
	}
	loc := "tram.yaml:" + strconv.Itoa(lineOf(t, src, "sample_rate"))
	for lang, msg := range map[string]string{"vi": vi, "en": en} {
		if !strings.Contains(msg, loc) {
			t.Errorf("%s message %q lacks %q", lang, msg, loc)
		}
		if !strings.Contains(msg, "audio.sample_rate") {
			t.Errorf("%s message %q lacks the key", lang, msg)
		}
	}
	if !strings.Contains(vi, "khóa") || !strings.Contains(en, "key") {
		t.Errorf("words not localised: vi %q en %q", vi, en)
	}
	if en != err.Error() {
		t.Errorf("Error() = %q, want the English message %q", err.Error(), en)
	}
}

func TestQuietHoursAndDaysOff(t *testing.T) {
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, from, to, key string
	}{
		{"slot in quiet hours", `quiet_hours: ["21:30-05:00"]`, `quiet_hours: ["05:55-06:05"]`, "schedule.slots[0].cron"},
		{"slot running into quiet hours", `quiet_hours: ["21:30-05:00"]`, `quiet_hours: ["06:09-07:00"]`, "schedule.slots[0].cron"},
		{"quiet hours across midnight", `quiet_hours: ["21:30-05:00"]`, `quiet_hours: ["17:20-06:30"]`, "schedule.slots[0].cron"},
		{"bad quiet hours", `quiet_hours: ["21:30-05:00"]`, `quiet_hours: ["9pm-5am"]`, "schedule.quiet_hours[0]"},
		{"bad day off", `days_off: ["2027-02-05..2027-02-10"]   # Tết Đinh Mùi`, `days_off: ["2027-02-30"]`, "schedule.slots[0].days_off[0]"},
		{"reversed range", `days_off: ["2027-02-05..2027-02-10"]   # Tết Đinh Mùi`, `days_off: ["2027-02-10..2027-02-05"]`, "schedule.slots[0].days_off[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(string(raw), c.from) {
				t.Fatalf("config.yaml has no %q", c.from)
			}
			_, err := config.Parse("config.yaml", []byte(strings.Replace(string(raw), c.from, c.to, 1)), noEnv)
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Key != c.key || ce.Line == 0 {
				t.Fatalf("want an error on %s with its line, got %v", c.key, err)
			}
		})
	}
	if _, err := config.Parse("config.yaml", raw, noEnv); err != nil {
		t.Fatalf("the shipped config: %v", err)
	}
}

func TestQuietSpan(t *testing.T) {
	loc := time.UTC
	at := func(h, m int) time.Time { return time.Date(2024, 5, 1, h, m, 0, 0, loc) }
	night, err := config.ParseQuietHours("21:30-05:00")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		t    time.Time
		want bool
	}{{at(21, 29), false}, {at(21, 30), true}, {at(0, 0), true}, {at(4, 59), true}, {at(5, 0), false}, {at(12, 0), false}} {
		if got := night.Contains(c.t); got != c.want {
			t.Errorf("%s in 21:30-05:00: %v, want %v", c.t.Format("15:04"), got, c.want)
		}
	}
	if !night.Overlaps(at(21, 0), at(21, 45)) || night.Overlaps(at(20, 0), at(21, 30)) {
		t.Error("an interval reaching into the quiet hours must overlap; one ending at their start must not")
	}
}
