package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/contract"
	"github.com/truyenthanh/cchc/internal/control"
	"github.com/truyenthanh/cchc/internal/csvsafe"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/words"
)

// segmentFilter selects segments for the list: q searches the title,
// state is pending, approved, retired or all (default: not retired).
type segmentFilter struct {
	Q, Topic, State string
}

func (f segmentFilter) match(seg playlist.Segment) bool {
	switch f.State {
	case "pending":
		if seg.Approved || seg.Retired {
			return false
		}
	case "approved":
		if !seg.Approved || seg.Retired {
			return false
		}
	case "retired":
		if !seg.Retired {
			return false
		}
	case "all":
	default:
		if seg.Retired {
			return false
		}
	}
	if f.Topic != "" && !seg.HasTopic(f.Topic) {
		return false
	}
	if q := strings.TrimSpace(f.Q); q != "" && !strings.Contains(strings.ToLower(seg.Title), strings.ToLower(q)) &&
		strconv.FormatInt(seg.ID, 10) != q {
		return false
	}
	return true
}

func (s *Server) segments(ctx context.Context, f segmentFilter) ([]playlist.Segment, error) {
	all, err := s.App.Segments(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []playlist.Segment
	for _, seg := range all {
		if f.match(seg) {
			out = append(out, seg)
		}
	}
	return out, nil
}

func (s *Server) apiSegments(w http.ResponseWriter, r *http.Request, _ store.Session) {
	q := r.URL.Query()
	segs, err := s.segments(r.Context(), segmentFilter{Q: q.Get("q"), Topic: q.Get("topic"), State: q.Get("state")})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := []contract.Segment{}
	for _, seg := range segs {
		out = append(out, contract.FromSegment(seg, s.Location))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) segmentID(w http.ResponseWriter, r *http.Request) (playlist.Segment, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("mã bản tin %q không hợp lệ", r.PathValue("id")), fmt.Sprintf("segment id %q is not a number", r.PathValue("id")))
		return playlist.Segment{}, false
	}
	seg, err := s.App.Segment(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.jsonError(w, r, http.StatusNotFound, fmt.Sprintf("không có bản tin #%d", id), fmt.Sprintf("no segment #%d", id))
		return seg, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return seg, false
	}
	return seg, true
}

func (s *Server) apiApprove(w http.ResponseWriter, r *http.Request, sess store.Session) {
	seg, ok := s.segmentID(w, r)
	if !ok {
		return
	}
	if seg.Retired {
		s.jsonError(w, r, http.StatusConflict, fmt.Sprintf("bản tin #%d đã bị gỡ khỏi lịch", seg.ID), fmt.Sprintf("segment #%d was retired", seg.ID))
		return
	}
	if err := s.App.Approve(r.Context(), sess.User.Name, sess.User.Name, []int64{seg.ID}); err != nil {
		s.serverError(w, r, err)
		return
	}
	seg, _ = s.App.Segment(r.Context(), seg.ID)
	writeJSON(w, http.StatusOK, contract.FromSegment(seg, s.Location))
}

func (s *Server) apiRetire(w http.ResponseWriter, r *http.Request, sess store.Session) {
	seg, ok := s.segmentID(w, r)
	if !ok {
		return
	}
	if err := s.App.Retire(r.Context(), sess.User.Name, []int64{seg.ID}); err != nil {
		s.serverError(w, r, err)
		return
	}
	seg, _ = s.App.Segment(r.Context(), seg.ID)
	writeJSON(w, http.StatusOK, contract.FromSegment(seg, s.Location))
}

// today is midnight of the current day in the station's zone.
func (s *Server) today() time.Time {
	n := s.Now().In(s.Location)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, s.Location)
}

// parseDay reads a day as the API writes it, YYYY-MM-DD.
func (s *Server) parseDay(v string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", v, s.Location)
	return t, err == nil
}

