package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// WriteHTML writes the report as one self-contained HTML page (inline CSS
// and SVG, no external assets) laid out as the administrative form on A4
// paper, in Vietnamese (lang "vi" or "") or English ("en").
func (r Report) WriteHTML(w io.Writer, lang string) error {
	wd, err := wordsFor(lang)
	if err != nil {
		return err
	}
	v, err := r.htmlView(wd)
	if err != nil {
		return err
	}
	return htmlTemplate.Execute(w, v)
}

type htmlView struct {
	Lang, DocTitle                  string
	Superior, Committee, DocNo      string
	Nation, Motto, Issued           string
	Title, Subtitle, Label, PerLine string
	SecTopics, SecTotals            string
	SecIncidents, SecDays           string
	Table                           htmlTable
	ZoneLine                        string // a report of one zone
	ZonesHeading, ZonesNote         string
	Zones                           []htmlZone // the per-zone section
	BelowHeading                    string
	Below                           []string
	Note                            string
	Chart                           htmlChart
	Totals                          []string
	NoIncidents                     string
	IncHeads                        []string
	Incidents                       []htmlIncident
	Weekdays                        []string
	Months                          []htmlMonth
	DaysLegend                      string
	RecipientsHeading               string
	Recipients                      []string
	SignerTitle                     []string
	SignerName                      string
	Chain                           string
	// ReachHeading and Reach: "cụm loa nhận" (absent without streams).
	ReachHeading string
	Reach        []string
}

// htmlTable is a coverage table: the commune's or a zone's.
type htmlTable struct {
	Heads [][]string
	Rows  []htmlRow
	Total htmlRow
}

type htmlZone struct {
	Title string
	Table htmlTable
}

type htmlRow struct {
	No, Name, Flag                  string
	TargetAirings, TargetMinutes    string
	Airings, Minutes, Segments, Pct string
	Below                           bool
}

type htmlIncident struct {
	No, Time, Slot, Title, Status, Played, Reason string
}

type htmlMonth struct {
	Label string
	Weeks [][7]*htmlDay
}

type htmlDay struct {
	Day, Airings, Minutes string
	Incidents             []string // "G1", "B2"
	Idle                  bool     // nothing logged that day
}

// htmlChart is the horizontal bar chart of % achieved, in SVG user units.
type htmlChart struct {
	Title          string
	Width, Height  int
	LabelW, BarX   int
	Ticks          []htmlTick
	TargetX        float64
	TargetLabel    string
	Bars           []htmlBar
	AxisY, AxisEnd int
	TargetTop      int
}

type htmlTick struct {
	X     float64
	Label string
}

type htmlBar struct {
	Y, TextY      int
	Label, Full   string
	W             float64
	Value         string
	ValueX        float64
	Below, NoGoal bool
	Clipped       bool
}

// htmlTableOf lays out a coverage table.
func htmlTableOf(wd words, topics []TopicRow, totals Totals) htmlTable {
	var tb htmlTable
	for _, h := range []string{wd.colNo, wd.colTopic, wd.colTargetAirings, wd.colTargetMinutes,
		wd.colAirings, wd.colMinutes, wd.colSegments, wd.colPct} {
		tb.Heads = append(tb.Heads, strings.Split(h, "\n"))
	}
	for i, t := range topics {
		row := htmlRow{
			No: strconv.Itoa(i + 1), Name: t.Name,
			TargetAirings: intOrDash(t.TargetAirings), TargetMinutes: "-",
			Airings: strconv.Itoa(t.Airings), Minutes: wd.num(t.Minutes),
			Segments: strconv.Itoa(t.Segments), Pct: "-", Below: t.BelowTarget,
		}
		var flags []string
		if t.Unplanned {
			flags = append(flags, wd.unplanned)
		}
		if t.BelowTarget {
			flags = append(flags, wd.belowFlag)
		}
		row.Flag = strings.Join(flags, " ")
		if t.TargetMinutes > 0 {
			row.TargetMinutes = wd.num(t.TargetMinutes)
		}
		if t.AchievedPct != nil {
			row.Pct = wd.num(*t.AchievedPct)
		}
		tb.Rows = append(tb.Rows, row)
	}
	tb.Total = htmlRow{Name: wd.total, Airings: strconv.Itoa(totals.Airings),
		Minutes: wd.num(totals.Minutes), Segments: strconv.Itoa(totals.Segments)}
	return tb
}

