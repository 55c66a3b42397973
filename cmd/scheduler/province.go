package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/province"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/store"
)

// provinceDBEnv names the database when --db is not given (so that a
// password in the URL stays off the command line).
const provinceDBEnv = "CCHC_PROVINCE_DB"

func (m *Main) provinceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "province",
		Short: "The province server: communes, bulletins, province report (máy chủ cấp tỉnh)",
		Long: `The province server of the commune stations (hệ thống thông tin nguồn cấp tỉnh).

Every subcommand takes --db postgres://USER@HOST/DB (or the environment
variable CCHC_PROVINCE_DB). The plan's topics, their monthly targets and
the time zone come from --config (config.yaml, the same file the stations
use).`,
	}
	var db string
	cmd.PersistentFlags().StringVar(&db, "db", "", "the province's PostgreSQL, postgres://USER@HOST/DB (default: $"+provinceDBEnv+")")
	dbURL := func() (string, error) {
		if db == "" {
			if v, ok := m.LookupEnv(provinceDBEnv); ok {
				db = v
			}
		}
		if db == "" {
			return "", badInput("%s", m.T("cần --db postgres://NGƯỜI-DÙNG@MÁY/CSDL (hoặc biến môi trường "+provinceDBEnv+")",
				"--db postgres://USER@HOST/DB is needed (or the environment variable "+provinceDBEnv+")"))
		}
		if !strings.HasPrefix(db, "postgres://") && !strings.HasPrefix(db, "postgresql://") {
			return "", badInput("--db %q: %s", redactURL(db), m.T("cần địa chỉ dạng postgres://NGƯỜI-DÙNG@MÁY/CSDL", "want a URL like postgres://USER@HOST/DB"))
		}
		return db, nil
	}
	open := func(ctx context.Context) (*pgstore.DB, error) {
		if err := m.load(); err != nil {
			return nil, err
		}
		u, err := dbURL()
		if err != nil {
			return nil, err
		}
		return pgstore.Open(ctx, u)
	}
	cmd.AddCommand(m.provinceServeCommand(open), m.provinceCommunesCommand(open), m.provinceUsersCommand(open),
		m.provinceReportCommand(open))
	return cmd
}

// redactURL hides a password in a database URL.
func redactURL(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return u
	}
	userinfo := u[scheme+3 : at]
	if name, _, ok := strings.Cut(userinfo, ":"); ok {
		return u[:scheme+3] + name + ":***" + u[at:]
	}
	return u
}

type provinceOpener func(ctx context.Context) (*pgstore.DB, error)

func (m *Main) provinceServeCommand(open provinceOpener) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve --db URL [--listen ADDR]",
		Short: "Serve the stations' API and the province's web app",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			srv, err := province.New(m.provinceDeps(db), listen)
			if err != nil {
				return err
			}
			if err := srv.Listen(); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%s: http://%s/\n", m.T("máy chủ tỉnh đang chạy", "province server running"), srv.Addr())
			return srv.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8090", "address of the stations' API and the web app (HOST:PORT)")
	return cmd
}

// provinceDeps builds the server's dependencies from the configuration.
func (m *Main) provinceDeps(db *pgstore.DB) province.Deps {
	cfg := m.config()
	return province.Deps{
		Store: db, Users: db.Province(), Topics: m.topics(), Header: m.provinceHeader(),
		Location: m.loc, Language: m.language(), MaxUploadMB: cfg.Web.MaxUploadMB, SessionTTL: cfg.Web.SessionTTL,
		Logger: m.logger.With("component", "province"), Now: time.Now,
	}
}

// provinceHeader is the head of the province report: the issuing body is
// report.superior of config.yaml (the body the communes report to).
func (m *Main) provinceHeader() report.Header {
	cfg := m.config().Report
	h := report.Header{Committee: cfg.Superior, DocNumberSuffix: "BC"}
	if h.Committee == "" {
		h.Committee = m.T("HỆ THỐNG THÔNG TIN NGUỒN CẤP TỈNH", "PROVINCE SOURCE INFORMATION SYSTEM")
	}
	return h
}

