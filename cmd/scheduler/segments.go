package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/contract"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/title"
	"github.com/truyenthanh/cchc/internal/words"
)

func (m *Main) segmentsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "segments", Short: "Segments (bản tin): import, list, approve, remove"}
	cmd.AddCommand(m.segmentsImportCommand(), m.segmentsListCommand(), m.segmentsApproveCommand(), m.segmentsRemoveCommand(),
		m.segmentsAnalyzeCommand())
	return cmd
}

func (m *Main) segmentsImportCommand() *cobra.Command {
	var opts library.Options
	var priority string
	var approve bool
	cmd := &cobra.Command{
		Use:   "import [--topic CODE]... [--title T] [--valid-from D] [--valid-until D] [--priority normal|priority|emergency] PATH...",
		Short: "Import WAV files or folders (media/<topic-code>/... gives the topic)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			uc, st, err := m.openCommune(ctx)
			if errors.Is(err, store.ErrDiskFull) {
				// Not even the database opens: every file is refused for it.
				var results []library.Result
				for _, p := range args {
					results = append(results, library.Result{Path: p, Err: err})
				}
				m.printImport(results)
				return reported{code: 1}
			}
			if err != nil {
				return err
			}
			defer st.Close()
			known := map[string]bool{}
			for _, t := range m.config().Topics {
				known[t.Code] = true
			}
			for _, t := range opts.Topics {
				if !known[t] {
					return badInput("--topic %q: %s", t, m.T("không có trong danh sách lĩnh vực của config.yaml (topics)", "is not a topic of config.yaml (topics)"))
				}
			}
			for _, d := range []struct{ flag, v string }{{"--valid-from", opts.ValidFrom}, {"--valid-until", opts.ValidUntil}} {
				if d.v != "" {
					if _, err := m.parseDate(d.flag, d.v); err != nil {
						return err
					}
				}
			}
			if opts.ValidFrom != "" && opts.ValidUntil != "" && opts.ValidUntil < opts.ValidFrom {
				return badInput("--valid-until %s %s --valid-from %s", opts.ValidUntil, m.T("sớm hơn", "is before"), opts.ValidFrom)
			}
			if opts.Priority, err = playlist.ParsePriority(priority); err != nil {
				return badInput("--priority %q: %s", priority, m.T("dùng normal, priority hoặc emergency", "use normal, priority or emergency"))
			}
			if approve {
				opts.ApprovedBy = approver()
			}
			im := &library.Importer{Topics: known, Now: time.Now, LibraryDir: m.libraryDir()}
			progress := m.progressPrinter()
			results, err := uc.Import(ctx, commune.CLIActor(), im, args, opts, progress)
			if errors.Is(err, store.ErrDiskFull) {
				// The summary of what was stored before the disk filled
				// up, the file it stopped at and why; exit 1.
				m.printImport(results)
				return reported{code: 1}
			}
			if err != nil {
				return err
			}
			return m.printImport(results)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Topics, "topic", nil, "topic code (repeatable); default: the media/<topic-code>/ folder")
	cmd.Flags().StringVar(&opts.Title, "title", "", "title (default: the WAV's LIST/INFO title, or the file name)")
	cmd.Flags().StringVar(&opts.ValidFrom, "valid-from", "", "first day it may air, YYYY-MM-DD")
	cmd.Flags().StringVar(&opts.ValidUntil, "valid-until", "", "last day it may air, YYYY-MM-DD")
	cmd.Flags().StringVar(&priority, "priority", "normal", "normal, priority or emergency")
	cmd.Flags().BoolVar(&approve, "approve", false, "record the new segments as approved (by the user running the command)")
	return cmd
}

// libraryDir is where compressed recordings are converted into the
// library's house WAVs: the library folder of the data folder.
func (m *Main) libraryDir() string { return filepath.Join(m.dataDir, "library") }

// importMessage explains why a file was refused, in the operator's language.
func (m *Main) importMessage(err error) string {
	if errors.Is(err, store.ErrDiskFull) {
		return m.T("ổ đĩa đầy — hãy giải phóng dung lượng rồi nạp lại", "the disk is full — free some space, then import again")
	}
	return library.Reason(m.language(), err)
}

func (m *Main) printImport(results []library.Result) error {
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			fmt.Fprintf(m.Stderr, "%s: %s (%s)\n", r.Path, m.importMessage(r.Err), r.Err)
			continue
		}
		s := r.Segment
		state := m.T("đã nạp", "imported")
		if r.Existed {
			state = m.T("đã có sẵn, bỏ qua", "already imported, unchanged")
		}
		fmt.Fprintf(m.Stdout, "%s: %s #%d «%s» [%s] %s\n", r.Path, state, s.ID, s.Title, strings.Join(s.Topics, ","), s.Duration.Round(100*time.Millisecond))
	}
	ok := len(results) - failed
	fmt.Fprintf(m.Stdout, "%s: %d, %s: %d\n", m.T("nạp thành công", "imported"), ok, m.T("bị từ chối", "refused"), failed)
	if failed > 0 {
		return reported{code: 2}
	}
	return nil
}

