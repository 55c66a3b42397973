package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/words"
)

// apiControl acts on the air: POST /api/control/stop|skip|pause|resume.
func (s *Server) apiControl(w http.ResponseWriter, r *http.Request, sess store.Session) {
	a, ok := station.ParseAction(r.PathValue("action"))
	if !ok {
		s.jsonError(w, r, http.StatusNotFound, "không có lệnh này — dùng stop, skip, pause hoặc resume", "no such action — use stop, skip, pause or resume")
		return
	}
	if s.Control == nil {
		s.jsonError(w, r, http.StatusServiceUnavailable, "trạm không chạy — không có gì để điều khiển", "the station is not running — nothing to control")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	err := s.Control(ctx, a)
	switch {
	case errors.Is(err, station.ErrNothingOnAir):
		s.jsonError(w, r, http.StatusConflict, "không có bản tin nào đang phát", "nothing is on the air")
		return
	case errors.Is(err, station.ErrNotPaused):
		s.jsonError(w, r, http.StatusConflict, "trạm không tạm dừng — không cần tiếp tục", "the station is not paused")
		return
	case errors.Is(err, station.ErrAlreadyPaused):
		s.jsonError(w, r, http.StatusConflict, "trạm đang tạm dừng rồi", "the station is already paused")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.App.Controlled(r.Context(), sess.User.Name, a)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "action": string(a), "message": controlDone(s.lang(nil, r), a)})
}

func controlDone(lang string, a station.Action) string {
	switch a {
	case station.ActionStop:
		return tr(lang, "Đã dừng khung giờ đang phát.", "The slot on air was stopped.")
	case station.ActionSkip:
		return tr(lang, "Đã bỏ qua bản tin đang phát.", "The segment on air was skipped.")
	case station.ActionPause:
		return tr(lang, "Đã tạm dừng — loa đang im lặng.", "Paused — the loudspeakers are silent.")
	case station.ActionResume:
		return tr(lang, "Đã tiếp tục phát.", "Playing on.")
	}
	return ""
}

// airState is the status bar every page carries: are the loudspeakers
// heard, since when not, and what is on the air.
type airState struct {
	OK      bool   `json:"ok"`
	Text    string `json:"text"`
	Detail  string `json:"detail,omitempty"`
	OnAir   string `json:"on_air,omitempty"`
	Running bool   `json:"running"`
}

// air reads the station's state for the status bar.
func (s *Server) air(st statusJSON, lang string) airState {
	a := airState{OK: st.Running && st.AudioOK, Running: st.Running}
	switch {
	case a.OK:
		s.deadMu.Lock()
		s.deadSince = time.Time{}
		s.deadMu.Unlock()
		a.Text = tr(lang, "Loa đang hoạt động", "Loudspeakers working")
	default:
		s.deadMu.Lock()
		if s.deadSince.IsZero() {
			s.deadSince = s.Now()
		}
		since := s.deadSince
		s.deadMu.Unlock()
		a.Text = tr(lang, "LOA KHÔNG PHÁT — kiểm tra card âm thanh, dây nối", "LOUDSPEAKERS SILENT — check the sound card and cables")
		if d := s.Now().Sub(since); d >= time.Minute {
			a.Text += " (" + tr(lang, "đã ", "for ") + words.Ago(lang, d) + ")"
		} else {
			a.Text += " (" + tr(lang, "từ ", "since ") + since.In(s.Location).Format("15:04") + ")"
		}
		if !st.Running {
			a.Text = tr(lang, "TRẠM KHÔNG CHẠY — không có gì được phát", "THE STATION IS NOT RUNNING — nothing airs")
		}
		a.Detail = st.Problem
	}
	if len(st.Zones) > 1 {
		var on []string
		for _, z := range st.Zones {
			if z.OnAir != nil {
				on = append(on, z.Name+": "+z.OnAir.Title)
			}
		}
		a.OnAir = strings.Join(on, " · ")
	} else if st.OnAir != nil {
		a.OnAir = st.OnAir.Title
	}
	return a
}
