package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/store"
)

// reportFormat is one way to download a report. The report page offers a
// button for each and /api/report?format= serves each.
type reportFormat struct {
	Name   string // the format= value and the file's extension
	Type   string // Content-Type
	VI, EN string // the button's label
	Inline bool   // shown in the browser unless download=1
	Write  func(r *report.Report, w io.Writer, lang string) error
}

// reportFormats are the downloads, in the order of the page's buttons:
// adding a format is a line here.
func reportFormats() []reportFormat {
	return []reportFormat{
		{"html", "text/html; charset=utf-8", "Tải HTML", "Download HTML", true, (*report.Report).WriteHTML},
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Tải Excel (XLSX)", "Download Excel (XLSX)", false, (*report.Report).WriteXLSX},
		{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Tải Word (DOCX)", "Download Word (DOCX)", false, (*report.Report).WriteDOCX},
		{"csv", "text/csv; charset=utf-8", "Tải CSV", "Download CSV", false, (*report.Report).WriteCSV},
		{"json", "application/json; charset=utf-8", "Tải JSON (dữ liệu)", "Download JSON (data)", true, func(r *report.Report, w io.Writer, _ string) error { return r.WriteJSON(w) }},
	}
}

// period is a report's period as asked for.
type period struct {
	Kind     string    // report.KindMonth, KindQuarter or KindYear
	From, To time.Time // first and last day, midnight in the station's zone
	// Zone is the code of the one zone reported on; "" for the commune.
	Zone string
}

// Param is the query parameter that names the period: month, quarter or year.
func (p period) Param() string { return p.Kind }

// Value is the period in the form the parameter takes: 2026-11, 2026-Q4, 2026.
func (p period) Value() string {
	switch p.Kind {
	case report.KindQuarter:
		return fmt.Sprintf("%d-Q%d", p.From.Year(), (int(p.From.Month())-1)/3+1)
	case report.KindYear:
		return p.From.Format("2006")
	}
	return p.From.Format("2006-01")
}

// query is the URL query that asks for p, with extra pairs.
func (p period) query(extra ...string) string {
	q := url.Values{p.Param(): {p.Value()}}
	if p.Zone != "" {
		q.Set("zone", p.Zone)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q.Encode()
}

// reportPeriod reads the period of a report request: month= (2026-11,
// 11/2026), quarter= (2026-Q4, Q4/2026) or year= (2026); kind= with
// period= (the page's older links) too. With none, the default month: the
// previous one during the first ten days of a month, else the current one.
// A bad value is a *report.PeriodError.
func (s *Server) reportPeriod(r *http.Request) (period, error) {
	q := r.URL.Query()
	if k, v := q.Get("kind"), q.Get("period"); v != "" && (k == report.KindMonth || k == report.KindQuarter || k == report.KindYear) && q.Get(k) == "" {
		q.Set(k, v)
	}
	p := period{}
	var err error
	switch {
	case q.Get("month") != "":
		p.Kind = report.KindMonth
		p.From, p.To, err = report.ParseMonth(q.Get("month"), s.Location)
	case q.Get("quarter") != "":
		p.Kind = report.KindQuarter
		p.From, p.To, err = report.ParseQuarter(q.Get("quarter"), s.Location)
	case q.Get("year") != "":
		p.Kind = report.KindYear
		p.From, p.To, err = report.ParseYear(q.Get("year"), s.Location)
	default:
		p.Kind = report.KindMonth
		p.From = report.DefaultMonth(s.Now(), s.Location)
		p.To = p.From.AddDate(0, 1, -1)
	}
	return p, err
}

// periodMessage is what the operator reads about a bad period.
func periodMessage(err error, lang string) string {
	var pe *report.PeriodError
	if errors.As(err, &pe) {
		return pe.Localize(lang)
	}
	return err.Error()
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request, _ store.Session) {
	p, err := s.reportPeriod(r)
	if err != nil {
		s.jsonError(w, r, http.StatusBadRequest, periodMessage(err, "vi"), periodMessage(err, "en"))
		return
	}
	name := r.URL.Query().Get("format")
	if name == "" {
		name = "json"
	}
	var format *reportFormat
	var names []string
	for _, f := range reportFormats() {
		names = append(names, f.Name)
		if f.Name == name {
			format = &f
		}
	}
	if format == nil {
		s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("format=%q: dùng %s", name, strings.Join(names, ", ")),
			fmt.Sprintf("format=%q: use %s", name, strings.Join(names, ", ")))
		return
	}
	lang := s.lang(nil, r)
	zone, vi, en, ok := s.parseZone(r.URL.Query())
	if !ok {
		s.jsonError(w, r, http.StatusBadRequest, vi, en)
		return
	}
	rep, err := s.Report(r.Context(), p.Kind, p.From, p.To, lang, zone)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", format.Type)
	if !format.Inline || r.URL.Query().Get("download") != "" {
		name := "bao-cao-" + p.From.Format("2006-01-02") + "-" + p.To.Format("2006-01-02")
		if zone != "" {
			name += "-" + zone // a code: [a-z0-9-]+
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format.Name))
	}
	if err := format.Write(&rep, w, lang); err != nil {
		s.Logger.Error("report", "format", format.Name, "err", err)
	}
}

