package commune_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/store"
)

// zoneSetup is the use cases on a real store with three zones, and May
// 2024 logged: each zone a different number of airings, some not completed.
func zoneSetup(t *testing.T) (*commune.Commune, *store.Store, *config.Config) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := &config.Config{Zones: []config.Zone{{Code: "thon-dong", Name: "Thôn Đông"}, {Code: "thon-tay", Name: "Thôn Tây"}, {Code: "xa-cu", Name: "Xã cũ"}}}
	cfg.Station.Commune = "Tân Lập"
	p := &playlist.Planner{Location: hcm, Topics: []playlist.Topic{{Code: "tthc", Name: "Thủ tục hành chính", TargetAirings: 4}, {Code: "cqs", Name: "Chính quyền số", TargetMinutes: 3}}}
	c := commune.New(commune.Deps{Store: st, Planner: func() *playlist.Planner { return p }, Config: func() config.Config { return *cfg },
		Location: hcm, Now: func() time.Time { return time.Date(2024, 6, 3, 9, 0, 0, 0, hcm) }})
	statuses := []playlist.Status{playlist.StatusCompleted, playlist.StatusCompleted, playlist.StatusInterrupted, playlist.StatusMissed, playlist.StatusFailed}
	n := 0
	for z, zone := range []string{"thon-dong", "thon-tay", "xa-cu"} {
		for day := 1; day <= 4+3*z; day++ {
			n++
			at := time.Date(2024, 5, day, 6, 0, 0, 0, hcm)
			topics := []string{"tthc"}
			if day%2 == 0 {
				topics = []string{"tthc", "cqs"}
			}
			a := playlist.Airing{SegmentID: int64(day%3 + 1), Title: "Bản tin", Topics: topics, Slot: "sang", ScheduledAt: at,
				Duration: time.Minute, Status: statuses[n%len(statuses)], Zone: zone}
			if a.Status != playlist.StatusMissed {
				a.StartedAt, a.EndedAt = at, at.Add(time.Minute)
			}
			if a.Status == playlist.StatusCompleted {
				a.Played = time.Minute
			}
			if _, err := st.LogClosed(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	return c, st, cfg
}

// reportJSON is the report's JSON without the parts only the rows path has.
func reportJSON(t *testing.T, r report.Report) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReportByZoneFromTotalsAndRows: the month report summed up zone by
// zone by the database equals the one built from the rows, for the
// commune and for each zone, and the zones add up to the commune.
func TestReportByZoneFromTotalsAndRows(t *testing.T) {
	c, _, cfg := zoneSetup(t)
	ctx := context.Background()
	from, to := time.Date(2024, 5, 1, 0, 0, 0, 0, hcm), time.Date(2024, 5, 31, 0, 0, 0, 0, hcm)
	for _, zone := range []string{"", "thon-dong", "thon-tay", "xa-cu"} {
		tallied, err := c.Report(ctx, report.KindMonth, from, to, "vi", false, zone)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := c.Report(ctx, report.KindMonth, from, to, "vi", true, zone)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := reportJSON(t, tallied), reportJSON(t, rows); a != b {
			t.Errorf("zone %q: the report from the totals differs from the one from the rows:\n%s\n%s", zone, a, b)
		}
	}
	r, err := c.Report(ctx, report.KindMonth, from, to, "vi", false, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Zones) != 3 {
		t.Fatalf("zones = %d", len(r.Zones))
	}
	logged := 0
	for i, z := range r.Zones {
		tot := z.Totals
		if got := tot.Airings + tot.Interrupted + tot.Missed + tot.Failed; got != 4+3*i {
			t.Errorf("zone %s counts %d airings, %d were logged", z.Code, got, 4+3*i)
		}
		logged += 4 + 3*i
	}
	tot := r.Totals
	if tot.Airings+tot.Interrupted+tot.Missed+tot.Failed != logged {
		t.Errorf("the commune counts %+v, %d were logged", tot, logged)
	}

	// An airing of a zone the configuration no longer lists: the report
	// reads the rows and shows the zone, without targets.
	cfg.Zones = cfg.Zones[:2]
	r, err = c.Report(ctx, report.KindMonth, from, to, "vi", false, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Zones) != 3 || r.Zones[2].Code != "xa-cu" || !r.Zones[2].Unlisted || r.Zones[2].Topics[0].TargetAirings != 0 {
		t.Errorf("zones after xa-cu left the configuration = %+v", r.Zones)
	}
	if tot := r.Totals; tot.Airings+tot.Interrupted+tot.Missed+tot.Failed != logged {
		t.Errorf("the commune lost xa-cu's airings: %+v", tot)
	}
	if _, err := c.Report(ctx, report.KindMonth, from, to, "vi", false, "xa-cu"); !errors.Is(err, commune.ErrNoZone) {
		t.Errorf("report of a zone no longer configured: %v, want ErrNoZone", err)
	}
}
