package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/web"
)

// upload loads one WAV as the operator and returns its segment id.
func (e *env) upload(cookie *http.Cookie, csrf, title string, fields map[string]string) int64 {
	e.t.Helper()
	f := map[string]string{"topic": "tthc", "title": title}
	for k, v := range fields {
		f[k] = v
	}
	e.loaded++
	rec := e.do(as(uploadReq(f, upFile{"a.wav", wav(time.Second + time.Duration(e.loaded)*100*time.Millisecond)}), cookie, csrf))
	var out []struct {
		OK          bool   `json:"ok"`
		FirstAiring string `json:"first_airing"`
		Segment     struct {
			ID int64 `json:"id"`
		} `json:"segment"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out) != 1 || !out[0].OK {
		e.t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(out[0].FirstAiring, "Chờ lãnh đạo phê duyệt; nếu được duyệt sẽ phát lần đầu Thứ Bảy 11/05 06:00") {
		e.t.Errorf("after upload: %q", out[0].FirstAiring)
	}
	return out[0].Segment.ID
}

func (e *env) page(path string, c *http.Cookie) string {
	e.t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r.AddCookie(c)
	rec := e.do(r)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("GET %s: %d", path, rec.Code)
	}
	return rec.Body.String()
}

func TestAudioRouteServesRangesSoThePlayerCanSeek(t *testing.T) {
	e := newEnv(t, 10)
	op, csrf := e.user("vanhanh", store.RoleOperator)
	viewer, _ := e.user("xem", store.RoleViewer)
	id := e.upload(op, csrf, "Thủ tục cấp căn cước", nil)
	seg, err := e.st.Segment(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(seg.Path)
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/segments/" + itoa(id) + "/audio"
	whole := e.do(as(httptest.NewRequest("GET", path, nil), viewer, ""))
	if whole.Code != http.StatusOK || !bytes.Equal(whole.Body.Bytes(), file) || whole.Header().Get("Content-Type") != "audio/wav" ||
		whole.Header().Get("Accept-Ranges") != "bytes" {
		t.Fatalf("whole file: %d %q, %d bytes of %d", whole.Code, whole.Header().Get("Content-Type"), whole.Body.Len(), len(file))
	}
	r := as(httptest.NewRequest("GET", path, nil), viewer, "")
	r.Header.Set("Range", "bytes=1000-1999")
	part := e.do(r)
	if part.Code != http.StatusPartialContent || part.Header().Get("Content-Range") != "bytes 1000-1999/"+itoa(int64(len(file))) ||
		!bytes.Equal(part.Body.Bytes(), file[1000:2000]) {
		t.Errorf("range: %d %q, %d bytes", part.Code, part.Header().Get("Content-Range"), part.Body.Len())
	}
	r = as(httptest.NewRequest("GET", path, nil), viewer, "")
	r.Header.Set("Range", "bytes=-100") // the end: a seek to the last moment
	if tail := e.do(r); tail.Code != http.StatusPartialContent || !bytes.Equal(tail.Body.Bytes(), file[len(file)-100:]) {
		t.Errorf("suffix range: %d, %d bytes", tail.Code, tail.Body.Len())
	}
	if rec := e.do(httptest.NewRequest("GET", path, nil)); rec.Code != http.StatusUnauthorized {
		t.Errorf("audio without a session: %d", rec.Code)
	}
	if rec := e.do(as(httptest.NewRequest("GET", "/api/segments/999/audio", nil), viewer, "")); rec.Code != http.StatusNotFound {
		t.Errorf("audio of a missing segment: %d", rec.Code)
	}
	body := e.page("/segments", viewer)
	if !strings.Contains(body, `<audio controls preload="none" src="/api/segments/`+itoa(id)+`/audio"`) {
		t.Error("the segments list has no player")
	}
	if !strings.Contains(body, "Nạp: vanhanh, 10/05/2024 09:00:00") {
		t.Error("the list does not say who loaded it and when")
	}
}

func TestApproverEditsRefusesWithAReasonAndTheOperatorReadsIt(t *testing.T) {
	e := newEnv(t, 10)
	ctx := context.Background()
	op, opCSRF := e.user("vanhanh", store.RoleOperator)
	boss, bossCSRF := e.user("chutich", store.RoleApprover)
	if err := e.st.SetProfile(ctx, "chutich", "Nguyễn Văn An", "Chủ tịch UBND xã"); err != nil {
		t.Fatal(err)
	}
	a := e.upload(op, opCSRF, "Bản tin a", nil)
	b := e.upload(op, opCSRF, "Bản tin b", map[string]string{"valid_until": "31/12/2024"})

	edit := map[string]any{"title": "Cảnh báo bão số 3", "topics": []string{"tthc", "chinh-quyen-so"}, "valid_from": "10/05/2024", "valid_until": "", "priority": "emergency"}
	if rec := e.do(as(jsonReq("POST", "/api/segments/"+itoa(a)+"/edit", edit), boss, bossCSRF)); rec.Code != http.StatusOK {
		t.Fatalf("edit: %d %s", rec.Code, rec.Body)
	}
	seg, _ := e.st.Segment(ctx, a)
	if seg.Title != "Cảnh báo bão số 3" || seg.ValidFrom != "2024-05-10" || seg.Priority != "emergency" || len(seg.Topics) != 2 {
		t.Errorf("after edit: %+v", seg)
	}
	for _, bad := range []map[string]any{
		{"title": "", "topics": []string{"tthc"}, "priority": "normal"},
		{"title": "x", "topics": []string{"khong-co"}, "priority": "normal"},
		{"title": "x", "topics": []string{"tthc"}, "valid_from": "32/13/2024", "priority": "normal"},
	} {
		if rec := e.do(as(jsonReq("POST", "/api/segments/"+itoa(a)+"/edit", bad), boss, bossCSRF)); rec.Code != http.StatusBadRequest {
			t.Errorf("edit %v: %d", bad, rec.Code)
		}
	}
	// An emergency bulletin shows its priority on every screen size.
	body := e.page("/segments?state=pending", boss)
	if !strings.Contains(body, `<span class="tag prio-emergency">khẩn cấp</span>`) {
		t.Error("the pending emergency segment carries no visible priority tag")
	}
	if rec := e.do(as(jsonReq("POST", "/api/segments/"+itoa(b)+"/reject", map[string]string{"reason": " "}), boss, bossCSRF)); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), "hãy ghi lý do") {
		t.Errorf("refusal without a reason: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(as(jsonReq("POST", "/api/segments/"+itoa(b)+"/reject", map[string]string{"reason": "Sai số liệu"}), op, opCSRF)); rec.Code != http.StatusForbidden {
		t.Errorf("the operator refused: %d", rec.Code)
	}
	if rec := e.do(as(jsonReq("POST", "/api/segments/"+itoa(b)+"/reject", map[string]string{"reason": "Sai số liệu ở đoạn 2"}), boss, bossCSRF)); rec.Code != http.StatusOK {
		t.Fatalf("refuse: %d %s", rec.Code, rec.Body)
	}
	body = e.page("/segments", op)
	if !strings.Contains(body, "bị từ chối — Nguyễn Văn An (Chủ tịch UBND xã), 10/05/2024") || !strings.Contains(body, "Lý do: Sai số liệu ở đoạn 2") {
		t.Error("the operator's list does not show the refusal and its reason")
	}
	if rec := e.do(as(jsonReq("POST", "/api/segments/"+itoa(a)+"/approve", nil), boss, bossCSRF)); rec.Code != http.StatusOK {
		t.Fatalf("approve: %d", rec.Code)
	}
	if rec := e.do(as(jsonReq("POST", "/api/segments/"+itoa(a)+"/edit", edit), boss, bossCSRF)); rec.Code != http.StatusConflict {
		t.Errorf("edit after approval: %d, want 409", rec.Code)
	}
	if rec := e.do(as(jsonReq("POST", "/api/segments/"+itoa(a)+"/reject", map[string]string{"reason": "x"}), boss, bossCSRF)); rec.Code != http.StatusConflict {
		t.Errorf("refusal after approval: %d, want 409", rec.Code)
	}
	body = e.page("/segments", op)
	if !strings.Contains(body, "đã duyệt — Nguyễn Văn An (Chủ tịch UBND xã), 10/05/2024 09:00") {
		t.Error("the approver's name, title and date are not on the list")
	}
	if !strings.Contains(e.page("/", op), "Mới được duyệt: Cảnh báo bão số 3") {
		t.Error("Tổng quan does not list the newly approved segment")
	}
	trail, _ := e.st.AuditTrail(ctx, 20)
	var acts []string
	for _, x := range trail {
		acts = append(acts, x.Action)
	}
	if got := strings.Join(acts, " "); !strings.Contains(got, "approve reject edit") {
		t.Errorf("audit trail %s", got)
	}
}

func TestPinningWhatCannotAirIsRefusedWithTheReason(t *testing.T) {
	e := newEnv(t, 10)
	op, csrf := e.user("vanhanh", store.RoleOperator)
	id := e.upload(op, csrf, "Chưa duyệt", nil)
	rec := e.do(as(jsonReq("POST", "/api/schedule/pin", map[string]any{"segment_id": id, "day": "2024-05-11", "slot": "sang"}), op, csrf))
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "chưa được lãnh đạo phê duyệt") {
		t.Errorf("pin of an unapproved segment: %d %s", rec.Code, rec.Body)
	}
	trail, _ := e.st.AuditTrail(context.Background(), 5)
	for _, a := range trail {
		if a.Action == store.ActionPin {
			t.Error("a refused pin was audited")
		}
	}
	body := e.page("/schedule", op)
	if strings.Contains(body, `<option value="`+itoa(id)+`">Chưa duyệt`) {
		t.Error("the pin form offers an unapproved segment")
	}
	if !strings.Contains(body, `name="day" value="11/05/2024"`) || !strings.Contains(body, `data-pin-day="10/05/2024" data-pin-slot="sang"`) {
		t.Error("the pin form is not set to tomorrow, or the slots have no Pin action")
	}
}

// fakeStation is a running station whose output is dead or alive.
type fakeStation struct {
	mu   sync.Mutex
	dead string
	acts []station.Action
	err  error
}

func (f *fakeStation) Status(context.Context) (station.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return station.Status{At: time.Now(), Output: "alsa:default", Dead: f.dead}, nil
}
func (f *fakeStation) Subscribe() (<-chan struct{}, func()) { return make(chan struct{}), func() {} }
func (f *fakeStation) Control(_ context.Context, a station.Action) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.acts = append(f.acts, a)
	return nil
}

func TestControlOfTheAirAndADeadLoudspeakerOnEveryPage(t *testing.T) {
	fs := &fakeStation{dead: "no audio device: ALSA: cannot open default"}
	e := newEnv(t, 10, func(d *web.Deps) { d.Station = fs; d.Control = fs.Control })
	op, csrf := e.user("vanhanh", store.RoleOperator)
	viewer, vcsrf := e.user("xem", store.RoleViewer)
	for _, p := range []string{"/", "/now", "/segments", "/log", "/system"} {
		if body := e.page(p, viewer); !strings.Contains(body, `class="airbar dead"`) || !strings.Contains(body, "LOA KHÔNG PHÁT — kiểm tra card âm thanh, dây nối") {
			t.Errorf("%s does not say the loudspeakers are silent", p)
		}
	}
	e.clock.Add(12 * time.Minute)
	if body := e.page("/", viewer); !strings.Contains(body, "(đã 12 phút)") {
		t.Error("the status bar does not say for how long")
	}
	// Playing now into a dead output says so.
	id := e.upload(op, csrf, "Bản tin", nil)
	e.st.Approve(context.Background(), []int64{id}, "chutich", e.clock.Now())
	rec := e.do(as(jsonReq("POST", "/api/play", map[string]any{"ids": []int64{id}}), op, csrf))
	if rec.Code != http.StatusBadGateway || !strings.Contains(rec.Body.String(), "LOA KHÔNG PHÁT") {
		t.Errorf("play into a dead output: %d %s", rec.Code, rec.Body)
	}
	fs.mu.Lock()
	fs.dead = ""
	fs.mu.Unlock()
	if body := e.page("/now", op); !strings.Contains(body, "Loa đang hoạt động") || !strings.Contains(body, `data-control="stop"`) {
		t.Error("/now: no working state or no controls")
	}
	if rec := e.do(as(jsonReq("POST", "/api/control/stop", nil), op, "")); rec.Code != http.StatusForbidden {
		t.Errorf("control without CSRF: %d", rec.Code)
	}
	if rec := e.do(as(jsonReq("POST", "/api/control/stop", nil), viewer, vcsrf)); rec.Code != http.StatusForbidden {
		t.Errorf("control by a viewer: %d", rec.Code)
	}
	if rec := e.do(as(jsonReq("POST", "/api/control/explode", nil), op, csrf)); rec.Code != http.StatusNotFound {
		t.Errorf("unknown action: %d", rec.Code)
	}
	for _, a := range []string{"pause", "resume", "skip", "stop"} {
		if rec := e.do(as(jsonReq("POST", "/api/control/"+a, nil), op, csrf)); rec.Code != http.StatusOK {
			t.Errorf("%s: %d %s", a, rec.Code, rec.Body)
		}
	}
	if got := strings.Join(actionStrings(fs.acts), " "); got != "pause resume skip stop" {
		t.Errorf("station got %q", got)
	}
	fs.err = station.ErrNothingOnAir
	if rec := e.do(as(jsonReq("POST", "/api/control/stop", nil), op, csrf)); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "không có bản tin nào đang phát") {
		t.Errorf("stop with nothing on air: %d %s", rec.Code, rec.Body)
	}
}

func actionStrings(as []station.Action) []string {
	var out []string
	for _, a := range as {
		out = append(out, string(a))
	}
	return out
}

func TestAccountsAreManagedByTheApproverAndChangesEndSessions(t *testing.T) {
	e := newEnv(t, 10)
	boss, bcsrf := e.user("chutich", store.RoleApprover)
	op, ocsrf := e.user("vanhanh", store.RoleOperator)
	add := map[string]string{"name": "lan", "role": "operator", "password": "mật-khẩu-lan", "full_name": "Trần Thị Lan", "job_title": "Công chức VHXH"}
	if rec := e.do(as(jsonReq("POST", "/api/users", add), op, ocsrf)); rec.Code != http.StatusForbidden {
		t.Errorf("the operator added an account: %d", rec.Code)
	}
	short := map[string]string{"name": "lan", "role": "operator", "password": "ngan"}
	if rec := e.do(as(jsonReq("POST", "/api/users", short), boss, bcsrf)); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "mật khẩu cần từ 8 ký tự") {
		t.Errorf("a short password: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(as(jsonReq("POST", "/api/users", add), boss, bcsrf)); rec.Code != http.StatusCreated {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(e.page("/system", boss), "Trần Thị Lan — Công chức VHXH") {
		t.Error("the account is not listed with its name and title")
	}
	// vanhanh's session ends when the approver resets the password.
	if rec := e.do(as(jsonReq("POST", "/api/users/vanhanh/password", map[string]string{"password": "mật-khẩu-mới-123"}), boss, bcsrf)); rec.Code != http.StatusOK {
		t.Fatalf("reset: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(as(jsonReq("GET", "/api/status", nil), op, "")); rec.Code != http.StatusUnauthorized {
		t.Errorf("the old session survived a password reset: %d", rec.Code)
	}
	login := func(name, pw string) *httptest.ResponseRecorder {
		return e.do(jsonReq("POST", "/api/login", map[string]string{"name": name, "password": pw}))
	}
	if rec := login("vanhanh", "mật-khẩu-mới-123"); rec.Code != http.StatusOK {
		t.Fatalf("login with the new password: %d", rec.Code)
	}
	if rec := e.do(as(jsonReq("POST", "/api/users/chutich/disable", nil), boss, bcsrf)); rec.Code != http.StatusBadRequest {
		t.Errorf("the approver disabled himself: %d", rec.Code)
	}
	if rec := e.do(as(jsonReq("POST", "/api/users/vanhanh/disable", nil), boss, bcsrf)); rec.Code != http.StatusOK {
		t.Fatalf("disable: %d", rec.Code)
	}
	if rec := login("vanhanh", "mật-khẩu-mới-123"); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "đã bị khóa") {
		t.Errorf("a disabled account logged in: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(as(jsonReq("POST", "/api/users/ai/disable", nil), boss, bcsrf)); rec.Code != http.StatusNotFound {
		t.Errorf("disable a missing account: %d", rec.Code)
	}
}

func TestNoStoreSecureCookieBehindATrustedProxyAndOverlongStaticPaths(t *testing.T) {
	e := newEnv(t, 10)
	c, _ := e.user("vanhanh", store.RoleOperator)
	for _, p := range []string{"/", "/segments", "/login"} {
		r := httptest.NewRequest("GET", p, nil)
		r.AddCookie(c)
		if rec := e.do(r); rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", p, rec.Header().Get("Cache-Control"))
		}
	}
	for _, p := range []string{"/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/static/%c0%ae%c0%ae/app.css", "/static/nope.css"} {
		if rec := e.do(httptest.NewRequest("GET", p, nil)); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, rec.Code)
		}
	}
	if rec := e.do(httptest.NewRequest("GET", "/static/app.css", nil)); rec.Code != http.StatusOK {
		t.Errorf("app.css: %d", rec.Code)
	}
	e.cfg.Web.TrustedProxies = []string{"10.0.0.0/8"}
	secure := func(remote string) bool {
		r := jsonReq("POST", "/api/login", map[string]string{"name": "vanhanh", "password": "mật-khẩu-vanhanh"})
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-Proto", "https")
		rec := e.do(r)
		io.Copy(io.Discard, rec.Body)
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == "cchc_session" {
				return ck.Secure
			}
		}
		t.Fatalf("no session cookie from %s: %d", remote, rec.Code)
		return false
	}
	if !secure("10.1.2.3:5555") {
		t.Error("behind the trusted proxy over HTTPS, the cookie is not Secure")
	}
	if secure("192.0.2.9:5555") {
		t.Error("an untrusted client's X-Forwarded-Proto was believed")
	}
}

func TestSettingsAreWrittenToConfigYAMLValidatedAndAudited(t *testing.T) {
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/config.yaml"
	os.WriteFile(path, raw, 0o644)
	e := newEnv(t, 10, func(d *web.Deps) { d.ConfigPath = path })
	boss, bcsrf := e.user("chutich", store.RoleApprover)
	op, ocsrf := e.user("vanhanh", store.RoleOperator)
	if body := e.page("/settings", op); !strings.Contains(body, "Chuyên mục CCHC buổi sáng") || !strings.Contains(body, `value="06:00"`) ||
		!strings.Contains(body, "05/02/2027 - 10/02/2027") {
		t.Error("the settings page does not show the slots in plain words")
	}
	good := map[string]any{
		"slots":  []map[string]string{{"name": "sang", "time": "06:30", "length_min": "12", "days_off": "05/02/2027 - 10/02/2027\n02/09/2027"}},
		"topics": []map[string]string{{"code": "tthc", "airings": "20", "minutes": "45,5"}},
	}
	if rec := e.do(as(jsonReq("POST", "/api/settings", good), op, ocsrf)); rec.Code != http.StatusForbidden {
		t.Errorf("the operator changed settings: %d", rec.Code)
	}
	if rec := e.do(as(jsonReq("POST", "/api/settings", good), boss, bcsrf)); rec.Code != http.StatusOK {
		t.Fatalf("save: %d %s", rec.Code, rec.Body)
	}
	out, _ := os.ReadFile(path)
	for _, want := range []string{`cron: "30 6 * * 1-6"`, "length: 12m", `"2027-09-02"`, "target_airings: 20", "target_minutes: 45.5", "# Tết Đinh Mùi"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("config.yaml lacks %q after the save", want)
		}
	}
	for _, c := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"slots": []map[string]string{{"name": "sang", "time": "25:00", "length_min": "10"}}}, "giờ \"25:00\" không hợp lệ"},
		{map[string]any{"slots": []map[string]string{{"name": "chieu", "time": "21:25", "length_min": "10"}}}, "Không lưu"},
		{map[string]any{"slots": []map[string]string{{"name": "sang", "time": "06:00", "length_min": "10", "days_off": "Tết"}}}, "ngày nghỉ \"Tết\" không hợp lệ"},
		{map[string]any{"topics": []map[string]string{{"code": "tthc", "airings": "-3"}}}, "chỉ tiêu \"-3\" lượt không hợp lệ"},
	} {
		rec := e.do(as(jsonReq("POST", "/api/settings", c.body), boss, bcsrf))
		var msg struct{ Error string }
		json.Unmarshal(rec.Body.Bytes(), &msg)
		if rec.Code != http.StatusBadRequest || !strings.Contains(msg.Error, c.want) {
			t.Errorf("%v: %d %s, want %q", c.body, rec.Code, rec.Body, c.want)
		}
	}
	if again, _ := os.ReadFile(path); string(again) != string(out) {
		t.Error("a refused save changed config.yaml")
	}
	trail, _ := e.st.AuditTrail(context.Background(), 5)
	if len(trail) == 0 || trail[0].Action != store.ActionConfig || !strings.Contains(trail[0].Detail, "sang 06:30") {
		t.Errorf("the save is not audited: %+v", trail)
	}
}
