package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/words"
)

// langCookie keeps the operator's language choice (?lang=en or ?lang=vi).
const langCookie = "cchc_lang"

func tr(lang, vi, en string) string { return words.Pick(lang, vi, en) }

// lang is the request's language: ?lang=, then the cookie, then the
// station's. A ?lang= choice is remembered in the cookie.
func (s *Server) lang(w http.ResponseWriter, r *http.Request) string {
	def := "vi"
	if s.Config().Station.Language == "en" {
		def = "en"
	}
	return RequestLang(w, r, def)
}

// RequestLang is the request's language: ?lang=, then the language cookie,
// then def. A ?lang= choice is remembered in the cookie when w is not nil.
func RequestLang(w http.ResponseWriter, r *http.Request, def string) string {
	if l := r.URL.Query().Get("lang"); l == "vi" || l == "en" {
		if w != nil {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteStrictMode})
		}
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "vi" || c.Value == "en") {
		return c.Value
	}
	return def
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// jsonError answers {"error": message} in the request's language.
func (s *Server) jsonError(w http.ResponseWriter, r *http.Request, code int, vi, en string) {
	writeJSON(w, code, map[string]string{"error": tr(s.lang(nil, r), vi, en)})
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.Logger.Error("web request", "method", r.Method, "path", r.URL.Path, "err", err)
	s.jsonError(w, r, http.StatusInternalServerError, "lỗi máy chủ: "+err.Error(), "server error: "+err.Error())
}

// audit records an action the use-case layer does not do itself (log in,
// log out, control, play, settings); a failure to record is logged.
func (s *Server) audit(ctx context.Context, user, action, object, detail string) {
	s.App.Record(ctx, user, action, object, detail)
}

func roleName(lang, role string) string {
	switch role {
	case store.RoleOperator:
		return tr(lang, "vận hành", "operator")
	case store.RoleApprover:
		return tr(lang, "phê duyệt", "approver")
	case store.RoleViewer:
		return tr(lang, "chỉ xem", "viewer")
	}
	return role
}

func actionName(lang, a string) string {
	switch a {
	case store.ActionLoad:
		return tr(lang, "nạp bản tin", "loaded")
	case store.ActionApprove:
		return tr(lang, "phê duyệt", "approved")
	case store.ActionPin:
		return tr(lang, "ghim", "pinned")
	case store.ActionUnpin:
		return tr(lang, "bỏ ghim", "unpinned")
	case store.ActionPlay:
		return tr(lang, "phát ngay", "played now")
	case store.ActionUrgent:
		return tr(lang, "phát khẩn cấp", "emergency")
	case store.ActionRetire:
		return tr(lang, "gỡ khỏi lịch", "retired")
	case store.ActionLogin:
		return tr(lang, "đăng nhập", "logged in")
	case store.ActionLogout:
		return tr(lang, "đăng xuất", "logged out")
	case store.ActionReject:
		return tr(lang, "từ chối", "refused")
	case store.ActionEdit:
		return tr(lang, "sửa bản tin", "edited")
	case store.ActionControl:
		return tr(lang, "điều khiển phát", "controlled the air")
	case store.ActionUser:
		return tr(lang, "quản lý tài khoản", "account change")
	case store.ActionConfig:
		return tr(lang, "sửa cấu hình", "settings change")
	case store.ActionSilence:
		return tr(lang, "đo khoảng lặng", "measured silence")
	case store.ActionBackup:
		return tr(lang, "sao lưu", "backed up")
	}
	return a
}
