package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/words"
)

// Main is the program: its streams, its flags, and what they load.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	LookupEnv      func(string) (string, bool)

	configPath string
	dataDir    string
	lang       string
	verbose    bool

	cfg    config.Config // replaced by reload under cfgMu; read only through config()
	cfgMu  sync.RWMutex
	loc    *time.Location
	logger *slog.Logger
}

// NewMain builds the program around its streams and environment.
func NewMain(stdin io.Reader, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) *Main {
	return &Main{Stdin: stdin, Stdout: stdout, Stderr: stderr, LookupEnv: lookupEnv}
}

// usageError is bad usage, a bad config or bad input: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func badInput(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// localizer is an error that can speak the operator's language.
type localizer interface{ Localize(lang string) string }

// reported is an error already told to the operator.
type reported struct{ code int }

func (r reported) Error() string { return fmt.Sprintf("exit %d", r.code) }

// Exit prints err for the operator and turns it into the exit code.
func (m *Main) Exit(err error) int {
	if err == nil {
		return 0
	}
	var rep reported
	if errors.As(err, &rep) {
		return rep.code
	}
	var loc localizer
	msg := err.Error()
	if errors.As(err, &loc) {
		msg = loc.Localize(m.language())
	}
	if errors.Is(err, store.ErrDiskFull) {
		msg = m.T("ổ đĩa đầy — hãy giải phóng dung lượng rồi chạy lại", "the disk is full — free some space, then run it again") + " (" + msg + ")"
	}
	fmt.Fprintf(m.Stderr, "%s: %s\n", words.Pick(m.language(), "lỗi", "error"), msg)
	var ue usageError
	var ce *config.Error
	if errors.As(err, &ue) || errors.As(err, &ce) {
		return 2
	}
	return 1
}

func (m *Main) language() string {
	if m.lang != "" {
		return m.lang
	}
	if v, ok := m.LookupEnv("CCHC_LANG"); ok && (v == "en" || v == "vi") {
		return v
	}
	if l := m.config().Station.Language; l != "" {
		return l
	}
	return "vi"
}

// T picks the operator's language.
func (m *Main) T(vi, en string) string { return words.Pick(m.language(), vi, en) }

// Run parses args and runs the command.
func (m *Main) Run(ctx context.Context, args []string) error {
	root := m.rootCommand()
	root.SetArgs(args)
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && cmd != nil && isFlagError(err) {
		return usageError{fmt.Errorf("%s %s: %w", m.T("cách dùng sai:", "usage:"), cmd.CommandPath(), err)}
	}
	return err
}

func isFlagError(err error) bool {
	var ue usageError
	var ce *config.Error
	if errors.As(err, &ue) || errors.As(err, &ce) {
		return false
	}
	s := err.Error()
	for _, p := range []string{"unknown flag", "unknown command", "unknown shorthand", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func (m *Main) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "scheduler",
		Short:         "Commune loudspeaker CCHC broadcast scheduler / Lịch phát tuyên truyền CCHC trên hệ thống truyền thanh xã",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&m.configPath, "config", "config.yaml", "configuration file")
	root.PersistentFlags().StringVar(&m.dataDir, "data", "", "state folder: database and logs (default: station.data_dir)")
	root.PersistentFlags().StringVar(&m.lang, "lang", "", "language of messages and reports: vi or en (default: station.language)")
	root.PersistentFlags().BoolVarP(&m.verbose, "verbose", "v", false, "log debug details")
	root.AddCommand(m.segmentsCommand(), m.scheduleCommand(), m.simulateCommand(), m.logCommand(),
		m.reportCommand(), m.playCommand(), m.analyzeCommand(), m.serveCommand(), m.controlCommand())
	root.AddCommand(m.backupCommand(), m.usersCommand(), m.audioOutputCommand())
	return root
}

// load reads the configuration and prepares the logger.
func (m *Main) load() error {
	if m.lang != "" && m.lang != "vi" && m.lang != "en" {
		return badInput("--lang %q: %s", m.lang, m.T("dùng vi hoặc en", "use vi or en"))
	}
	cfg, err := config.Load(m.configPath)
	if err != nil {
		return err
	}
	m.setConfig(cfg)
	m.loc, err = time.LoadLocation(cfg.Station.Timezone)
	if err != nil {
		return fmt.Errorf("time zone %s: %w", cfg.Station.Timezone, err)
	}
	if m.dataDir == "" {
		m.dataDir = cfg.Station.DataDir
	}
	level := slog.LevelInfo
	if m.verbose {
		level = slog.LevelDebug
	}
	m.logger = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))
	return nil
}

