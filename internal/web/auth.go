package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/truyenthanh/cchc/internal/store"
)

// sessionCookie carries the session token: HttpOnly, SameSite=Strict.
const sessionCookie = "cchc_session"

// csrfHeader carries the session's CSRF token on every state change made by
// script; forms send it as the field csrfField.
const (
	csrfHeader = "X-CSRF-Token"
	csrfField  = "csrf_token"
)

// roles says who may use a route.
type roles []string

var (
	anyRole      = roles{store.RoleOperator, store.RoleApprover, store.RoleViewer}
	operatorOnly = roles{store.RoleOperator}
	approverOnly = roles{store.RoleApprover}
	// editors may correct a segment before its approval.
	editors = roles{store.RoleOperator, store.RoleApprover}
)

func (rs roles) allow(role string) bool {
	for _, r := range rs {
		if r == role {
			return true
		}
	}
	return false
}

// apiHandler is a handler that runs with a session.
type apiHandler func(w http.ResponseWriter, r *http.Request, sess store.Session)

// session returns the request's live session.
func (s *Server) session(r *http.Request) (store.Session, bool) {
	return CookieSession(r, sessionCookie, s.App.Session, s.Logger)
}

// stateChanging reports whether the method changes state.
func stateChanging(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// sameOrigin refuses a request whose Origin (when sent) is another site.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// csrfOK checks the token of a state-changing request: the header, or for a
// plain form the field.
func csrfOK(r *http.Request, sess store.Session) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		got = r.PostFormValue(csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}

// api wraps an API handler: 401 without a session, 403 for a state change
// without the CSRF token or from another origin, 403 for a role not allowed.
func (s *Server) api(allowed roles, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		sess, ok := s.session(r)
		if !ok {
			s.jsonError(w, r, http.StatusUnauthorized, "chưa đăng nhập — hãy đăng nhập (POST /api/login)", "not logged in — log in first (POST /api/login)")
			return
		}
		if stateChanging(r) && (!sameOrigin(r) || !csrfOK(r, sess)) {
			s.jsonError(w, r, http.StatusForbidden, "thiếu hoặc sai mã chống giả mạo (CSRF) — tải lại trang rồi thử lại", "missing or wrong CSRF token — reload the page and try again")
			return
		}
		if !allowed.allow(sess.User.Role) {
			s.jsonError(w, r, http.StatusForbidden, "vai trò "+roleName("vi", sess.User.Role)+" không được làm việc này", "the "+sess.User.Role+" role may not do this")
			return
		}
		h(w, r, sess)
	})
}

// pageHandler renders a page for a logged-in user.
type pageHandler func(w http.ResponseWriter, r *http.Request, v *view) error

// page wraps a page: without a session it redirects to the login page.
func (s *Server) page(name string, h pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		sess, ok := s.session(r)
		if !ok {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		lang := s.lang(w, r)
		v := s.newView(name, lang, sess)
		st, err := s.status(r.Context(), lang)
		if err != nil {
			s.Logger.Warn("status for the status bar", "err", err)
		}
		v.Air = s.air(st, lang)
		if err := h(w, r, v); err != nil {
			s.Logger.Error("page", "page", name, "err", err)
			http.Error(w, tr(lang, "Lỗi máy chủ: ", "Server error: ")+err.Error(), http.StatusInternalServerError)
			return
		}
		s.render(w, v)
	})
}

// pageAction wraps a form post from a page: session and CSRF field required.
func (s *Server) pageAction(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.session(r)
		if !ok {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if !sameOrigin(r) || !csrfOK(r, sess) {
			http.Error(w, "CSRF", http.StatusForbidden)
			return
		}
		h(w, r, sess)
	})
}

// peerIP is the address the connection came from.
func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// TrustedProxies are the reverse proxies (IP addresses or CIDR ranges)
// whose X-Forwarded-For and X-Forwarded-Proto headers are believed: the
// station's web.trusted_proxies, the province server's --trusted-proxy.
// Without them a request's client is its peer, so that a browser cannot
// dodge the login limit by writing the header itself.
type TrustedProxies []string

// ParseTrustedProxy checks one entry: an IP address or a CIDR range.
func ParseTrustedProxy(p string) error {
	if net.ParseIP(p) != nil {
		return nil
	}
	if _, _, err := net.ParseCIDR(p); err != nil {
		return fmt.Errorf("%q is not an IP address or CIDR range (e.g. 127.0.0.1 or 10.0.0.0/8)", p)
	}
	return nil
}

