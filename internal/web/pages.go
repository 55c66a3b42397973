package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/truyenthanh/cchc/internal/icecast"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/words"
)

// pageNames are the pages, each templates/NAME.html inside the layout.
var pageNames = []string{"overview", "now", "schedule", "segments", "log", "reports", "play", "system", "settings", "audit"}

// funcs are the templates' functions: the display layer (internal/words)
// and the station's names for its topics and slots.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"t":    tr,
		"join": strings.Join,
		"role": roleName,
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"mb":  func(n int64) int64 { return n >> 20 },
		"num": number,
		"pct": func(lang string, p *float64) string {
			if p == nil {
				return "-"
			}
			return number(lang, *p)
		},
		"list":       func(v ...string) []string { return v },
		"dayPlanOf":  func(v *view, d dayPlan) dayPlanView { return dayPlanView{V: v, D: d} },
		"status":     func(lang, s string) string { return words.Status(lang, playlist.Status(s)) },
		"dur":        words.Duration,
		"topic":      s.topicName,
		"topics":     s.topicNames,
		"slot":       s.slotTitle,
		"day":        func(v string) string { return dmy(v) },
		"priorityOf": func(lang, p string) string { return words.Priority(lang, playlist.Priority(p)) },
	}
}

func (s *Server) parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range append(pageNames, "login") {
		files := []string{"templates/layout.html", "templates/zonepicker.html", "templates/" + name + ".html"}
		t, err := template.New("layout.html").Funcs(s.funcs()).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// view is what every page's template gets.
type view struct {
	Page       string
	L          string
	User       store.User
	CSRF       string
	Commune    string
	Version    string
	Title      string
	Path       string
	CanOperate bool
	CanApprove bool
	MaxUpload  int64
	Data       any
	Status     int // the HTTP status, when not 200
	Nav        []navItem
	Query      url.Values
	Air        airState // the status bar
	// DiskFull is the banner every page shows while the airing log cannot
	// be written ("" when it can).
	DiskFull string
}

type navItem struct {
	Page, Href, Label string
}

func (s *Server) newView(name, lang string, sess store.Session) *view {
	v := &view{Page: name, L: lang, User: sess.User, CSRF: sess.CSRF, Commune: s.Config().Station.Commune, Version: s.Version,
		CanOperate: sess.User.Role == store.RoleOperator, CanApprove: sess.User.Role == store.RoleApprover,
		MaxUpload: int64(s.Config().Web.MaxUploadMB) << 20}
	for _, n := range []struct{ page, href, vi, en string }{
		{"overview", "/", "Tổng quan", "Overview"},
		{"now", "/now", "Đang phát", "On air"},
		{"schedule", "/schedule", "Lịch phát", "Schedule"},
		{"segments", "/segments", "Bản tin", "Segments"},
		{"log", "/log", "Nhật ký phát", "Airing log"},
		{"reports", "/reports", "Báo cáo", "Reports"},
		{"play", "/play", "Phát ngay / Khẩn cấp", "Play now / Emergency"},
		{"system", "/system", "Hệ thống", "System"},
		{"settings", "/settings", "Cài đặt", "Settings"},
		{"audit", "/audit", "Nhật ký thao tác", "Audit trail"},
	} {
		v.Nav = append(v.Nav, navItem{Page: n.page, Href: n.href, Label: tr(lang, n.vi, n.en)})
		if n.page == name {
			v.Title = tr(lang, n.vi, n.en)
		}
	}
	return v
}

func (s *Server) render(w http.ResponseWriter, v *view) {
	if hs, ok := s.Station.(interface{ LogHeld() station.LogHeld }); ok {
		if h := hs.LogHeld(); h.Pending > 0 {
			v.DiskFull = s.diskFullBanner(v.L, h)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if v.Status != 0 {
		w.WriteHeader(v.Status)
	}
	if err := s.pages[v.Page].ExecuteTemplate(w, "layout.html", v); err != nil {
		s.Logger.Error("render page", "page", v.Page, "err", err)
	}
}

// ---- login ----

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, "", http.StatusOK)
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, msg string, code int) {
	lang := s.lang(w, r)
	v := &view{Page: "login", L: lang, Commune: s.Config().Station.Commune, Version: s.Version, Title: tr(lang, "Đăng nhập", "Log in"),
		Data: map[string]string{"Error": msg, "Next": safeNext(r.URL.Query().Get("next"))}}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if err := s.pages["login"].ExecuteTemplate(w, "layout.html", v); err != nil {
		s.Logger.Error("render login", "err", err)
	}
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(w, r)
	if !sameOrigin(r) {
		http.Error(w, "cross-site login refused", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	name, password := r.PostFormValue("name"), r.PostFormValue("password")
	_, _, err := s.login(r.Context(), w, r, name, password)
	switch {
	case errors.Is(err, errRateLimited):
		s.renderLogin(w, r, tr(lang, "Đăng nhập sai quá nhiều lần — hãy đợi vài phút rồi thử lại.", "Too many failed logins — wait a few minutes and try again."), http.StatusTooManyRequests)
	case errors.Is(err, store.ErrBadPassword):
		s.renderLogin(w, r, tr(lang, "Sai tên đăng nhập hoặc mật khẩu.", "Wrong name or password."), http.StatusUnauthorized)
	case errors.Is(err, store.ErrDisabled):
		s.renderLogin(w, r, tr(lang, "Tài khoản này đã bị khóa — hãy hỏi lãnh đạo.", "This account is disabled — ask the approver."), http.StatusForbidden)
	case err != nil:
		s.Logger.Error("login", "err", err)
		s.renderLogin(w, r, tr(lang, "Lỗi máy chủ.", "Server error."), http.StatusInternalServerError)
	default:
		http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	}
}

func (s *Server) logoutForm(w http.ResponseWriter, r *http.Request, sess store.Session) {
	s.logout(w, r, sess)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// ---- overview ----

type coverageBar struct {
	Code, Name, Short string
	Airings           int
	Target            int
	Pct               float64 // of the month's target
	Width             float64 // bar width, % of the track (150 % of target fills it)
	Behind            bool
	Label             string
	TargetAbsent      bool
}

type overviewData struct {
	Month        string
	Bars         []coverageBar
	PaceX        float64 // where the month's pace is, % of the track
	FullX        float64 // the 100 % line, % of the track
	PacePct      float64
	PaceText     string
	Days         []dayPlan
	Pending      []playlist.Segment
	Expiring     []playlist.Segment
	Approved     []segmentRow // approved in the last 3 days
	Incidents    int
	IncidentsURL template.URL // the log filtered on them
	BehindList   []string
	// NextText is the next slot occurrence ("Thứ Hai 07/12 06:00 —
	// Chuyên mục CCHC buổi sáng, 13 bản tin, 3/10 phút").
	NextText string
	Status   statusJSON
}

func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	now := s.Now().In(s.Location)
	from, to, err := report.ParseMonth(now.Format("2006-01"), s.Location)
	if err != nil {
		return err
	}
	rep, err := s.Report(ctx, report.KindMonth, from, to, v.L, "")
	if err != nil {
		return err
	}
	d := overviewData{Month: rep.Period.Label, FullX: 100 / 1.5}
	if d.Status, err = s.status(ctx, v.L); err != nil {
		return err
	}
	days := to.Sub(from).Hours()/24 + 1
	d.PacePct = math.Min(100, 100*(now.Sub(from).Hours()/24)/days)
	d.PaceX = d.FullX * d.PacePct / 100
	d.PaceText = number(v.L, d.PacePct)
	for _, t := range rep.Topics {
		b := coverageBar{Code: t.Code, Name: s.topicName(t.Code, false), Short: s.topicName(t.Code, true), Airings: t.Airings, Target: t.TargetAirings}
		if t.AchievedPct != nil {
			b.Pct = *t.AchievedPct
			b.Width = math.Min(100, 100*b.Pct/150)
			b.Behind = b.Pct < d.PacePct
			b.Label = fmt.Sprintf("%d/%d (%s%%)", t.Airings, t.TargetAirings, strconv.FormatFloat(math.Round(b.Pct), 'f', 0, 64))
		} else {
			b.TargetAbsent = true
			b.Label = fmt.Sprintf("%d %s", t.Airings, tr(v.L, "lượt", "airings"))
		}
		if b.Behind {
			d.BehindList = append(d.BehindList, b.Short)
		}
		d.Bars = append(d.Bars, b)
	}
	plans, err := s.preview(ctx, s.today(), 8)
	if err != nil {
		return err
	}
	for _, p := range plans {
		if p.Start.After(s.Now()) {
			var used time.Duration
			for _, it := range p.Items {
				used += it.Segment.Duration
			}
			d.NextText = fmt.Sprintf("%s — %s, %d %s, %s/%s %s", words.ShortDateTime(v.L, p.Start.In(s.Location)), s.slotTitle(v.L, p.Slot),
				len(p.Items), tr(v.L, "bản tin", "segments"), strconv.Itoa(int(math.Round(used.Minutes()))),
				strconv.Itoa(int(p.Length.Minutes())), tr(v.L, "phút", "min"))
			break
		}
	}
	var week []playlist.Plan
	for _, p := range plans {
		if p.Start.Before(s.today().AddDate(0, 0, 7)) {
			week = append(week, p)
		}
	}
	d.Days = s.dayPlans(week, v.L)
	segs, err := s.App.Segments(ctx, false)
	if err != nil {
		return err
	}
	in, err := s.segmentInfo(ctx, false)
	if err != nil {
		return err
	}
	today := now.Format("2006-01-02")
	soon := now.AddDate(0, 0, 7).Format("2006-01-02")
	for _, seg := range segs {
		if !seg.Approved && s.Config().Approval.Required {
			d.Pending = append(d.Pending, seg)
		}
		if seg.Approved && !seg.ApprovedAt.IsZero() && s.Now().Sub(seg.ApprovedAt) < 72*time.Hour {
			d.Approved = append(d.Approved, s.segmentRow(seg, v.L, in))
		}
		if seg.ValidUntil != "" && seg.ValidUntil >= today && seg.ValidUntil <= soon {
			d.Expiring = append(d.Expiring, seg)
		}
	}
	lq := logQuery{From: s.today().AddDate(0, 0, -6), To: s.today(), Status: statusProblem}
	rows, err := s.logRows(ctx, lq)
	if err != nil {
		return err
	}
	d.Incidents = len(rows)
	d.IncidentsURL = template.URL("/log?" + url.Values{"from": {lq.From.Format("2006-01-02")}, "to": {lq.To.Format("2006-01-02")}, "status": {statusProblem}}.Encode())
	v.Data = d
	return nil
}

// ---- schedule ----

type dayPlan struct {
	Date, Label string
	Occurrences []occurrenceView
	Items       int
	Minutes     float64
	MinutesText string
	Shortfalls  int
}

type occurrenceView struct {
	Slot, SlotTitle, Time, Length string
	Day, DayDMY                   string
	Items                         []itemView
	Shortfall                     string
}

type itemView struct {
	SegmentID int64
	Time      string
	Title     string
	Topics    string
	Length    string
	Pinned    bool
}

func (s *Server) weekday(lang string, t time.Time) string {
	vi := []string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}
	return tr(lang, vi[t.Weekday()], t.Weekday().String())
}

func (s *Server) dayPlans(plans []playlist.Plan, lang string) []dayPlan {
	var out []dayPlan
	for _, p := range plans {
		start := p.Start.In(s.Location)
		date := start.Format("2006-01-02")
		if len(out) == 0 || out[len(out)-1].Date != date {
			out = append(out, dayPlan{Date: date, Label: words.Date(lang, start)})
		}
		d := &out[len(out)-1]
		ov := occurrenceView{Slot: p.Slot, SlotTitle: s.slotTitle(lang, p.Slot), Time: start.Format("15:04"), Length: words.Duration(lang, p.Length),
			Day: date, DayDMY: start.Format("02/01/2006")}
		for _, it := range p.Items {
			ov.Items = append(ov.Items, itemView{SegmentID: it.Segment.ID, Time: it.StartsAt.In(s.Location).Format("15:04:05"), Title: it.Segment.Title,
				Topics: s.topicNames(it.Segment.Topics), Length: words.Duration(lang, it.Segment.Duration), Pinned: it.Segment.PinnedTo(date, p.Slot)})
			d.Items++
			d.Minutes += it.Segment.Duration.Minutes()
		}
		if p.Shortfall != nil {
			ov.Shortfall = fmt.Sprintf("%s %s: %s", tr(lang, "Còn trống", "Unfilled"), words.Duration(lang, p.Shortfall.Unfilled), words.Shortfall(lang, p.Shortfall.Reason))
			d.Shortfalls++
		}
		d.Occurrences = append(d.Occurrences, ov)
	}
	for i := range out {
		out[i].Minutes = math.Round(out[i].Minutes*10) / 10
		out[i].MinutesText = number(lang, out[i].Minutes)
	}
	return out
}

type scheduleData struct {
	From, FromDMY string
	Days          int
	Zones         zoneFilter
	// Plan is the programme of a station of one zone; ByZone that of each
	// zone shown when there are several.
	Plan     []dayPlan
	ByZone   []zoneDayPlans
	Slots    []slotOption
	Segments []playlist.Segment
	// PinDay is the pin form's default day (tomorrow), dd/mm/yyyy.
	PinDay string
	Error  string
}

type slotOption struct{ Name, Title string }

// dayPlanView is a day of the schedule page with the page's view, for the
// "day-plan" template.
type dayPlanView struct {
	V *view
	D dayPlan
}

// zoneDayPlans is one zone's programme on the schedule page.
type zoneDayPlans struct {
	Code, Name string
	Plan       []dayPlan
}

func (s *Server) schedulePage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	from := s.today()
	if t, ok := s.parseFormDay(q.Get("from")); ok {
		from = t
	}
	days := 7
	if q.Get("days") == "1" {
		days = 1
	}
	zone, vi, en, ok := s.parseZone(q)
	if !ok {
		v.Status = http.StatusBadRequest
	}
	plans, err := s.preview(r.Context(), from, days)
	if err != nil {
		return err
	}
	d := scheduleData{From: from.Format("2006-01-02"), FromDMY: from.Format("02/01/2006"), Days: days, Zones: s.zoneFilterFor(zone, v.L),
		PinDay: s.today().AddDate(0, 0, 1).Format("02/01/2006")}
	if !ok {
		d.Error = tr(v.L, vi, en)
	}
	if zones := s.planZones(plans, zone); !d.Zones.Shown {
		d.Plan = s.dayPlans(zones[0].Plans, v.L)
	} else {
		for _, z := range zones {
			d.ByZone = append(d.ByZone, zoneDayPlans{Code: z.Zone.Code, Name: z.Zone.Name, Plan: s.dayPlans(z.Plans, v.L)})
		}
	}
	for _, sl := range s.App.Slots() {
		d.Slots = append(d.Slots, slotOption{sl.Name, s.slotTitle(v.L, sl.Name)})
	}
	segs, err := s.App.Segments(r.Context(), false)
	if err != nil {
		return err
	}
	for _, seg := range segs { // what can be pinned: what can air
		if seg.Priority != playlist.PriorityEmergency && (seg.Approved || !s.Config().Approval.Required) {
			d.Segments = append(d.Segments, seg)
		}
	}
	v.Data = d
	return nil
}

// ---- segments ----

type segmentRow struct {
	playlist.Segment
	TopicsText, Length, PriorityText, Valid, State string
	Pending, Rejected                              bool
	// Uploaded is who loaded it and when; Approval who approved it (name,
	// job title, date); RejectReason the approver's refusal.
	Uploaded, Approval, RejectReason string
	NextAiring                       string
	Aired                            int
	Urgent                           bool // priority or emergency: shown on every screen size
	ValidFromDMY, ValidUntilDMY      string
}

type segmentsData struct {
	Filter segmentFilter
	Rows   []segmentRow
	Topics []topicOption
}

type topicOption struct{ Code, Name, Short string }

func (s *Server) topicOptions() []topicOption {
	var out []topicOption
	for _, t := range s.Config().Topics {
		out = append(out, topicOption{t.Code, t.Name, words.ShortTopic(t.Code, t.Name)})
	}
	return out
}

// segmentInfo is what the segment rows are built with beside the library.
type segmentInfo struct {
	reviews map[int64]store.Review
	users   map[string]store.User
	aired   map[int64]int
	next    map[int64]time.Time
}

func (s *Server) segmentInfo(ctx context.Context, withNext bool) (segmentInfo, error) {
	var in segmentInfo
	var err error
	if in.reviews, err = s.App.Reviews(ctx); err != nil {
		return in, err
	}
	us, err := s.App.Users(ctx)
	if err != nil {
		return in, err
	}
	in.users = map[string]store.User{}
	for _, u := range us {
		in.users[u.Name] = u
	}
	if in.aired, err = s.App.CompletedAirings(ctx); err != nil {
		return in, err
	}
	in.next = map[int64]time.Time{}
	if withNext {
		plans, err := s.preview(ctx, s.today(), 7)
		if err != nil {
			return in, err
		}
		now := s.Now()
		for _, p := range plans {
			for _, it := range p.Items {
				if it.StartsAt.After(now) {
					if _, seen := in.next[it.Segment.ID]; !seen {
						in.next[it.Segment.ID] = it.StartsAt
					}
				}
			}
		}
	}
	return in, nil
}

// personName is "Nguyễn Văn An (Chủ tịch UBND xã)", or the login name.
func personName(u store.User, login string) string {
	if u.FullName == "" {
		if u.JobTitle != "" {
			return login + " (" + u.JobTitle + ")"
		}
		return login
	}
	if u.JobTitle != "" {
		return u.FullName + " (" + u.JobTitle + ")"
	}
	return u.FullName
}

func (s *Server) segmentRow(seg playlist.Segment, lang string, in segmentInfo) segmentRow {
	row := segmentRow{Segment: seg, TopicsText: s.topicNames(seg.Topics), Length: words.Duration(lang, seg.Duration),
		PriorityText: words.Priority(lang, seg.Priority), Urgent: seg.Priority != playlist.PriorityNormal && seg.Priority != "",
		ValidFromDMY: dmy(seg.ValidFrom), ValidUntilDMY: dmy(seg.ValidUntil), Aired: in.aired[seg.ID]}
	switch {
	case seg.ValidFrom != "" && seg.ValidUntil != "":
		row.Valid = dmy(seg.ValidFrom) + " – " + dmy(seg.ValidUntil)
	case seg.ValidFrom != "":
		row.Valid = tr(lang, "từ ", "from ") + dmy(seg.ValidFrom)
	case seg.ValidUntil != "":
		row.Valid = tr(lang, "đến hết ", "until ") + dmy(seg.ValidUntil)
	}
	rev := in.reviews[seg.ID]
	if !seg.ImportedAt.IsZero() {
		row.Uploaded = words.Stamp(seg.ImportedAt.In(s.Location))
		if rev.UploadedBy != "" {
			row.Uploaded = personName(in.users[rev.UploadedBy], rev.UploadedBy) + ", " + row.Uploaded
		}
	}
	if t, ok := in.next[seg.ID]; ok {
		row.NextAiring = words.ShortDateTime(lang, t.In(s.Location))
	}
	switch {
	case seg.Retired && !rev.RejectedAt.IsZero():
		row.Rejected, row.RejectReason = true, rev.RejectReason
		row.State = tr(lang, "bị từ chối", "refused") + " — " + personName(in.users[rev.RejectedBy], rev.RejectedBy) + ", " +
			rev.RejectedAt.In(s.Location).Format("02/01/2006")
	case seg.Retired:
		row.State = tr(lang, "đã gỡ", "retired")
	case seg.Approved:
		row.State = tr(lang, "đã duyệt", "approved")
		if seg.ApprovedBy != "" {
			row.Approval = personName(in.users[seg.ApprovedBy], seg.ApprovedBy)
			if !seg.ApprovedAt.IsZero() {
				row.Approval += ", " + seg.ApprovedAt.In(s.Location).Format("02/01/2006 15:04")
			}
			row.State += " — " + row.Approval
		}
	default:
		row.State, row.Pending = tr(lang, "chờ duyệt", "awaiting approval"), true
	}
	return row
}

func (s *Server) segmentsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	f := segmentFilter{Q: q.Get("q"), Topic: q.Get("topic"), State: q.Get("state")}
	in, err := s.segmentInfo(r.Context(), true)
	if err != nil {
		return err
	}
	all, err := s.App.Segments(r.Context(), true)
	if err != nil {
		return err
	}
	d := segmentsData{Filter: f, Topics: s.topicOptions()}
	for i := len(all) - 1; i >= 0; i-- { // newest first
		seg := all[i]
		rejected := seg.Retired && !in.reviews[seg.ID].RejectedAt.IsZero()
		switch {
		case f.State == "rejected":
			if !rejected {
				continue
			}
		case f.State == "" && rejected: // the operator sees what was refused, and why
			if !(segmentFilter{Q: f.Q, Topic: f.Topic, State: "retired"}).match(seg) {
				continue
			}
		case !f.match(seg):
			continue
		}
		d.Rows = append(d.Rows, s.segmentRow(seg, v.L, in))
	}
	v.Data = d
	return nil
}

