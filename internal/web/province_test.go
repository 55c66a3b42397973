package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/web"
)

// The status names the last successful sync with the province and how far
// behind it is, read from the station's own log; without a province the
// status has no province object.
func TestStatusShowsTheLastSyncWithTheProvince(t *testing.T) {
	var st *store.Store
	e := newEnv(t, 10, func(d *web.Deps) {
		st = d.Store.(*store.Store)
		d.Province = func(ctx context.Context) (web.ProvinceStatus, error) {
			p, err := st.ProvinceSyncState(ctx)
			if err != nil {
				return web.ProvinceStatus{}, err
			}
			n, oldest, err := st.Backlog(ctx, p.LastSeq)
			return web.ProvinceStatus{URL: "http://tinh.example", LastSync: p.LastSync, Behind: n, Oldest: oldest, LastError: p.LastError}, err
		}
	})
	ctx := context.Background()
	cookie, _ := e.user("xem", store.RoleViewer)
	base := time.Date(2024, 5, 10, 6, 0, 0, 0, hcm)
	for i := range 5 {
		at := base.Add(time.Duration(i-5) * time.Hour)
		if _, err := st.LogClosed(ctx, playlist.Airing{SegmentID: 1, Title: "Bản tin", Topics: []string{"tthc"}, Slot: "sang",
			ScheduledAt: at, StartedAt: at, EndedAt: at.Add(time.Minute), Played: time.Minute, Duration: time.Minute, Status: playlist.StatusCompleted}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetProvinceSynced(ctx, 2, base.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rec := e.do(as(jsonReq("GET", "/api/status", nil), cookie, ""))
	var out struct {
		Province *struct {
			LastSync *string `json:"last_sync"`
			Behind   int64   `json:"behind"`
			AgeMS    int64   `json:"behind_age_ms"`
			Text     string  `json:"text"`
		} `json:"province"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	p := out.Province
	// The clock says 09:00; the airings were at 01:00…05:00, the province
	// has the first two: the oldest unshipped is 03:00's.
	if rec.Code != http.StatusOK || p == nil || p.LastSync == nil || *p.LastSync != "2024-05-10T08:00:00+07:00" || p.Behind != 3 ||
		p.AgeMS != (6*time.Hour).Milliseconds() || !strings.Contains(p.Text, "còn 3 lượt phát chưa gửi") {
		t.Fatalf("/api/status: %d %s", rec.Code, rec.Body)
	}
	if page := e.do(as(httptest.NewRequest("GET", "/", nil), cookie, "")).Body.String(); !strings.Contains(page, `id="lead-province"`) ||
		!strings.Contains(page, "còn 3 lượt phát chưa gửi") {
		t.Errorf("the overview does not show the link to the province")
	}
	page := e.do(as(httptest.NewRequest("GET", "/system", nil), cookie, "")).Body.String()
	if !strings.Contains(page, "Báo cáo về tỉnh") || !strings.Contains(page, "Đồng bộ lần cuối Thứ Sáu 10/05/2024 08:00") {
		t.Errorf("the system page does not show the last sync")
	}

	plain := newEnv(t, 10)
	cookie, _ = plain.user("xem", store.RoleViewer)
	if body := plain.do(as(jsonReq("GET", "/api/status", nil), cookie, "")).Body.String(); strings.Contains(body, `"province"`) {
		t.Errorf("a station without a province shows one: %s", body)
	}
}
