package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/truyenthanh/cchc/internal/report"
)

func (m *Main) reportCommand() *cobra.Command {
	var month, quarter, year, from, to, zone string
	cmd := &cobra.Command{
		Use:   "report (--month YYYY-MM | --quarter YYYY-Qn | --year YYYY | --from D --to D)",
		Short: "Coverage by topic against the plan (báo cáo tháng)",
		Long: `Coverage by topic against the plan, from the airing log.

Formats: text (the administrative form, for the terminal), json, csv (UTF-8
with BOM, for Excel), html (one self-contained page to print on A4), xlsx
(an Excel workbook set up to print on A4: summary, airing log, day by day)
and docx (the form as a Word document, to number, sign and stamp). With
zones (config zones:), the report covers the whole commune with a section
per zone (the target applies to each zone); --zone CODE reports on one zone.
Every format prints the head of the airing log's hash chain at the period's end
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
	cmd.Flags().StringVar(&zone, "zone", "", "report on this zone only (a code of config zones:); default: the whole commune, with a section per zone")
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
		if err := m.checkZone(zone); err != nil {
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
		uc, st, err := m.openCommune(cmd.Context())
		if err != nil {
			return err
		}
		defer st.Close()
		lang := m.language()
		rep, err := uc.Report(cmd.Context(), kind, start, last, lang, format == "xlsx", zone)
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

// isTerminalWriter says whether w is a terminal.
func isTerminalWriter(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