// ---- log ----

type airingRow struct {
	Zone                               string // the zone's name
	ID                                 int64
	Scheduled, Started, Slot, Title    string
	SegmentID                          int64
	Topics, Played, Status, StatusCode string
	Reason                             string
}

func (s *Server) airingRow(a playlist.Airing, lang string) airingRow {
	started := "—"
	if !a.StartedAt.IsZero() {
		started = a.StartedAt.In(s.Location).Format("15:04:05")
	}
	sched := a.ScheduledAt.In(s.Location)
	title := a.Title
	if title == "" && a.SegmentID == 0 {
		title = tr(lang, "(không có bản tin để phát)", "(no segment to air)")
	}
	return airingRow{Zone: s.zoneName(a.Zone), ID: a.ID, Scheduled: words.Date(lang, sched) + " " + sched.Format("15:04:05"), Started: started, Slot: s.slotTitle(lang, a.Slot),
		Title: title, SegmentID: a.SegmentID, Topics: s.topicNames(a.Topics), Played: words.Duration(lang, a.Played),
		Status: words.Status(lang, a.Status), StatusCode: string(a.Status), Reason: words.Reason(lang, a.Reason)}
}

type logData struct {
	Zones                   zoneFilter
	From, To, Topic, Status string
	FromDMY, ToDMY          string
	Rows                    []airingRow
	Topics                  []topicOption
	CSV                     string
	Error                   string
}

