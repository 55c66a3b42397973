package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/contract"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/words"
)

func (m *Main) scheduleCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "schedule", Short: "The programme (lịch phát)"}
	cmd.AddCommand(m.previewCommand(), m.checkCommand(), m.pinCommand(false), m.pinCommand(true))
	return cmd
}

func (m *Main) previewCommand() *cobra.Command {
	var from, zone string
	var days int
	cmd := &cobra.Command{Use: "preview [--from YYYY-MM-DD] [--days N] [--zone CODE]", Short: "Show exactly what will air, zone by zone", Args: cobra.NoArgs}
	ff := addFormatFlags(cmd, "text", "json")
	cmd.Flags().StringVar(&from, "from", "", "first day (default: today)")
	cmd.Flags().IntVar(&days, "days", 7, "number of days")
	cmd.Flags().StringVar(&zone, "zone", "", "only this zone's programme (a code of config zones:; default: every zone)")
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
		if err := m.checkZone(zone); err != nil {
			return err
		}
		if days < 1 || days > 366 {
			return badInput("--days %d: %s", days, m.T("dùng từ 1 đến 366", "use 1 to 366"))
		}
		start := m.today()
		if from != "" {
			if start, err = m.parseDate("--from", from); err != nil {
				return err
			}
		}
		end := start.AddDate(0, 0, days)
		zones, err := m.planZones(ctx, uc, start, end, zone)
		if err != nil {
			return err
		}
		return ff.write(m.Stdout, func(w io.Writer) error {
			if format == "json" {
				// One list, zone by zone, each occurrence naming its zone.
				out := []contract.Occurrence{}
				for _, z := range zones {
					for _, p := range z.Plans {
						o := contract.FromPlan(p, m.loc, m.language())
						o.Zone = z.Zone.Code
						out = append(out, o)
					}
				}
				return writeJSON(w, out)
			}
			if len(zones) == 1 && !m.zoned() {
				return m.previewText(w, zones[0].Plans) // a station of one zone: as before zones
			}
			for i, z := range zones {
				if i > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "##### %s %s (%s) #####\n", m.T("Vùng phát", "Zone"), z.Zone.Name, z.Zone.Code)
				if err := m.previewText(w, z.Plans); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return cmd
}

func (m *Main) previewText(w io.Writer, plans []playlist.Plan) error {
	day := ""
	for _, p := range plans {
		start := p.Start.In(m.loc)
		if d := start.Format("2006-01-02"); d != day {
			day = d
			fmt.Fprintf(w, "\n== %s %s ==\n", m.weekday(start), start.Format("02/01/2006"))
		}
		fmt.Fprintf(w, "%s  %s (%s)\n", start.Format("15:04"), p.Slot, p.Length)
		for _, it := range p.Items {
			mark := ""
			if it.Segment.PinnedTo(start.Format("2006-01-02"), p.Slot) {
				mark = " " + m.T("[ghim]", "[pinned]")
			}
			fmt.Fprintf(w, "   %s  #%-4d %-50s [%s] %s%s\n", it.StartsAt.In(m.loc).Format("15:04:05"), it.Segment.ID, it.Segment.Title,
				strings.Join(it.Segment.Topics, ","), it.Segment.Duration.Round(time.Second), mark)
		}
		if p.Shortfall != nil {
			fmt.Fprintf(w, "   %s %s: %s\n", m.T("còn trống", "unfilled"), p.Shortfall.Unfilled.Round(time.Second), words.Shortfall(m.language(), p.Shortfall.Reason))
		}
	}
	if len(plans) == 0 {
		fmt.Fprintln(w, m.T("Không có khung giờ phát nào trong khoảng này.", "No slot occurs in this period."))
	}
	return nil
}

func (m *Main) weekday(t time.Time) string {
	vi := []string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}
	return m.T(vi[t.Weekday()], t.Weekday().String())
}
