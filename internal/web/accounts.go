package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/truyenthanh/cchc/internal/store"
)

// Accounts are kept in the database (not config.yaml): passwords are
// bcrypt hashes that must never sit in a file people copy around, and a
// change must end the user's sessions in the same transaction.

type userJSON struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	FullName string `json:"full_name"`
	JobTitle string `json:"job_title"`
	Disabled bool   `json:"disabled"`
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, _ store.Session) {
	us, err := s.App.Users(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := []userJSON{}
	for _, u := range us {
		out = append(out, userJSON{u.Name, u.Role, u.FullName, u.JobTitle, u.Disabled})
	}
	writeJSON(w, http.StatusOK, out)
}

type userRequest struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
	FullName string `json:"full_name"`
	JobTitle string `json:"job_title"`
}

// passwordProblem says what is wrong with a new password ("" when fine).
func passwordProblem(lang, pw string) string {
	if utf8.RuneCountInString(pw) < 8 || len(pw) > 72 {
		return tr(lang, "mật khẩu cần từ 8 ký tự (tối đa 72 byte)", "the password needs at least 8 characters (at most 72 bytes)")
	}
	return ""
}

func (s *Server) apiAddUser(w http.ResponseWriter, r *http.Request, sess store.Session) {
	lang := s.lang(nil, r)
	var in userRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
		s.jsonError(w, r, http.StatusBadRequest, "cần JSON {\"name\", \"role\", \"password\"}", "want JSON {\"name\", \"role\", \"password\"}")
		return
	}
	if !store.ValidUserName(in.Name) {
		s.jsonError(w, r, http.StatusBadRequest, fmt.Sprintf("tên đăng nhập %q không hợp lệ: 1–64 ký tự, không có dấu cách", in.Name),
			fmt.Sprintf("user name %q is not valid: 1–64 characters, no spaces", in.Name))
		return
	}
	if !store.ValidRole(in.Role) {
		s.jsonError(w, r, http.StatusBadRequest, "vai trò phải là vận hành, phê duyệt hoặc chỉ xem", "the role must be operator, approver or viewer")
		return
	}
	if p := passwordProblem(lang, in.Password); p != "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": p})
		return
	}
	err := s.App.AddUser(r.Context(), sess.User.Name, in.Name, in.Role, in.Password, strings.TrimSpace(in.FullName), strings.TrimSpace(in.JobTitle))
	if errors.Is(err, store.ErrExists) {
		s.jsonError(w, r, http.StatusConflict, fmt.Sprintf("đã có tài khoản %q", in.Name), fmt.Sprintf("account %q already exists", in.Name))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"ok": true})
}

// apiChangeUser: POST /api/users/{name}/disable|enable|password|profile.
// Disabling and a new password end the user's sessions at once.
func (s *Server) apiChangeUser(w http.ResponseWriter, r *http.Request, sess store.Session) {
	lang := s.lang(nil, r)
	name, change := r.PathValue("name"), r.PathValue("change")
	var in userRequest
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
			s.jsonError(w, r, http.StatusBadRequest, "cần JSON", "want JSON")
			return
		}
	}
	var err error
	who := sess.User.Name
	switch change {
	case "disable":
		if name == sess.User.Name {
			s.jsonError(w, r, http.StatusBadRequest, "không thể tự khóa tài khoản của mình", "you cannot disable your own account")
			return
		}
		err = s.App.SetDisabled(r.Context(), who, name, true)
	case "enable":
		err = s.App.SetDisabled(r.Context(), who, name, false)
	case "password":
		if p := passwordProblem(lang, in.Password); p != "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": p})
			return
		}
		err = s.App.SetPassword(r.Context(), who, name, in.Password)
	case "profile":
		err = s.App.SetProfile(r.Context(), who, name, strings.TrimSpace(in.FullName), strings.TrimSpace(in.JobTitle))
	default:
		s.jsonError(w, r, http.StatusNotFound, "không có thao tác này — dùng disable, enable, password hoặc profile", "no such change — use disable, enable, password or profile")
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		s.jsonError(w, r, http.StatusNotFound, fmt.Sprintf("không có tài khoản %q", name), fmt.Sprintf("no account %q", name))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
