package province

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"time"

	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/store"
)

// Period is a report's period as the operator chose it.
type Period struct {
	Kind     string // report.KindMonth, KindQuarter or KindYear
	From, To time.Time
	// Value is what was typed: 2026-11, 2026-Q4, 2026.
	Value string
}

// ParsePeriod reads exactly one of month (YYYY-MM), quarter (YYYY-Qn) and
// year (YYYY). A bad value is a *report.PeriodError; none or several is
// ErrPeriodChoice.
func ParsePeriod(month, quarter, year string, loc *time.Location) (Period, error) {
	set := 0
	for _, v := range []string{month, quarter, year} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return Period{}, ErrPeriodChoice
	}
	var p Period
	var err error
	switch {
	case month != "":
		p.Kind, p.Value = report.KindMonth, month
		p.From, p.To, err = report.ParseMonth(month, loc)
	case quarter != "":
		p.Kind, p.Value = report.KindQuarter, quarter
		p.From, p.To, err = report.ParseQuarter(quarter, loc)
	default:
		p.Kind, p.Value = report.KindYear, year
		p.From, p.To, err = report.ParseYear(year, loc)
	}
	return p, err
}

// ErrPeriodChoice: not exactly one of month, quarter and year.
var ErrPeriodChoice = errors.New("choose exactly one period: --month YYYY-MM, --quarter YYYY-Qn or --year YYYY")

// Formats of the province report.
var Formats = []string{"text", "csv", "json", "html", "xlsx", "docx"}

// WriteReport writes the report in a format.
func WriteReport(w io.Writer, p report.Province, format, lang string) error {
	switch format {
	case "json":
		return p.WriteJSON(w)
	case "csv":
		return p.WriteCSV(w, lang)
	case "html":
		return p.WriteHTML(w, lang)
	case "xlsx":
		return p.WriteXLSX(w, lang)
	case "docx":
		return p.WriteDOCX(w, lang)
	case "text":
		return p.WriteText(w, lang)
	}
	return fmt.Errorf("report format %q: want one of text, csv, json, html, xlsx, docx", format)
}

// contentTypes of the downloads.
var contentTypes = map[string]string{
	"text": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8",
	"html": "text/html; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"txt":  "text/plain; charset=utf-8",
}

type reportsData struct {
	Month, Quarter, Year string
	Key, Value           string // the period's query parameter, for the download links
	Formats              []string
	Report               *report.Province
	Body                 template.HTML
}

func (s *Server) reportsPage(r *http.Request, v *view) error {
	q := r.URL.Query()
	d := reportsData{Month: q.Get("month"), Quarter: q.Get("quarter"), Year: q.Get("year"), Formats: Formats}
	if d.Month == "" && d.Quarter == "" && d.Year == "" {
		d.Month = report.DefaultMonth(s.Now(), s.Location).Format("2006-01")
	}
	p, err := ParsePeriod(d.Month, d.Quarter, d.Year, s.Location)
	if err != nil {
		var pe *report.PeriodError
		if errors.As(err, &pe) {
			v.Error = pe.Localize(v.L)
		} else {
			v.Error = tr(v.L, "Chọn đúng một kỳ: tháng, quý hoặc năm", "Choose exactly one period: a month, a quarter or a year")
		}
		v.Data = d
		return nil
	}
	rep, err := s.BuildReport(r, p)
	if err != nil {
		return err
	}
	d.Report = &rep
	d.Key, d.Value = p.Kind, p.Value // month, quarter, year: the parameters' names
	v.Data = d
	return nil
}

func (s *Server) downloadReport(w http.ResponseWriter, r *http.Request, _ store.Session, lang string) {
	q := r.URL.Query()
	p, err := ParsePeriod(q.Get("month"), q.Get("quarter"), q.Get("year"), s.Location)
	if err != nil {
		var pe *report.PeriodError
		msg := tr(lang, "Chọn đúng một kỳ: tháng, quý hoặc năm", "Choose exactly one period: a month, a quarter or a year")
		if errors.As(err, &pe) {
			msg = pe.Localize(lang)
		}
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	format := q.Get("format")
	if _, ok := contentTypes[format]; !ok || format == "txt" {
		http.Error(w, tr(lang, "Định dạng "+format+" không có: dùng text, csv, json, html, xlsx hoặc docx", "No format "+format+": use text, csv, json, html, xlsx or docx"), http.StatusBadRequest)
		return
	}
	rep, err := s.BuildReport(r, p)
	if err != nil {
		s.Logger.Error("province report", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, rep, format, lang); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ext := map[string]string{"text": "txt"}[format]
	if ext == "" {
		ext = format
	}
	w.Header().Set("Content-Type", contentTypes[format])
	w.Header().Set("Content-Disposition", `attachment; filename="bao-cao-tinh-`+p.Value+`.`+ext+`"`)
	_, _ = w.Write(buf.Bytes())
}

// BuildReport builds the province report of a period from the store.
func (s *Server) BuildReport(r *http.Request, p Period) (report.Province, error) {
	return BuildReport(r.Context(), s.Store, ReportInput{Period: p, Topics: s.Topics, Header: s.Header, Location: s.Location, Issued: s.Now()})
}
