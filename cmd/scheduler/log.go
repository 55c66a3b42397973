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
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/title"
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
		airings, err := st.LoggedAirings(ctx, start, last.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		return ff.write(m.Stdout, func(w io.Writer) error {
			switch format {
			case "json":
				out := []contract.Airing{}
				for _, a := range airings {
					out = append(out, contract.FromAiring(a.Airing, m.loc).Chained(a.Link.PrevHash, a.Link.Hash))
				}
				return writeJSON(w, out)
			case "csv":
				return m.logCSV(w, airings)
			}
			return m.logText(w, airings)
		})
	}
	cmd.AddCommand(m.logVerifyCommand())
	return cmd
}

func (m *Main) logText(w io.Writer, airings []store.LoggedAiring) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, m.T("ID\tGIỜ DỰ KIẾN\tBẮT ĐẦU\tKHUNG GIỜ\tBẢN TIN\tĐÃ PHÁT\tTRẠNG THÁI\tLÝ DO", "ID\tSCHEDULED\tSTARTED\tSLOT\tSEGMENT\tPLAYED\tSTATUS\tREASON"))
	for _, a := range airings {
		started := "-"
		if !a.StartedAt.IsZero() {
			started = a.StartedAt.In(m.loc).Format("15:04:05.000")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t#%d %s\t%s\t%s\t%s\n", a.ID, a.ScheduledAt.In(m.loc).Format("2006-01-02 15:04:05"), started, a.Slot,
			a.SegmentID, title.Clean(a.Title), a.Played.Round(100*time.Millisecond), words.Status(m.language(), a.Status), words.Reason(m.language(), a.Reason))
	}
	if len(airings) == 0 {
		fmt.Fprintln(tw, m.T("(không có lượt phát nào trong khoảng này)", "(no airing in this period)"))
	}
	return tw.Flush()
}

func (m *Main) logCSV(w io.Writer, airings []store.LoggedAiring) error {
	cw := newCSV(w)
	cw.Write([]string{"id", "segment_id", "title", "topics", "slot", "scheduled_at", "started_at", "ended_at", "played_ms", "status", "reason", "prev_hash", "hash"})
	for _, a := range airings {
		c := contract.FromAiring(a.Airing, m.loc).Chained(a.Link.PrevHash, a.Link.Hash)
		opt := func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		}
		cw.Write([]string{strconv.FormatInt(c.ID, 10), strconv.FormatInt(c.SegmentID, 10), c.Title, strings.Join(c.Topics, " "), c.Slot,
			c.ScheduledAt, opt(c.StartedAt), opt(c.EndedAt), strconv.FormatInt(c.PlayedMS, 10), c.Status, c.Reason, opt(c.PrevHash), opt(c.Hash)})
	}
	cw.Flush()
	return cw.Error()
}

func (m *Main) logVerifyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the airing log: its hash chain and each row's consistency (exit 1 naming the first broken row)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := m.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			rep, err := st.VerifyChain(ctx)
			if err != nil {
				return err
			}
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
			if rep.Break != nil {
				fmt.Fprintln(m.Stdout, m.chainBreak(rep))
				return reported{code: 1}
			}
			fmt.Fprintf(m.Stdout, m.T("Chuỗi băm nguyên vẹn: %d lượt phát đã đóng được kiểm tra, %d lượt đang phát.\n",
				"Hash chain intact: %d closed airings verified, %d open.\n"), rep.Verified, rep.Open)
			if rep.Last.Seq > 0 {
				fmt.Fprintf(m.Stdout, m.T("Mã băm cuối (lượt #%d, thứ tự %d): %s\n", "Last hash (airing #%d, chain_seq %d): %s\n"), rep.LastID, rep.Last.Seq, rep.Last.Hash)
			}
			if problems > 0 {
				return reported{code: 1}
			}
			return nil
		},
	}
}

// chainBreak tells the operator where the chain breaks and what it means.
func (m *Main) chainBreak(rep store.ChainReport) string {
	b := rep.Break
	var what string
	switch b.Kind {
	case store.BreakContent:
		what = fmt.Sprintf(m.T("lượt phát #%d (thứ tự %d) đã bị sửa sau khi đóng: nội dung không còn khớp mã băm (lưu %s, tính lại %s)",
			"airing #%d (chain_seq %d) was changed after it was closed: its fields no longer match its hash (stored %s, recomputed %s)"),
			b.ID, b.Seq, short(b.Want), short(b.Got))
	case store.BreakLink:
		what = fmt.Sprintf(m.T("lượt phát #%d (thứ tự %d): prev_hash %s không phải mã băm của lượt đóng trước nó (%s) — một lượt trước nó đã bị sửa, xóa hoặc đổi chỗ",
			"airing #%d (chain_seq %d): prev_hash %s is not the hash of the airing closed before it (%s) — an earlier row was changed, removed or moved"),
			b.ID, b.Seq, short(b.Got), short(b.Want))
	case store.BreakGap:
		what = fmt.Sprintf(m.T("trước lượt phát #%d thiếu lượt thứ tự %s trong chuỗi (gặp %s) — một lượt đã đóng bị xóa",
			"before airing #%d the chain lacks chain_seq %s (found %s) — a closed airing was deleted"),
			b.ID, b.Want, b.Got)
	case store.BreakOpenChained:
		what = fmt.Sprintf(m.T("lượt phát #%d đang mở nhưng đã có mã băm — dòng đã bị sửa", "airing #%d is open but has a hash — the row was edited"), b.ID)
	case store.BreakUnchained:
		what = fmt.Sprintf(m.T("lượt phát #%d đã đóng nhưng không có mã băm — dòng được thêm hoặc sửa ngoài chương trình",
			"airing #%d is closed but has no hash — the row was added or changed outside the program"), b.ID)
	case store.BreakMissingID:
		what = fmt.Sprintf(m.T("lượt phát #%d không còn trong nhật ký — đã bị xóa", "airing #%d is no longer in the log — it was deleted"), b.ID)
	default:
		what = fmt.Sprintf("airing #%d: %s", b.ID, b.Kind)
	}
	out := m.T("CHUỖI BĂM BỊ PHÁ VỠ: ", "HASH CHAIN BROKEN: ") + what + "."
	if len(b.MissingIDs) > 0 && b.Kind != store.BreakMissingID {
		ids := make([]string, len(b.MissingIDs))
		for i, id := range b.MissingIDs {
			ids[i] = "#" + strconv.FormatInt(id, 10)
		}
		out += "\n" + m.T("Lượt phát đã bị xóa khỏi nhật ký: ", "Airings deleted from the log: ") + strings.Join(ids, ", ")
	}
	out += "\n" + fmt.Sprintf(m.T("%d lượt đóng trước đó vẫn nguyên vẹn. Hãy đối chiếu với bản sao lưu gần nhất (scheduler backup).",
		"The %d airings closed before it are intact. Compare with the latest backup (scheduler backup)."), rep.Verified)
	return out
}

// short abbreviates a hash for the terminal.
func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	if h == "" {
		return "(-)"
	}
	return h
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
