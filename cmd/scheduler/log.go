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
	var from, to, zone string
	cmd := &cobra.Command{Use: "log [--from YYYY-MM-DD --to YYYY-MM-DD] [--zone CODE]", Short: "The airing log (nhật ký phát)", Args: cobra.NoArgs}
	ff := addFormatFlags(cmd, "text", "json", "csv")
	cmd.Flags().StringVar(&from, "from", "", "first day (default: today)")
	cmd.Flags().StringVar(&to, "to", "", "last day, inclusive (default: --from)")
	cmd.Flags().StringVar(&zone, "zone", "", "only this zone's airings (a code of config zones:; default: every zone)")
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
		airings, err := uc.LoggedAirings(ctx, zone, start, last.AddDate(0, 0, 1))
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
	// With zones, the zone after the scheduled time.
	zoned := m.zoned()
	zoneHead, zoneOf := "", func(playlist.Airing) string { return "" }
	if zoned {
		zoneHead = m.T("VÙNG\t", "ZONE\t")
		zoneOf = func(a playlist.Airing) string { return contract.FromAiring(a, m.loc).Zone + "\t" }
	}
	fmt.Fprintln(tw, m.T("ID\tGIỜ DỰ KIẾN\t"+zoneHead+"BẮT ĐẦU\tKHUNG GIỜ\tBẢN TIN\tĐÃ PHÁT\tTRẠNG THÁI\tLÝ DO", "ID\tSCHEDULED\t"+zoneHead+"STARTED\tSLOT\tSEGMENT\tPLAYED\tSTATUS\tREASON"))
	for _, a := range airings {
		started := "-"
		if !a.StartedAt.IsZero() {
			started = a.StartedAt.In(m.loc).Format("15:04:05.000")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s%s\t%s\t#%d %s\t%s\t%s\t%s\n", a.ID, a.ScheduledAt.In(m.loc).Format("2006-01-02 15:04:05"), zoneOf(a.Airing), started, a.Slot,
			a.SegmentID, title.Clean(a.Title), a.Played.Round(100*time.Millisecond), words.Status(m.language(), a.Status), words.Reason(m.language(), a.Reason))
	}
	if len(airings) == 0 {
		fmt.Fprintln(tw, m.T("(không có lượt phát nào trong khoảng này)", "(no airing in this period)"))
	}
	return tw.Flush()
}

func (m *Main) logCSV(w io.Writer, airings []store.LoggedAiring) error {
	cw := newCSV(w)
	head := []string{"id", "segment_id", "title", "topics", "slot", "scheduled_at", "started_at", "ended_at", "played_ms", "status", "reason", "prev_hash", "hash"}
	zoned := m.zoned() // with zones, the zone in a column before listeners
	if zoned {
		head = append(head, "zone")
	}
	// Last, the listeners of an airing on a stream output; empty for others.
	head = append(head, "listeners")
	cw.Write(head)
	for _, a := range airings {
		c := contract.FromAiring(a.Airing, m.loc).Chained(a.Link.PrevHash, a.Link.Hash)
		opt := func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		}
		row := []string{strconv.FormatInt(c.ID, 10), strconv.FormatInt(c.SegmentID, 10), c.Title, strings.Join(c.Topics, " "), c.Slot,
			c.ScheduledAt, opt(c.StartedAt), opt(c.EndedAt), strconv.FormatInt(c.PlayedMS, 10), c.Status, c.Reason, opt(c.PrevHash), opt(c.Hash)}
		if zoned {
			row = append(row, c.Zone)
		}
		cw.Write(append(row, listenersCell(c.Listeners)))
	}
	cw.Flush()
	return cw.Error()
}

