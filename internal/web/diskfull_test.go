package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/tinydisk"
)

// TestUploadOnAFullDiskSaysDiskFull fills the disk of the media folder, then
// the disk of the database: each time the answer is "disk full", not
// "interrupted", and nothing is kept.
func TestUploadOnAFullDiskSaysDiskFull(t *testing.T) {
	for _, full := range []string{"media", "database"} {
		t.Run(full, func(t *testing.T) {
			disk := tinydisk.Mount(t, "4m")
			data, media := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "media")
			if full == "media" {
				media = filepath.Join(disk, "media")
			} else {
				data = filepath.Join(disk, "data")
			}
			e := newEnvIn(t, 10, data, media, nil)
			cookie, csrf := e.user("vanhanh", store.RoleOperator)
			if _, err := e.st.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				t.Fatal(err)
			}
			free := tinydisk.Fill(t, disk)
			rec := e.do(as(uploadReq(map[string]string{"topic": "tthc"}, upFile{"bản-tin.wav", wav(2 * time.Second)}), cookie, csrf))
			var out []struct {
				OK       bool   `json:"ok"`
				Error    string `json:"error"`
				DiskFull bool   `json:"disk_full"`
			}
			json.Unmarshal(rec.Body.Bytes(), &out)
			if rec.Code != http.StatusInsufficientStorage || len(out) != 1 || out[0].OK || !out[0].DiskFull ||
				!strings.Contains(out[0].Error, "Ổ đĩa đã đầy, không lưu được tệp") || strings.Contains(out[0].Error, "gián đoạn") {
				t.Fatalf("upload on a full %s disk: %d %s, want 507 saying the disk is full", full, rec.Code, rec.Body)
			}
			free()
			if fs := files(t, e.media); len(fs) != 0 {
				t.Errorf("the refused upload left files: %v", fs)
			}
			if segs, err := e.st.Segments(context.Background(), true); err != nil || len(segs) != 0 {
				t.Errorf("segments after the refused upload: %d, %v", len(segs), err)
			}
		})
	}
}

// heldStation is a station whose airing log writes are held (a fake at the
// edge: the station's own test fills a real disk).
type heldStation struct{ held station.LogHeld }

func (h *heldStation) Status(ctx context.Context) (station.Status, error) {
	return station.Status{At: h.held.Since, Output: "null", Held: h.held}, nil
}
func (h *heldStation) Subscribe() (<-chan struct{}, func()) { return make(chan struct{}), func() {} }
func (h *heldStation) LogHeld() station.LogHeld             { return h.held }

func TestDiskFullShowsABannerAndInTheStatus(t *testing.T) {
	stn := &heldStation{held: station.LogHeld{Pending: 3, Since: time.Date(2024, 5, 10, 6, 0, 5, 0, hcm), Cause: "disk full"}}
	dir := t.TempDir()
	e := newEnvIn(t, 10, filepath.Join(dir, "data"), filepath.Join(dir, "media"), stn)
	cookie, _ := e.user("xem", store.RoleViewer)

	rec := e.do(as(jsonReq("GET", "/api/status", nil), cookie, ""))
	var st struct {
		DiskFull      bool    `json:"disk_full"`
		PendingWrites int     `json:"pending_writes"`
		Since         *string `json:"disk_full_since"`
		Text          string  `json:"disk_full_text"`
	}
	json.Unmarshal(rec.Body.Bytes(), &st)
	if rec.Code != http.StatusOK || !st.DiskFull || st.PendingWrites != 3 || st.Since == nil || *st.Since != "2024-05-10T06:00:05+07:00" ||
		!strings.Contains(st.Text, "Ổ ĐĨA ĐÃ ĐẦY") || !strings.Contains(st.Text, "3 bản ghi") {
		t.Fatalf("/api/status while writes are held: %d %s", rec.Code, rec.Body)
	}
	for _, c := range []struct{ path, want string }{
		{"/", "Ổ ĐĨA ĐÃ ĐẦY — nhật ký phát không ghi được từ 06:00 10/05/2024"},
		{"/log?lang=en", "THE DISK IS FULL"},
	} {
		rec := e.do(as(httptest.NewRequest("GET", c.path, nil), cookie, ""))
		if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, c.want) || !strings.Contains(body, `id="diskfull" class="flash bad" role="alert">`) {
			t.Errorf("page %s while writes are held: %d, want the banner %q shown", c.path, rec.Code, c.want)
		}
	}

	stn.held = station.LogHeld{}
	rec = e.do(as(jsonReq("GET", "/api/status", nil), cookie, ""))
	st.DiskFull, st.PendingWrites = true, -1
	json.Unmarshal(rec.Body.Bytes(), &st)
	if st.DiskFull || st.PendingWrites != 0 {
		t.Fatalf("/api/status once written: %s", rec.Body)
	}
	if body := e.do(as(httptest.NewRequest("GET", "/", nil), cookie, "")).Body.String(); !strings.Contains(body, `id="diskfull" class="flash bad" role="alert" hidden>`) {
		t.Errorf("the banner is shown with nothing held")
	}
}

func TestLogCSVGuardsFormulaTitles(t *testing.T) {
	e := newEnv(t, 10)
	cookie, _ := e.user("xem", store.RoleViewer)
	at := time.Date(2024, 5, 10, 6, 0, 0, 0, hcm)
	a := playlist.Airing{SegmentID: 1, Title: "@SUM(A1:A9)", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at,
		StartedAt: at, EndedAt: at.Add(time.Minute), Played: time.Minute, Duration: time.Minute, Status: playlist.StatusCompleted}
	if _, err := e.st.LogClosed(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	body := e.do(as(jsonReq("GET", "/api/log?from=2024-05-10&format=csv", nil), cookie, "")).Body.String()
	if !strings.Contains(body, ",'@SUM(A1:A9),tthc,sang,") || !strings.Contains(body, ",60000,completed,") {
		t.Fatalf("log CSV of the API:\n%s", body)
	}
}
