package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/control"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/web"
)

var hcm = mustLoc("Asia/Ho_Chi_Minh")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// clock is the injected time of a test server.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a web app on a real store in a temp folder.
type env struct {
	t      *testing.T
	st     *store.Store
	srv    *web.Server
	h      http.Handler
	media  string
	clock  *clock
	played [][]int64
	mu     sync.Mutex
	cfg    *config.Config
	loaded int // files uploaded by upload, each a different length
}

func newEnv(t *testing.T, maxUploadMB int, opts ...func(*web.Deps)) *env {
	t.Helper()
	dir := t.TempDir()
	return newEnvIn(t, maxUploadMB, filepath.Join(dir, "data"), filepath.Join(dir, "media"), nil, opts...)
}

// newEnvIn is newEnv with the database in data, the media folder media and
// the station stn (nil for none).
func newEnvIn(t *testing.T, maxUploadMB int, data, media string, stn web.StatusSource, opts ...func(*web.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Dir(data)
	st, err := store.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetHashCost(4) // bcrypt.MinCost: the tests log in often
	cfg, err := config.Load("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Web.MaxUploadMB = maxUploadMB
	sched, err := config.ParseCron("0 6 * * *")
	if err != nil {
		t.Fatal(err)
	}
	var topics []playlist.Topic
	for _, tp := range cfg.Topics {
		topics = append(topics, playlist.Topic{Code: tp.Code, Name: tp.Name, TargetAirings: tp.TargetAirings})
	}
	planner := &playlist.Planner{Location: hcm, Topics: topics, ApprovalRequired: true,
		Slots: []playlist.Slot{{Name: "sang", Title: "Buổi sáng", Schedule: sched, Length: 10 * time.Minute}}}
	e := &env{t: t, st: st, media: media, clock: &clock{now: time.Date(2024, 5, 10, 9, 0, 0, 0, hcm)}, cfg: &cfg}
	deps := web.Deps{
		Store: st, Config: func() config.Config { return cfg }, ConfigPath: "../../config.yaml", Location: hcm,
		Planner: func() *playlist.Planner { return planner },
		Play: func(ctx context.Context, ids []int64) error {
			for _, id := range ids {
				if _, err := st.Segment(ctx, id); err != nil {
					return errors.Join(control.ErrBadRequest, err)
				}
			}
			e.mu.Lock()
			e.played = append(e.played, ids)
			e.mu.Unlock()
			return nil
		},
		Report: func(ctx context.Context, kind string, from, to time.Time, lang string) (report.Report, error) {
			airings, err := st.Airings(ctx, "", from, to.AddDate(0, 0, 1))
			if err != nil {
				return report.Report{}, err
			}
			return report.Build(report.Input{Kind: kind, From: from, To: to, Location: hcm, Topics: topics, Airings: airings}), nil
		},
		MediaDir: e.media, DataDir: dir, Version: "test", Now: e.clock.Now, Station: stn,
	}
	for _, o := range opts {
		o(&deps)
	}
	e.srv, err = web.New(deps, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.h = e.srv.Handler()
	return e
}

// user adds a user and logs in, returning its cookie and CSRF token.
func (e *env) user(name, role string) (*http.Cookie, string) {
	e.t.Helper()
	if _, err := e.st.AddUser(context.Background(), name, role, "mật-khẩu-"+name, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
	rec := e.do(jsonReq("POST", "/api/login", map[string]string{"name": name, "password": "mật-khẩu-" + name}))
	if rec.Code != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", name, rec.Code, rec.Body)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "cchc_session" {
			return c, out.CSRF
		}
	}
	e.t.Fatal("no session cookie")
	return nil, ""
}

func (e *env) do(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	if r.RemoteAddr == "" {
		r.RemoteAddr = "192.0.2.1:1234"
	}
	e.h.ServeHTTP(rec, r)
	return rec
}

func jsonReq(method, path string, body any) *http.Request {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r := httptest.NewRequest(method, path, rd)
	r.Header.Set("Content-Type", "application/json")
	return r
}

func as(r *http.Request, c *http.Cookie, csrf string) *http.Request {
	if c != nil {
		r.AddCookie(c)
	}
	if csrf != "" {
		r.Header.Set("X-CSRF-Token", csrf)
	}
	return r
}

// wav is a 16-bit mono 16 kHz sine of the given length.
func wav(d time.Duration) []byte {
	const rate = 16000
	frames := int(d.Seconds() * rate)
	var b bytes.Buffer
	le32 := func(v uint32) { binary.Write(&b, binary.LittleEndian, v) }
	le16 := func(v uint16) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le32(uint32(36 + 2*frames))
	b.WriteString("WAVEfmt ")
	le32(16)
	le16(1)
	le16(1)
	le32(rate)
	le32(rate * 2)
	le16(2)
	le16(16)
	b.WriteString("data")
	le32(uint32(2 * frames))
	for i := range frames {
		le16(uint16(int16(8000 * math.Sin(2*math.Pi*440*float64(i)/rate))))
	}
	return b.Bytes()
}

type upFile struct {
	name string
	data []byte
}

func uploadReq(fields map[string]string, files ...upFile) *http.Request {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		// Written by hand: CreateFormFile would escape the name as given,
		// which is what a hostile client does too.
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + f.name + `"`}
		h["Content-Type"] = []string{"application/octet-stream"}
		w, _ := mw.CreatePart(h)
		w.Write(f.data)
	}
	mw.Close()
	r := httptest.NewRequest("POST", "/api/segments", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

// files lists every file under dir.
func files(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// stateChanges are every state-changing API route, with a valid body.
func stateChanges() []func() *http.Request {
	return []func() *http.Request{
		func() *http.Request { return jsonReq("POST", "/api/logout", nil) },
		func() *http.Request {
			return uploadReq(map[string]string{"topic": "tthc"}, upFile{"a.wav", wav(time.Second)})
		},
		func() *http.Request { return jsonReq("POST", "/api/segments/1/approve", nil) },
		func() *http.Request { return jsonReq("POST", "/api/segments/1/retire", nil) },
		func() *http.Request {
			return jsonReq("POST", "/api/schedule/pin", map[string]any{"segment_id": 1, "day": "2024-05-11", "slot": "sang"})
		},
		func() *http.Request {
			return jsonReq("POST", "/api/schedule/unpin", map[string]any{"segment_id": 1, "day": "2024-05-11", "slot": "sang"})
		},
		func() *http.Request { return jsonReq("POST", "/api/play", map[string]any{"ids": []int64{1}}) },
	}
}

func TestEveryAPIRouteWithoutASessionIs401AndPagesRedirect(t *testing.T) {
	e := newEnv(t, 10)
	reqs := []*http.Request{
		jsonReq("GET", "/api/segments", nil), jsonReq("GET", "/api/schedule", nil), jsonReq("GET", "/api/log", nil),
		jsonReq("GET", "/api/report?month=2024-05", nil), jsonReq("GET", "/api/status", nil), jsonReq("GET", "/api/events", nil),
		jsonReq("GET", "/api/audit", nil), jsonReq("GET", "/api/nowhere", nil),
	}
	for _, f := range stateChanges() {
		reqs = append(reqs, f())
	}
	for _, r := range reqs {
		if rec := e.do(r); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"error"`) {
			t.Errorf("%s %s without a session: %d %s, want 401 with an error", r.Method, r.URL.Path, rec.Code, rec.Body)
		}
	}
	// A forged cookie is no session either.
	r := jsonReq("GET", "/api/status", nil)
	r.AddCookie(&http.Cookie{Name: "cchc_session", Value: strings.Repeat("ab", 32)})
	if rec := e.do(r); rec.Code != http.StatusUnauthorized {
		t.Errorf("forged cookie: %d", rec.Code)
	}
	for _, p := range []string{"/", "/now", "/schedule", "/segments", "/log", "/reports", "/play", "/system", "/audit"} {
		rec := e.do(httptest.NewRequest("GET", p, nil))
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
			t.Errorf("page %s without a session: %d → %q, want a redirect to the login page", p, rec.Code, rec.Header().Get("Location"))
		}
	}
	if n := len(files(t, e.media)); n != 0 {
		t.Errorf("%d files written without a session", n)
	}
}

func TestEveryStateChangeWithoutTheCSRFTokenIs403(t *testing.T) {
	e := newEnv(t, 10)
	id, _, err := e.st.AddSegment(context.Background(), playlist.Segment{Title: "x", Path: "/x.wav", SHA256: "x", Duration: time.Second, Topics: []string{"tthc"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{store.RoleOperator, store.RoleApprover} {
		cookie, csrf := e.user("u-"+role, role)
		for _, f := range stateChanges() {
			for _, token := range []string{"", strings.Repeat("0", len(csrf))} {
				r := as(f(), cookie, token)
				if rec := e.do(r); rec.Code != http.StatusForbidden {
					t.Errorf("%s %s %s with token %q: %d %s, want 403", role, r.Method, r.URL.Path, token, rec.Code, rec.Body)
				}
			}
			// From another site, even with the token.
			r := as(f(), cookie, csrf)
			r.Header.Set("Origin", "http://evil.example")
			if rec := e.do(r); rec.Code != http.StatusForbidden {
				t.Errorf("%s %s %s from another origin: %d, want 403", role, r.Method, r.URL.Path, rec.Code)
			}
		}
		// The session survived: logout without a token did nothing.
		if rec := e.do(as(jsonReq("GET", "/api/status", nil), cookie, "")); rec.Code != http.StatusOK {
			t.Errorf("session gone after refused logout: %d", rec.Code)
		}
	}
	seg, _ := e.st.Segment(context.Background(), id)
	if seg.Approved || seg.Retired || len(seg.Pins) > 0 || len(e.played) > 0 {
		t.Errorf("a refused request changed something: %+v played %v", seg, e.played)
	}
	if n := len(files(t, e.media)); n != 0 {
		t.Errorf("%d files written by refused uploads", n)
	}
}

func TestRolesViewerCannotPlayOrApprove(t *testing.T) {
	e := newEnv(t, 10)
	ctx := context.Background()
	id, _, _ := e.st.AddSegment(ctx, playlist.Segment{Title: "x", Path: "/x.wav", SHA256: "x", Duration: time.Second, Topics: []string{"tthc"}})
	path := "/api/segments/" + itoa(id)
	viewer, vcsrf := e.user("xem", store.RoleViewer)
	approver, acsrf := e.user("duyet", store.RoleApprover)
	operator, ocsrf := e.user("vanhanh", store.RoleOperator)
	refused := []struct {
		who  string
		c    *http.Cookie
		csrf string
		r    *http.Request
	}{
		{"viewer", viewer, vcsrf, jsonReq("POST", "/api/play", map[string]any{"ids": []int64{id}})},
		{"viewer", viewer, vcsrf, jsonReq("POST", "/api/play", map[string]any{"ids": []int64{id}, "emergency": true})},
		{"viewer", viewer, vcsrf, jsonReq("POST", path+"/approve", nil)},
		{"viewer", viewer, vcsrf, jsonReq("POST", path+"/retire", nil)},
		{"viewer", viewer, vcsrf, uploadReq(map[string]string{"topic": "tthc"}, upFile{"a.wav", wav(time.Second)})},
		{"approver", approver, acsrf, jsonReq("POST", "/api/play", map[string]any{"ids": []int64{id}})},
		{"operator", operator, ocsrf, jsonReq("POST", path+"/approve", nil)},
	}
	for _, c := range refused {
		if rec := e.do(as(c.r, c.c, c.csrf)); rec.Code != http.StatusForbidden {
			t.Errorf("%s %s: %d %s, want 403", c.who, c.r.URL.Path, rec.Code, rec.Body)
		}
	}
	if seg, _ := e.st.Segment(ctx, id); seg.Approved || seg.Retired || len(e.played) > 0 {
		t.Fatalf("a refused role changed something: %+v %v", seg, e.played)
	}
	// The viewer still reads.
	for _, p := range []string{"/api/segments", "/api/log", "/api/status", "/api/audit", "/api/report?month=2024-05"} {
		if rec := e.do(as(jsonReq("GET", p, nil), viewer, "")); rec.Code != http.StatusOK {
			t.Errorf("viewer GET %s: %d", p, rec.Code)
		}
	}
	// The roles that may, can.
	if rec := e.do(as(jsonReq("POST", path+"/approve", nil), approver, acsrf)); rec.Code != http.StatusOK {
		t.Fatalf("approver approves: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(as(jsonReq("POST", "/api/play", map[string]any{"ids": []int64{id}}), operator, ocsrf)); rec.Code != http.StatusAccepted {
		t.Fatalf("operator plays: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(as(jsonReq("POST", "/api/play", map[string]any{"ids": []int64{999}}), operator, ocsrf)); rec.Code != http.StatusBadRequest {
		t.Errorf("play of an unknown segment: %d, want 400", rec.Code)
	}
	if seg, _ := e.st.Segment(ctx, id); !seg.Approved || seg.ApprovedBy != "duyet" || len(e.played) != 1 {
		t.Errorf("after approve and play: %+v %v", seg, e.played)
	}
	trail, _ := e.st.AuditTrail(ctx, 10)
	var actions []string
	for _, a := range trail {
		actions = append(actions, a.User+":"+a.Action)
	}
	got := strings.Join(actions, " ")
	if !strings.Contains(got, "vanhanh:play") || !strings.Contains(got, "duyet:approve") {
		t.Errorf("audit trail %q lacks the approval and the play", got)
	}
}

func itoa(n int64) string {
	return strings.TrimSpace(strings.Replace(string(mustJSON(n)), "\n", "", -1))
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestUploadsAreRecognisedByContentAndRefusedOnesLeaveNothing(t *testing.T) {
	e := newEnv(t, 1) // 1 MiB
	ctx := context.Background()
	cookie, csrf := e.user("vanhanh", store.RoleOperator)
	good := wav(2 * time.Second)
	big := wav(40 * time.Second) // 1.28 MB
	refused := []struct {
		name string
		data []byte
		want string
	}{
		{"../../etc/cron.d/x.wav", good, "tên tệp không hợp lệ"},
		{`..\..\x.wav`, good, "tên tệp không hợp lệ"},
		{"lớn.wav", big, "tệp quá lớn"},
		{"bản-tin.wav", []byte("<html>not audio</html>"), "Tệp này không phải bản ghi âm. Hãy chọn tệp .mp3, .m4a hoặc .wav"},
		{"cụt.wav", good[:1000], "bị cắt cụt"},
	}
	for _, c := range refused {
		rec := e.do(as(uploadReq(map[string]string{"topic": "tthc"}, upFile{c.name, c.data}), cookie, csrf))
		var out []struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		if rec.Code != http.StatusUnprocessableEntity || len(out) != 1 || out[0].OK || !strings.Contains(out[0].Error, c.want) {
			t.Errorf("%q: %d %s, want refused with %q", c.name, rec.Code, rec.Body, c.want)
		}
	}
	if fs := files(t, e.media); len(fs) != 0 {
		t.Errorf("refused uploads left files: %v", fs)
	}
	if segs, _ := e.st.Segments(ctx, true); len(segs) != 0 {
		t.Errorf("refused uploads stored %d segments", len(segs))
	}

	// An upload cut off in the middle leaves nothing either.
	body := uploadReq(map[string]string{"topic": "tthc"}, upFile{"cut.wav", good})
	raw, _ := io.ReadAll(body.Body)
	cut := httptest.NewRequest("POST", "/api/segments", io.MultiReader(bytes.NewReader(raw[:len(raw)/2]), errReader{}))
	cut.Header.Set("Content-Type", body.Header.Get("Content-Type"))
	e.do(as(cut, cookie, csrf))
	if fs := files(t, e.media); len(fs) != 0 {
		t.Errorf("an interrupted upload left files: %v", fs)
	}

	// A good one, whatever its name, is stored by its content hash.
	rec := e.do(as(uploadReq(map[string]string{"topic": "tthc", "title": "Dịch vụ công", "valid_until": "2024-06-30", "priority": "priority"},
		upFile{"ghi âm (1).mp3", good}), cookie, csrf))
	var out []struct {
		OK      bool `json:"ok"`
		Segment struct {
			ID       int64  `json:"id"`
			Path     string `json:"path"`
			SHA256   string `json:"sha256"`
			Priority string `json:"priority"`
			Approved bool   `json:"approved"`
		} `json:"segment"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusOK || len(out) != 1 || !out[0].OK {
		t.Fatalf("good upload: %d %s", rec.Code, rec.Body)
	}
	sg := out[0].Segment
	want := filepath.Join(e.media, "tthc", sg.SHA256+".wav")
	if sg.Path != want || sg.Priority != "priority" || sg.Approved {
		t.Errorf("stored %+v, want path %s, priority, awaiting approval", sg, want)
	}
	if b, err := os.ReadFile(want); err != nil || !bytes.Equal(b, good) {
		t.Errorf("stored file differs from the upload: %v", err)
	}
	if fs := files(t, e.media); len(fs) != 1 {
		t.Errorf("files after one good upload: %v", fs)
	}
	trail, _ := e.st.AuditTrail(ctx, 5)
	if len(trail) == 0 || trail[0].Action != store.ActionLoad || !strings.Contains(trail[0].Object, "Dịch vụ công") {
		t.Errorf("audit trail %+v lacks the load", trail)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestLoginIsRateLimitedAndSessionsEndAtLogout(t *testing.T) {
	e := newEnv(t, 10)
	if _, err := e.st.AddUser(context.Background(), "lan", store.RoleViewer, "đúng-mật-khẩu", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	login := func(pw string) *httptest.ResponseRecorder {
		return e.do(jsonReq("POST", "/api/login", map[string]string{"name": "lan", "password": pw}))
	}
	for i := range 5 {
		if rec := login("sai"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, rec.Code)
		}
	}
	rec := login("đúng-mật-khẩu")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("sixth attempt: %d, want 429 with Retry-After", rec.Code)
	}
	e.clock.Add(5 * time.Minute)
	rec = login("đúng-mật-khẩu")
	if rec.Code != http.StatusOK {
		t.Fatalf("after the window: %d %s", rec.Code, rec.Body)
	}
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "cchc_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict", cookie)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	if rec := e.do(as(jsonReq("POST", "/api/logout", nil), cookie, out.CSRF)); rec.Code != http.StatusOK {
		t.Fatalf("logout: %d", rec.Code)
	}
	if rec := e.do(as(jsonReq("GET", "/api/status", nil), cookie, "")); rec.Code != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", rec.Code)
	}
	// The session expires by itself too.
	c2, _ := e.user("minh", store.RoleViewer)
	e.clock.Add(13 * time.Hour)
	if rec := e.do(as(jsonReq("GET", "/api/status", nil), c2, "")); rec.Code != http.StatusUnauthorized {
		t.Errorf("after the session's lifetime: %d, want 401", rec.Code)
	}
}

func TestPagesRenderInVietnameseAndEnglish(t *testing.T) {
	e := newEnv(t, 10)
	cookie, _ := e.user("vanhanh", store.RoleOperator)
	for _, c := range []struct{ path, vi, en string }{
		{"/", "Độ phủ theo lĩnh vực", "Coverage by topic"},
		{"/now", "Tiếp theo", "Up next"},
		{"/schedule", "Ghim bản tin", "Pin a segment"},
		{"/segments", "Nạp bản tin", "Load segments"},
		{"/log", "Tải CSV", "Download CSV"},
		{"/reports", "Tải Excel", "Download Excel"},
		{"/play", "Phát khẩn cấp", "Emergency"},
		{"/system", "cấu hình (chỉ đọc)", "configuration (read-only)"},
		{"/settings", "Chỉ tiêu hằng tháng theo lĩnh vực", "Monthly targets by topic"},
		{"/audit", "Nhật ký thao tác", "Audit trail"},
	} {
		for lang, want := range map[string]string{"vi": c.vi, "en": c.en} {
			r := httptest.NewRequest("GET", c.path+"?lang="+lang, nil)
			r.AddCookie(cookie)
			rec := e.do(r)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("%s in %s: %d, want %q in the page", c.path, lang, rec.Code, want)
			}
			if strings.Contains(rec.Body.String(), "%!") {
				t.Errorf("%s in %s has a formatting error", c.path, lang)
			}
			if strings.Contains(rec.Body.String(), "http://") || strings.Contains(rec.Body.String(), "https://") {
				t.Errorf("%s refers to another site (the app must work offline)", c.path)
			}
		}
	}
}

func TestLogFiltersAndCSVAndReportFormats(t *testing.T) {
	e := newEnv(t, 10)
	ctx := context.Background()
	cookie, _ := e.user("xem", store.RoleViewer)
	at := time.Date(2024, 5, 10, 6, 0, 0, 0, hcm)
	for i, st := range []playlist.Status{playlist.StatusCompleted, playlist.StatusMissed} {
		a := playlist.Airing{SegmentID: int64(i + 1), Title: "Bản tin", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at.Add(time.Duration(i) * time.Minute),
			StartedAt: at, EndedAt: at.Add(time.Minute), Duration: time.Minute, Status: st}
		if st == playlist.StatusCompleted {
			a.Played = time.Minute
		} else {
			a.StartedAt, a.EndedAt = time.Time{}, time.Time{}
		}
		if _, err := e.st.LogClosed(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	get := func(p string) *httptest.ResponseRecorder { return e.do(as(jsonReq("GET", p, nil), cookie, "")) }
	var rows []map[string]any
	json.Unmarshal(get("/api/log?from=2024-05-10&status=missed").Body.Bytes(), &rows)
	if len(rows) != 1 || rows[0]["status"] != "missed" {
		t.Errorf("log filtered by status: %v", rows)
	}
	rec := get("/api/log?from=2024-05-10&format=csv")
	if !strings.HasPrefix(rec.Body.String(), "\ufeffid,segment_id") || strings.Count(rec.Body.String(), "\n") != 3 || !strings.Contains(rec.Header().Get("Content-Disposition"), ".csv") {
		t.Errorf("log CSV: %q", rec.Body)
	}
	if rec := get("/api/log?from=2024-13-01"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "2024-13-01") {
		t.Errorf("bad date: %d %s", rec.Code, rec.Body)
	}
	for format, want := range map[string]string{"html": "<html", "csv": "\ufeff", "xlsx": "PK", "json": `"period"`} {
		rec := get("/api/report?month=2024-05&format=" + format)
		if rec.Code != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(rec.Body.String()), want) && !strings.Contains(rec.Body.String()[:min(200, rec.Body.Len())], want) {
			t.Errorf("report %s: %d %.80q", format, rec.Code, rec.Body)
		}
	}
	if rec := get("/api/report?month=2024-5"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad month: %d", rec.Code)
	}
}

func TestEventsStreamTheStatus(t *testing.T) {
	e := newEnv(t, 10)
	cookie, _ := e.user("xem", store.RoleViewer)
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/api/events", nil)
	req.AddCookie(cookie)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	buf := make([]byte, 4096)
	n, _ := io.ReadAtLeast(res.Body, buf, 20)
	got := string(buf[:n])
	if !strings.HasPrefix(got, "event: status\ndata: {") || !strings.Contains(got, `"running":false`) {
		t.Errorf("first event %q", got)
	}
}

func TestPinShowsInTheScheduleAndRetireTakesItOut(t *testing.T) {
	e := newEnv(t, 10)
	ctx := context.Background()
	cookie, csrf := e.user("vanhanh", store.RoleOperator)
	var ids []int64
	for _, sha := range []string{"a", "b"} {
		id, _, err := e.st.AddSegment(ctx, playlist.Segment{Title: "Bản tin " + sha, Path: "/" + sha + ".wav", SHA256: sha, Duration: time.Minute, Topics: []string{"tthc"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := e.st.Approve(ctx, ids, "chutich", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	pin := map[string]any{"segment_id": ids[1], "day": "2024-05-11", "slot": "sang"}
	if rec := e.do(as(jsonReq("POST", "/api/schedule/pin", pin), cookie, csrf)); rec.Code != http.StatusOK {
		t.Fatalf("pin: %d %s", rec.Code, rec.Body)
	}
	for _, bad := range []map[string]any{
		{"segment_id": ids[1], "day": "11/05/2024", "slot": "sang"},
		{"segment_id": ids[1], "day": "2024-05-11", "slot": "dem"},
		{"segment_id": 99, "day": "2024-05-11", "slot": "sang"},
	} {
		if rec := e.do(as(jsonReq("POST", "/api/schedule/pin", bad), cookie, csrf)); rec.Code < 400 || rec.Code >= 500 {
			t.Errorf("pin %v: %d, want refused", bad, rec.Code)
		}
	}
	var occ []struct {
		Slot  string `json:"slot"`
		Items []struct {
			SegmentID int64 `json:"segment_id"`
		} `json:"items"`
	}
	rec := e.do(as(jsonReq("GET", "/api/schedule?from=2024-05-11&days=1", nil), cookie, ""))
	if err := json.Unmarshal(rec.Body.Bytes(), &occ); err != nil || len(occ) != 1 || len(occ[0].Items) != 2 || occ[0].Items[0].SegmentID != ids[1] {
		t.Fatalf("schedule with the pin: %s", rec.Body)
	}
	page := httptest.NewRequest("GET", "/schedule?from=2024-05-11&days=1", nil)
	page.AddCookie(cookie)
	if body := e.do(page).Body.String(); !strings.Contains(body, `data-unpin="`+itoa(ids[1])+`" data-day="2024-05-11" data-slot="sang"`) {
		t.Errorf("the schedule page offers no unpin for the pinned segment")
	}
	if rec := e.do(as(jsonReq("POST", "/api/schedule/unpin", pin), cookie, csrf)); rec.Code != http.StatusOK {
		t.Fatalf("unpin: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(as(jsonReq("POST", "/api/schedule/unpin", pin), cookie, csrf)); rec.Code != http.StatusNotFound {
		t.Errorf("second unpin: %d, want 404", rec.Code)
	}
	if rec := e.do(as(jsonReq("POST", "/api/segments/"+itoa(ids[0])+"/retire", nil), cookie, csrf)); rec.Code != http.StatusOK {
		t.Fatalf("retire: %d %s", rec.Code, rec.Body)
	}
	rec = e.do(as(jsonReq("GET", "/api/schedule?from=2024-05-11&days=1", nil), cookie, ""))
	json.Unmarshal(rec.Body.Bytes(), &occ)
	if len(occ) != 1 || len(occ[0].Items) != 1 || occ[0].Items[0].SegmentID != ids[1] {
		t.Errorf("schedule after retiring #%d: %s", ids[0], rec.Body)
	}
	var segs []map[string]any
	json.Unmarshal(e.do(as(jsonReq("GET", "/api/segments?state=retired", nil), cookie, "")).Body.Bytes(), &segs)
	if len(segs) != 1 || segs[0]["retired"] != true {
		t.Errorf("retired segments: %v", segs)
	}
	trail, _ := e.st.AuditTrail(ctx, 10)
	var got []string
	for _, a := range trail {
		got = append(got, a.Action)
	}
	if want := "retire unpin pin login"; strings.Join(got, " ") != want {
		t.Errorf("audit trail %v, want %s", got, want)
	}
}

func TestReportsPageShowsPercentages(t *testing.T) {
	e := newEnv(t, 10)
	cookie, _ := e.user("xem", store.RoleViewer)
	r := httptest.NewRequest("GET", "/reports?kind=month&period=2024-05", nil)
	r.AddCookie(cookie)
	body := e.do(r).Body.String()
	if strings.Contains(body, "%!") || !strings.Contains(body, "<td>0,0</td>") {
		t.Errorf("report page has a formatting error or no percentage:\n%s", body)
	}
}