// listenersCell is a CSV cell of an airing's listeners: empty when the
// airing was not on a stream output.
func listenersCell(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func (m *Main) logVerifyCommand() *cobra.Command {
	var head string
	cmd := &cobra.Command{
		Use:   "verify [--head HASH]",
		Short: "Check the airing log: its hash chain, each row, the running totals reports read, and (--head) a head printed on a report; exit 1 naming what differs",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&head, "head", "", "a chain head printed on a report (its hash, 12 to 64 hex digits): prove the log still holds it")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		want, err := m.parseHead(head)
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		uc, st, err := m.openCommune(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		rep, err := uc.VerifyChainHead(ctx, want)
		if err != nil {
			return err
		}
		airings, err := uc.Airings(ctx, "", time.Unix(0, 0), time.Now().AddDate(100, 0, 0))
		if err != nil {
			return err
		}
		tallies, err := uc.VerifyTallies(ctx)
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
		failed := problems > 0
		if rep.Break != nil {
			fmt.Fprintln(m.Stdout, m.chainBreak(rep))
			failed = true
		} else {
			fmt.Fprintf(m.Stdout, m.T("Chuỗi băm nguyên vẹn: %d lượt phát đã đóng được kiểm tra, %d lượt đang phát.\n",
				"Hash chain intact: %d closed airings verified, %d open.\n"), rep.Verified, rep.Open)
			if rep.Last.Seq > 0 {
				fmt.Fprintf(m.Stdout, m.T("Mã băm cuối (lượt #%d, thứ tự %d): %s\n", "Last hash (airing #%d, chain_seq %d): %s\n"), rep.LastID, rep.Last.Seq, rep.Last.Hash)
			}
		}
		if m.tallyReport(tallies) {
			failed = true
		}
		if want != "" && !m.headReport(rep, want) {
			failed = true
		}
		if failed {
			return reported{code: 1}
		}
		return nil
	}
	return cmd
}

// parseHead reads --head: a hash as printed on a report, whole or its first
// 12 or more hex digits. Spaces and a trailing ellipsis are dropped.
func (m *Main) parseHead(s string) (string, error) {
	h := strings.ToLower(strings.TrimSpace(s))
	h = strings.TrimSpace(strings.TrimRight(strings.TrimSuffix(h, "…"), "."))
	if s == "" {
		return "", nil
	}
	bad := func(why string) error {
		return badInput("--head %q: %s", s, why)
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", bad(m.T("mã băm chỉ gồm chữ số 0–9 và chữ a–f — hãy chép đúng mã in ở cuối báo cáo (ví dụ 3f9a0c1b2d4e5f60)",
				"a hash is made of the digits 0–9 and the letters a–f — copy the hash printed at the end of the report (e.g. 3f9a0c1b2d4e5f60)"))
		}
	}
	if len(h) < 12 || len(h) > 64 {
		return "", bad(fmt.Sprintf(m.T("có %d chữ số, cần từ 12 đến 64 — hãy chép đủ mã in ở cuối báo cáo (16 chữ số)",
			"has %d digits, 12 to 64 are needed — copy the whole hash printed at the end of the report (16 digits)"), len(h)))
	}
	return h, nil
}

// tallyReport prints where the running totals differ from the log and
// says whether they do.
func (m *Main) tallyReport(c store.TallyCheck) bool {
	if len(c.Diffs) == 0 {
		fmt.Fprintf(m.Stdout, m.T("Số liệu tổng hợp khớp nhật ký: %d dòng theo ngày, %d dòng bản tin theo tháng.\n",
			"Running totals match the log: %d day rows, %d month-segment rows.\n"), c.Days, c.Segments)
		return false
	}
	const shown = 20
	for i, d := range c.Diffs {
		if i == shown {
			fmt.Fprintf(m.Stdout, m.T("… và %d chỗ khác.\n", "… and %d more.\n"), len(c.Diffs)-shown)
			break
		}
		fmt.Fprintln(m.Stdout, m.T("SỐ LIỆU TỔNG HỢP BỊ SỬA: ", "RUNNING TOTALS CHANGED: ")+m.tallyDiff(d))
	}
	fmt.Fprintln(m.Stdout, m.T("Báo cáo tháng, quý, năm đọc các bảng tổng này (tally_days, tally_segments), không phải nhật ký: báo cáo in ra từ chúng không đáng tin. Hãy khôi phục từ bản sao lưu gần nhất (scheduler backup) còn qua được kiểm tra này.",
		"Monthly, quarterly and yearly reports read these totals (tally_days, tally_segments), not the log: a report printed from them cannot be trusted. Restore the latest backup (scheduler backup) that passes this check."))
	return true
}

