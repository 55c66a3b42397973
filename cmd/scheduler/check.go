package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/report"
)

// outlookJSON is one topic of `schedule check --json`.
type outlookJSON struct {
	Code             string  `json:"code"`
	Name             string  `json:"name"`
	TargetAirings    int     `json:"target_airings"`
	TargetMinutes    float64 `json:"target_minutes"`
	DeliveredAirings int     `json:"delivered_airings"`
	PlannedAirings   int     `json:"planned_airings"`
	ExpectedMinutes  float64 `json:"expected_minutes"`
	Short            bool    `json:"short"`
	Reason           string  `json:"reason,omitempty"`
	Message          string  `json:"message,omitempty"`
}

func (m *Main) checkCommand() *cobra.Command {
	var month string
	cmd := &cobra.Command{
		Use:   "check [--month YYYY-MM]",
		Short: "Say which topics the library and timetable cannot bring to their monthly target, and why",
		Args:  cobra.NoArgs,
	}
	ff := addFormatFlags(cmd, "text", "json")
	cmd.Flags().StringVar(&month, "month", "", "month, YYYY-MM (default: this month, from today)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := ff.resolve()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		uc, st, err := m.openCommune(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		from := m.today()
		if month != "" {
			first, _, err := report.ParseMonth(month, m.loc)
			if err != nil {
				return usageError{err}
			}
			if first.After(from) || first.AddDate(0, 1, 0).Before(from) {
				from = first
			}
		}
		out, err := uc.Outlook(ctx, from)
		if err != nil {
			return err
		}
		return ff.write(m.Stdout, func(w io.Writer) error {
			if format == "json" {
				var rows []outlookJSON
				for _, o := range out {
					rows = append(rows, outlookJSON{Code: o.Topic.Code, Name: o.Topic.Name, TargetAirings: o.Topic.TargetAirings,
						TargetMinutes: o.Topic.TargetMinutes, DeliveredAirings: o.DeliveredAirings, PlannedAirings: o.PlannedAirings,
						ExpectedMinutes: roundTenth((o.DeliveredPlayed + o.PlannedPlayed).Minutes()), Short: o.Short,
						Reason: string(o.Reason), Message: m.outlookMessage(o.Reason)})
				}
				return writeJSON(w, rows)
			}
			return m.checkText(w, from, out)
		})
	}
	return cmd
}

func roundTenth(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func (m *Main) outlookMessage(r playlist.OutlookReason) string {
	switch r {
	case playlist.OutlookNoSegment:
		return m.T("thư viện chưa có bản tin nào thuộc lĩnh vực này — hãy nạp bản tin", "the library has no segment of this topic — import some")
	case playlist.OutlookNoneAllowed:
		return m.T("không khung giờ nào cho phép lĩnh vực này — xem schedule.slots[].topics", "no slot allows this topic — see schedule.slots[].topics")
	case playlist.OutlookNoneValid:
		return m.T("không có bản tin nào của lĩnh vực này đã phê duyệt và còn hiệu lực trong tháng — hãy phê duyệt hoặc nạp bản tin mới", "no segment of this topic is approved and valid this month — approve or import some")
	case playlist.OutlookTooFew:
		return m.T("quá ít bản tin so với chỉ tiêu (giới hạn không phát lại và thời lượng khung giờ) — hãy nạp thêm bản tin", "too few segments for the target (no-repeat window and slot time) — import more")
	}
	return ""
}

func (m *Main) checkText(w io.Writer, from time.Time, out []playlist.TopicOutlook) error {
	fmt.Fprintf(w, "%s %s → %s\n\n", m.T("Dự kiến đến hết tháng, từ", "Outlook to the month's end, from"), from.Format("02/01/2006"),
		from.AddDate(0, 1, -from.Day()+1).AddDate(0, 0, -1).Format("02/01/2006"))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, m.T("LĨNH VỰC\tCHỈ TIÊU\tĐÃ PHÁT\tSẼ PHÁT\tDỰ KIẾN (PHÚT)\tĐÁNH GIÁ", "TOPIC\tTARGET\tDELIVERED\tPLANNED\tEXPECTED (MIN)\tVERDICT"))
	short := 0
	for _, o := range out {
		target := "-"
		if o.Topic.TargetAirings > 0 {
			target = fmt.Sprintf("%d %s", o.Topic.TargetAirings, m.T("lượt", "airings"))
		}
		if o.Topic.TargetMinutes > 0 {
			if target == "-" {
				target = ""
			} else {
				target += ", "
			}
			target += fmt.Sprintf("%.0f %s", o.Topic.TargetMinutes, m.T("phút", "min"))
		}
		verdict := m.T("đạt", "on target")
		if o.Short {
			verdict = "⚠ " + m.T("không đạt", "short")
			short++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f\t%s\n", o.Topic.Code, target, o.DeliveredAirings, o.PlannedAirings,
			(o.DeliveredPlayed + o.PlannedPlayed).Minutes(), verdict)
	}
	tw.Flush()
	for _, o := range out {
		if o.Short {
			fmt.Fprintf(w, "- %s: %s\n", o.Topic.Code, m.outlookMessage(o.Reason))
		}
	}
	if short == 0 {
		fmt.Fprintln(w, m.T("Mọi lĩnh vực sẽ đạt chỉ tiêu tháng nếu lịch phát được thực hiện như dự kiến.", "Every topic will meet its monthly target if the programme airs as previewed."))
	}
	return nil
}