func (s *Server) logPage(w http.ResponseWriter, r *http.Request, v *view) error {
	lq, vi, en, ok := s.parseLogQuery(r)
	d := logData{Topics: s.topicOptions()}
	if !ok {
		d.Error = tr(v.L, vi, en)
		v.Status = http.StatusBadRequest
		lq = logQuery{From: s.today(), To: s.today()}
	}
	d.From, d.To, d.Topic, d.Status = lq.From.Format("2006-01-02"), lq.To.Format("2006-01-02"), lq.Topic, lq.Status
	d.Zones = s.zoneFilterFor(lq.Zone, v.L)
	d.FromDMY, d.ToDMY = lq.From.Format("02/01/2006"), lq.To.Format("02/01/2006")
	rows, err := s.logRows(r.Context(), lq)
	if err != nil {
		return err
	}
	for _, a := range rows {
		d.Rows = append(d.Rows, s.airingRow(a.Airing, v.L))
	}
	csvQ := url.Values{"from": {d.From}, "to": {d.To}, "format": {"csv"}}
	if d.Topic != "" {
		csvQ.Set("topic", d.Topic)
	}
	if d.Status != "" {
		csvQ.Set("status", d.Status)
	}
	if lq.Zone != "" {
		csvQ.Set("zone", lq.Zone)
	}
	d.CSV = "/api/log?" + csvQ.Encode()
	v.Data = d
	return nil
}