// tallyDiff names one total that differs, with both figures.
func (m *Main) tallyDiff(d store.TallyDiff) string {
	topics := strings.ReplaceAll(d.Topics, ",", ", ")
	if topics == "" {
		topics = m.T("(không lĩnh vực)", "(no topic)")
	}
	if d.Zone != "" && d.Zone != playlist.DefaultZone {
		topics += m.T(", vùng ", ", zone ") + d.Zone
	}
	if d.Table == "tally_segments" {
		if d.Log.Airings > 0 {
			return fmt.Sprintf(m.T("tháng %s, lĩnh vực %s: bản tin #%d đã phát trọn theo nhật ký nhưng thiếu trong bảng bản tin đã phát (tally_segments)",
				"month %s, topic %s: segment #%d completed an airing in the log but is missing from the aired-segment table (tally_segments)"), d.Month, topics, d.SegmentID)
		}
		return fmt.Sprintf(m.T("tháng %s, lĩnh vực %s: bảng bản tin đã phát (tally_segments) có bản tin #%d, nhật ký không có lượt phát trọn nào của nó",
			"month %s, topic %s: the aired-segment table (tally_segments) lists segment #%d, the log has no completed airing of it"), d.Month, topics, d.SegmentID)
	}
	secs := func(ms int64) string {
		v := fmt.Sprintf("%.1f", float64(ms)/1000)
		if m.language() != "en" {
			v = strings.Replace(v, ".", ",", 1)
		}
		return v
	}
	return fmt.Sprintf(m.T("ngày %s, lĩnh vực %s: nhật ký có %d lượt %s (%s giây), bảng tổng (tally_days) có %d lượt (%s giây)",
		"day %s, topic %s: the log has %d %s airings (%s s), the totals table (tally_days) has %d (%s s)"),
		d.Day, topics, d.Log.Airings, words.Status(m.language(), playlist.Status(d.Status)), secs(d.Log.PlayedMS), d.Tally.Airings, secs(d.Tally.PlayedMS))
}

// headReport tells whether the verified chain holds the head asked for.
func (m *Main) headReport(rep store.ChainReport, want string) bool {
	if h := rep.Head; h != nil {
		fmt.Fprintf(m.Stdout, m.T("Đầu chuỗi %s có trong nhật ký: lượt phát #%d (thứ tự %d), mã băm %s; sau nó đã đóng thêm %d lượt. Mọi lượt đến nó vẫn nguyên vẹn như khi in báo cáo.\n",
			"Chain head %s is in the log: airing #%d (chain_seq %d), hash %s; %d airings closed after it. Every airing up to it is as it was when the report was printed.\n"),
			want, h.ID, h.Seq, h.Hash, h.After)
		return true
	}
	if strings.HasPrefix(store.Genesis, want) && rep.Break == nil {
		// A report printed before any airing closed carries the genesis.
		fmt.Fprintf(m.Stdout, m.T("Đầu chuỗi %s là điểm khởi đầu: khi in báo cáo nhật ký chưa có lượt phát nào đóng; nay có %d lượt.\n",
			"Chain head %s is the genesis: no airing had closed when the report was printed; %d have now.\n"), want, rep.Verified)
		return true
	}
	if rep.Break != nil {
		fmt.Fprintf(m.Stdout, m.T("KHÔNG CHỨNG MINH ĐƯỢC ĐẦU CHUỖI %s: chuỗi băm vỡ ở lượt #%d, trước khi gặp nó (xem trên).\n",
			"CHAIN HEAD %s NOT PROVEN: the hash chain breaks at airing #%d, before reaching it (see above).\n"), want, rep.Break.ID)
		return false
	}
	end := m.T("nhật ký trống", "the log is empty")
	if rep.Last.Seq > 0 {
		end = fmt.Sprintf(m.T("nhật ký nay kết thúc ở lượt #%d (thứ tự %d, mã băm %s)", "the log now ends at airing #%d (chain_seq %d, hash %s)"),
			rep.LastID, rep.Last.Seq, short(rep.Last.Hash))
	}
	fmt.Fprintf(m.Stdout, m.T("KHÔNG TÌM THẤY ĐẦU CHUỖI %s: không lượt phát nào trong chuỗi có mã băm này — các lượt mới nhất đã bị xóa hoặc chuỗi đã bị viết lại (hoặc mã chép sai); %s. Hãy đối chiếu với bản sao lưu (scheduler backup).\n",
		"CHAIN HEAD %s NOT FOUND: no airing in the chain has this hash — the newest airings were deleted or the chain was rewritten (or the hash was mistyped); %s. Compare with a backup (scheduler backup).\n"),
		want, end)
	return false
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
