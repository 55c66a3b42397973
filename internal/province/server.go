// Package province is the province server of issue 16: the station API of
// internal/provinceapi (airings flow up, bulletins flow down, each station
// scoped to its commune by its token) and the province's web app (its
// users and roles, the communes and their sync, bulletins, the province
// report). Its data is the province's PostgreSQL (internal/pgstore),
// reached through the interfaces declared here.
package province

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Deps is what the server is built from.
type Deps struct {
	// Store is the province's database: communes, shipped airings,
	// bulletins, the report.
	Store Store
	// Users is the province's own account store (users, sessions, audit).
	Users Users
	// Topics are the plan's topics with the monthly targets a commune is
	// held to (the province's config.yaml).
	Topics   []playlist.Topic
	Header   report.Header
	Location *time.Location
	// Language is the default of the web app: "vi" or "en".
	Language string
	// MaxUploadMB bounds a bulletin's audio file; 0 means 200.
	MaxUploadMB int
	// SessionTTL is how long a login lasts; 0 means 12 h.
	SessionTTL time.Duration
	// TrustedProxies are the reverse proxies (IP or CIDR) in front of the
	// server, whose X-Forwarded-For names the browser to the login
	// limiter and whose X-Forwarded-Proto marks the cookie Secure.
	TrustedProxies web.TrustedProxies
	Logger         *slog.Logger
	Now            func() time.Time
}

// Server serves the station API and the web app.
type Server struct {
	Deps
	listener *web.Listener
	handler  http.Handler
	pages    map[string]*template.Template
	exts     extCache
	limiter  *web.LoginLimiter

	// life ends when Run stops: it ends the stations' long polls.
	life    context.Context
	endLife context.CancelFunc
}

// MaxWait is the longest a station's long poll for bulletins is held.
const MaxWait = 60 * time.Second

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
	if d.MaxUploadMB <= 0 {
		d.MaxUploadMB = 200
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = 12 * time.Hour
	}
	if d.Language != "en" {
		d.Language = "vi"
	}
	s := &Server{Deps: d, listener: web.NewListener("province", addr), limiter: web.NewLoginLimiter()}
	s.life, s.endLife = context.WithCancel(context.Background())
	pages, err := parsePages(d.Location)
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.handler = s.routes()
	return s, nil
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Listen binds the address; Run does it when it has not been done.
func (s *Server) Listen() error { return s.listener.Listen() }

// Addr is the bound address (after Listen), else the configured one.
func (s *Server) Addr() string { return s.listener.Addr() }

// Run serves until ctx is done, then shuts down: long polls end at once,
// other requests get up to 5 s.
func (s *Server) Run(ctx context.Context) error {
	return s.listener.Serve(ctx, s.handler, s.Logger, "province server listening", s.endLife)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+provinceapi.PathChain, s.station(s.apiChain))
	mux.Handle("POST "+provinceapi.PathAirings, s.station(s.apiAirings))
	mux.Handle("GET "+provinceapi.PathBulletins, s.station(s.apiBulletins))
	mux.Handle("GET "+provinceapi.PathBulletinAudio+"{id}", s.station(s.apiBulletinAudio))
	mux.Handle("/api/v1/station/", s.station(func(w http.ResponseWriter, r *http.Request, _ string) {
		stationError(w, http.StatusNotFound, provinceapi.Error{Error: "không có địa chỉ API này", ErrorEN: "no such API route"})
	}))

	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginForm)
	mux.Handle("POST /logout", s.action(anyRole, s.logoutForm))
	mux.Handle("GET /{$}", s.page("communes", anyRole, s.communesPage))
	mux.Handle("POST /communes", s.action(adminOnly, s.addCommune))
	mux.Handle("GET /users", s.page("users", adminOnly, s.usersPage))
	mux.Handle("POST /users", s.action(adminOnly, s.addUser))
	mux.Handle("GET /bulletins", s.page("bulletins", anyRole, s.bulletinsPage))
	mux.Handle("POST /bulletins", s.action(uploaders, s.uploadBulletin))
	mux.Handle("GET /reports", s.page("reports", anyRole, s.reportsPage))
	mux.Handle("GET /reports/download", s.action(anyRole, s.downloadReport))
	return web.SecurityHeaders(mux)
}
