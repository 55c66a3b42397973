package province

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/web"
	"github.com/truyenthanh/cchc/internal/words"
)

// Roles of the province's users, as stored (pgstore keeps the province's
// roles for its own users, the station's for a commune's).
const (
	RoleAdmin    = pgstore.RoleAdmin    // quản trị: communes and users, and all the rest
	RoleOperator = pgstore.RoleOperator // biên tập: uploads bulletins
	RoleViewer   = pgstore.RoleViewer   // xem: communes, bulletins, reports
)

// ValidRole reports whether r is a stored province role.
func ValidRole(r string) bool { return r == RoleAdmin || r == RoleOperator || r == RoleViewer }

// ParseRole reads a role as the operator types it: admin (quan-tri),
// operator (bien-tap) or viewer (xem).
func ParseRole(s string) (string, bool) {
	switch strings.ToLower(s) {
	case RoleAdmin, "quan-tri", "quản-trị":
		return RoleAdmin, true
	case RoleOperator, "bien-tap", "biên-tập":
		return RoleOperator, true
	case RoleViewer, "xem":
		return RoleViewer, true
	}
	return "", false
}

// RoleName is a role as the operator reads it.
func RoleName(lang, role string) string {
	switch role {
	case RoleAdmin:
		return words.Pick(lang, "quản trị", "administrator")
	case RoleOperator:
		return words.Pick(lang, "biên tập", "operator")
	case RoleViewer:
		return words.Pick(lang, "xem", "viewer")
	}
	return role
}

type roles []string

var (
	anyRole   = roles{RoleAdmin, RoleOperator, RoleViewer}
	adminOnly = roles{RoleAdmin}
	uploaders = roles{RoleAdmin, RoleOperator}
)

func (rs roles) allow(role string) bool {
	for _, r := range rs {
		if r == role {
			return true
		}
	}
	return false
}

const (
	sessionCookie = "cchc_province_session"
	csrfField     = "csrf_token"
)

func tr(lang, vi, en string) string { return words.Pick(lang, vi, en) }

// view is what every page template gets.
type view struct {
	L, Page, Title, CSRF string
	User                 store.User
	IsAdmin              bool
	Nav                  []navItem
	Flash, Error         string
	Data                 any
}

type navItem struct{ Href, Page, Label string }

func parsePages(loc *time.Location) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"t":    tr,
		"role": RoleName,
		"level": func(lang, l string) string {
			return LevelName(lang, l)
		},
		// num is a figure with one decimal, a decimal comma in Vietnamese.
		"num": func(lang string, v float64) string {
			s := strconv.FormatFloat(v, 'f', 1, 64)
			if lang != "en" {
				s = strings.Replace(s, ".", ",", 1)
			}
			return s
		},
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("02/01/2006 15:04")
		},
		"mb": func(lang string, n int64) string {
			s := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
			if lang != "en" {
				s = strings.Replace(s, ".", ",", 1)
			}
			return s
		},
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"login", "communes", "users", "bulletins", "reports"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("province: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// lang is the request's language: ?lang=, then the cookie, then the
// server's default. A ?lang= choice is remembered.
func (s *Server) lang(w http.ResponseWriter, r *http.Request) string {
	return web.RequestLang(w, r, s.Language)
}

func (s *Server) session(r *http.Request) (store.Session, bool) {
	return web.CookieSession(r, sessionCookie, func(ctx context.Context, token string) (store.Session, error) {
		return s.Users.SessionByToken(ctx, token, s.Now())
	}, s.Logger)
}

func (s *Server) newView(page, lang string, sess store.Session) *view {
	v := &view{L: lang, Page: page, CSRF: sess.CSRF, User: sess.User, IsAdmin: sess.User.Role == RoleAdmin}
	v.Title = map[string]string{
		"communes": tr(lang, "Các xã", "Communes"), "users": tr(lang, "Người dùng", "Users"),
		"bulletins": tr(lang, "Bản tin của tỉnh", "Province bulletins"), "reports": tr(lang, "Báo cáo tỉnh", "Province report"),
		"login": tr(lang, "Đăng nhập", "Log in"),
	}[page]
	v.Nav = []navItem{{"/", "communes", tr(lang, "Các xã", "Communes")}, {"/bulletins", "bulletins", tr(lang, "Bản tin", "Bulletins")},
		{"/reports", "reports", tr(lang, "Báo cáo", "Reports")}}
	if sess.User.Role == RoleAdmin {
		v.Nav = append(v.Nav, navItem{"/users", "users", tr(lang, "Người dùng", "Users")})
	}
	return v
}

func (s *Server) render(w http.ResponseWriter, v *view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.pages[v.Page].Execute(w, v); err != nil {
		s.Logger.Error("render", "page", v.Page, "err", err)
	}
}

// pageHandler fills a page's view; an error is a server error.
type pageHandler func(r *http.Request, v *view) error

// page wraps a page: without a session it redirects to the login page; a
// role not allowed gets 403.
func (s *Server) page(name string, allowed roles, h pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.session(r)
		if !ok {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		lang := s.lang(w, r)
		if !allowed.allow(sess.User.Role) {
			http.Error(w, tr(lang, "Vai trò "+RoleName(lang, sess.User.Role)+" không được xem trang này", "The "+RoleName(lang, sess.User.Role)+" role may not see this page"), http.StatusForbidden)
			return
		}
		v := s.newView(name, lang, sess)
		v.Flash = r.URL.Query().Get("ok")
		v.Error = r.URL.Query().Get("err")
		if err := h(r, v); err != nil {
			s.Logger.Error("page", "page", name, "err", err)
			http.Error(w, tr(lang, "Lỗi máy chủ: ", "Server error: ")+err.Error(), http.StatusInternalServerError)
			return
		}
		s.render(w, v)
	})
}

