package contract

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

func TestJSONShapes(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	seg := playlist.Segment{ID: 3, Title: "Một cửa", Topics: []string{"tthc"}, Duration: 15200 * time.Millisecond,
		LoudnessLUFS: math.Inf(-1), TruePeakDBTP: -3.04, Priority: playlist.PriorityNormal, ValidFrom: "2024-05-01"}
	raw, _ := json.Marshal(FromSegment(seg, loc))
	for _, want := range []string{`"duration_ms":15200`, `"loudness_lufs":null`, `"true_peak_dbtp":-3`, `"valid_from":"2024-05-01"`, `"valid_until":null`, `"approved":false`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("segment JSON lacks %s: %s", want, raw)
		}
	}
	at := time.Date(2024, 5, 1, 6, 0, 0, 0, loc)
	a := playlist.Airing{ID: 1, SegmentID: 3, Slot: "sang", ScheduledAt: at, Status: playlist.StatusMissed, Reason: "station was not running"}
	raw, _ = json.Marshal(FromAiring(a, loc))
	for _, want := range []string{`"scheduled_at":"2024-05-01T06:00:00+07:00"`, `"started_at":null`, `"topics":[]`, `"played_ms":0`, `"status":"missed"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("airing JSON lacks %s: %s", want, raw)
		}
	}
	plan := playlist.Plan{Occurrence: playlist.Occurrence{Slot: "sang", Start: at, Length: 10 * time.Minute},
		Shortfall: &playlist.Shortfall{Unfilled: time.Minute, Reason: playlist.ShortAllRecent}}
	raw, _ = json.Marshal(FromPlan(plan, loc, "vi"))
	for _, want := range []string{`"length_ms":600000`, `"items":[]`, `"unfilled_ms":60000`, `"reason":"all_recent"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("preview JSON lacks %s: %s", want, raw)
		}
	}
}

// TestAiringsAndOccurrencesNameTheirZone: log rows and preview occurrences
// carry "zone"; rows logged before zones are the default zone's.
func TestAiringsAndOccurrencesNameTheirZone(t *testing.T) {
	loc := time.UTC
	at := time.Date(2024, 5, 2, 6, 0, 0, 0, loc)
	for zone, want := range map[string]string{"": playlist.DefaultZone, "thon-tay": "thon-tay"} {
		b, _ := json.Marshal(FromAiring(playlist.Airing{ID: 1, ScheduledAt: at, Status: playlist.StatusCompleted, Zone: zone}, loc))
		if !strings.Contains(string(b), `"zone":"`+want+`"`) {
			t.Errorf("airing of zone %q: %s, want zone %q", zone, b, want)
		}
		b, _ = json.Marshal(FromPlan(playlist.Plan{Occurrence: playlist.Occurrence{Slot: "sang", Start: at}, Zone: zone}, loc, "vi"))
		if !strings.Contains(string(b), `"zone":"`+want+`"`) {
			t.Errorf("occurrence of zone %q: %s, want zone %q", zone, b, want)
		}
	}
}
