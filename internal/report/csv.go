package report

import (
	"io"
	"strconv"

	"github.com/truyenthanh/cchc/internal/csvsafe"
)

// bom makes Excel read the file as UTF-8 and show Vietnamese correctly.
var bom = []byte{0xEF, 0xBB, 0xBF}

// WriteCSV writes one row per topic, a totals row (with zones, a first
// column names the zone, and each zone's rows follow the commune's) and, after a blank row,
// "cụm loa nhận" when the report has streams and the chain head at the
// period's end (sentences in the name column), UTF-8 with a byte-order
// mark, header in Vietnamese (lang "vi" or "") or English ("en"). Numbers use
// a decimal point; a missing target or percentage is an empty cell.
func (r Report) WriteCSV(w io.Writer, lang string) error {
	wd, err := wordsFor(lang)
	if err != nil {
		return err
	}
	if _, err := w.Write(bom); err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w) // formula injection guarded
	// With zones, a first column names the zone of each row: the
	// commune-wide rows, then each zone's (or the one zone's of a report
	// of one zone).
	zoned := r.MultiZone() || r.Zone != ""
	header := wd.csvHeader
	if zoned {
		header = append([]string{wd.colZone}, header...)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	table := func(zone string, topics []TopicRow, totals Totals) error {
		row := func(cells ...string) []string {
			if zoned {
				return append([]string{zone}, cells...)
			}
			return cells
		}
		for _, t := range topics {
			pct := ""
			if t.AchievedPct != nil {
				pct = dec(*t.AchievedPct)
			}
			ta, tm := "", ""
			if t.TargetAirings > 0 {
				ta = strconv.Itoa(t.TargetAirings)
			}
			if t.TargetMinutes > 0 {
				tm = dec(t.TargetMinutes)
			}
			if err := cw.Write(row(t.Code, t.Name, ta, tm, strconv.Itoa(t.Airings),
				dec(t.Minutes), strconv.Itoa(t.Segments), pct)); err != nil {
				return err
			}
		}
		return cw.Write(row("", wd.total, "", "", strconv.Itoa(totals.Airings),
			dec(totals.Minutes), strconv.Itoa(totals.Segments), ""))
	}
	switch {
	case r.MultiZone():
		if err := table(wd.allZones, r.Topics, r.Totals); err != nil {
			return err
		}
		for _, z := range r.Zones {
			if err := table(z.Name, z.Topics, z.Totals); err != nil {
				return err
			}
		}
	case r.Zone != "":
		z, _ := r.only()
		if err := table(z.Name, r.Topics, r.Totals); err != nil {
			return err
		}
	default:
		if err := table("", r.Topics, r.Totals); err != nil {
			return err
		}
	}
	// The chain head, after a blank row: a sentence in the name column, so
	// that the table above keeps its columns.
	if err := cw.Write(make([]string, len(header))); err != nil {
		return err
	}
	sentence := func(text string) error {
		row := make([]string, len(header))
		row[len(header)-len(wd.csvHeader)+1] = text
		return cw.Write(row)
	}
	// "Cụm loa nhận" (reach.go), with streams only: its heading and a line
	// per zone, sentences too.
	for _, l := range r.reachLines(wd.lang) {
		if err := sentence(l); err != nil {
			return err
		}
	}
	if err := sentence(wd.chainLine(r.ChainHead)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func dec(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
