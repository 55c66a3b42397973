package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/truyenthanh/cchc/internal/config"
)

const twoZones = minimal + `zones:
  - code: dong
    name: "Thôn Đông"
    outputs: ["alsa:hw:1,0", "file:/tmp/dong.wav"]
  - code: tay
    name: "Thôn Tây"
    outputs: [null]
    clusters: 3
`

func TestNoZonesIsOneZoneOnAudioOutput(t *testing.T) {
	cfg, err := config.Parse("config.yaml", []byte(minimal), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := []config.Zone{{Code: config.DefaultZone, Name: config.DefaultZoneName, Outputs: []string{"auto"}}}
	if got := cfg.ZoneList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("zones = %+v, want %+v", got, want)
	}
	if got := len(cfg.ZoneSlots(config.DefaultZone)); got != 2 {
		t.Fatalf("the one zone has %d slots, want both", got)
	}
}

func TestZonesAndSlotZones(t *testing.T) {
	src := mustReplace(t, twoZones, "      topics: [tthc]\n", "      topics: [tthc]\n      zones: [tay]\n")
	// Two slots at the same time are fine in two zones.
	src = mustReplace(t, src, `cron: "15 17 * * 1-6"`, `cron: "0 6 * * 1-6"`)
	src = mustReplace(t, src, "    - name: sang\n", "    - name: sang\n      zones: [dong]\n")
	cfg, err := config.Parse("config.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	zs := cfg.ZoneList()
	if len(zs) != 2 || zs[0].Code != "dong" || zs[1].Code != "tay" || zs[1].Clusters != 3 {
		t.Fatalf("zones = %+v", zs)
	}
	if !reflect.DeepEqual(zs[0].Outputs, []string{"alsa:hw:1,0", "file:/tmp/dong.wav"}) || !reflect.DeepEqual(zs[1].Outputs, []string{"null"}) {
		t.Fatalf("outputs = %q / %q", zs[0].Outputs, zs[1].Outputs)
	}
	names := func(code string) (out []string) {
		for _, s := range cfg.ZoneSlots(code) {
			out = append(out, s.Name)
		}
		return out
	}
	if got := names("dong"); !reflect.DeepEqual(got, []string{"sang"}) {
		t.Fatalf("dong's slots = %v", got)
	}
	if got := names("tay"); !reflect.DeepEqual(got, []string{"chieu"}) {
		t.Fatalf("tay's slots = %v", got)
	}
	// In one zone the same two slots overlap.
	one := mustReplace(t, src, "      zones: [tay]\n", "      zones: [dong]\n")
	if _, err := config.Parse("config.yaml", []byte(one), noEnv); err == nil || !strings.Contains(err.Error(), "overlaps") {
		t.Fatalf("overlap in one zone: err = %v", err)
	}
}

func TestZoneErrors(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, key, value, vi string
	}{
		{"bad code", "code: dong", "code: Dong", "zones[0].code", "Dong", "không phải mã vùng"},
		{"twice", "code: tay", "code: dong", "zones[1].code", "dong", "bị lặp lại"},
		{"no name", `name: "Thôn Tây"`, `name: ""`, "zones[1].name", "", "đang trống"},
		{"no outputs", "outputs: [null]", "outputs: []", "zones[1].outputs", "", "chưa có đầu ra"},
		{"bad output", "outputs: [null]", "outputs: [pulse]", "zones[1].outputs[0]", "pulse", "không phải đầu ra"},
		{"negative clusters", "clusters: 3", "clusters: -1", "zones[1].clusters", "-1", "là số âm"},
		{"unknown zone in slot", "      topics: [tthc]\n", "      topics: [tthc]\n      zones: [tay, bac]\n", "schedule.slots[1].zones[1]", "bac", `khung giờ chieu ghi vùng "bac"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("config.yaml", []byte(mustReplace(t, twoZones, tc.old, tc.new)), noEnv)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if ce.Key != tc.key || ce.Value != tc.value || ce.Line == 0 {
				t.Fatalf("key %q value %q line %d, want %q %q and a line", ce.Key, ce.Value, ce.Line, tc.key, tc.value)
			}
			if msg := ce.Localize("vi"); !strings.Contains(msg, tc.vi) {
				t.Fatalf("vi message %q lacks %q", msg, tc.vi)
			}
		})
	}
	// Without zones:, a slot may name only the default zone.
	src := mustReplace(t, minimal, "      topics: [tthc]\n", "      topics: [tthc]\n      zones: [dong]\n")
	if _, err := config.Parse("config.yaml", []byte(src), noEnv); err == nil || !strings.Contains(err.Error(), "chung") {
		t.Fatalf("err = %v, want the default zone named as the choice", err)
	}
	src = mustReplace(t, minimal, "      topics: [tthc]\n", "      topics: [tthc]\n      zones: [chung]\n")
	if _, err := config.Parse("config.yaml", []byte(src), noEnv); err != nil {
		t.Fatal(err)
	}
}
