package province

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/store"
)

// LevelName is a bulletin level as the operator reads it.
func LevelName(lang, level string) string {
	switch level {
	case provinceapi.LevelNormal:
		return tr(lang, "thông thường", "normal")
	case provinceapi.LevelPriority:
		return tr(lang, "ưu tiên", "priority")
	case provinceapi.LevelEmergency:
		return tr(lang, "khẩn cấp", "emergency")
	}
	return level
}

// ValidLevel reports whether l is one of the three levels.
func ValidLevel(l string) bool {
	return l == provinceapi.LevelNormal || l == provinceapi.LevelPriority || l == provinceapi.LevelEmergency
}

// communeLine is one commune on the communes page.
type communeLine struct {
	Code, Name string
	State      provinceapi.ChainState
	ShortHash  string
	Stale      bool // no sync for a day
}

type communesData struct {
	Communes []communeLine
	NewToken string // shown once, right after adding
	NewCode  string
}

func (s *Server) communesPage(r *http.Request, v *view) error {
	cs, err := s.Store.Communes(r.Context())
	if err != nil {
		return err
	}
	d := communesData{}
	for _, c := range cs {
		st := chainStateOf(c)
		short := st.LastHash
		if len(short) > 16 {
			short = short[:16]
		}
		d.Communes = append(d.Communes, communeLine{Code: c.Code, Name: c.Name, State: st, ShortHash: short,
			Stale: st.LastSync.IsZero() || s.Now().Sub(st.LastSync) > 24*time.Hour})
	}
	v.Data = d
	return nil
}