// ---- play ----

func (s *Server) playPage(w http.ResponseWriter, r *http.Request, v *view) error {
	segs, err := s.App.Segments(r.Context(), false)
	if err != nil {
		return err
	}
	var rows []segmentRow
	in, err := s.segmentInfo(r.Context(), false)
	if err != nil {
		return err
	}
	for _, seg := range segs {
		if seg.Approved || !s.Config().Approval.Required {
			rows = append(rows, s.segmentRow(seg, v.L, in))
		}
	}
	v.Data = rows
	return nil
}

// ---- now ----

func (s *Server) nowPage(w http.ResponseWriter, r *http.Request, v *view) error {
	st, err := s.status(r.Context(), v.L)
	if err != nil {
		return err
	}
	st.Air = v.Air
	v.Data = st
	return nil
}

// ---- system ----

type systemData struct {
	ConfigPath, ConfigText string
	Audio, AudioProblem    string
	AudioText              string
	AudioOK                bool
	Disks                  []diskFree
	LastAiring             string
	Version                string
	Users                  []store.User
	Database               string
	Province               *provinceJSON
}

type diskFree struct {
	Label, Path, Free, Total string
	Low                      bool
}

func statDisk(lang, label, p string) diskFree {
	d := diskFree{Label: label, Path: p, Free: "?", Total: "?"}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(p, &fs); err != nil {
		return d
	}
	free := float64(fs.Bavail) * float64(fs.Bsize)
	total := float64(fs.Blocks) * float64(fs.Bsize)
	d.Free, d.Total = number(lang, free/1e9)+" GB", number(lang, total/1e9)+" GB"
	d.Low = free < 1e9
	return d
}

