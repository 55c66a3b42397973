package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/web"
)

// TestZoneFilter: with three zones, the log, schedule and report pages
// offer a zone picker, filter on zone=, keep it in their links, and refuse
// an unknown zone naming it.
func TestZoneFilter(t *testing.T) {
	// Reports through the use cases, as `serve` builds them.
	e := newEnv(t, 10, func(d *web.Deps) {
		app := commune.New(commune.Deps{Store: d.Store, Planner: d.Planner, Config: d.Config, Location: hcm, Now: d.Now})
		d.Report = func(ctx context.Context, kind string, from, to time.Time, lang, zone string) (report.Report, error) {
			return app.Report(ctx, kind, from, to, lang, false, zone)
		}
	})
	e.cfg.Zones = []config.Zone{{Code: "thon-dong", Name: "Thôn Đông"}, {Code: "thon-tay", Name: "Thôn Tây"}, {Code: "xa-cu", Name: "Xã Yên Phú cũ"}}
	ctx := context.Background()
	cookie, _ := e.user("xem", store.RoleViewer)
	at := time.Date(2024, 5, 10, 6, 0, 0, 0, hcm)
	// Thôn Đông: two completed; Thôn Tây: one missed; Xã cũ: none.
	for i, zone := range []string{"thon-dong", "thon-dong", "thon-tay"} {
		a := playlist.Airing{SegmentID: int64(i + 1), Title: "Bản tin " + zone, Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at.Add(time.Duration(i) * time.Minute),
			Duration: time.Minute, Status: playlist.StatusCompleted, Zone: zone}
		if zone == "thon-tay" {
			a.Status = playlist.StatusMissed
		} else {
			a.StartedAt, a.EndedAt, a.Played = a.ScheduledAt, a.ScheduledAt.Add(time.Minute), time.Minute
		}
		if _, err := e.st.LogClosed(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	get := func(p string) *httptest.ResponseRecorder { return e.do(as(jsonReq("GET", p, nil), cookie, "")) }

	// The log page: the picker, the zone of each airing, the filter.
	rec := get("/log?from=10/05/2024&zone=thon-dong")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `id="pick-zone"`) || !strings.Contains(body, `<option value="thon-dong" selected>Thôn Đông</option>`) {
		t.Fatalf("log page: %d, no zone picker with Thôn Đông selected", rec.Code)
	}
	if n := strings.Count(body, `class="zone">Thôn Đông<`); n != 2 || strings.Contains(body, `class="zone">Thôn Tây<`) {
		t.Errorf("log filtered on thon-dong shows %d airings of Thôn Đông (want 2) or some of Thôn Tây", n)
	}
	if !strings.Contains(body, "zone=thon-dong") {
		t.Error("the log's CSV link drops the zone")
	}
	var rows []map[string]any
	json.Unmarshal(get("/api/log?from=2024-05-10&zone=thon-tay").Body.Bytes(), &rows)
	if len(rows) != 1 || rows[0]["zone"] != "thon-tay" || rows[0]["status"] != "missed" {
		t.Errorf("/api/log?zone=thon-tay = %v", rows)
	}
	if csv := get("/api/log?from=2024-05-10&format=csv").Body.String(); !strings.Contains(strings.SplitN(csv, "\n", 2)[0], ",zone") || strings.Count(csv, ",thon-dong") != 2 {
		t.Errorf("log CSV has no zone column:\n%s", csv)
	}

	// The report page: each zone's table; the downloads keep the zone.
	rec = get("/reports?month=2024-05")
	body = rec.Body.String()
	for _, z := range e.cfg.Zones {
		if !strings.Contains(body, `data-zone="`+z.Code+`"`) {
			t.Errorf("the report page has no table for %s", z.Name)
		}
	}
	rec = get("/reports?month=2024-05&zone=thon-tay")
	body = rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "Vùng phát: Thôn Tây") || strings.Contains(body, `data-zone="thon-dong"`) {
		t.Errorf("report of Thôn Tây: %d\n%s", rec.Code, body)
	}
	if !strings.Contains(body, "/api/report?format=xlsx&amp;month=2024-05&amp;zone=thon-tay") {
		t.Error("the report's downloads drop the zone")
	}
	var rep struct {
		Zone   string
		Totals report.Totals
		Zones  []report.ZoneReport
	}
	json.Unmarshal(get("/api/report?month=2024-05&format=json&zone=thon-tay").Body.Bytes(), &rep)
	if rep.Zone != "thon-tay" || rep.Totals.Missed != 1 || rep.Totals.Airings != 0 {
		t.Errorf("JSON report of thon-tay = %+v", rep)
	}
	json.Unmarshal(get("/api/report?month=2024-05&format=json").Body.Bytes(), &rep)
	if len(rep.Zones) != 3 || rep.Zones[0].Totals.Airings != 2 || rep.Zones[1].Totals.Missed != 1 || rep.Totals.Airings != 2 {
		t.Errorf("JSON report of the commune = %+v", rep)
	}
	if cd := get("/api/report?month=2024-05&format=csv&zone=xa-cu").Header().Get("Content-Disposition"); !strings.Contains(cd, "-xa-cu.csv") {
		t.Errorf("the CSV of one zone is named %q", cd)
	}

	// The schedule page: one programme per zone, or the one asked for.
	body = get("/schedule?from=10/05/2024&days=1").Body.String()
	if strings.Count(body, `class="zone-heading"`) != 3 {
		t.Error("the schedule does not show each zone's programme")
	}
	body = get("/schedule?from=10/05/2024&days=1&zone=xa-cu").Body.String()
	if strings.Count(body, `class="zone-heading"`) != 1 || !strings.Contains(body, `id="zone-xa-cu"`) {
		t.Error("the schedule filtered on xa-cu does not show xa-cu alone")
	}
	var occ []map[string]any
	json.Unmarshal(get("/api/schedule?from=2024-05-10&days=1&zone=thon-tay").Body.Bytes(), &occ)
	if len(occ) == 0 || occ[0]["zone"] != "thon-tay" {
		t.Errorf("/api/schedule?zone=thon-tay = %v", occ)
	}

	// An unknown zone: 400, naming it and the zones there are.
	for _, p := range []string{"/api/log?zone=thon-bac", "/api/report?month=2024-05&zone=thon-bac", "/log?zone=thon-bac", "/reports?zone=thon-bac", "/schedule?zone=thon-bac"} {
		rec := get(p)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "thon-bac") || !strings.Contains(rec.Body.String(), "thon-dong (Thôn Đông)") {
			t.Errorf("%s: %d, want 400 naming thon-bac and the zones", p, rec.Code)
		}
	}
}

// TestOneZoneHasNoPicker: a station without zones shows no zone picker
// and no zone column.
func TestOneZoneHasNoPicker(t *testing.T) {
	e := newEnv(t, 10)
	cookie, _ := e.user("xem", store.RoleViewer)
	for _, p := range []string{"/log", "/reports", "/schedule"} {
		body := e.do(as(jsonReq("GET", p, nil), cookie, "")).Body.String()
		if strings.Contains(body, `id="pick-zone"`) || strings.Contains(body, `class="zone"`) {
			t.Errorf("%s shows a zone picker or column for a station of one zone", p)
		}
	}
}
