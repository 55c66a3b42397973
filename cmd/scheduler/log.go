package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/contract"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/words"
)

func (m *Main) logCommand() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{Use: "log [--from YYYY-MM-DD --to YYYY-MM-DD]", Short: "The airing log (nhật ký phát)", Args: cobra.NoArgs}
	ff := addFormatFlags(cmd, "text", "json", "csv")
	cmd.Flags().StringVar(&from, "from", "", "first day (default: today)")
	cmd.Flags().StringVar(&to, "to", "", "last day, inclusive (default: --from)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := ff.resolve()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		st, err := m.openStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		start := m.today()
		if from != "" {
			if start, err = m.parseDate("--from", from); err != nil {
				return err
			}
		}
		last := start
		if to != "" {
			if last, err = m.parseDate("--to", to); err != nil {
				return err
			}
		}
		if last.Before(start) {
			return badInput("--to %s %s --from %s", to, m.T("sớm hơn", "is before"), from)
		}
		airings, err := st.Airings(ctx, start, last.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		w, done, err := ff.open(m.Stdout)
		if err != nil {
			return err
		}
		switch format {
		case "json":
			out := []contract.Airing{}
			for _, a := range airings {
				out = append(out, contract.FromAiring(a, m.loc))
			}
			err = writeJSON(w, out)
		case "csv":
			err = m.logCSV(w, airings)
		default:
			err = m.logText(w, airings)
		}
		if err != nil {
			return err
		}
		return done()
	}
	cmd.AddCommand(m.logVerifyCommand())
	return cmd
}

func (m *Main) logText(w io.Writer, airings []playlist.Airing) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, m.T("ID\tGIỜ DỰ KIẾN\tBẮT ĐẦU\tKHUNG GIỜ\tBẢN TIN\tĐÃ PHÁT\tTRẠNG THÁI\tLÝ DO", "ID\tSCHEDULED\tSTARTED\tSLOT\tSEGMENT\tPLAYED\tSTATUS\tREASON"))
	for _, a := range airings {
		started := "-"
		if !a.StartedAt.IsZero() {
			started = a.StartedAt.In(m.loc).Format("15:04:05.000")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t#%d %s\t%s\t%s\t%s\n", a.ID, a.ScheduledAt.In(m.loc).Format("2006-01-02 15:04:05"), started, a.Slot,
			a.SegmentID, a.Title, a.Played.Round(100*time.Millisecond), words.Status(m.language(), a.Status), words.Reason(m.language(), a.Reason))
	}
	if len(airings) == 0 {
		fmt.Fprintln(tw, m.T("(không có lượt phát nào trong khoảng này)", "(no airing in this period)"))
	}
	return tw.Flush()
}

func (m *Main) logCSV(w io.Writer, airings []playlist.Airing) error {
	cw := newCSV(w)
	cw.Write([]string{"id", "segment_id", "title", "topics", "slot", "scheduled_at", "started_at", "ended_at", "played_ms", "status", "reason"})
	for _, a := range airings {
		c := contract.FromAiring(a, m.loc)
		opt := func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		}
		cw.Write([]string{strconv.FormatInt(c.ID, 10), strconv.FormatInt(c.SegmentID, 10), c.Title, strings.Join(c.Topics, " "), c.Slot,
			c.ScheduledAt, opt(c.StartedAt), opt(c.EndedAt), strconv.FormatInt(c.PlayedMS, 10), c.Status, c.Reason})
	}
	cw.Flush()
	return cw.Error()
}

func (m *Main) logVerifyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the airing log's consistency",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := m.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			airings, err := st.Airings(ctx, time.Unix(0, 0), time.Now().AddDate(100, 0, 0))
			if err != nil {
				return err
			}
			problems := 0
			for _, a := range airings {
				if p := airingProblem(a); p != "" {
					problems++
					fmt.Fprintf(m.Stdout, "#%d: %s\n", a.ID, p)
				}
			}
			fmt.Fprintf(m.Stdout, "%s: %d, %s: %d\n", m.T("số lượt đã kiểm tra", "airings checked"), len(airings), m.T("lỗi", "problems"), problems)
			if problems > 0 {
				return reported{code: 1}
			}
			return nil
		},
	}
}

// airingProblem names what is inconsistent in a log row, if anything.
func airingProblem(a playlist.Airing) string {
	const slack = 100 * time.Millisecond
	switch a.Status {
	case playlist.StatusCompleted:
		if a.StartedAt.IsZero() || a.EndedAt.IsZero() {
			return "completed without start or end time"
		}
		if a.Duration > 0 && (a.Played < a.Duration-slack || a.Played > a.Duration+slack) {
			return fmt.Sprintf("completed but played %s of %s", a.Played, a.Duration)
		}
	case playlist.StatusInterrupted:
		if a.Duration > 0 && a.Played > a.Duration+slack {
			return fmt.Sprintf("played %s, longer than the segment (%s)", a.Played, a.Duration)
		}
	case playlist.StatusMissed, playlist.StatusFailed:
		if a.Played != 0 {
			return fmt.Sprintf("%s but played %s", a.Status, a.Played)
		}
	case playlist.StatusOpen:
	default:
		return fmt.Sprintf("unknown status %q", a.Status)
	}
	if !a.EndedAt.IsZero() && !a.StartedAt.IsZero() && a.EndedAt.Before(a.StartedAt) {
		return "ends before it starts"
	}
	return ""
}
