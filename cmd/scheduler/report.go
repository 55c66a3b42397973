package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/words"
)

func (m *Main) reportCommand() *cobra.Command {
	var month, quarter, year, from, to string
	cmd := &cobra.Command{
		Use:   "report (--month YYYY-MM | --quarter YYYY-Qn | --year YYYY | --from D --to D)",
		Short: "Coverage by topic against the plan (báo cáo tháng)",
		Long: `Coverage by topic against the plan, from the airing log.

Formats: text (the administrative form, for the terminal), json, csv (UTF-8
with BOM, for Excel), html (one self-contained page to print on A4), xlsx
(an Excel workbook set up to print on A4: summary, airing log, day by day)
and docx (the form as a Word document, to number, sign and stamp). Every
format prints the head of the airing log's hash chain at the period's end
(check it with log verify --head HASH). Write the binary formats with
-o FILE, e.g.

  scheduler report --month 2024-05 --format html -o bao-cao-2024-05.html
  scheduler report --month 2024-05 --format xlsx -o bao-cao-2024-05.xlsx
  scheduler report --month 2024-05 --format docx -o bao-cao-2024-05.docx`,
		Args: cobra.NoArgs,
	}
	ff := addFormatFlags(cmd, "text", "json", "csv", "html", "xlsx", "docx")
	cmd.Flags().StringVar(&month, "month", "", "month: 2026-11, 11/2026 or T11/2026")
	cmd.Flags().StringVar(&quarter, "quarter", "", "quarter: 2026-Q4 or Q4/2026")
	cmd.Flags().StringVar(&year, "year", "", "year, YYYY")
	cmd.Flags().StringVar(&from, "from", "", "first day of an ad-hoc period, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "last day of an ad-hoc period, YYYY-MM-DD")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := ff.resolve()
		if err != nil {
			return err
		}
		if (format == "xlsx" || format == "docx") && ff.outPath == "" && isTerminalWriter(m.Stdout) {
			return badInput("%s", m.T(fmt.Sprintf("--format %[1]s là tệp nhị phân, không in ra màn hình được: thêm -o bao-cao.%[1]s (hoặc chuyển hướng > bao-cao.%[1]s)", format),
				fmt.Sprintf("--format %[1]s is a binary file and cannot go to the terminal: add -o report.%[1]s (or redirect > report.%[1]s)", format)))
		}
		if err := m.load(); err != nil {
			return err
		}
		set := 0
		for _, v := range []string{month, quarter, year, from + to} {
			if v != "" {
				set++
			}
		}
		if set != 1 {
			return badInput("%s", m.T("chọn đúng một kỳ: --month YYYY-MM, --quarter YYYY-Qn, --year YYYY hoặc --from/--to", "choose exactly one period: --month YYYY-MM, --quarter YYYY-Qn, --year YYYY or --from/--to"))
		}
		var kind string
		var start, last time.Time
		switch {
		case month != "":
			kind = report.KindMonth
			start, last, err = report.ParseMonth(month, m.loc)
		case quarter != "":
			kind = report.KindQuarter
			start, last, err = report.ParseQuarter(quarter, m.loc)
		case year != "":
			kind = report.KindYear
			start, last, err = report.ParseYear(year, m.loc)
		default:
			kind = report.KindRange
			if from == "" || to == "" {
				return badInput("%s", m.T("cần cả --from và --to", "both --from and --to are needed"))
			}
			if start, err = m.parseDate("--from", from); err != nil {
				return err
			}
			if last, err = m.parseDate("--to", to); err != nil {
				return err
			}
			if last.Before(start) {
				return badInput("--to %s %s --from %s", to, m.T("sớm hơn", "is before"), from)
			}
		}
		var pe *report.PeriodError
		if errors.As(err, &pe) {
			return usageError{err}
		} else if err != nil {
			return err
		}
		st, err := m.openStore(cmd.Context())
		if err != nil {
			return err
		}
		defer st.Close()
		lang := m.language()
		rep, err := m.buildReport(cmd.Context(), st, kind, start, last, lang, format == "xlsx")
		if err != nil {
			return err
		}
		return ff.write(m.Stdout, func(w io.Writer) error {
			switch format {
			case "json":
				if !isTerminalWriter(w) {
					return rep.WriteCompactJSON(w) // a file or a pipe
				}
				return rep.WriteJSON(w)
			case "csv":
				return rep.WriteCSV(w, lang)
			case "html":
				return rep.WriteHTML(w, lang)
			case "xlsx":
				return rep.WriteXLSX(w, lang)
			case "docx":
				return rep.WriteDOCX(w, lang)
			}
			return rep.WriteText(w, lang)
		})
	}
	return cmd
}