// actionHandler acts on a form post (or serves a download) for a user.
type actionHandler func(w http.ResponseWriter, r *http.Request, sess store.Session, lang string)

// action wraps a form post: a session, and for a state change the same
// origin and the session's CSRF token; a role not allowed gets 403.
func (s *Server) action(allowed roles, h actionHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		lang := s.lang(nil, r)
		sess, ok := s.session(r)
		if !ok {
			http.Error(w, tr(lang, "Chưa đăng nhập — hãy đăng nhập", "Not logged in — log in first"), http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// The largest form is a bulletin's audio; reading the CSRF
			// field parses the form, so the bound comes first.
			r.Body = http.MaxBytesReader(w, r.Body, int64(s.MaxUploadMB+1)<<20)
			if !web.SameOrigin(r) || !csrfOK(r, sess) {
				http.Error(w, tr(lang, "Thiếu hoặc sai mã chống giả mạo (CSRF) — tải lại trang rồi thử lại", "Missing or wrong CSRF token — reload the page and try again"), http.StatusForbidden)
				return
			}
		}
		if !allowed.allow(sess.User.Role) {
			http.Error(w, tr(lang, "Vai trò "+RoleName(lang, sess.User.Role)+" không được làm việc này", "The "+RoleName(lang, sess.User.Role)+" role may not do this"), http.StatusForbidden)
			return
		}
		h(w, r, sess, lang)
	})
}

// csrfOK checks the form field (a multipart form's too) or the header.
func csrfOK(r *http.Request, sess store.Session) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.FormValue(csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}

// back redirects to a page with a message (ok) or an error (err).
func back(w http.ResponseWriter, r *http.Request, path, key, msg string) {
	http.Redirect(w, r, path+"?"+key+"="+url.QueryEscape(msg), http.StatusSeeOther)
}

func (s *Server) audit(r *http.Request, user, action, object, detail string) {
	if err := s.Users.Audit(r.Context(), store.AuditEntry{At: s.Now(), User: user, Action: action, Object: object, Detail: detail}); err != nil {
		s.Logger.Error("audit", "action", action, "err", err)
	}
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(w, r)
	v := s.newView("login", lang, store.Session{})
	v.Nav = nil
	v.Error = r.URL.Query().Get("err")
	v.Data = r.URL.Query().Get("next")
	s.render(w, v)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(nil, r)
	if !web.SameOrigin(r) {
		http.Error(w, tr(lang, "Yêu cầu từ trang khác bị từ chối", "Request from another site refused"), http.StatusForbidden)
		return
	}
	name, pw := r.PostFormValue("name"), r.PostFormValue("password")
	ip := s.TrustedProxies.ClientIP(r)
	if wait := s.limiter.Blocked(s.Now(), ip, name); wait > 0 {
		back(w, r, "/login", "err", tr(lang, fmt.Sprintf("Đăng nhập sai quá nhiều lần — hãy đợi %d phút", int(wait.Minutes())+1),
			fmt.Sprintf("Too many failed logins — wait %d minutes", int(wait.Minutes())+1)))
		return
	}
	u, err := s.Users.CheckPassword(r.Context(), name, pw)
	if err != nil {
		switch {
		case errors.Is(err, store.ErrBadPassword), errors.Is(err, store.ErrNotFound):
			s.limiter.Fail(s.Now(), ip, name)
			s.Logger.Warn("failed login", "user", name, "ip", ip)
			back(w, r, "/login", "err", tr(lang, "Sai tên hoặc mật khẩu", "Wrong name or password"))
		case errors.Is(err, store.ErrDisabled):
			back(w, r, "/login", "err", tr(lang, "Tài khoản đã bị khóa", "This account is disabled"))
		default:
			s.Logger.Error("login", "err", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
		return
	}
	s.limiter.Succeed(name)
	if !ValidRole(u.Role) {
		back(w, r, "/login", "err", tr(lang, "Tài khoản này không có vai trò của tỉnh", "This account has no province role"))
		return
	}
	sess, err := s.Users.CreateSession(r.Context(), u, s.Now(), s.SessionTTL)
	if err != nil {
		s.Logger.Error("login", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	web.SetSessionCookie(w, sessionCookie, sess, s.TrustedProxies.OverHTTPS(r))
	s.audit(r, u.Name, store.ActionLogin, "", ip)
	http.Redirect(w, r, web.SafeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) logoutForm(w http.ResponseWriter, r *http.Request, sess store.Session, _ string) {
	if err := s.Users.DeleteSession(r.Context(), sess.Token); err != nil {
		s.Logger.Error("logout", "err", err)
	}
	web.ClearSessionCookie(w, sessionCookie)
	s.audit(r, sess.User.Name, store.ActionLogout, "", s.TrustedProxies.ClientIP(r))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
