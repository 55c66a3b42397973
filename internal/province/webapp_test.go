package province_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/province"
)

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([0-9a-f]+)"`)

// browser is a logged-in user's browser.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
}

func (e *env) login(t *testing.T, name, role string) *browser {
	t.Helper()
	if _, err := e.db.Province().AddUser(context.Background(), name, role, "mat-khau-dai", time.Now()); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, c: &http.Client{Jar: jar}, base: e.base}
	res, err := b.c.PostForm(e.base+"/login", url.Values{"name": {name}, "password": {"mat-khau-dai"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfRE.FindSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil || res.Request.URL.Path != "/" {
		t.Fatalf("login as %s: %d at %s", name, res.StatusCode, res.Request.URL)
	}
	b.csrf = string(m[1])
	return b
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// upload posts a bulletin as the page's form does.
func (b *browser) upload(title string, audio []byte, communes ...string) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", b.csrf)
	mw.WriteField("title", title)
	mw.WriteField("level", "khan-cap")
	mw.WriteField("topics", "tthc")
	for _, c := range communes {
		mw.WriteField("communes", c)
	}
	fw, _ := mw.CreateFormFile("audio", "bao.wav")
	fw.Write(audio)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+"/bulletins", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(page)
}

func TestWebRoles(t *testing.T) {
	e := newEnv(t)
	e.commune(t, "25252", "Xã Tân Lập")
	wav, err := os.ReadFile(filepath.Join("..", "..", "media", "tthc", "bo-phan-mot-cua.wav"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("not logged in", func(t *testing.T) {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Get(e.base + "/bulletins")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("/bulletins without a session: %d to %q, want the login page", res.StatusCode, res.Header.Get("Location"))
		}
		if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("security headers missing: %v", res.Header)
		}
		res, err = http.PostForm(e.base+"/login", url.Values{"name": {"nobody"}, "password": {"x"}})
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(page), "Sai tên hoặc mật khẩu") {
			t.Errorf("a wrong password does not say so")
		}
	})

	viewer := e.login(t, "xem", province.RoleViewer)
	operator := e.login(t, "bientap", province.RoleOperator)
	admin := e.login(t, "quantri", province.RoleAdmin)

	t.Run("viewer cannot upload", func(t *testing.T) {
		code, _ := viewer.upload("Bão số 3", wav, "25252")
		if code != http.StatusForbidden {
			t.Errorf("a viewer's upload: %d, want 403", code)
		}
		if bs, _ := e.db.Bulletins(context.Background(), 10); len(bs) != 0 {
			t.Errorf("bulletins stored after the viewer's upload: %+v", bs)
		}
		if code, page := viewer.get("/bulletins"); code != http.StatusOK || strings.Contains(page, `id="upload"`) {
			t.Errorf("the viewer's bulletins page: %d, upload form shown: %v", code, strings.Contains(page, `id="upload"`))
		}
		if code, _ := viewer.get("/users"); code != http.StatusForbidden {
			t.Errorf("the viewer on /users: %d, want 403", code)
		}
		if code, page := viewer.get("/reports?month=2024-05"); code != http.StatusOK || !strings.Contains(page, "Xã Tân Lập") ||
			!strings.Contains(page, "/reports/download?month=2024-05&amp;format=xlsx") {
			t.Errorf("the viewer's report page: %d", code)
		}
		if code, body := viewer.get("/reports/download?month=2024-05&format=docx"); code != http.StatusOK || !strings.HasPrefix(body, "PK") {
			t.Errorf("the viewer's DOCX download: %d", code)
		}
		if code, _ := viewer.get("/reports/download?month=2024-05&format=pdf"); code != http.StatusBadRequest {
			t.Errorf("a download in no known format: %d, want 400", code)
		}
		if code, page := viewer.get("/reports?month=2024-13"); code != http.StatusOK || !strings.Contains(page, "Tháng không hợp lệ") {
			t.Errorf("a bad month on the report page: %d, not named", code)
		}
	})

	t.Run("operator uploads", func(t *testing.T) {
		code, page := operator.upload("Bão số 3", wav, "25252")
		if code != http.StatusOK || !strings.Contains(page, "Bão số 3") {
			t.Fatalf("the operator's upload: %d", code)
		}
		bs, err := e.db.Bulletins(context.Background(), 10)
		if err != nil || len(bs) != 1 || bs[0].Title != "Bão số 3" || bs[0].CreatedBy != "bientap" || len(bs[0].Communes) != 1 {
			t.Fatalf("stored bulletins: %+v, %v", bs, err)
		}
		if code, page := operator.upload("Không phải âm thanh", []byte("hello, world"), "25252"); code != http.StatusOK || !strings.Contains(page, "không phải âm thanh") {
			t.Errorf("a text file as a bulletin: %d, not refused by name", code)
		}
		// Without the CSRF token: refused.
		operator.csrf = "00"
		if code, _ := operator.upload("Giả mạo", wav, "25252"); code != http.StatusForbidden {
			t.Errorf("an upload without the CSRF token: %d, want 403", code)
		}
		if code, _ := operator.get("/users"); code != http.StatusForbidden {
			t.Errorf("the operator on /users: %d, want 403", code)
		}
	})

	t.Run("admin adds a commune and sees its token once", func(t *testing.T) {
		res, err := admin.c.PostForm(e.base+"/communes", url.Values{"csrf_token": {admin.csrf}, "code": {"25253"}, "name": {"Xã Tân Tiến"}})
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`id="new-token">([0-9a-f]+)<`).FindSubmatch(page)
		if res.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("add commune: %d, no token shown", res.StatusCode)
		}
		c, err := e.db.CommuneByToken(context.Background(), string(m[1]))
		if err != nil || c.Code != "25253" {
			t.Errorf("the token shown is not the new commune's: %+v %v", c, err)
		}
		if _, page := admin.get("/"); strings.Contains(page, string(m[1])) {
			t.Errorf("the token is shown again on the communes page")
		}
		if code, page := admin.get("/users?lang=en"); code != http.StatusOK || !strings.Contains(page, "administrator") {
			t.Errorf("the admin's users page in English: %d", code)
		}
	})
}
