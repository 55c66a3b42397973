package main

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/web"
)

// newWeb builds the web app around the running station: the same store,
// planner, reports and emergency path as the CLI.
func (m *Main) newWeb(st *store.Store, stn *station.Group, listen string) (*web.Server, error) {
	if listen == "" {
		listen = m.config().Web.Listen
	}
	mediaDir, err := filepath.Abs(m.config().Station.MediaDir)
	if err != nil {
		return nil, err
	}
	app := m.newCommune(st)
	return web.New(web.Deps{
		App:        app,
		Config:     m.config,
		ConfigPath: m.configPath,
		Location:   m.loc,
		Station:    stn,
		Play: func(ctx context.Context, ids []int64) error {
			segs, err := app.EmergencySegments(ctx, ids)
			if err != nil {
				return err
			}
			return stn.Emergency(ctx, nil, segs)
		},
		Control: func(ctx context.Context, a station.Action) error { return stn.Control(ctx, nil, a) },
		Report: func(ctx context.Context, kind string, from, to time.Time, lang, zone string) (report.Report, error) {
			return app.Report(ctx, kind, from, to, lang, true, zone) // rows: the web offers the XLSX too
		},
		Province: m.provinceStatus(st), // province_sync.go
		MediaDir: mediaDir,
		DataDir:  m.dataDir,
		Version:  buildVersion(),
		Logger:   m.logger.With("component", "web"),
		Now:      time.Now,
	}, listen)
}

// runWeb serves the web app until ctx is done. A web app that cannot start
// (the port is taken) is logged loudly, and the station keeps airing.
func (m *Main) runWeb(ctx context.Context, srv *web.Server, uc *commune.Commune) <-chan struct{} {
	done := make(chan struct{})
	if err := srv.Listen(); err != nil {
		m.logger.Error("the web app could not start; the station keeps airing", "err", err)
		fmt.Fprintf(m.Stderr, "!!! %s %v\n", m.T("KHÔNG MỞ ĐƯỢC GIAO DIỆN WEB:", "THE WEB APP COULD NOT START:"), err)
		close(done)
		return done
	}
	fmt.Fprintf(m.Stdout, "%s: http://%s/\n", m.T("Giao diện web", "Web app"), srv.Addr())
	if users, err := uc.Users(ctx); err == nil && len(users) == 0 {
		fmt.Fprintf(m.Stdout, "%s\n  echo 'MẬT-KHẨU' | %s users add NAME --role operator\n",
			m.T("Chưa có tài khoản nào để đăng nhập. Tạo tài khoản đầu tiên (mật khẩu đọc từ đầu vào chuẩn):",
				"No account can log in yet. Create the first one (the password is read from standard input):"), "scheduler")
	}
	go func() {
		defer close(done)
		if err := srv.Run(ctx); err != nil {
			m.logger.Error("web app", "err", err)
		}
	}()
	return done
}

// buildVersion names the build: the module version or VCS revision.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v = s.Value[:12]
		}
	}
	if v == "" || v == "(devel)" {
		return "dev"
	}
	return v
}