// Via reports whether the request came through one of the proxies.
func (t TrustedProxies) Via(r *http.Request) bool {
	ip := net.ParseIP(peerIP(r))
	if ip == nil {
		return false
	}
	for _, p := range t {
		if pip := net.ParseIP(p); pip != nil && pip.Equal(ip) {
			return true
		}
		if _, n, err := net.ParseCIDR(p); err == nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// ClientIP is the browser's address: the peer, or behind a trusted proxy
// the last address of its X-Forwarded-For (the one the proxy added).
func (t TrustedProxies) ClientIP(r *http.Request) string {
	if t.Via(r) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	return peerIP(r)
}

// OverHTTPS reports whether the browser reached us over HTTPS: directly,
// or through a trusted proxy that says so.
func (t TrustedProxies) OverHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return t.Via(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (s *Server) proxies() TrustedProxies { return TrustedProxies(s.Config().Web.TrustedProxies) }

// clientIP is the browser's address (see TrustedProxies.ClientIP).
func (s *Server) clientIP(r *http.Request) string { return s.proxies().ClientIP(r) }

// overHTTPS reports whether the browser reached us over HTTPS.
func (s *Server) overHTTPS(r *http.Request) bool { return s.proxies().OverHTTPS(r) }

// errRateLimited: too many failed logins.
var errRateLimited = errors.New("too many failed logins")

// login checks a name and password under the rate limit and opens a session.
func (s *Server) login(ctx context.Context, w http.ResponseWriter, r *http.Request, name, password string) (store.Session, time.Duration, error) {
	now := s.Now()
	ip := s.clientIP(r)
	if wait := s.limiter.blocked(now, ip, name); wait > 0 {
		return store.Session{}, wait, errRateLimited
	}
	ttl := s.Config().Web.SessionTTL
	if ttl <= 0 {
		ttl = 12 * time.Hour
	}
	sess, err := s.App.Login(ctx, name, password, ttl, ip)
	if err != nil {
		if errors.Is(err, store.ErrBadPassword) {
			s.limiter.fail(now, ip, name)
			s.Logger.Warn("failed login", "user", name, "ip", ip)
		}
		return store.Session{}, 0, err
	}
	s.limiter.succeed(name)
	SetSessionCookie(w, sessionCookie, sess, s.overHTTPS(r))
	return sess, 0, nil
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.jsonError(w, r, http.StatusForbidden, "yêu cầu từ trang khác bị từ chối", "request from another site refused")
		return
	}
	var in struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		s.jsonError(w, r, http.StatusBadRequest, "cần JSON {\"name\", \"password\"}", "want JSON {\"name\", \"password\"}")
		return
	}
	sess, wait, err := s.login(r.Context(), w, r, in.Name, in.Password)
	switch {
	case errors.Is(err, errRateLimited):
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
		s.jsonError(w, r, http.StatusTooManyRequests, "đăng nhập sai quá nhiều lần — hãy đợi vài phút", "too many failed logins — wait a few minutes")
		return
	case errors.Is(err, store.ErrBadPassword):
		s.jsonError(w, r, http.StatusUnauthorized, "sai tên hoặc mật khẩu", "wrong name or password")
		return
	case errors.Is(err, store.ErrDisabled):
		s.jsonError(w, r, http.StatusForbidden, "tài khoản này đã bị khóa — hãy hỏi lãnh đạo", "this account is disabled — ask the approver")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": sess.User.Name, "role": sess.User.Role, "csrf_token": sess.CSRF,
		"expires_at": sess.Expires.In(s.Location).Format(time.RFC3339)})
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request, sess store.Session) {
	s.logout(w, r, sess)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess store.Session) {
	s.App.Logout(r.Context(), sess, s.clientIP(r))
	ClearSessionCookie(w, sessionCookie)
}

// loginLimiter counts failed logins per client address and per name.
type loginLimiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

const (
	loginWindow   = 5 * time.Minute
	loginFailures = 5 // allowed in a window, per address and per name
)

func newLoginLimiter() *loginLimiter { return &loginLimiter{failures: map[string][]time.Time{}} }

func (l *loginLimiter) recent(now time.Time, key string) []time.Time {
	var keep []time.Time
	for _, t := range l.failures[key] {
		if now.Sub(t) < loginWindow {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = keep
	}
	return keep
}

// blocked is how long the address or name must wait (0: not blocked).
func (l *loginLimiter) blocked(now time.Time, ip, name string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range []string{"ip:" + ip, "name:" + name} {
		if ts := l.recent(now, k); len(ts) >= loginFailures {
			wait = max(wait, loginWindow-now.Sub(ts[len(ts)-loginFailures]))
		}
	}
	return wait
}

func (l *loginLimiter) fail(now time.Time, ip, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []string{"ip:" + ip, "name:" + name} {
		l.failures[k] = append(l.recent(now, k), now)
	}
}

func (l *loginLimiter) succeed(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "name:"+name)
}
