package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Layout of the text form.
const (
	minPage       = 80 // page width when the table is narrower
	topicColWidth = 30 // topic names wrap at this width
	signatureGap  = 3  // blank lines left for the signature
)

// WriteText writes the report as the administrative form, in Vietnamese
// (lang "vi" or "") or English ("en"), for a terminal or a plain-text file.
func (r Report) WriteText(w io.Writer, lang string) error {
	wd, err := wordsFor(lang)
	if err != nil {
		return err
	}
	from, okFrom := parseCivil(r.Period.From)
	to, okTo := parseCivil(r.Period.To)
	if !okFrom || !okTo {
		return fmt.Errorf("report period %q to %q: want YYYY-MM-DD dates", r.Period.From, r.Period.To)
	}

	tbl := topicTable(wd, r.Topics, r.Totals)
	page := minPage
	for _, l := range tbl {
		page = max(page, width(l))
	}
	lw := page * 2 / 5
	rw := page - lw

	var b strings.Builder
	line := func(s string) { b.WriteString(strings.TrimRight(s, " ")); b.WriteByte('\n') }
	lines := func(ls []string) {
		for _, l := range ls {
			line(l)
		}
	}

	// Header: the issuing body on the left, the nation and motto on the
	// right; the document number and the date share the last lines.
	var left []string
	if r.Header.Superior != "" {
		left = append(left, wrap(r.Header.Superior, lw-2)...)
	}
	left = append(left, wrap(r.Header.Committee, lw-2)...)
	left = append(left, strings.Repeat("─", min(10, max(4, width(r.Header.Committee)/3))))
	right := []string{wd.nation, wd.motto, strings.Repeat("─", width(wd.motto))}
	for len(left) < len(right) {
		left = append(left, "")
	}
	for len(right) < len(left) {
		right = append(right, "")
	}
	suffix := r.Header.DocNumberSuffix
	if suffix == "" {
		suffix = "BC-UBND"
	}
	left = append(left, wd.docNo+suffix)
	right = append(right, wrap(wd.issuedLine(r.Header.Commune, r.Issued), rw-2)...)
	lines(columns(left, right, lw, rw, false))
	line("")

	// Title.
	line(center(wd.title, page))
	// The subtitle on one line if it fits, else the period on a line of its own.
	sub, label := strings.TrimSpace(wd.subtitle), periodLabel(r.Period.Kind, from, to, wd.lang)
	subLines := []string{sub + " " + label}
	if width(subLines[0]) > page-4 {
		subLines = append(wrap(sub, page-4), wrap(label, page-4)...)
	}
	for _, l := range subLines {
		line(center(l, page))
	}
	line("")
	line(fmt.Sprintf(wd.periodLine, wd.periodDate(from), wd.periodDate(to)))
	if z, ok := r.only(); ok {
		line(fmt.Sprintf(wd.zoneLine, z.Name, z.Code))
	}
	line("")

	// I. Coverage by topic.
	line(wd.secTopics)
	lines(tbl)
	var below []string
	for i, t := range r.Topics {
		if !t.BelowTarget {
			continue
		}
		rs := make([]string, len(t.Reasons))
		for j, rr := range t.Reasons {
			rs[j] = rr.TextIn(wd.lang)
		}
		item := fmt.Sprintf("- %d. %s (%s%%): %s.", i+1, t.Name, wd.num(pctOr0(t.AchievedPct)), strings.Join(rs, "; "))
		below = append(below, hang(item, page, "  ")...)
	}
	if len(below) > 0 {
		line(wd.belowHeading)
		lines(below)
	}
	lines(wrap(wd.multiTopicNote, page))
	if r.MultiZone() {
		line("")
		line(wd.zonesHeading)
		lines(wrap(wd.zonesNote, page))
		for _, z := range r.Zones {
			line("")
			line(r.zoneTitle(wd, z))
			lines(topicTable(wd, z.Topics, z.Totals))
		}
	}
	line("")

	// II. Totals.
	line(wd.secTotals)
	tot := r.Totals
	for _, kv := range [][2]string{
		{wd.totAirings, strconv.Itoa(tot.Airings)},
		{wd.totMinutes, wd.num(tot.Minutes) + " " + wd.minutesUnit},
		{wd.totSegments, strconv.Itoa(tot.Segments)},
		{wd.totInterrupted, strconv.Itoa(tot.Interrupted)},
		{wd.totMissed, strconv.Itoa(tot.Missed)},
		{wd.totFailed, strconv.Itoa(tot.Failed)},
	} {
		line("- " + kv[0] + ": " + kv[1] + ".")
	}
	line("")

	// III. Airings not completed.
	line(wd.secIncidents)
	if len(r.Incidents) == 0 {
		line(wd.noIncidents)
	}
	for i, in := range r.Incidents {
		lines(hang(r.incidentLine(wd, i+1, in), page, "   "))
	}
	line("")

	// IV. Day by day.
	line(wd.secDays)
	lines(r.daysText(wd, page))
	line("")

	// V. Who received the streams (reach.go); absent without streams.
	if rl := r.reachLines(lang); len(rl) > 0 {
		for _, l := range rl {
			lines(hang(l, page, "  "))
		}
		line("")
	}

	// The chain head: the signed paper pins the log.
	lines(wrap(wd.chainLine(r.ChainHead), page))
	line("")

	// Recipients on the left, signer on the right.
	rec := []string{wd.recipients}
	for _, x := range r.Header.Recipients {
		rec = append(rec, hang("- "+x, lw-2, "  ")...)
	}
	var sign []string
	for _, l := range strings.Split(r.Header.SignerTitle, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			sign = append(sign, wrap(l, rw-2)...)
		}
	}
	for range signatureGap {
		sign = append(sign, "")
	}
	sign = append(sign, r.Header.SignerName)
	lines(columns(rec, sign, lw, rw, true))

	_, err = io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