func (m *Main) provinceCommunesCommand(open provinceOpener) *cobra.Command {
	cmd := &cobra.Command{Use: "communes", Short: "The province's communes and their station tokens"}
	var name string
	add := &cobra.Command{
		Use:   "add CODE --name NAME",
		Short: "Add a commune; prints its station's token once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code := args[0]
			if !pgstore.ValidCommuneCode(code) {
				return badInput("%s %q: %s", m.T("mã xã", "commune code"), code, m.T("cần 1–32 chữ, số, - hoặc _ (ví dụ mã xã chính thức 25252)", "use 1–32 letters, digits, - or _ (e.g. the official code 25252)"))
			}
			if strings.TrimSpace(name) == "" {
				return badInput("%s", m.T("cần --name \"Tên xã\"", "--name \"Commune name\" is needed"))
			}
			ctx := cmd.Context()
			db, err := open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			token, err := db.AddCommune(ctx, code, strings.TrimSpace(name), time.Now())
			if errors.Is(err, store.ErrExists) {
				return badInput("%s %q %s", m.T("mã xã", "commune code"), code, m.T("đã có — xem: scheduler province communes list", "already exists — see: scheduler province communes list"))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "%s %s (%s). %s\n", m.T("đã thêm xã", "commune added:"), code, name,
				m.T("Mã trạm dưới đây chỉ in một lần: ghi vào tệp province.token_file của trạm.", "The station token below is printed once only: put it in the station's province.token_file."))
			fmt.Fprintln(m.Stdout, token)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "the commune's name, e.g. \"Xã Tân Lập\"")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the communes, their last sync and their chain",
		Args:  cobra.NoArgs,
	}
	ff := addFormatFlags(list, "text", "json")
	list.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := ff.resolve()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		db, err := open(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		cs, err := db.Communes(ctx)
		if err != nil {
			return err
		}
		return ff.write(m.Stdout, func(w io.Writer) error {
			if format == "json" {
				type row struct {
					Code     string     `json:"code"`
					Name     string     `json:"name"`
					LastSync *time.Time `json:"last_sync"`
					LastSeq  int64      `json:"last_seq"`
					LastHash string     `json:"last_hash"`
				}
				out := make([]row, 0, len(cs))
				for _, c := range cs {
					r := row{Code: c.Code, Name: c.Name, LastSeq: c.Head.Seq, LastHash: c.Head.Hash}
					if !c.LastSync.IsZero() {
						t := c.LastSync.In(m.loc)
						r.LastSync = &t
					}
					out = append(out, r)
				}
				return writeJSON(w, out)
			}
			tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, m.T("MÃ\tXÃ\tĐỒNG BỘ LẦN CUỐI\tMẮT XÍCH CUỐI", "CODE\tCOMMUNE\tLAST SYNC\tLAST LINK"))
			for _, c := range cs {
				sync := m.T("chưa bao giờ", "never")
				if !c.LastSync.IsZero() {
					sync = c.LastSync.In(m.loc).Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", c.Code, c.Name, sync, c.Head.Seq)
			}
			return tw.Flush()
		})
	}
	reset := &cobra.Command{
		Use:   "token CODE",
		Short: "Give a commune's station a new token (the old one stops working); prints it once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			token, err := db.ResetToken(ctx, args[0])
			if errors.Is(err, store.ErrNotFound) {
				return badInput("%s %q %s", m.T("không có xã mã", "no commune with code"), args[0], m.T("— xem: scheduler province communes list", "— see: scheduler province communes list"))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "%s %s. %s\n", m.T("mã trạm mới của xã", "new station token of commune"), args[0],
				m.T("Mã cũ hết hiệu lực; mã dưới đây chỉ in một lần: ghi vào tệp province.token_file của trạm.", "The old one no longer works; the token below is printed once only: put it in the station's province.token_file."))
			fmt.Fprintln(m.Stdout, token)
			return nil
		},
	}
	cmd.AddCommand(add, list, reset)
	return cmd
}