func (s *Server) systemPage(w http.ResponseWriter, r *http.Request, v *view) error {
	d := systemData{ConfigPath: s.ConfigPath, Version: s.Version, Database: s.App.DatabasePath()}
	if b, err := os.ReadFile(s.ConfigPath); err == nil {
		d.ConfigText = icecast.RedactText(string(b)) // no stream's source password
	} else {
		d.ConfigText = err.Error()
	}
	st, err := s.status(r.Context(), v.L)
	if err != nil {
		return err
	}
	d.Audio, d.AudioOK, d.AudioProblem = st.Output, st.AudioOK && st.Running, st.Problem
	d.Province = st.Province
	d.AudioText = v.Air.Text
	d.Disks = []diskFree{statDisk(v.L, tr(v.L, "Dữ liệu", "Data"), s.DataDir), statDisk(v.L, tr(v.L, "Thư mục bản tin", "Media folder"), s.MediaDir)}
	a, err := s.App.LatestAiring(r.Context())
	switch {
	case errors.Is(err, store.ErrNotFound):
		d.LastAiring = tr(v.L, "chưa có lượt phát nào", "nothing has aired yet")
	case err != nil:
		return err
	default:
		d.LastAiring = fmt.Sprintf("%s — %s (%s)", words.DateTime(v.L, a.StartedAt.In(s.Location)), a.Title, words.Status(v.L, a.Status))
	}
	if d.Users, err = s.App.Users(r.Context()); err != nil {
		return err
	}
	v.Data = d
	return nil
}

// ---- audit ----

type auditRow struct {
	At, User, Action, Object, Detail string
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, v *view) error {
	trail, err := s.App.AuditTrail(r.Context(), 500)
	if err != nil {
		return err
	}
	var rows []auditRow
	for _, e := range trail {
		rows = append(rows, auditRow{At: words.Stamp(e.At.In(s.Location)), User: e.User, Action: actionName(v.L, e.Action), Object: e.Object, Detail: e.Detail})
	}
	v.Data = rows
	return nil
}

// number writes v with one decimal, a comma for it in Vietnamese.
func number(lang string, v float64) string { return words.Decimal(lang, v, 1) }