// parseFormDay reads a day from a form: as the operator writes it,
// dd/mm/yyyy, or YYYY-MM-DD.
func (s *Server) parseFormDay(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.ParseInLocation(layout, v, s.Location); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// preview plans [from, from+days) exactly as `schedule preview` does: the
// same use case.
func (s *Server) preview(ctx context.Context, from time.Time, days int) ([]playlist.Plan, error) {
	return s.App.Plan(ctx, from, from.AddDate(0, 0, days))
}

func (s *Server) apiSchedule(w http.ResponseWriter, r *http.Request, _ store.Session) {
	q := r.URL.Query()
	from := s.today()
	if v := q.Get("from"); v != "" {
		var ok bool
		if from, ok = s.parseDay(v); !ok {
			s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("from=%q: cần ngày dạng YYYY-MM-DD", v), fmt.Sprintf("from=%q: want YYYY-MM-DD", v))
			return
		}
	}
	days := 7
	if v := q.Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("days=%q: dùng từ 1 đến 366", v), fmt.Sprintf("days=%q: use 1 to 366", v))
			return
		}
		days = n
	}
	plans, err := s.preview(r.Context(), from, days)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	zone, vi, en, ok := s.parseZone(q)
	if !ok {
		s.jsonError(w, r, http.StatusBadRequest, vi, en)
		return
	}
	writeJSON(w, http.StatusOK, s.zoneOccurrences(s.planZones(plans, zone), s.lang(nil, r)))
}

type pinRequest struct {
	SegmentID int64  `json:"segment_id"`
	Day       string `json:"day"`
	Slot      string `json:"slot"`
}

func (s *Server) apiPin(unpin bool) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, sess store.Session) {
		var in pinRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
			s.jsonError(w, r, http.StatusBadRequest, "cần JSON {\"segment_id\", \"day\", \"slot\"}", "want JSON {\"segment_id\", \"day\", \"slot\"}")
			return
		}
		day, ok := s.parseDay(in.Day)
		if !ok {
			s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("day %q: cần ngày dạng YYYY-MM-DD", in.Day), fmt.Sprintf("day %q: want YYYY-MM-DD", in.Day))
			return
		}
		sl, ok := s.App.Slot(in.Slot)
		if !ok {
			s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("slot %q: không có khung giờ này trong config.yaml", in.Slot), fmt.Sprintf("slot %q: no such slot in config.yaml", in.Slot))
			return
		}
		if !unpin && len(playlist.Occurrences([]playlist.Slot{sl}, day, day.AddDate(0, 0, 1))) == 0 {
			s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("khung giờ %s không phát vào ngày %s", in.Slot, in.Day), fmt.Sprintf("slot %s does not occur on %s", in.Slot, in.Day))
			return
		}
		if !unpin {
			seg, err := s.App.Segment(r.Context(), in.SegmentID)
			if errors.Is(err, store.ErrNotFound) {
				s.jsonError(w, r, http.StatusNotFound, fmt.Sprintf("không có bản tin #%d", in.SegmentID), fmt.Sprintf("no segment #%d", in.SegmentID))
				return
			}
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			if vi, en := pinRefusal(seg, s.Config().Approval.Required, day.Format("2006-01-02")); vi != "" {
				s.jsonError(w, r, http.StatusConflict, vi, en)
				return
			}
		}
		var err error
		if unpin {
			err = s.App.Unpin(r.Context(), sess.User.Name, in.SegmentID, day, in.Slot)
		} else {
			err = s.App.Pin(r.Context(), sess.User.Name, in.SegmentID, day, in.Slot)
		}
		if errors.Is(err, store.ErrNotFound) {
			s.jsonError(w, r, http.StatusNotFound, fmt.Sprintf("không có bản tin #%d hoặc ghim này", in.SegmentID), fmt.Sprintf("no segment #%d or no such pin", in.SegmentID))
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	}
}

// pinRefusal says why a segment cannot be pinned to a day ("" when it can):
// a pin of what will never air would be a lie.
func pinRefusal(seg playlist.Segment, approvalRequired bool, day string) (string, string) {
	switch {
	case seg.Retired:
		return fmt.Sprintf("bản tin #%d đã bị gỡ hoặc bị từ chối — không ghim được", seg.ID), fmt.Sprintf("segment #%d is retired or refused — it cannot be pinned", seg.ID)
	case approvalRequired && !seg.Approved:
		return fmt.Sprintf("bản tin #%d chưa được lãnh đạo phê duyệt nên sẽ không phát — hãy xin phê duyệt trước khi ghim", seg.ID),
			fmt.Sprintf("segment #%d is not approved and would never air — have it approved before pinning it", seg.ID)
	case seg.Priority == playlist.PriorityEmergency:
		return "bản tin khẩn cấp không xếp vào khung giờ — dùng Phát ngay", "an emergency segment is never scheduled — use Play now"
	case !seg.ValidOn(day):
		return fmt.Sprintf("bản tin #%d không còn hiệu lực vào ngày %s", seg.ID, dmy(day)), fmt.Sprintf("segment #%d is not valid on %s", seg.ID, day)
	}
	return "", ""
}