// reportLog reads the log of [from, to) for a report: summed up by the
// database, which is what keeps a report over a long, busy log fast, or row
// by row when the rows themselves are wanted (the XLSX airing sheet) or the
// zone's offset changes within the period (days could not be cut in SQL).
// Reasons come in the report's language.
func (m *Main) reportLog(ctx context.Context, st *store.Store, from, to time.Time, lang string, rows bool) (report.Input, error) {
	offset, fixed := fixedOffset(from, to)
	if rows || !fixed {
		airings, err := st.Airings(ctx, from, to)
		for i := range airings {
			airings[i].Reason = words.Reason(lang, airings[i].Reason)
		}
		return report.Input{Airings: airings}, err
	}
	s, err := st.Summarize(ctx, from, to, offset)
	if err != nil {
		return report.Input{}, err
	}
	sum := &report.Summary{Incidents: s.Incidents}
	for i := range sum.Incidents {
		sum.Incidents[i].Reason = words.Reason(lang, sum.Incidents[i].Reason)
	}
	sum.Groups = make([]report.Group, len(s.Groups))
	for i, g := range s.Groups {
		sum.Groups[i] = report.Group{At: g.At, Topics: g.Topics, Status: g.Status, Airings: g.Airings, PlayedMS: g.PlayedMS}
	}
	sum.Aired = make([]report.Aired, len(s.Aired))
	for i, a := range s.Aired {
		sum.Aired[i] = report.Aired{Topics: a.Topics, SegmentID: a.SegmentID}
	}
	return report.Input{Summary: sum}, nil
}

// fixedOffset gives the zone's offset from UTC if it is the same at every
// midnight of [from, to] (from is a midnight in the zone).
func fixedOffset(from, to time.Time) (time.Duration, bool) {
	_, off := from.Zone()
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if _, o := d.Zone(); o != off {
			return 0, false
		}
	}
	return time.Duration(off) * time.Second, true
}

// isTerminalWriter says whether w is a terminal.
func isTerminalWriter(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// buildReport builds the report of [start, last] (calendar days, inclusive)
// from the airing log, its reasons in lang: the CLI's and the web's. rows
// asks for the airings themselves (Report.Log, the XLSX airing sheet).
func (m *Main) buildReport(ctx context.Context, st *store.Store, kind string, start, last time.Time, lang string, rows bool) (report.Report, error) {
	in, err := m.reportLog(ctx, st, start, last.AddDate(0, 0, 1), lang, rows)
	if err != nil {
		return report.Report{}, err
	}
	cfg := m.config()
	rc := cfg.Report
	in.Kind, in.From, in.To, in.Location, in.Topics = kind, start, last, m.loc, m.topics()
	in.Header = report.Header{Committee: rc.Committee, Superior: rc.Superior, Commune: cfg.Station.Commune,
		DocNumberSuffix: rc.DocSuffix, Recipients: rc.Recipients, SignerTitle: rc.SignerTitle, SignerName: rc.SignerName}
	in.Issued = time.Now().In(m.loc)
	in.SlotTitles = map[string]string{}
	for _, sl := range cfg.Schedule.Slots {
		in.SlotTitles[sl.Name] = sl.Title
	}
	end := last.AddDate(0, 0, 1)
	head, ok, err := st.ChainHeadBefore(ctx, end)
	if err != nil {
		return report.Report{}, err
	}
	if ok {
		in.ChainHead = &report.ChainHead{Hash: head.Hash, AiringID: head.AiringID, Seq: head.Seq}
	}
	return report.Build(in), nil
}