func (m *Main) segmentsListCommand() *cobra.Command {
	var all bool
	cmd := &cobra.Command{Use: "list", Short: "List the library", Args: cobra.NoArgs}
	ff := addFormatFlags(cmd, "text", "json", "csv")
	cmd.Flags().BoolVar(&all, "all", false, "include removed segments")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := ff.resolve()
		if err != nil {
			return err
		}
		uc, st, err := m.openCommune(cmd.Context())
		if err != nil {
			return err
		}
		defer st.Close()
		segs, err := uc.Segments(cmd.Context(), all)
		if err != nil {
			return err
		}
		return ff.write(m.Stdout, func(w io.Writer) error {
			switch format {
			case "json":
				out := []contract.Segment{}
				for _, s := range segs {
					out = append(out, contract.FromSegment(s, m.loc))
				}
				return writeJSON(w, out)
			case "csv":
				return m.segmentsCSV(w, segs)
			}
			return m.segmentsText(w, segs)
		})
	}
	return cmd
}

func (m *Main) segmentsText(w io.Writer, segs []playlist.Segment) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, m.T("ID\tTIÊU ĐỀ\tLĨNH VỰC\tTHỜI LƯỢNG\tƯU TIÊN\tHIỆU LỰC\tPHÊ DUYỆT\tLUFS", "ID\tTITLE\tTOPICS\tLENGTH\tPRIORITY\tVALID\tAPPROVED\tLUFS"))
	for _, s := range segs {
		valid := s.ValidFrom + "…" + s.ValidUntil
		if valid == "…" {
			valid = "-"
		}
		approved := m.T("chưa", "no")
		if s.Approved {
			approved = m.T("đã duyệt", "yes")
		}
		lufs := "-"
		if n := contract.Number(s.LoudnessLUFS); n != nil {
			lufs = strconv.FormatFloat(*n, 'f', 1, 64)
		}
		// title.Clean: a title stored raw before titles were cleaned must not break the table.
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, title.Clean(s.Title), strings.Join(s.Topics, ","), s.Duration.Round(100*time.Millisecond),
			words.Priority(m.language(), s.Priority), valid, approved, lufs)
	}
	if len(segs) == 0 {
		fmt.Fprintln(tw, m.T("(thư viện trống — nạp bản tin bằng: scheduler segments import media)", "(empty library — import with: scheduler segments import media)"))
	}
	return tw.Flush()
}

func (m *Main) segmentsCSV(w io.Writer, segs []playlist.Segment) error {
	cw := newCSV(w)
	cw.Write([]string{"id", "title", "topics", "path", "sha256", "duration_ms", "sample_rate", "channels", "bit_depth", "loudness_lufs", "true_peak_dbtp", "priority", "valid_from", "valid_until", "approved"})
	for _, s := range segs {
		c := contract.FromSegment(s, m.loc)
		cw.Write([]string{strconv.FormatInt(c.ID, 10), c.Title, strings.Join(c.Topics, " "), c.Path, c.SHA256, strconv.FormatInt(c.DurationMS, 10),
			strconv.Itoa(c.SampleRate), strconv.Itoa(c.Channels), strconv.Itoa(c.BitDepth), optFloat(c.LoudnessLUFS), optFloat(c.TruePeakDBTP),
			c.Priority, s.ValidFrom, s.ValidUntil, strconv.FormatBool(c.Approved)})
	}
	cw.Flush()
	return cw.Error()
}

func optFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', 1, 64)
}

func parseIDs(args []string) ([]int64, error) {
	var ids []int64
	for _, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return nil, badInput("ID %q: want a segment number as shown by 'segments list' / cần số ID bản tin như trong 'segments list'", a)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (m *Main) segmentsApproveCommand() *cobra.Command {
	var by string
	var all bool
	cmd := &cobra.Command{
		Use:   "approve ID... | --all",
		Short: "Approve segments for airing (phê duyệt)",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if len(args) == 0 && !all {
				return badInput("%s", m.T("cần ít nhất một ID, hoặc --all", "give at least one ID, or --all"))
			}
			ids, err := parseIDs(args)
			if err != nil {
				return err
			}
			uc, st, err := m.openCommune(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if all {
				segs, err := uc.Segments(ctx, false)
				if err != nil {
					return err
				}
				for _, s := range segs {
					if !s.Approved {
						ids = append(ids, s.ID)
					}
				}
			}
			if err := uc.Approve(ctx, commune.CLIActor(), by, ids); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return badInput("%v: %s", err, m.T("không có bản tin này — xem 'segments list'; không bản tin nào được phê duyệt", "no such segment — see 'segments list'; nothing was approved"))
				}
				return err
			}
			fmt.Fprintf(m.Stdout, "%s: %d\n", m.T("đã phê duyệt", "approved"), len(ids))
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", approver(), "who approves (recorded in the library)")
	cmd.Flags().BoolVar(&all, "all", false, "approve every segment awaiting approval")
	return cmd
}

func (m *Main) segmentsRemoveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "remove ID...",
		Short: "Take segments out of the programme (the log keeps their airings)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs(args)
			if err != nil {
				return err
			}
			uc, st, err := m.openCommune(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := uc.Retire(cmd.Context(), commune.CLIActor(), ids); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return badInput("%v: %s", err, m.T("không có bản tin này — không bản tin nào bị gỡ", "no such segment — nothing was removed"))
				}
				return err
			}
			fmt.Fprintf(m.Stdout, "%s: %d\n", m.T("đã gỡ khỏi lịch phát", "removed from the programme"), len(ids))
			return nil
		},
	}
}

// approver names the person running the command.
func approver() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "operator"
}