// Chart geometry.
const (
	chartWidth   = 640
	chartLabelW  = 240
	chartBarX    = 250
	chartBarEnd  = 580
	chartRowH    = 21
	chartTop     = 22
	chartMaxPct  = 200 // bars above this are drawn clipped
	chartLabelAt = 36  // runes of a topic name shown beside its bar
)

func (r Report) htmlView(wd words) (htmlView, error) {
	from, okFrom := parseCivil(r.Period.From)
	to, okTo := parseCivil(r.Period.To)
	if !okFrom || !okTo {
		return htmlView{}, fmt.Errorf("report period %q to %q: want YYYY-MM-DD dates", r.Period.From, r.Period.To)
	}
	label := periodLabel(r.Period.Kind, from, to, wd.lang)
	suffix := r.Header.DocNumberSuffix
	if suffix == "" {
		suffix = "BC-UBND"
	}
	v := htmlView{
		Lang:              wd.lang,
		DocTitle:          wd.docTitle + " — " + label,
		Superior:          r.Header.Superior,
		Committee:         r.Header.Committee,
		DocNo:             wd.docNo + suffix,
		Nation:            wd.nation,
		Motto:             wd.motto,
		Issued:            wd.issuedLine(r.Header.Commune, r.Issued),
		Title:             wd.title,
		Subtitle:          strings.TrimSpace(wd.subtitle),
		Label:             label,
		PerLine:           fmt.Sprintf(wd.periodLine, wd.periodDate(from), wd.periodDate(to)),
		SecTopics:         wd.secTopics,
		SecTotals:         wd.secTotals,
		SecIncidents:      wd.secIncidents,
		SecDays:           wd.secDays,
		BelowHeading:      wd.belowHeading,
		Note:              wd.multiTopicNote,
		NoIncidents:       wd.noIncidents,
		IncHeads:          wd.incHeadings,
		DaysLegend:        wd.daysLegend,
		RecipientsHeading: wd.recipients,
		Recipients:        r.Header.Recipients,
		SignerName:        r.Header.SignerName,
		Chain:             wd.chainLine(r.ChainHead),
	}
	v.Table = htmlTableOf(wd, r.Topics, r.Totals)
	for i, t := range r.Topics {
		if t.BelowTarget {
			rs := make([]string, len(t.Reasons))
			for j, rr := range t.Reasons {
				rs[j] = rr.TextIn(wd.lang)
			}
			v.Below = append(v.Below, fmt.Sprintf("%d. %s (%s%%): %s.", i+1, t.Name, wd.num(pctOr0(t.AchievedPct)), strings.Join(rs, "; ")))
		}
	}
	if z, ok := r.only(); ok {
		v.ZoneLine = fmt.Sprintf(wd.zoneLine, z.Name, z.Code)
	}
	if r.MultiZone() {
		v.ZonesHeading, v.ZonesNote = wd.zonesHeading, wd.zonesNote
		for _, z := range r.Zones {
			v.Zones = append(v.Zones, htmlZone{Title: r.zoneTitle(wd, z), Table: htmlTableOf(wd, z.Topics, z.Totals)})
		}
	}
	tot := r.Totals
	v.Totals = []string{
		fmt.Sprintf("%s: %d.", wd.totAirings, tot.Airings),
		fmt.Sprintf("%s: %s %s.", wd.totMinutes, wd.num(tot.Minutes), wd.minutesUnit),
		fmt.Sprintf("%s: %d.", wd.totSegments, tot.Segments),
		fmt.Sprintf("%s: %d.", wd.totInterrupted, tot.Interrupted),
		fmt.Sprintf("%s: %d.", wd.totMissed, tot.Missed),
		fmt.Sprintf("%s: %d.", wd.totFailed, tot.Failed),
	}
	v.Chart = r.chart(wd)

	layout := "02/01/2006 15:04"
	if wd.lang == "en" {
		layout = "2006-01-02 15:04"
	}
	for i, in := range r.Incidents {
		played := wd.playedLine(in.PlayedMS, in.DurationMS)
		v.Incidents = append(v.Incidents, htmlIncident{No: strconv.Itoa(i + 1), Time: in.ScheduledAt.Format(layout),
			Slot: r.slotName(wd, in.Slot), Title: in.Title, Status: wd.status(in.Status), Played: played, Reason: in.Reason})
	}

	v.Weekdays = wd.weekdays[:]
	for _, m := range r.calendar() {
		hm := htmlMonth{Label: wd.monthLabel(m.first)}
		for _, wk := range m.weeks {
			var hw [7]*htmlDay
			for j, d := range wk {
				if d == nil {
					continue
				}
				hd := &htmlDay{Day: strconv.Itoa(mustAtoi(d.Date[8:])), Idle: d.Airings == 0 && d.incidents() == 0}
				if !hd.Idle {
					hd.Airings = fmt.Sprintf("%d %s", d.Airings, wd.airingsShort)
					hd.Minutes = wd.num(d.Minutes) + " " + wd.minutesUnit
				}
				for k, n := range []int{d.Interrupted, d.Missed, d.Failed} {
					if n > 0 {
						hd.Incidents = append(hd.Incidents, wd.incLetters[k]+strconv.Itoa(n))
					}
				}
				hw[j] = hd
			}
			hm.Weeks = append(hm.Weeks, hw)
		}
		v.Months = append(v.Months, hm)
	}

	for _, l := range strings.Split(r.Header.SignerTitle, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			v.SignerTitle = append(v.SignerTitle, l)
		}
	}
	// "Cụm loa nhận" (reach.go): the HTML page and the DOCX document.
	if rl := r.reachLines(wd.lang); len(rl) > 0 {
		v.ReachHeading = rl[0]
		for _, l := range rl[1:] {
			v.Reach = append(v.Reach, strings.TrimPrefix(l, "- "))
		}
	}
	return v, nil
}