// topicTable renders a coverage table: the commune's or a zone's.
func topicTable(wd words, topics []TopicRow, totals Totals) []string {
	cols := []column{
		{head: wd.colNo, right: true},
		{head: wd.colTopic, max: topicColWidth},
		{head: wd.colTargetAirings, right: true},
		{head: wd.colTargetMinutes, right: true},
		{head: wd.colAirings, right: true},
		{head: wd.colMinutes, right: true},
		{head: wd.colSegments, right: true},
		{head: wd.colPct, right: true},
	}
	body := make([][]string, 0, len(topics))
	for i, t := range topics {
		name := t.Name
		if t.Unplanned {
			name += "\n" + wd.unplanned
		}
		if t.BelowTarget {
			name += "\n" + wd.belowFlag
		}
		tm := "-"
		if t.TargetMinutes > 0 {
			tm = wd.num(t.TargetMinutes)
		}
		pct := "-"
		if t.AchievedPct != nil {
			pct = wd.num(*t.AchievedPct)
		}
		body = append(body, []string{
			strconv.Itoa(i + 1), name, intOrDash(t.TargetAirings), tm,
			strconv.Itoa(t.Airings), wd.num(t.Minutes), strconv.Itoa(t.Segments), pct,
		})
	}
	foot := [][]string{{"", wd.total, "", "", strconv.Itoa(totals.Airings),
		wd.num(totals.Minutes), strconv.Itoa(totals.Segments), ""}}
	return table(cols, body, foot)
}

// incidentLine is "1. 23/05/2024 06:00, Chuyên mục CCHC buổi sáng: «title»
// — bị gián đoạn: reason (đã phát 2 phút 30 giây trên 5 phút)".
func (r Report) incidentLine(wd words, n int, in Incident) string {
	layout := "02/01/2006 15:04"
	if wd.lang == "en" {
		layout = "2006-01-02 15:04"
	}
	s := fmt.Sprintf("%d. %s, %s: «%s» — %s", n, in.ScheduledAt.Format(layout), r.slotName(wd, in.Slot), in.Title, wd.status(in.Status))
	if in.Reason != "" {
		s += ": " + in.Reason
	}
	if p := wd.playedLine(in.PlayedMS, in.DurationMS); p != "" {
		s += " " + p
	}
	return s + "."
}

// hang wraps s to w columns, indenting the continuation lines.
func hang(s string, w int, indent string) []string {
	ls := wrap(s, w)
	if len(ls) <= 1 {
		return ls
	}
	out := []string{ls[0]}
	for _, l := range wrap(strings.Join(ls[1:], " "), w-width(indent)) {
		out = append(out, indent+l)
	}
	return out
}

func intOrDash(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func pctOr0(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// only is the one zone a report of one zone (report --zone) covers.
func (r Report) only() (ZoneReport, bool) {
	if r.Zone == "" {
		return ZoneReport{}, false
	}
	for _, z := range r.Zones {
		if z.Code == r.Zone {
			return z, true
		}
	}
	return ZoneReport{Code: r.Zone, Name: r.Zone}, true
}

// zoneTitle is the heading of a zone's table: "Vùng Thôn Đông (thon-dong)".
func (r Report) zoneTitle(wd words, z ZoneReport) string {
	s := fmt.Sprintf(wd.zoneHeading, z.Name, z.Code)
	if z.Unlisted {
		s += " — " + wd.unlistedZone
	}
	return s
}
