package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/store"
)

// The settings page (Cài đặt): slot times, lengths and days off, topic
// targets. It writes config.yaml (config.WriteSettings keeps its comments
// and validates by the file's own rules); the running station picks the
// file up through its reload path (file watch or SIGHUP). Accounts are on
// the System page and in the database.

type slotForm struct {
	Name, Title string
	Time        string // HH:MM, "" when the cron is not a plain time
	Cron        string
	LengthMin   string
	DaysOff     string // dd/mm/yyyy or dd/mm/yyyy–dd/mm/yyyy, one a line
}

type topicForm struct {
	Code, Name       string
	Airings, Minutes string
}

type settingsData struct {
	Slots  []slotForm
	Topics []topicForm
	Path   string
}

// cronTime is the HH:MM of a cron whose minute and hour are one number each.
func cronTime(spec string) string {
	f := strings.Fields(spec)
	i := 0
	if len(f) == 6 {
		i = 1
	}
	if len(f) < 5 {
		return ""
	}
	m, err1 := strconv.Atoi(f[i])
	h, err2 := strconv.Atoi(f[i+1])
	if err1 != nil || err2 != nil {
		return ""
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

// dayOffText writes a days_off entry as the operator reads it.
func dayOffText(v string) string {
	from, to, ok := strings.Cut(v, "..")
	if !ok {
		return dmy(v)
	}
	return dmy(from) + " - " + dmy(to)
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	cfg := s.Config()
	d := settingsData{Path: s.ConfigPath}
	for _, sl := range cfg.Schedule.Slots {
		var off []string
		for _, o := range sl.DaysOff {
			off = append(off, dayOffText(o))
		}
		d.Slots = append(d.Slots, slotForm{Name: sl.Name, Title: s.slotTitle(v.L, sl.Name), Time: cronTime(sl.Cron), Cron: sl.Cron,
			LengthMin: number(v.L, sl.Length.Minutes()), DaysOff: strings.Join(off, "\n")})
	}
	for _, t := range cfg.Topics {
		d.Topics = append(d.Topics, topicForm{Code: t.Code, Name: t.Name, Airings: strconv.Itoa(t.TargetAirings),
			Minutes: strings.TrimSuffix(strings.TrimSuffix(number(v.L, t.TargetMinutes), "0"), ",")})
	}
	v.Data = d
	return nil
}

type settingsRequest struct {
	Slots []struct {
		Name      string `json:"name"`
		Time      string `json:"time"`
		LengthMin string `json:"length_min"`
		DaysOff   string `json:"days_off"`
	} `json:"slots"`
	Topics []struct {
		Code    string `json:"code"`
		Airings string `json:"airings"`
		Minutes string `json:"minutes"`
	} `json:"topics"`
}

// parseDayOff reads "dd/mm/yyyy" or "dd/mm/yyyy - dd/mm/yyyy" into the
// file's YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD.
func (s *Server) parseDayOff(v string) (string, bool) {
	v = strings.TrimSpace(strings.ReplaceAll(v, "–", "-"))
	if from, to, ok := strings.Cut(v, " - "); ok {
		a, ok1 := s.parseFormDay(strings.TrimSpace(from))
		b, ok2 := s.parseFormDay(strings.TrimSpace(to))
		return a.Format("2006-01-02") + ".." + b.Format("2006-01-02"), ok1 && ok2
	}
	if from, to, ok := strings.Cut(v, ".."); ok {
		a, ok1 := s.parseFormDay(strings.TrimSpace(from))
		b, ok2 := s.parseFormDay(strings.TrimSpace(to))
		return a.Format("2006-01-02") + ".." + b.Format("2006-01-02"), ok1 && ok2
	}
	d, ok := s.parseFormDay(v)
	return d.Format("2006-01-02"), ok
}

// decimal reads a number written with a comma or a point.
func decimal(v string) (float64, error) {
	return strconv.ParseFloat(strings.Replace(strings.TrimSpace(v), ",", ".", 1), 64)
}

func (s *Server) apiSettings(w http.ResponseWriter, r *http.Request, sess store.Session) {
	var in settingsRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
		s.jsonError(w, r, http.StatusBadRequest, "cần JSON {\"slots\": [...], \"topics\": [...]}", "want JSON {\"slots\": [...], \"topics\": [...]}")
		return
	}
	var set config.Settings
	var changes []string
	for _, sl := range in.Slots {
		title := s.slotTitle("vi", sl.Name)
		t, err := time.Parse("15:04", strings.TrimSpace(sl.Time))
		if err != nil {
			s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("%s: giờ %q không hợp lệ — dùng dạng 06:00", title, sl.Time), fmt.Sprintf("%s: time %q — use 06:00", sl.Name, sl.Time))
			return
		}
		mins, err := decimal(sl.LengthMin)
		if err != nil || mins <= 0 || mins > 180 {
			s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("%s: thời lượng %q phút không hợp lệ — dùng từ 1 đến 180", title, sl.LengthMin),
				fmt.Sprintf("%s: length %q minutes — use 1 to 180", sl.Name, sl.LengthMin))
			return
		}
		one := config.SlotSetting{Name: sl.Name, Hour: t.Hour(), Minute: t.Minute(), Length: time.Duration(mins * float64(time.Minute)).Round(time.Second)}
		for _, line := range strings.Split(sl.DaysOff, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			d, ok := s.parseDayOff(line)
			if !ok {
				s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("%s: ngày nghỉ %q không hợp lệ — dùng 05/02/2027 hoặc 05/02/2027 - 10/02/2027", title, strings.TrimSpace(line)),
					fmt.Sprintf("%s: day off %q — use 05/02/2027 or 05/02/2027 - 10/02/2027", sl.Name, line))
				return
			}
			one.DaysOff = append(one.DaysOff, d)
		}
		set.Slots = append(set.Slots, one)
		changes = append(changes, fmt.Sprintf("%s %02d:%02d %s", sl.Name, one.Hour, one.Minute, one.Length))
	}
	for _, tp := range in.Topics {
		n, err := strconv.Atoi(strings.TrimSpace(tp.Airings))
		if err != nil || n < 0 || n > 1000 {
			s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("%s: chỉ tiêu %q lượt không hợp lệ — dùng số nguyên từ 0", s.topicName(tp.Code, true), tp.Airings),
				fmt.Sprintf("%s: target %q airings — use a whole number from 0", tp.Code, tp.Airings))
			return
		}
		m := 0.0
		if strings.TrimSpace(tp.Minutes) != "" {
			if m, err = decimal(tp.Minutes); err != nil || m < 0 {
				s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("%s: chỉ tiêu %q phút không hợp lệ", s.topicName(tp.Code, true), tp.Minutes),
					fmt.Sprintf("%s: target %q minutes", tp.Code, tp.Minutes))
				return
			}
		}
		set.Topics = append(set.Topics, config.TopicTarget{Code: tp.Code, Airings: n, Minutes: m})
		changes = append(changes, fmt.Sprintf("%s %d/%g", tp.Code, n, m))
	}
	err := s.App.WriteSettings(r.Context(), sess.User.Name, s.ConfigPath, set, strings.Join(changes, "; "))
	var ce *config.Error
	if errors.As(err, &ce) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": tr(s.lang(nil, r), "Không lưu — ", "Not saved — ") + ce.Localize(s.lang(nil, r))})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "message": tr(s.lang(nil, r),
		"Đã lưu vào config.yaml; trạm áp dụng trong vài giây (lượt đang phát không bị cắt).",
		"Saved to config.yaml; the station applies it within seconds (what is on air is not cut).")})
}