// logQuery is a parsed log filter.
type logQuery struct {
	From, To      time.Time // days, inclusive
	Topic, Status string
	Zone          string // a zone's code; "" for every zone
}

// statusProblem is the log filter for what did not go out: missed or failed.
const statusProblem = "problem"

func (lq logQuery) statusMatch(st playlist.Status) bool {
	switch lq.Status {
	case "":
		return true
	case statusProblem:
		return st == playlist.StatusMissed || st == playlist.StatusFailed
	}
	return string(st) == lq.Status
}

func (s *Server) parseLogQuery(r *http.Request) (logQuery, string, string, bool) {
	q := r.URL.Query()
	// Without a period: the last 7 days, today included.
	lq := logQuery{From: s.today().AddDate(0, 0, -6), To: s.today(), Topic: q.Get("topic"), Status: q.Get("status")}
	if v := q.Get("from"); v != "" {
		t, ok := s.parseFormDay(v)
		if !ok {
			return lq, fmt.Sprintf("from=%q: cần ngày dạng dd/mm/yyyy", v), fmt.Sprintf("from=%q: want YYYY-MM-DD", v), false
		}
		lq.From, lq.To = t, t
	}
	if v := q.Get("to"); v != "" {
		t, ok := s.parseFormDay(v)
		if !ok {
			return lq, fmt.Sprintf("to=%q: cần ngày dạng dd/mm/yyyy", v), fmt.Sprintf("to=%q: want YYYY-MM-DD", v), false
		}
		lq.To = t
	}
	if lq.To.Before(lq.From) {
		return lq, "ngày kết thúc sớm hơn ngày bắt đầu", "to is before from", false
	}
	zone, vi, en, ok := s.parseZone(q)
	if !ok {
		return lq, vi, en, false
	}
	lq.Zone = zone
	switch playlist.Status(lq.Status) {
	case "", playlist.StatusOpen, playlist.StatusCompleted, playlist.StatusInterrupted, playlist.StatusMissed, playlist.StatusFailed, statusProblem:
	default:
		return lq, fmt.Sprintf("status=%q: dùng completed, interrupted, missed, failed, problem hoặc open", lq.Status),
			fmt.Sprintf("status=%q: use completed, interrupted, missed, failed, problem or open", lq.Status), false
	}
	return lq, "", "", true
}