func (m *Main) provinceUsersCommand(open provinceOpener) *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Accounts of the province's web app"}
	var role string
	add := &cobra.Command{
		Use:   "add NAME --role admin|operator|viewer",
		Short: "Add a province user; the password is read from standard input (or asked for at a terminal)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			stored, ok := province.ParseRole(role)
			if !ok {
				return badInput("--role %q: %s", role, m.T("dùng admin (quản trị), operator (biên tập) hoặc viewer (xem)", "use admin, operator or viewer"))
			}
			if !store.ValidUserName(name) {
				return badInput("%s %q: %s", m.T("tên", "name"), name, m.T("cần 1–64 ký tự, không có dấu cách", "use 1–64 characters without spaces"))
			}
			if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				fmt.Fprint(m.Stderr, m.T("Mật khẩu: ", "Password: "))
				b, err := term.ReadPassword(int(f.Fd()))
				fmt.Fprintln(m.Stderr)
				if err != nil {
					return fmt.Errorf("read password: %w", err)
				}
				m.Stdin = strings.NewReader(string(b) + "\n")
			}
			pw, err := m.readPassword()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			users := db.Province()
			if _, err := users.AddUser(ctx, name, stored, pw, time.Now()); err != nil {
				if errors.Is(err, store.ErrExists) {
					return badInput("%s %q %s", m.T("người dùng", "user"), name, m.T("đã có", "already exists"))
				}
				return err
			}
			_ = users.Audit(ctx, store.AuditEntry{At: time.Now(), User: osUser(), Action: store.ActionUser, Object: name, Detail: "add " + stored})
			fmt.Fprintf(m.Stdout, "%s: %s (%s)\n", m.T("đã thêm người dùng", "user added"), name, province.RoleName(m.language(), stored))
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "", "admin (communes and users), operator (uploads bulletins) or viewer (reports)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the province's users and their roles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := open(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			users, err := db.Province().Users(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, m.T("TÊN\tVAI TRÒ\tNGÀY TẠO", "NAME\tROLE\tCREATED"))
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name, province.RoleName(m.language(), u.Role), u.Created.In(m.loc).Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		},
	}
	cmd.AddCommand(add, list)
	return cmd
}

// osUser names the person at the terminal, for the audit trail.
func osUser() string {
	if u, ok := os.LookupEnv("USER"); ok && u != "" {
		return "cli:" + u
	}
	return "cli"
}

func (m *Main) provinceReportCommand(open provinceOpener) *cobra.Command {
	var month, quarter, year string
	cmd := &cobra.Command{
		Use:   "report (--month YYYY-MM | --quarter YYYY-Qn | --year YYYY)",
		Short: "Coverage by topic for each commune and the province",
		Long: `Coverage by topic for each commune and for the province, from the airings
the stations shipped: communes below target flagged, communes that did not
sync in the period listed. Targets are the monthly targets of the topics in
--config (config.yaml), scaled to the period, for each commune; the
province's are those times the number of communes.

  scheduler province report --month 2026-11 --format xlsx -o bao-cao-tinh-2026-11.xlsx`,
		Args: cobra.NoArgs,
	}
	ff := addFormatFlags(cmd, province.Formats...)
	cmd.Flags().StringVar(&month, "month", "", "month, YYYY-MM")
	cmd.Flags().StringVar(&quarter, "quarter", "", "quarter, YYYY-Qn")
	cmd.Flags().StringVar(&year, "year", "", "year, YYYY")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := ff.resolve()
		if err != nil {
			return err
		}
		if (format == "xlsx" || format == "docx") && ff.outPath == "" && isTerminalWriter(m.Stdout) {
			return badInput("%s", m.T(fmt.Sprintf("--format %[1]s là tệp nhị phân: thêm -o bao-cao-tinh.%[1]s", format),
				fmt.Sprintf("--format %[1]s is a binary file: add -o report.%[1]s", format)))
		}
		if err := m.load(); err != nil {
			return err
		}
		p, err := province.ParsePeriod(month, quarter, year, m.loc)
		var pe *report.PeriodError
		switch {
		case errors.Is(err, province.ErrPeriodChoice):
			return badInput("%s", m.T("chọn đúng một kỳ: --month YYYY-MM, --quarter YYYY-Qn hoặc --year YYYY", "choose exactly one period: --month YYYY-MM, --quarter YYYY-Qn or --year YYYY"))
		case errors.As(err, &pe):
			return usageError{err}
		case err != nil:
			return err
		}
		ctx := cmd.Context()
		db, err := open(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		rep, err := province.BuildReport(ctx, db, province.ReportInput{Period: p, Topics: m.topics(), Header: m.provinceHeader(),
			Location: m.loc, Issued: time.Now()})
		if err != nil {
			return err
		}
		return ff.write(m.Stdout, func(w io.Writer) error { return province.WriteReport(w, rep, format, m.language()) })
	}
	return cmd
}