// chart lays out one bar per topic: its % of target on a scale from 0 to
// the largest value (at least 100, at most chartMaxPct), with the 100 %
// target line across.
func (r Report) chart(wd words) htmlChart {
	scale := 100.0
	for _, t := range r.Topics {
		if t.AchievedPct != nil {
			scale = max(scale, *t.AchievedPct)
		}
	}
	scale = min(float64(chartMaxPct), 50*float64(int(scale+49.999)/50))
	xOf := func(p float64) float64 {
		return float64(chartBarX) + float64(chartBarEnd-chartBarX)*min(p, scale)/scale
	}
	c := htmlChart{
		Title: wd.chartTitle, Width: chartWidth, LabelW: chartLabelW, BarX: chartBarX,
		TargetX: xOf(100), TargetLabel: wd.chartTarget + " 100%",
		TargetTop: chartTop - 4,
	}
	for p := 0.0; p <= scale; p += 50 {
		c.Ticks = append(c.Ticks, htmlTick{X: xOf(p), Label: strconv.Itoa(int(p))})
	}
	for i, t := range r.Topics {
		y := chartTop + i*chartRowH
		name := fmt.Sprintf("%d. %s", i+1, t.Name)
		b := htmlBar{Y: y + 3, TextY: y + 14, Label: shorten(name, chartLabelAt), Full: name, Below: t.BelowTarget}
		if t.AchievedPct == nil {
			b.NoGoal = true
			b.Value = wd.noTarget
			b.ValueX = float64(chartBarX) + 4
		} else {
			p := *t.AchievedPct
			b.W = xOf(p) - float64(chartBarX)
			b.Clipped = p > scale
			b.Value = wd.num(p) + "%"
			b.ValueX = xOf(p) + 4
			if b.Clipped {
				b.Value = "› " + b.Value
			}
		}
		c.Bars = append(c.Bars, b)
	}
	c.AxisY = chartTop + len(r.Topics)*chartRowH + 2
	c.AxisEnd = chartBarEnd
	c.Height = c.AxisY + 16
	return c
}

// shorten cuts s to n runes at a word boundary, with an ellipsis.
func shorten(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	cut := string(rs[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;") + "…"
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