func (s *Server) logRows(ctx context.Context, lq logQuery) ([]store.LoggedAiring, error) {
	rows, err := s.App.LoggedAirings(ctx, lq.Zone, lq.From, lq.To.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	var out []store.LoggedAiring
	for _, a := range rows {
		if !lq.statusMatch(a.Status) {
			continue
		}
		if lq.Topic != "" {
			found := false
			for _, t := range a.Topics {
				found = found || t == lq.Topic
			}
			if !found {
				continue
			}
		}
		out = append(out, a)
	}
	return out, nil
}

func (s *Server) apiLog(w http.ResponseWriter, r *http.Request, _ store.Session) {
	lq, vi, en, ok := s.parseLogQuery(r)
	if !ok {
		s.jsonError(w, r, http.StatusBadRequest, vi, en)
		return
	}
	rows, err := s.logRows(r.Context(), lq)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="nhat-ky-phat-%s-%s.csv"`, lq.From.Format("2006-01-02"), lq.To.Format("2006-01-02")))
		s.writeLogCSV(w, rows, s.lang(nil, r))
		return
	}
	out := []contract.Airing{}
	for _, a := range rows {
		out = append(out, contract.FromAiring(a.Airing, s.Location).Chained(a.Link.PrevHash, a.Link.Hash))
	}
	writeJSON(w, http.StatusOK, out)
}

// writeLogCSV writes the log as `scheduler log --format csv` does (UTF-8
// with a BOM for Excel), with the status and reason also in lang.
func (s *Server) writeLogCSV(w http.ResponseWriter, rows []store.LoggedAiring, lang string) {
	w.Write([]byte("\ufeff"))
	cw := csvsafe.NewWriter(w) // formula injection guarded
	cw.UseCRLF = true
	head := []string{"id", "segment_id", "title", "topics", "slot", "scheduled_at", "started_at", "ended_at", "played_ms", "status", "reason", "prev_hash", "hash",
		tr(lang, "trạng thái", "status_text"), tr(lang, "lý do", "reason_text")}
	zoned := len(s.Config().ZoneList()) > 1 // with zones, the zone in a column before listeners
	if zoned {
		head = append(head, "zone")
	}
	// Last, the listeners of an airing on a stream output; empty for others.
	head = append(head, "listeners")
	cw.Write(head)
	opt := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for _, a := range rows {
		c := contract.FromAiring(a.Airing, s.Location).Chained(a.Link.PrevHash, a.Link.Hash)
		row := []string{strconv.FormatInt(c.ID, 10), strconv.FormatInt(c.SegmentID, 10), c.Title, strings.Join(c.Topics, " "), c.Slot,
			c.ScheduledAt, opt(c.StartedAt), opt(c.EndedAt), strconv.FormatInt(c.PlayedMS, 10), c.Status, c.Reason, opt(c.PrevHash), opt(c.Hash),
			words.Status(lang, a.Status), words.Reason(lang, a.Reason)}
		if zoned {
			row = append(row, c.Zone)
		}
		listeners := ""
		if c.Listeners != nil {
			listeners = strconv.Itoa(*c.Listeners)
		}
		cw.Write(append(row, listeners))
	}
	cw.Flush()
}

type playRequest struct {
	IDs       []int64 `json:"ids"`
	Emergency bool    `json:"emergency"`
}

func (s *Server) apiPlay(w http.ResponseWriter, r *http.Request, sess store.Session) {
	var in playRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&in); err != nil || len(in.IDs) == 0 {
		s.jsonError(w, r, http.StatusBadRequest, "cần JSON {\"ids\": [mã bản tin…], \"emergency\": true|false}", "want JSON {\"ids\": [segment ids…], \"emergency\": true|false}")
		return
	}
	if s.Play == nil {
		s.jsonError(w, r, http.StatusServiceUnavailable, "trạm không chạy — không phát được", "the station is not running — nothing can air")
		return
	}
	if err := s.Play(r.Context(), in.IDs); err != nil {
		if errors.Is(err, control.ErrBadRequest) {
			s.jsonError(w, r, http.StatusBadRequest, "không phát được: "+err.Error(), "cannot air: "+err.Error())
			return
		}
		s.serverError(w, r, err)
		return
	}
	action := store.ActionPlay
	if in.Emergency {
		action = store.ActionUrgent
	}
	s.App.Played(r.Context(), sess.User.Name, action, in.IDs)
	// A play that cannot be heard says so: the station logs it as failed.
	if st, err := s.status(r.Context(), s.lang(nil, r)); err == nil && st.Running && !st.AudioOK {
		s.jsonError(w, r, http.StatusBadGateway,
			"LOA KHÔNG PHÁT — bản tin không ra loa và được ghi vào nhật ký là lỗi phát. Kiểm tra card âm thanh, dây nối rồi phát lại. ("+st.Problem+")",
			"LOUDSPEAKERS SILENT — the segment did not go out and is logged as failed. Check the sound card and cables, then play it again. ("+st.Problem+")")
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"ok": true, "ids": in.IDs})
}

// statusJSON is GET /api/status and each event of /api/events.
type statusJSON struct {
	At         string       `json:"at"`
	OnAir      *onAirJSON   `json:"on_air"`
	Next       []upNextJSON `json:"next"`
	NextSlot   string       `json:"next_slot,omitempty"`
	NextSlotAt *string      `json:"next_slot_at"`
	// NextSlotText is the next slot as the operator reads it.
	NextSlotText string `json:"next_slot_text,omitempty"`
	Output       string `json:"output"`
	AudioOK      bool   `json:"audio_ok"`
	Problem      string `json:"problem,omitempty"`
	Running      bool   `json:"running"`
	// Air is the status bar's state (every page carries it).
	Air airState `json:"air"`
	// DiskFull: the airing log cannot be written (the disk is full);
	// PendingWrites are held in memory until space returns.
	DiskFull      bool    `json:"disk_full"`
	PendingWrites int     `json:"pending_writes"`
	DiskFullSince *string `json:"disk_full_since,omitempty"`
	DiskFullText  string  `json:"disk_full_text,omitempty"`
	// Province: the last successful sync and how far behind the province
	// is; absent when the station reports to none.
	Province *provinceJSON `json:"province,omitempty"`
	// Zones is each zone's own state, in config order (one zone, chung,
	// when config.yaml has no zones:). The fields above are the first
	// zone's, except AudioOK and Problem, which hold for every zone.
	Zones []zoneStatusJSON `json:"zones"`
	// Listeners: for a stream output, the receivers (IP loudspeaker
	// clusters) connected to the first zone's mount now; ListenersText
	// says, for every zone fed by a stream, how many are connected, to the
	// operator. Absent for a sound card.
	Listeners     *int   `json:"listeners,omitempty"`
	ListenersText string `json:"listeners_text,omitempty"`
	// Clusters: for every zone fed by a stream, the clusters connected now
	// against those its configuration expects (zones[].clusters).
	Clusters []clustersJSON `json:"clusters,omitempty"`
}

// clustersJSON is a zone's loudspeaker clusters connected now.
type clustersJSON struct {
	Zone      string `json:"zone"`
	Name      string `json:"name"`
	Connected int    `json:"connected"`
	Expected  int    `json:"expected"`
	Text      string `json:"text"`
}

// zoneStatusJSON is one zone of /api/status.
type zoneStatusJSON struct {
	Code         string       `json:"code"`
	Name         string       `json:"name"`
	OnAir        *onAirJSON   `json:"on_air"`
	Next         []upNextJSON `json:"next"`
	NextSlot     string       `json:"next_slot,omitempty"`
	NextSlotAt   *string      `json:"next_slot_at"`
	NextSlotText string       `json:"next_slot_text,omitempty"`
	Output       string       `json:"output"`
	AudioOK      bool         `json:"audio_ok"`
	Problem      string       `json:"problem,omitempty"`
	// Listeners: for a zone fed by a stream, the clusters connected to its
	// mount now (absent otherwise).
	Listeners *int `json:"listeners,omitempty"`
}

type onAirJSON struct {
	SegmentID   int64    `json:"segment_id"`
	Title       string   `json:"title"`
	Topics      []string `json:"topics"`
	Slot        string   `json:"slot"`
	StartedAt   string   `json:"started_at"`
	DurationMS  int64    `json:"duration_ms"`
	ElapsedMS   int64    `json:"elapsed_ms"`
	RemainingMS int64    `json:"remaining_ms"`
	TopicsText  string   `json:"topics_text"`
	SlotTitle   string   `json:"slot_title"`
}

type upNextJSON struct {
	SegmentID  int64    `json:"segment_id"`
	Title      string   `json:"title"`
	Topics     []string `json:"topics"`
	Slot       string   `json:"slot"`
	StartsAt   string   `json:"starts_at"`
	DurationMS int64    `json:"duration_ms"`
}

func (s *Server) status(ctx context.Context, lang string) (statusJSON, error) {
	out := statusJSON{At: s.Now().In(s.Location).Format(time.RFC3339), Next: []upNextJSON{}, Zones: []zoneStatusJSON{},
		Province: s.province(ctx, lang)}
	if s.Station == nil {
		out.Problem = tr(lang, "trạm không chạy", "the station is not running")
		return out, nil
	}
	st, err := s.Station.Status(ctx)
	if err != nil {
		return out, err
	}
	out.Running = true
	out.At = st.At.In(s.Location).Format(time.RFC3339)
	out.Clusters = s.clusters(st, lang)
	out.Listeners = st.Listeners
	var parts []string
	for _, c := range out.Clusters {
		parts = append(parts, c.Text)
	}
	out.ListenersText = strings.Join(parts, " · ")
	if h := st.Held; h.Pending > 0 {
		since := h.Since.In(s.Location).Format(time.RFC3339)
		out.DiskFull, out.PendingWrites, out.DiskFullSince = true, h.Pending, &since
		out.DiskFullText = s.diskFullBanner(lang, h)
	}
	zones := st.Zones
	if len(zones) == 0 {
		zones = []station.Status{st}
	}
	out.AudioOK = true
	var problems []string
	for _, zs := range zones {
		z := s.zoneStatus(zs, lang)
		out.Zones = append(out.Zones, z)
		if !z.AudioOK {
			out.AudioOK = false
			if len(zones) > 1 {
				problems = append(problems, z.Name+": "+z.Problem)
			} else {
				problems = append(problems, z.Problem)
			}
		}
	}
	out.Problem = strings.Join(problems, "; ")
	first := out.Zones[0]
	out.OnAir, out.Next, out.Output = first.OnAir, first.Next, first.Output
	out.NextSlot, out.NextSlotAt, out.NextSlotText = first.NextSlot, first.NextSlotAt, first.NextSlotText
	return out, nil
}

// zoneStatus is one zone's part of the status.
func (s *Server) zoneStatus(st station.Status, lang string) zoneStatusJSON {
	z := zoneStatusJSON{Code: st.Zone, Name: st.Zone, Next: []upNextJSON{}, Output: st.Output, AudioOK: st.Dead == ""}
	if s.Config != nil {
		cfg := s.Config()
		if z.Code == "" {
			z.Code = cfg.ZoneList()[0].Code
		}
		if zc, ok := cfg.Zone(z.Code); ok {
			z.Name = zc.Name
		}
	}
	if st.Dead != "" {
		z.Problem = words.Reason(lang, st.Dead)
	}
	z.Listeners = st.Listeners
	if a := st.OnAir; a != nil {
		elapsed := min(max(0, st.At.Sub(a.Started)), a.Length)
		z.OnAir = &onAirJSON{SegmentID: a.SegmentID, Title: a.Title, Topics: nonNil(a.Topics), Slot: a.Slot,
			StartedAt: a.Started.In(s.Location).Format(time.RFC3339Nano), DurationMS: a.Length.Milliseconds(),
			ElapsedMS: elapsed.Milliseconds(), RemainingMS: (a.Length - elapsed).Milliseconds(),
			TopicsText: s.topicNames(a.Topics), SlotTitle: s.slotTitle(lang, a.Slot)}
	}
	for _, n := range st.Next {
		z.Next = append(z.Next, upNextJSON{SegmentID: n.SegmentID, Title: n.Title, Topics: nonNil(n.Topics), Slot: n.Slot,
			StartsAt: n.StartsAt.In(s.Location).Format(time.RFC3339), DurationMS: n.Length.Milliseconds()})
	}
	if !st.NextSlotAt.IsZero() {
		t := st.NextSlotAt.In(s.Location).Format(time.RFC3339)
		z.NextSlot, z.NextSlotAt = st.NextSlot, &t
		z.NextSlotText = s.slotTitle(lang, st.NextSlot) + ", " + words.ShortDateTime(lang, st.NextSlotAt.In(s.Location))
	}
	return z
}

// clusters lists, for every zone whose output counts listeners (a stream),
// the clusters connected now against those expected.
func (s *Server) clusters(st station.Status, lang string) []clustersJSON {
	zones := st.Zones
	if len(zones) == 0 {
		zones = []station.Status{st}
	}
	var cfg config.Config
	if s.Config != nil {
		cfg = s.Config()
	}
	var out []clustersJSON
	for _, z := range zones {
		if z.Listeners == nil {
			continue
		}
		c := clustersJSON{Zone: z.Zone, Name: z.Zone, Connected: *z.Listeners}
		if c.Zone == "" && len(cfg.ZoneList()) > 0 {
			c.Zone = cfg.ZoneList()[0].Code
		}
		if zc, ok := cfg.Zone(c.Zone); ok {
			c.Name, c.Expected = zc.Name, zc.Clusters
		}
		c.Text = fmt.Sprintf("%s: %s %d", c.Name, tr(lang, "cụm loa đang nhận", "clusters connected"), c.Connected)
		if c.Expected > 0 {
			c.Text += fmt.Sprintf("/%d", c.Expected)
		}
		out = append(out, c)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request, _ store.Session) {
	lang := s.lang(nil, r)
	st, err := s.status(r.Context(), lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	st.Air = s.air(st, lang)
	writeJSON(w, http.StatusOK, st)
}

// apiEvents streams the status as Server-Sent Events: one "status" event at
// once and after every change, and a comment every 15 s to keep proxies
// from closing the stream.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request, _ store.Session) {
	fl, ok := w.(http.Flusher)
	if !ok {
		s.jsonError(w, r, http.StatusInternalServerError, "không hỗ trợ luồng sự kiện", "streaming unsupported")
		return
	}
	lang := s.lang(nil, r)
	var changes <-chan struct{}
	if s.Station != nil {
		ch, stop := s.Station.Subscribe()
		defer stop()
		changes = ch
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func() bool {
		st, err := s.status(r.Context(), lang)
		if err != nil {
			s.Logger.Warn("status for event stream", "err", err)
			return r.Context().Err() == nil
		}
		st.Air = s.air(st, lang)
		b, _ := json.Marshal(st)
		if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", b); err != nil {
			return false
		}
		fl.Flush()
		return true
	}
	if !send() {
		return
	}
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-changes:
			if !send() {
				return
			}
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
			fl.Flush()
		}
	}
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, _ store.Session) {
	n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	trail, err := s.App.AuditTrail(r.Context(), n)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if trail == nil {
		trail = []store.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, trail)
}