// ---- the report page ----

// reportLink is a button of the report page.
type reportLink struct {
	ID, Href, Label string
	NewTab          bool
}

// option is an entry of a picker.
type option struct {
	Value, Label string
	Selected     bool
}

type reportsData struct {
	Zones     zoneFilter
	ZoneName  string // the one zone reported on
	Period    period
	Month     string // the month picker's value, YYYY-MM
	Months    []option
	Quarters  []option
	Years     []option
	Links     []reportLink
	Report    *report.Report
	Error     string
	BadPeriod bool
}

// pickerYears is how many years back the quarter and year pickers go.
const pickerYears = 5

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := s.reportPeriod(r)
	zone, vi, en, ok := s.parseZone(r.URL.Query())
	if err == nil && !ok {
		err = errors.New(tr(v.L, vi, en))
	}
	p.Zone = zone
	d := reportsData{Period: p, Zones: s.zoneFilterFor(zone, v.L)}
	if zone != "" {
		d.ZoneName = s.zoneName(zone)
	}
	if err != nil {
		d.Error, d.BadPeriod = periodMessage(err, v.L), true
		v.Status = http.StatusBadRequest
		p.From = report.DefaultMonth(s.Now(), s.Location)
	}
	d.Month = p.From.Format("2006-01")
	// The pickers show the chosen period; each starts where it overlaps.
	selQ := period{Kind: report.KindQuarter, From: p.From}.Value()
	selY := p.From.Format("2006")
	top := s.Now().In(s.Location).Year()
	if p.From.Year() > top {
		top = p.From.Year()
	}
	bottom := min(top-pickerYears, p.From.Year())
	for y := top; y >= bottom; y-- {
		ys := fmt.Sprint(y)
		d.Years = append(d.Years, option{Value: ys, Label: ys, Selected: ys == selY})
		for q := 4; q >= 1; q-- {
			qv := fmt.Sprintf("%d-Q%d", y, q)
			d.Quarters = append(d.Quarters, option{Value: qv, Label: fmt.Sprintf(tr(v.L, "Quý %d/%d", "Q%d %d"), q, y), Selected: qv == selQ})
		}
		// Months as the operator writes them (not the browser's locale).
		thisMonth := s.Now().In(s.Location).Format("2006-01")
		for m := 12; m >= 1; m-- {
			mv := fmt.Sprintf("%d-%02d", y, m)
			if mv > thisMonth && mv != d.Month {
				continue
			}
			d.Months = append(d.Months, option{Value: mv, Label: fmt.Sprintf(tr(v.L, "Tháng %d/%d", "%02d/%d"), m, y), Selected: mv == d.Month})
		}
	}
	if err == nil {
		rep, err := s.Report(r.Context(), p.Kind, p.From, p.To, v.L, zone)
		if err != nil {
			return err
		}
		d.Report = &rep
		d.Links = append(d.Links, reportLink{ID: "report-view", Href: "/api/report?" + p.query("format", "html"),
			Label: tr(v.L, "Xem bản in (HTML)", "View for printing (HTML)"), NewTab: true})
		for _, f := range reportFormats() {
			q := p.query("format", f.Name)
			if f.Inline {
				q = p.query("format", f.Name, "download", "1")
			}
			d.Links = append(d.Links, reportLink{ID: "report-" + f.Name, Href: "/api/report?" + q, Label: tr(v.L, f.VI, f.EN)})
		}
	}
	v.Data = d
	return nil
}
