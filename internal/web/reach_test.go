package web_test

import (
	"context"
	"encoding/csv"
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

// TestReachOnTheReportPageAndLogCSV: airings on stream outputs show on the
// report page as "cụm loa nhận", and the log CSV carries their listeners
// (an empty cell for a sound card).
func TestReachOnTheReportPageAndLogCSV(t *testing.T) {
	e := newEnv(t, 10, func(d *web.Deps) {
		app := commune.New(commune.Deps{Store: d.Store, Planner: d.Planner, Config: d.Config, Location: hcm, Now: d.Now})
		d.Report = func(ctx context.Context, kind string, from, to time.Time, lang, zone string) (report.Report, error) {
			return app.Report(ctx, kind, from, to, lang, false, zone)
		}
	})
	e.cfg.Zones = []config.Zone{{Code: "thon-dong", Name: "Thôn Đông", Clusters: 4}, {Code: "thon-tay", Name: "Thôn Tây"}}
	ctx := context.Background()
	cookie, _ := e.user("xem", store.RoleViewer)
	at := time.Date(2024, 5, 10, 6, 0, 0, 0, hcm)
	three, none := 3, 0
	// Thôn Đông streams: heard by 3 clusters, then by none; Thôn Tây has a sound card.
	for i, l := range []struct {
		zone      string
		listeners *int
	}{{"thon-dong", &three}, {"thon-dong", &none}, {"thon-tay", nil}} {
		a := playlist.Airing{SegmentID: int64(i + 1), Title: "Bản tin", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at.Add(time.Duration(i) * time.Minute),
			Duration: time.Minute, Status: playlist.StatusCompleted, Zone: l.zone, Listeners: l.listeners}
		a.StartedAt, a.EndedAt, a.Played = a.ScheduledAt, a.ScheduledAt.Add(time.Minute), time.Minute
		if _, err := e.st.LogClosed(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	get := func(p string) *httptest.ResponseRecorder { return e.do(as(jsonReq("GET", p, nil), cookie, "")) }

	body := get("/reports?month=2024-05").Body.String()
	i := strings.Index(body, `id="reach"`)
	if i < 0 {
		t.Fatalf("the report page has no 'cụm loa nhận':\n%s", body)
	}
	sec := body[i:]
	sec = sec[:strings.Index(sec, "</section>")]
	for _, w := range []string{"Cụm loa nhận", `<tr data-zone="thon-dong"><td>Thôn Đông</td><td>2</td><td>1,5/4</td><td>0</td>`, "1 (1,0 phút)"} {
		if !strings.Contains(sec, w) {
			t.Errorf("the 'cụm loa nhận' card lacks %q:\n%s", w, sec)
		}
	}
	if strings.Contains(sec, "thon-tay") {
		t.Errorf("a zone with a sound card only is in 'cụm loa nhận':\n%s", sec)
	}

	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(get("/api/log?from=2024-05-10&format=csv").Body.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][len(rows[0])-1] != "listeners" {
		t.Fatalf("log CSV: want a header ending in listeners and 3 rows:\n%v", rows)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[len(r)-1])
	}
	if strings.Join(got, "|") != "3|0|" {
		t.Errorf("log CSV listeners = %q, want 3, 0 and empty (a sound card)", got)
	}
}
