package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/web"
)

// zonedStation is a running station of two zones (a station.Group's
// status): dong airs a segment, tay's sound card is gone.
type zonedStation struct{}

func (zonedStation) Status(context.Context) (station.Status, error) {
	now := time.Now()
	dong := station.Status{Zone: "dong", At: now, Output: "alsa:hw:1,0",
		OnAir: &station.OnAir{SegmentID: 7, Title: "Bản tin thôn Đông", Slot: "sang", Started: now.Add(-time.Minute), Length: 3 * time.Minute}}
	tay := station.Status{Zone: "tay", At: now, Output: "alsa:hw:2,0", Dead: "no audio device"}
	top := dong
	top.Zones = []station.Status{dong, tay}
	return top, nil
}
func (zonedStation) Subscribe() (<-chan struct{}, func()) { return make(chan struct{}), func() {} }

func TestStatusGivesEachZone(t *testing.T) {
	e := newEnv(t, 10, func(d *web.Deps) {
		d.Station = zonedStation{}
		cfg := d.Config()
		cfg.Zones = []config.Zone{{Code: "dong", Name: "Thôn Đông", Outputs: []string{"alsa:hw:1,0"}}, {Code: "tay", Name: "Thôn Tây", Outputs: []string{"alsa:hw:2,0"}}}
		d.Config = func() config.Config { return cfg }
	})
	viewer, _ := e.user("xem", store.RoleViewer)
	rec := e.do(as(jsonReq("GET", "/api/status", nil), viewer, ""))
	if rec.Code != http.StatusOK {
		t.Fatalf("/api/status: %d %s", rec.Code, rec.Body)
	}
	var st struct {
		AudioOK bool   `json:"audio_ok"`
		Problem string `json:"problem"`
		Zones   []struct {
			Code, Name, Output, Problem string
			AudioOK                     bool `json:"audio_ok"`
			OnAir                       *struct {
				Title string `json:"title"`
			} `json:"on_air"`
		} `json:"zones"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Zones) != 2 || st.Zones[0].Code != "dong" || st.Zones[0].Name != "Thôn Đông" || st.Zones[1].Name != "Thôn Tây" {
		t.Fatalf("zones = %+v", st.Zones)
	}
	if st.Zones[0].OnAir == nil || st.Zones[0].OnAir.Title != "Bản tin thôn Đông" || !st.Zones[0].AudioOK || st.Zones[0].Output != "alsa:hw:1,0" {
		t.Errorf("dong = %+v, want on air with its segment, loudspeakers working", st.Zones[0])
	}
	if st.Zones[1].OnAir != nil || st.Zones[1].AudioOK || st.Zones[1].Problem == "" {
		t.Errorf("tay = %+v, want off air with a dead output named", st.Zones[1])
	}
	if st.AudioOK || !strings.HasPrefix(st.Problem, "Thôn Tây: ") {
		t.Errorf("commune-wide: audio_ok %v, problem %q; want false, naming Thôn Tây", st.AudioOK, st.Problem)
	}
	for _, p := range []string{"/now", "/"} {
		body := e.page(p, viewer)
		if !strings.Contains(body, "Thôn Đông") || !strings.Contains(body, "Bản tin thôn Đông") || !strings.Contains(body, "Thôn Tây") {
			t.Errorf("%s does not show each zone with what it airs", p)
		}
	}
}