// validCode is a commune code: 1–32 letters, digits, '-' or '_'.
func validCode(c string) bool {
	if c == "" || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// addCommune adds a commune and shows its station token once.
func (s *Server) addCommune(w http.ResponseWriter, r *http.Request, sess store.Session, lang string) {
	code, name := strings.TrimSpace(r.PostFormValue("code")), strings.TrimSpace(r.PostFormValue("name"))
	if !validCode(code) || name == "" || utf8.RuneCountInString(name) > 200 {
		back(w, r, "/", "err", tr(lang, "Cần mã xã (chữ, số, - hoặc _, tối đa 32 ký tự) và tên xã", "A commune needs a code (letters, digits, - or _, up to 32) and a name"))
		return
	}
	token, err := s.Store.AddCommune(r.Context(), code, name, s.Now())
	if errors.Is(err, store.ErrExists) {
		back(w, r, "/", "err", tr(lang, "Mã xã "+code+" đã có", "Commune code "+code+" already exists"))
		return
	}
	if err != nil {
		s.Logger.Error("add commune", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.audit(r, sess.User.Name, "commune", code, name)
	// The token is shown once, on this answer, never in a URL.
	v := s.newView("communes", lang, sess)
	if err := s.communesPage(r, v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	d := v.Data.(communesData)
	d.NewToken, d.NewCode = token, code
	v.Data = d
	s.render(w, v)
}

type usersData struct {
	Users []store.User
	Roles []string
}

func (s *Server) usersPage(r *http.Request, v *view) error {
	us, err := s.Users.Users(r.Context())
	if err != nil {
		return err
	}
	v.Data = usersData{Users: us, Roles: []string{RoleAdmin, RoleOperator, RoleViewer}}
	return nil
}

// MinPassword is the shortest password accepted, in characters.
const MinPassword = 8

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, sess store.Session, lang string) {
	name, role, pw := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("role"), r.PostFormValue("password")
	switch {
	case !store.ValidUserName(name):
		back(w, r, "/users", "err", tr(lang, "Tên cần 1–64 ký tự, không có dấu cách", "A name needs 1–64 characters without spaces"))
		return
	case !ValidRole(role):
		back(w, r, "/users", "err", tr(lang, "Chọn vai trò: quản trị, biên tập hoặc xem", "Choose a role: administrator, operator or viewer"))
		return
	case utf8.RuneCountInString(pw) < MinPassword:
		back(w, r, "/users", "err", tr(lang, "Mật khẩu cần ít nhất 8 ký tự", "The password needs at least 8 characters"))
		return
	}
	if _, err := s.Users.AddUser(r.Context(), name, role, pw, s.Now()); err != nil {
		if errors.Is(err, store.ErrExists) {
			back(w, r, "/users", "err", tr(lang, "Người dùng "+name+" đã có", "User "+name+" already exists"))
			return
		}
		s.Logger.Error("add user", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.audit(r, sess.User.Name, store.ActionUser, name, "add "+role)
	back(w, r, "/users", "ok", tr(lang, "Đã thêm người dùng ", "User added: ")+name)
}

type bulletinsData struct {
	Bulletins []provinceapi.Bulletin
	Targets   map[int64]string
	Communes  []communeLine
	Topics    []topicChoice
	Levels    []string
	CanUpload bool
	MaxMB     int
}

type topicChoice struct{ Code, Name string }

// bulletinListLimit is how many of the latest bulletins the page lists.
const bulletinListLimit = 200

func (s *Server) bulletinsPage(r *http.Request, v *view) error {
	bs, err := s.Store.Bulletins(r.Context(), bulletinListLimit)
	if err != nil {
		return err
	}
	cs, err := s.Store.Communes(r.Context())
	if err != nil {
		return err
	}
	d := bulletinsData{Targets: map[int64]string{}, Levels: []string{provinceapi.LevelNormal, provinceapi.LevelPriority, provinceapi.LevelEmergency},
		CanUpload: uploaders.allow(v.User.Role), MaxMB: s.MaxUploadMB}
	for _, b := range bs {
		d.Bulletins = append(d.Bulletins, wireBulletin(b, ""))
		d.Targets[b.ID] = strings.Join(b.Communes, ", ")
	}
	for _, c := range cs {
		d.Communes = append(d.Communes, communeLine{Code: c.Code, Name: c.Name})
	}
	for _, t := range s.Topics {
		d.Topics = append(d.Topics, topicChoice{t.Code, t.Name})
	}
	v.Data = d
	return nil
}

// audioExts are the files a bulletin may be: what the stations import.
var audioExts = map[string]bool{".wav": true, ".mp3": true, ".ogg": true, ".oga": true, ".opus": true, ".flac": true, ".m4a": true, ".aac": true, ".wma": true}

func (s *Server) uploadBulletin(w http.ResponseWriter, r *http.Request, sess store.Session, lang string) {
	limit := int64(s.MaxUploadMB) << 20
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		back(w, r, "/bulletins", "err", tr(lang, "Không đọc được biểu mẫu (tệp quá lớn?): ", "Unreadable form (file too large?): ")+err.Error())
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	title := strings.TrimSpace(r.FormValue("title"))
	level := r.FormValue("level")
	targets := r.Form["communes"]
	topics := r.Form["topics"]
	fail := func(vi, en string) { back(w, r, "/bulletins", "err", tr(lang, vi, en)) }
	if title == "" || utf8.RuneCountInString(title) > 300 {
		fail("Cần tiêu đề bản tin (tối đa 300 ký tự)", "A bulletin needs a title (up to 300 characters)")
		return
	}
	if !ValidLevel(level) {
		fail("Chọn mức: thông thường, ưu tiên hoặc khẩn cấp", "Choose a level: normal, priority or emergency")
		return
	}
	if len(targets) == 0 {
		fail("Chọn ít nhất một xã nhận bản tin", "Choose at least one target commune")
		return
	}
	known := map[string]bool{}
	cs, err := s.Store.Communes(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for _, c := range cs {
		known[c.Code] = true
	}
	for _, t := range targets {
		if !known[t] {
			fail("Không có xã mã "+t, "No commune with code "+t)
			return
		}
	}
	topicOK := map[string]bool{}
	for _, t := range s.Topics {
		topicOK[t.Code] = true
	}
	for _, t := range topics {
		if !topicOK[t] {
			fail("Lĩnh vực "+t+" không có trong kế hoạch", "Topic "+t+" is not in the plan")
			return
		}
	}
	f, hdr, err := r.FormFile("audio")
	if err != nil {
		fail("Chọn tệp âm thanh của bản tin", "Choose the bulletin's audio file")
		return
	}
	defer f.Close()
	audio, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		fail("Không đọc được tệp: "+err.Error(), "Cannot read the file: "+err.Error())
		return
	}
	if int64(len(audio)) > limit || len(audio) == 0 {
		fail("Tệp rỗng hoặc quá lớn", "The file is empty or too large")
		return
	}
	ext := audioExt(audio)
	if ext == "" {
		fail("Tệp "+hdr.Filename+" không phải âm thanh mà các trạm nhận (WAV, MP3, OGG/Opus, FLAC, M4A/AAC)",
			"File "+hdr.Filename+" is not audio the stations take (WAV, MP3, OGG/Opus, FLAC, M4A/AAC)")
		return
	}
	b, err := s.Store.AddBulletin(r.Context(), newBulletin(level, title, topics, targets, s.Now(), sess.User.Name), audio)
	if err != nil {
		s.Logger.Error("add bulletin", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.exts.mu.Lock()
	if s.exts.ext == nil {
		s.exts.ext = map[int64]string{}
	}
	s.exts.ext[b.ID] = ext
	s.exts.mu.Unlock()
	s.audit(r, sess.User.Name, "bulletin", strconv.FormatInt(b.ID, 10), level+" → "+strings.Join(targets, ",")+": "+title)
	back(w, r, "/bulletins", "ok", tr(lang, "Đã gửi bản tin: ", "Bulletin sent: ")+title)
}
