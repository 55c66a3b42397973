// Package web is the operator web app and its JSON API: log in, load and
// approve segments, see the programme and what is on air, play now, read
// the log and download reports. Pages are html/template with embedded
// assets (no CDN); state changes need a session, its CSRF token and a role.
package web

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// StatusSource is the running station as the web sees it.
type StatusSource interface {
	Status(ctx context.Context) (station.Status, error)
	Subscribe() (<-chan struct{}, func())
}

// Deps is what the web app is built from.
type Deps struct {
	// App is the station's use cases: every read, every state change and
	// every plan goes through it (state changes into the audit trail). Nil:
	// web.New builds one on Store and Planner.
	App *commune.Commune
	// Store and Planner build App when it is nil (tests); the web app
	// never calls them itself.
	Store Store
	// Config returns the configuration in force (it may be reloaded).
	Config     func() config.Config
	ConfigPath string
	Location   *time.Location
	// Planner returns the planner in force (see Store).
	Planner func() *playlist.Planner
	// Station is the running station; nil when there is none.
	Station StatusSource
	// Play airs segments at once, preempting what plays (the control
	// socket's emergency path). An error wrapping control.ErrBadRequest is
	// the operator's mistake.
	Play func(ctx context.Context, ids []int64) error
	// Control acts on what the running station airs (stop, skip, pause,
	// resume); nil when there is no station. station.ErrNothingOnAir,
	// ErrNotPaused and ErrAlreadyPaused are the operator's mistakes.
	Control func(ctx context.Context, a station.Action) error
	// Report builds a period's report from the log, reasons in lang: of
	// the zone with that code, or of the whole commune ("").
	Report func(ctx context.Context, kind string, from, to time.Time, lang, zone string) (report.Report, error)
	// Province is the station's reporting to the province; nil when it
	// has none (province.go).
	Province func(ctx context.Context) (ProvinceStatus, error)
	MediaDir string
	DataDir  string
	Version  string
	Logger   *slog.Logger
	Now      func() time.Time
}

// Server serves the web app.
type Server struct {
	Deps
	listener *Listener
	handler  http.Handler
	pages    map[string]*template.Template
	limiter  *loginLimiter
	// measuring lets one upload at a time be analysed (loudness, true
	// peak: CPU-bound), so that a burst of uploads leaves the playout its
	// share of the CPU; the files themselves stream to disk in parallel.
	measuring chan struct{}
	ingest    *ingest

	done chan struct{} // closed when Run stops: ends event streams

	// deadSince is when the web app first saw the loudspeakers silent
	// (zero while they work), for the status bar's "for how long".
	deadMu    sync.Mutex
	deadSince time.Time
}

// New builds the server for addr (host:port; port 0 picks a free one).
func New(d Deps, addr string) (*Server, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.App == nil {
		d.App = commune.New(commune.Deps{Store: d.Store, Planner: d.Planner, Config: d.Config, Location: d.Location, Now: d.Now, Logger: d.Logger})
	}
	s := &Server{Deps: d, listener: NewListener("web", addr), limiter: newLoginLimiter(), measuring: make(chan struct{}, 1), done: make(chan struct{})}
	pages, err := s.parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.ingest = &ingest{rate: 16 << 20, now: time.Now} // real time, whatever the app's clock
	s.handler = s.routes()
	return s, nil
}

// Handler is the app's HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// Listen binds the address; Run does it when it has not been done.
func (s *Server) Listen() error { return s.listener.Listen() }

// Addr is the bound address (after Listen), else the configured one.
func (s *Server) Addr() string { return s.listener.Addr() }

// Run serves until ctx is done, then shuts down gracefully: requests in
// progress get up to 5 s to finish, event streams are closed.
func (s *Server) Run(ctx context.Context) error {
	return s.listener.Serve(ctx, s.handler, s.Logger, "web app listening", func() { close(s.done) })
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(staticFiles(static))))

	mux.HandleFunc("POST /api/login", s.apiLogin)
	mux.Handle("POST /api/logout", s.api(anyRole, s.apiLogout))
	mux.Handle("GET /api/segments", s.api(anyRole, s.apiSegments))
	mux.Handle("POST /api/segments", s.api(operatorOnly, s.apiUpload))
	mux.Handle("POST /api/segments/{id}/approve", s.api(approverOnly, s.apiApprove))
	mux.Handle("POST /api/segments/{id}/reject", s.api(approverOnly, s.apiReject))
	mux.Handle("POST /api/segments/{id}/edit", s.api(editors, s.apiEdit))
	mux.Handle("GET /api/segments/{id}/audio", s.api(anyRole, s.apiAudio))
	mux.Handle("POST /api/control/{action}", s.api(operatorOnly, s.apiControl))
	mux.Handle("POST /api/settings", s.api(approverOnly, s.apiSettings))
	mux.Handle("GET /api/users", s.api(approverOnly, s.apiUsers))
	mux.Handle("POST /api/users", s.api(approverOnly, s.apiAddUser))
	mux.Handle("POST /api/users/{name}/{change}", s.api(approverOnly, s.apiChangeUser))
	mux.Handle("POST /api/segments/{id}/retire", s.api(operatorOnly, s.apiRetire))
	mux.Handle("GET /api/schedule", s.api(anyRole, s.apiSchedule))
	mux.Handle("POST /api/schedule/pin", s.api(operatorOnly, s.apiPin(false)))
	mux.Handle("POST /api/schedule/unpin", s.api(operatorOnly, s.apiPin(true)))
	mux.Handle("GET /api/log", s.api(anyRole, s.apiLog))
	mux.Handle("GET /api/report", s.api(anyRole, s.apiReport))
	mux.Handle("POST /api/play", s.api(operatorOnly, s.apiPlay))
	mux.Handle("GET /api/status", s.api(anyRole, s.apiStatus))
	mux.Handle("GET /api/events", s.api(anyRole, s.apiEvents))
	mux.Handle("GET /api/audit", s.api(anyRole, s.apiAudit))
	mux.Handle("/api/", s.api(anyRole, func(w http.ResponseWriter, r *http.Request, _ store.Session) {
		s.jsonError(w, r, http.StatusNotFound, "không có địa chỉ API này", "no such API route")
	}))

	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginForm)
	mux.Handle("POST /logout", s.pageAction(s.logoutForm))
	mux.Handle("GET /{$}", s.page("overview", s.overviewPage))
	mux.Handle("GET /now", s.page("now", s.nowPage))
	mux.Handle("GET /schedule", s.page("schedule", s.schedulePage))
	mux.Handle("GET /segments", s.page("segments", s.segmentsPage))
	mux.Handle("GET /log", s.page("log", s.logPage))
	mux.Handle("GET /reports", s.page("reports", s.reportsPage))
	mux.Handle("GET /play", s.page("play", s.playPage))
	mux.Handle("GET /system", s.page("system", s.systemPage))
	mux.Handle("GET /settings", s.page("settings", s.settingsPage))
	mux.Handle("GET /audit", s.page("audit", s.auditPage))
	return securityHeaders(mux)
}

// securityHeaders sets headers every response carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'")
		h.ServeHTTP(w, r)
	})
}

// staticFiles serves the embedded assets; a path that is not a clean name
// (an overlong UTF-8 "..", a NUL) is simply not found.
func staticFiles(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if !utf8.ValidString(name) || !fs.ValidPath(name) {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}
