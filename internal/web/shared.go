package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/truyenthanh/cchc/internal/store"
)

// SecurityHeaders sets the headers every response of the station's web app
// carries (nosniff, no framing, same-origin referrer, a strict CSP) on h:
// for the province's web app, which follows the same rules.
func SecurityHeaders(h http.Handler) http.Handler { return securityHeaders(h) }

// SameOrigin reports whether a request's Origin, when sent, is this site.
func SameOrigin(r *http.Request) bool { return sameOrigin(r) }

// LoginLimiter counts failed logins per client address and per name, as
// the station's login does: five in five minutes block the address or the
// name for the rest of the window.
type LoginLimiter struct{ l *loginLimiter }

// NewLoginLimiter returns an empty limiter.
func NewLoginLimiter() *LoginLimiter { return &LoginLimiter{l: newLoginLimiter()} }

// Blocked is how long the address or the name must wait (0: not blocked).
func (l *LoginLimiter) Blocked(now time.Time, ip, name string) time.Duration {
	return l.l.blocked(now, ip, name)
}

// Fail counts a failed login.
func (l *LoginLimiter) Fail(now time.Time, ip, name string) { l.l.fail(now, ip, name) }

// Succeed forgets the name's failures.
func (l *LoginLimiter) Succeed(name string) { l.l.succeed(name) }

// CookieSession returns the live session whose token the named cookie
// carries, as lookup finds it; a failed lookup other than "no such
// session" is logged.
func CookieSession(r *http.Request, cookie string, lookup func(ctx context.Context, token string) (store.Session, error), logger *slog.Logger) (store.Session, bool) {
	c, err := r.Cookie(cookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return store.Session{}, false
	}
	sess, err := lookup(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			logger.Error("session lookup", "err", err)
		}
		return store.Session{}, false
	}
	return sess, true
}

// SafeNext keeps a post-login redirect on this site: a path of its own,
// else "/".
func SafeNext(next string) string { return safeNext(next) }

// SetSessionCookie gives the browser the session's token in the named
// cookie: HTTP only, same site, Secure when the browser came over HTTPS.
func SetSessionCookie(w http.ResponseWriter, name string, sess store.Session, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: sess.Token, Path: "/", Expires: sess.Expires,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure})
}

// ClearSessionCookie makes the browser forget the named session cookie.
func ClearSessionCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}