// openStore loads the configuration, unless the command already has, and
// opens the database.
func (m *Main) openStore(ctx context.Context) (*store.Store, error) {
	if m.loc == nil { // not loaded yet
		if err := m.load(); err != nil {
			return nil, err
		}
	}
	return store.Open(ctx, m.dataDir)
}

// openCommune opens the store and builds the use cases around it: what
// every CLI command that reads or changes the station's state goes through.
// Closing the store is the caller's.
func (m *Main) openCommune(ctx context.Context) (*commune.Commune, *store.Store, error) {
	st, err := m.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	return m.newCommune(st), st, nil
}

// newCommune builds the use cases on an open store.
func (m *Main) newCommune(st *store.Store) *commune.Commune {
	return commune.New(commune.Deps{Store: st, Planner: m.planner, Config: m.config, Location: m.loc, Now: time.Now, Logger: m.logger})
}

// config is the configuration in force: what goroutines other than the
// reloader (the web app's handlers) read, since a reload replaces it.
func (m *Main) config() config.Config {
	m.cfgMu.RLock()
	defer m.cfgMu.RUnlock()
	return m.cfg
}

// setConfig puts a reloaded configuration in force.
func (m *Main) setConfig(cfg config.Config) {
	m.cfgMu.Lock()
	m.cfg = cfg
	m.cfgMu.Unlock()
}

// topics converts the configured topics.
func (m *Main) topics() []playlist.Topic {
	var out []playlist.Topic
	for _, t := range m.config().Topics {
		out = append(out, playlist.Topic{Code: t.Code, Name: t.Name, PlanItem: t.PlanItem, TargetAirings: t.TargetAirings, TargetMinutes: t.TargetMinutes})
	}
	return out
}

// planner builds the planner from the configuration.
func (m *Main) planner() *playlist.Planner {
	cfg := m.config()
	p := &playlist.Planner{Topics: m.topics(), Location: m.loc, NoRepeat: cfg.Schedule.NoRepeat,
		Gap: cfg.Audio.Gap, ApprovalRequired: cfg.Approval.Required, TrimSilence: cfg.Audio.TrimSilence}
	for _, s := range cfg.Schedule.Slots {
		sched, _ := config.ParseCron(s.Cron) // validated at load
		slot := playlist.Slot{Name: s.Name, Title: s.Title, Schedule: sched, Length: s.Length, Topics: s.Topics,
			Intro: m.jingle(s.Intro), Outro: m.jingle(s.Outro), Zones: s.Zones}
		for _, d := range s.DaysOff {
			from, to, _ := config.ParseDayOff(d) // validated at load
			slot.DaysOff = append(slot.DaysOff, playlist.DateRange{From: from, To: to})
		}
		p.Slots = append(p.Slots, slot)
	}
	return p
}

// formatFlags adds --format, --json and -o to a listing command.
type formatFlags struct {
	format  string
	json    bool
	outPath string
	allowed []string
}

func addFormatFlags(cmd *cobra.Command, allowed ...string) *formatFlags {
	f := &formatFlags{allowed: allowed}
	cmd.Flags().StringVar(&f.format, "format", "text", "output format: "+strings.Join(allowed, "|"))
	cmd.Flags().BoolVar(&f.json, "json", false, "shorthand for --format json")
	cmd.Flags().StringVarP(&f.outPath, "output-file", "o", "", "write to FILE instead of standard output")
	return f
}

func (f *formatFlags) resolve() (string, error) {
	if f.json {
		f.format = "json"
	}
	for _, a := range f.allowed {
		if f.format == a {
			return a, nil
		}
	}
	return "", badInput("--format %q: want one of %s", f.format, strings.Join(f.allowed, ", "))
}

// open returns where the output goes and a function that finishes it.
func (f *formatFlags) open(stdout io.Writer) (io.Writer, func() error, error) {
	if f.outPath == "" {
		return stdout, func() error { return nil }, nil
	}
	file, err := os.Create(f.outPath)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("-o %s: %w", f.outPath, err)}
	}
	return file, file.Close, nil
}

// write sends what fn writes to -o FILE or to stdout, closing the file
// whatever happens.
func (f *formatFlags) write(stdout io.Writer, fn func(w io.Writer) error) error {
	w, done, err := f.open(stdout)
	if err != nil {
		return err
	}
	if err := fn(w); err != nil {
		done()
		return err
	}
	return done()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseDate parses YYYY-MM-DD in the station's zone.
func (m *Main) parseDate(flag, s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, m.loc)
	if err != nil {
		return time.Time{}, badInput("%s %q: %s", flag, s, m.T("cần ngày dạng YYYY-MM-DD, ví dụ 2024-05-01", "want a date as YYYY-MM-DD, e.g. 2024-05-01"))
	}
	return t, nil
}

func (m *Main) today() time.Time {
	n := time.Now().In(m.loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, m.loc)
}
