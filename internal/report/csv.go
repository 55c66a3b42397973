package report

import (
	"io"
	"strconv"

	"github.com/truyenthanh/cchc/internal/csvsafe"
)

// bom makes Excel read the file as UTF-8 and show Vietnamese correctly.
var bom = []byte{0xEF, 0xBB, 0xBF}

// WriteCSV writes one row per topic, a totals row and, after a blank row,
// the chain head at the period's end (a sentence in the name column), UTF-8 with a byte-order
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
	if err := cw.Write(wd.csvHeader); err != nil {
		return err
	}
	for _, t := range r.Topics {
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
		if err := cw.Write([]string{t.Code, t.Name, ta, tm, strconv.Itoa(t.Airings),
			dec(t.Minutes), strconv.Itoa(t.Segments), pct}); err != nil {
			return err
		}
	}
	if err := cw.Write([]string{"", wd.total, "", "", strconv.Itoa(r.Totals.Airings),
		dec(r.Totals.Minutes), strconv.Itoa(r.Totals.Segments), ""}); err != nil {
		return err
	}
	// The chain head, after a blank row: a sentence in the name column, so
	// that the table above keeps its columns.
	if err := cw.Write(make([]string, len(wd.csvHeader))); err != nil {
		return err
	}
	chain := make([]string, len(wd.csvHeader))
	chain[1] = wd.chainLine(r.ChainHead)
	if err := cw.Write(chain); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func dec(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
