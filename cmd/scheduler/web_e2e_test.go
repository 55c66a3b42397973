package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// chromiumPath is Debian's browser, which the web test drives.
const chromiumPath = "/usr/bin/chromium"

// freeAddr is a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// addUser runs `users add` with the password on standard input.
func addUser(t *testing.T, data, config, name, role, password string) {
	t.Helper()
	cmd := exec.Command(binPath, "--data", data, "--config", config, "users", "add", name, "--role", role)
	cmd.Dir = "../.."
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("users add %s: %v\n%s", name, err, out)
	}
}

func TestUsersAddRefusesBadInputWithExit2(t *testing.T) {
	data := t.TempDir()
	for _, c := range []struct {
		args       []string
		stdin      string
		wantInErr  string
		wantStored bool
	}{
		{[]string{"users", "add", "lan", "--role", "admin"}, "dài-đủ-tám\n", `"admin"`, false},
		{[]string{"users", "add", "lan", "--role", "viewer"}, "ngắn\n", "8", false},
		{[]string{"users", "add", "lan", "--role", "viewer"}, "", "standard input", false},
		{[]string{"users", "add", "a b", "--role", "viewer"}, "dài-đủ-tám\n", `"a b"`, false},
	} {
		cmd := exec.Command(binPath, append([]string{"--data", data, "--lang", "en"}, c.args...)...)
		cmd.Dir = "../.."
		cmd.Stdin = strings.NewReader(c.stdin)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(errb.String(), c.wantInErr) {
			t.Errorf("%v with %q: %v %q, want exit 2 naming %s", c.args, c.stdin, err, errb.String(), c.wantInErr)
		}
	}
	addUser(t, data, "config.yaml", "lan", "operator", "dài-đủ-tám")
	cmd := exec.Command(binPath, "--data", data, "--lang", "en", "users", "add", "lan", "--role", "viewer")
	cmd.Dir = "../.."
	cmd.Stdin = strings.NewReader("khác-hẳn-nhau\n")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), `"lan" already exists`) {
		t.Errorf("second lan: %v %q", err, out)
	}
	if out := mustRun(t, data, "users", "list"); !strings.Contains(out, "lan") || !strings.Contains(out, "operator") {
		t.Errorf("users list: %q", out)
	}
}

// serveWeb starts `serve` on a free port and returns its base URL and a
// function that stops it (SIGTERM, then waits).
func serveWeb(t *testing.T, data, config string, env []string) (string, *bytes.Buffer, func()) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(binPath, "--data", data, "--config", config, "serve", "--listen", addr)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), env...)
	var serveErr bytes.Buffer
	cmd.Stderr = &serveErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, serveErr.String())
		}
	}
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i > 150 {
			stop()
			t.Fatalf("the web app did not start:\n%s", serveErr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "http://" + addr, &serveErr, stop
}

// TestWebAppInARealBrowser is the tour of the web app as the commune's
// staff use it, in Chromium at 1366×768 and as a 390×844 phone, on a
// station with three weeks of history and missed slots: the operator loads
// recordings (one refused in plain words), the leader hears one through
// the player, corrects it, approves it and refuses the other with a
// reason, changes a target and adds an account; the operator reads the
// refusal, plays now (one confirmation), pauses and resumes, stops; the
// overview leads with the next slot and opens the week's incidents; the
// report downloads for the month chosen; on the phone the lists are cards
// with large targets and the loudspeaker bar stays at the bottom; with no
// sound card every page says so in red and a play says it failed. Set
// CCHC_SCREENSHOTS=DIR to keep screenshots.
func TestWebAppInARealBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	data := t.TempDir()
	config := webConfig(t)
	addUser(t, data, config, "lan", "operator", "mật-khẩu-lan")
	addUser(t, data, config, "chutich", "approver", "mật-khẩu-chủ-tịch")
	// History: a library of three recordings aired for three weeks up to
	// three days ago; serve then logs the slots since as missed.
	lib := t.TempDir()
	for i, sec := range []string{"31", "47", "53"} {
		p := filepath.Join(lib, fmt.Sprintf("lich-su-%d.wav", i))
		writeTone(t, p, sec)
		mustRun(t, data, "--config", config, "segments", "import", "--topic", []string{"tthc", "chinh-quyen-so", "tong-quan"}[i], "--approve", p)
	}
	today := time.Now()
	mustRun(t, data, "--config", config, "simulate", "--from", today.AddDate(0, 0, -21).Format("2006-01-02"), "--to", today.AddDate(0, 0, -3).Format("2006-01-02"))
	dir := t.TempDir()
	good, other, notAudio := filepath.Join(dir, "thu-tuc-moi.wav"), filepath.Join(dir, "ban-tin-sai.wav"), filepath.Join(dir, "hop-dong.wav")
	writeTone(t, good, "6")
	writeTone(t, other, "7")
	os.WriteFile(notAudio, []byte("<html>không phải âm thanh</html>"), 0o644)

	base, serveErr, stop := serveWeb(t, data, config, nil)
	defer stop()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1366, 768))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 150*time.Second)
	defer cancelT()
	// Confirmation dialogs are accepted, as the operator would, and counted.
	var dialogs atomic.Int32
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		}
	})
	shots := os.Getenv("CCHC_SCREENSHOTS")
	phoneShots := false // a phone's screenshot is its screen; a desktop's the whole page
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			if shots == "" {
				return nil
			}
			if err := chromedp.Evaluate(`window.scrollTo(0, 0)`, nil).Do(ctx); err != nil {
				return err
			}
			var buf []byte
			var err error
			if phoneShots {
				err = chromedp.CaptureScreenshot(&buf).Do(ctx)
			} else {
				err = chromedp.FullScreenshot(&buf, 100).Do(ctx)
			}
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	login := func(name, password string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(base + "/login"),
			chromedp.WaitVisible("#name", chromedp.ByID),
			chromedp.SendKeys("#name", name, chromedp.ByID),
			chromedp.SendKeys("#password", password, chromedp.ByID),
			chromedp.Click("#login", chromedp.ByID),
			chromedp.WaitVisible("nav.nav", chromedp.ByQuery),
		}
	}
	logout := chromedp.Tasks{
		chromedp.Click("form[action='/logout'] button", chromedp.ByQuery),
		chromedp.WaitVisible("#login-form", chromedp.ByID),
	}
	step := func(name string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			var html string
			chromedp.Run(ctx, chromedp.OuterHTML("main", &html, chromedp.ByQuery))
			t.Fatalf("%s: %v\npage: %.3000s\nserve: %s", name, err, html, serveErr.String())
		}
	}
	text := func(sel string) string {
		t.Helper()
		var s string
		step("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
		return s
	}
	expect := func(what, got string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", what, got, w)
			}
		}
	}
	dmy := func(t time.Time) string { return t.Format("02/01/2006") }
	// flashSays waits for the page's message (after a reload, the new page's).
	// A reload may destroy the page being asked: ask again.
	flashSays := func(msg string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			js := fmt.Sprintf(`!!document.getElementById('flash') && document.getElementById('flash').textContent.includes(%q)`, msg)
			for end := time.Now().Add(15 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
				var ok bool
				if err := chromedp.Evaluate(js, &ok).Do(ctx); err == nil && ok {
					return nil
				}
			}
			return fmt.Errorf("the page never said %q", msg)
		})
	}

	// Without a session, a page sends the browser to the login page.
	var loc string
	step("redirect to login", chromedp.Navigate(base+"/segments"), chromedp.WaitVisible("#login-form", chromedp.ByID), chromedp.Location(&loc))
	if !strings.Contains(loc, "/login?next=%2Fsegments") {
		t.Errorf("without a session /segments went to %s", loc)
	}
	if body := text("#login-form"); strings.Contains(body, "scheduler users") {
		t.Errorf("the login page shows a shell command: %q", body)
	}

	// Tổng quan leads with the next slot and the loudspeakers; the week's
	// incidents open those 7 days with those statuses.
	step("operator logs in", login("lan", "mật-khẩu-lan"), chromedp.WaitVisible("#lead-next", chromedp.ByID), shot("web-overview"))
	expect("next slot", text("#lead-next"), "Tiếp theo:", "Chuyên mục CCHC buổi", "bản tin", "phút")
	expect("status bar", text("#airbar"), "Loa đang hoạt động")
	expect("week", text("#week"), "đủ")
	var coverage string
	step("coverage chart", chromedp.Text("#coverage", &coverage, chromedp.ByID))
	expect("coverage chart", coverage, "Thủ tục hành chính", "Chính quyền số")
	if strings.Contains(coverage, "tthc") {
		t.Errorf("the chart shows topic codes: %q", coverage)
	}
	var from, to, status string
	step("incidents link", chromedp.Click("#incidents-link", chromedp.ByID), chromedp.WaitVisible("#log", chromedp.ByID),
		chromedp.Value("#log-from", &from, chromedp.ByID), chromedp.Value("#log-to", &to, chromedp.ByID), chromedp.Value("#log-status", &status, chromedp.ByID))
	if from != dmy(today.AddDate(0, 0, -6)) || to != dmy(today) || status != "problem" {
		t.Errorf("the incidents link opened %s–%s status %q", from, to, status)
	}
	var csvHref string
	step("csv link", chromedp.AttributeValue("#log-csv", "href", &csvHref, nil))
	if want := "from=" + today.AddDate(0, 0, -6).Format("2006-01-02"); !strings.Contains(csvHref, want) || !strings.Contains(csvHref, "status=problem") {
		t.Errorf("the CSV link of the incidents is %q", csvHref)
	}
	logText := text("#log")
	expect("incidents", logText, "bỏ lỡ", "Chuyên mục CCHC buổi")
	if strings.Contains(logText, "#0") || strings.Contains(logText, "đã phát") {
		t.Errorf("the incidents list shows #0 or completed airings: %.300q", logText)
	}
	step("log opens on 7 days", chromedp.Navigate(base+"/log"), chromedp.WaitVisible("#log", chromedp.ByID), chromedp.Value("#log-from", &from, chromedp.ByID))
	if from != dmy(today.AddDate(0, 0, -6)) {
		t.Errorf("Nhật ký phát opens on %s", from)
	}
	expect("log", text("#log"), "đã phát", "giây", "Thứ")
	if l := text("#log"); strings.Contains(l, "m0s") || strings.Contains(l, "T0") {
		t.Errorf("the log shows Go durations or ISO times: %.300q", l)
	}

	// Upload a recording, then another with a file that is not one.
	var outcomes []string
	upload := func(title string, files []string, n int) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(base + "/segments"),
			chromedp.Click("#upload-open", chromedp.ByID),
			chromedp.WaitVisible("#upload-form", chromedp.ByID),
			chromedp.Click("#upload-form input[name=topic][value=tthc]", chromedp.ByQuery),
			chromedp.SendKeys("#upload-title", title, chromedp.ByID),
			chromedp.SetUploadFiles("#upload-files", files, chromedp.ByID),
			chromedp.Click("#upload-submit", chromedp.ByID),
			chromedp.Poll(fmt.Sprintf(`document.querySelectorAll('#upload-list li[data-outcome]').length === %d`, n), nil, chromedp.WithPollingTimeout(30*time.Second)),
			chromedp.Evaluate(`Array.from(document.querySelectorAll('#upload-list li')).map(li => li.dataset.outcome + ' ' + li.textContent + ' ' + li.querySelector('progress').className)`, &outcomes),
		}
	}
	step("upload", upload("Thủ tục mới", []string{good}, 1), shot("web-segments-upload"))
	expect("upload outcome", strings.Join(outcomes, "\n"), "ok thu-tuc-moi.wav", "Đã nạp: #4 Thủ tục mới", "Chờ lãnh đạo phê duyệt; nếu được duyệt sẽ phát lần đầu")
	step("upload with a refusal", upload("Bản tin số liệu quý", []string{other, notAudio}, 2))
	expect("upload outcomes", strings.Join(outcomes, "\n"), "Đã nạp: #5 Bản tin số liệu quý", "refused hop-dong.wav", "Tệp này không phải bản ghi âm. Hãy chọn tệp .mp3, .m4a hoặc .wav")
	refusedRed := false
	for _, o := range outcomes {
		refusedRed = refusedRed || (strings.HasPrefix(o, "refused") && strings.HasSuffix(o, " refused"))
	}
	if !refusedRed {
		t.Errorf("the refused file's progress bar is not red: %q", outcomes)
	}
	var pinnable int
	step("pin form lists approved only", chromedp.Navigate(base+"/schedule"), chromedp.WaitVisible("#pin-form", chromedp.ByID),
		chromedp.Evaluate(`document.querySelectorAll('#pin-form option[value="4"], #pin-form option[value="5"]').length`, &pinnable))
	if pinnable != 0 {
		t.Error("the pin form offers segments not approved")
	}
	step("operator logs out", logout)

	// The leader hears it (the player seeks: a Range request), corrects
	// it, approves it and refuses the other with the reason.
	var rangeStatus int
	step("approver hears and corrects",
		login("chutich", "mật-khẩu-chủ-tịch"),
		chromedp.Navigate(base+"/segments?state=pending"),
		chromedp.WaitVisible("tr[data-segment='4'] audio", chromedp.ByQuery),
		chromedp.Evaluate(`fetch('/api/segments/4/audio', {headers: {Range: 'bytes=1000-1999'}}).then(r => r.status)`, &rangeStatus,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		chromedp.Click("tr[data-segment='4'] details.inline-form:nth-of-type(2) summary", chromedp.ByQuery),
		chromedp.SetValue("form[data-edit='4'] input[name=title]", "Thủ tục cấp căn cước", chromedp.ByQuery),
		chromedp.SetValue("form[data-edit='4'] select[name=priority]", "priority", chromedp.ByQuery),
		chromedp.Click("form[data-edit='4'] button[type=submit]", chromedp.ByQuery),
		flashSays("Đã lưu bản tin #4"),
		shot("web-approve"),
	)
	if rangeStatus != 206 {
		t.Errorf("a Range request for the audio answered %d", rangeStatus)
	}
	expect("after the edit", text("tr[data-segment='4']"), "Thủ tục cấp căn cước", "ưu tiên", "Nạp: lan,")
	step("approve and refuse",
		chromedp.Click("button[data-approve='4']", chromedp.ByQuery),
		flashSays("Đã phê duyệt bản tin #4"),
		chromedp.Navigate(base+"/segments?state=pending"),
		chromedp.Click("tr[data-segment='5'] details.inline-form summary", chromedp.ByQuery),
		chromedp.SendKeys("form[data-reject='5'] input[name=reason]", "Sai số liệu ở đoạn hai, thu lại", chromedp.ByQuery),
		chromedp.Click("form[data-reject='5'] button", chromedp.ByQuery),
		flashSays("Đã từ chối bản tin #5"),
	)
	// Settings and accounts, by the approver.
	step("settings",
		chromedp.Navigate(base+"/settings"),
		chromedp.WaitVisible("#settings-form", chromedp.ByID),
		chromedp.SetValue("tr[data-topic='tthc'] input[name=airings]", "18", chromedp.ByQuery),
		chromedp.Click("#settings-save", chromedp.ByID),
		flashSays("Đã lưu vào config.yaml"),
		shot("web-settings"),
	)
	expect("settings saved", text("#flash"), "Đã lưu vào config.yaml")
	if raw, _ := os.ReadFile(config); !strings.Contains(string(raw), "target_airings: 18") || !strings.Contains(string(raw), "# Cấu hình trạm") {
		t.Error("config.yaml was not written with the new target and its comments")
	}
	step("add an account",
		chromedp.Navigate(base+"/system"),
		chromedp.Click("#add-user summary", chromedp.ByQuery),
		chromedp.SendKeys("#add-user-form input[name=name]", "thuky", chromedp.ByQuery),
		chromedp.SendKeys("#add-user-form input[name=full_name]", "Lê Văn Ba", chromedp.ByQuery),
		chromedp.SetValue("#add-user-form select[name=role]", "viewer", chromedp.ByQuery),
		chromedp.SendKeys("#add-user-form input[name=password]", "mật-khẩu-thư-ký", chromedp.ByQuery),
		chromedp.Click("#add-user-form button", chromedp.ByQuery),
		chromedp.WaitVisible("tr[data-user='thuky']", chromedp.ByQuery),
	)
	if sys := text("main"); strings.Contains(sys, "scheduler users") && !strings.Contains(sys, "Chi tiết kỹ thuật") {
		t.Error("the System page shows a shell command outside the technical details")
	}
	step("approver logs out", logout)

	// The operator reads the refusal, plays now (one confirmation), and
	// controls the air.
	step("operator reads the refusal", login("lan", "mật-khẩu-lan"), chromedp.Navigate(base+"/segments"), chromedp.WaitVisible("tr[data-segment='5']", chromedp.ByQuery))
	expect("refusal", text("tr[data-segment='5']"), "bị từ chối", "chutich", "Sai số liệu ở đoạn hai, thu lại")
	expect("approved", text("tr[data-segment='4']"), "đã duyệt — chutich", "0 lượt")
	expect("next airing", text("tr[data-segment='4'] td.next"), "/", ":")
	dialogs.Store(0)
	step("play now",
		chromedp.Navigate(base+"/play"),
		chromedp.WaitVisible("#play-4", chromedp.ByID),
		chromedp.Click("#play-now", chromedp.ByID), // nothing chosen: no dialog
		chromedp.WaitVisible("#flash:not([hidden])", chromedp.ByQuery),
	)
	if n := dialogs.Load(); n != 0 {
		t.Errorf("Play now with nothing chosen asked %d times", n)
	}
	expect("play page", text("#play-form .explain"), "Phát ngay", "Phát khẩn cấp", "giờ nghỉ")
	step("play it",
		chromedp.Click("#play-4", chromedp.ByID),
		chromedp.Click("#play-now", chromedp.ByID),
		chromedp.WaitVisible("#onair", chromedp.ByID),
		chromedp.Poll(`document.getElementById('onair-title').textContent.includes('Thủ tục cấp căn cước')`, nil, chromedp.WithPollingTimeout(15*time.Second)),
		shot("web-now"),
	)
	if n := dialogs.Load(); n != 1 {
		t.Errorf("one Play now asked %d times", n)
	}
	expect("on air", text("#onair"), "ĐANG PHÁT", "Phát ngay (ngoài lịch)", "Thủ tục hành chính", "Loa đang hoạt động")
	if strings.Contains(text("#onair"), "emergency") {
		t.Error("the on-air card shows the internal slot name")
	}
	step("pause and resume",
		chromedp.Click("#ctl-pause", chromedp.ByID),
		chromedp.Poll(`document.getElementById('flash').textContent.includes('Đã tạm dừng')`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Click("#ctl-resume", chromedp.ByID),
		chromedp.Poll(`document.getElementById('flash').textContent.includes('Đã tiếp tục phát')`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(mustRun(t, data, "--config", config, "log", "--json", "--from", today.Format("2006-01-02")), `"status": "completed"`) {
		if time.Now().After(deadline) {
			t.Fatal("the segment played now never completed in the log")
		}
		time.Sleep(300 * time.Millisecond)
	}
	step("play again and stop",
		chromedp.Navigate(base+"/play"),
		chromedp.WaitVisible("#play-4", chromedp.ByID),
		chromedp.Click("#play-4", chromedp.ByID),
		chromedp.Click("#play-emergency", chromedp.ByID),
		chromedp.WaitVisible("#onair", chromedp.ByID),
		chromedp.Poll(`document.getElementById('onair-state').textContent === 'ĐANG PHÁT'`, nil, chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.Click("#ctl-stop", chromedp.ByID),
		chromedp.Poll(`document.getElementById('flash').textContent.includes('Đã dừng')`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if out := mustRun(t, data, "--config", config, "log", "--json", "--from", today.Format("2006-01-02")); !strings.Contains(out, "stopped by the operator") {
		t.Errorf("Dừng is not in the log:\n%.2000s", out)
	}

	// The month's report, for a month chosen in the picker, downloads with
	// that month inside.
	dl := t.TempDir()
	var heading string
	done := make(chan string, 1)
	chromedp.ListenTarget(ctx, func(ev any) {
		if p, ok := ev.(*browser.EventDownloadProgress); ok && p.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- p.GUID:
			default:
			}
		}
	})
	month := today.AddDate(0, -1, 0)
	step("report page",
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).WithDownloadPath(dl).WithEventsEnabled(true),
		chromedp.Navigate(base+"/reports"),
		chromedp.WaitVisible("#pick-month", chromedp.ByID),
		chromedp.SetValue("#pick-month", month.Format("2006-01"), chromedp.ByID),
		chromedp.Submit("#pick-month", chromedp.ByID),
		chromedp.WaitVisible("#report-xlsx", chromedp.ByID),
		chromedp.Text("main h2", &heading, chromedp.ByQuery),
		shot("web-reports"),
		chromedp.Click("#report-xlsx", chromedp.ByID),
	)
	wantMonth := fmt.Sprintf("tháng %d năm %d", int(month.Month()), month.Year())
	if heading != wantMonth {
		t.Errorf("report page after choosing %s shows %q", month.Format("2006-01"), heading)
	}
	var guid string
	select {
	case guid = <-done:
	case <-ctx.Done():
		t.Fatal("the report did not download")
	}
	f, err := excelize.OpenFile(filepath.Join(dl, guid))
	if err != nil {
		t.Fatalf("downloaded report: %v", err)
	}
	if sheets := f.GetSheetList(); len(sheets) == 0 || sheets[0] != "Tổng hợp" {
		t.Errorf("report sheets %v", sheets)
	} else if rows, _ := f.GetRows(sheets[0]); !strings.Contains(fmt.Sprint(rows), wantMonth) {
		t.Errorf("the downloaded report is not %s's: %.300v", wantMonth, rows)
	}
	f.Close()
	var audit string
	step("audit trail", chromedp.Navigate(base+"/audit"), chromedp.Text("#audit", &audit, chromedp.ByID), shot("web-audit"))
	expect("audit trail", audit, "nạp bản tin", "sửa bản tin", "phê duyệt", "từ chối", "sửa cấu hình", "quản lý tài khoản", "phát ngay", "phát khẩn cấp", "điều khiển phát")

	// On a phone: one-line nav, cards, large targets, the upload form
	// folded, the priority visible, the loudspeaker bar at the bottom.
	var phone struct {
		Overflow   bool    `json:"overflow"`
		NavHeight  float64 `json:"navHeight"`
		TheadShown bool    `json:"theadShown"`
		UploadOpen bool    `json:"uploadOpen"`
		FirstCard  float64 `json:"firstCard"`
		MinButton  float64 `json:"minButton"`
		PrioShown  bool    `json:"prioShown"`
		BarBottom  float64 `json:"barBottom"`
		Height     float64 `json:"height"`
	}
	phoneShots = true
	step("phone: segments",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/segments"),
		chromedp.WaitVisible("#segments", chromedp.ByID),
		chromedp.Evaluate(`(() => {
			const btns = Array.from(document.querySelectorAll('#segments button, #segments summary')).filter(b => b.offsetParent);
			const tag = document.querySelector('tr[data-segment="4"] .tag.prio-priority');
			return {
				overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
				navHeight: document.querySelector('nav.nav').getBoundingClientRect().height,
				theadShown: getComputedStyle(document.querySelector('#segments thead')).display !== 'none',
				uploadOpen: document.getElementById('upload-box').open,
				firstCard: document.querySelector('#segments tbody tr').getBoundingClientRect().top + window.scrollY,
				minButton: Math.min(...btns.map(b => b.getBoundingClientRect().height)),
				prioShown: !!(tag && tag.offsetParent),
				barBottom: document.getElementById('airbar').getBoundingClientRect().bottom,
				height: window.innerHeight,
			};
		})()`, &phone),
		shot("web-phone-segments"),
	)
	if phone.Overflow || phone.NavHeight > 60 || phone.TheadShown || phone.UploadOpen || phone.FirstCard > 700 || phone.MinButton < 44 || !phone.PrioShown ||
		phone.BarBottom < phone.Height-1 {
		t.Errorf("on a phone the segments page: %+v", phone)
	}
	step("phone: overview and on air", chromedp.Navigate(base+"/"), chromedp.WaitVisible("#lead-next", chromedp.ByID), shot("web-phone-overview"),
		chromedp.Navigate(base+"/now"), chromedp.WaitVisible("#onair", chromedp.ByID))
	// On the phone too: the operator loads a recording through the folded
	// form, the leader hears and approves it.
	phoneRec := filepath.Join(dir, "hop-dan.wav")
	writeTone(t, phoneRec, "5")
	step("phone: upload", upload("Thông báo họp dân", []string{phoneRec}, 1))
	expect("phone upload", strings.Join(outcomes, "\n"), "Đã nạp: #6 Thông báo họp dân")
	step("phone: approve",
		logout,
		login("chutich", "mật-khẩu-chủ-tịch"),
		chromedp.Navigate(base+"/segments?state=pending"),
		chromedp.WaitVisible("tr[data-segment='6'] audio", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("button[data-approve='6']").scrollIntoView({block: 'center'})`, nil),
		chromedp.Click("button[data-approve='6']", chromedp.ByQuery),
		flashSays("Đã phê duyệt bản tin #6"),
		logout,
		login("lan", "mật-khẩu-lan"),
	)
	// The operator's flow on the phone: play now from the sticky buttons,
	// see it on air, stop it.
	var pick struct {
		Box    float64 `json:"box"`
		Button float64 `json:"button"`
	}
	dialogs.Store(0)
	step("phone: play now and stop",
		chromedp.Navigate(base+"/play"),
		chromedp.WaitVisible("#play-4", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById('play-4').scrollIntoView({block: 'center'});
			({box: document.getElementById('play-4').getBoundingClientRect().height, button: document.getElementById('play-now').getBoundingClientRect().height})`, &pick),
		chromedp.Click("#play-4", chromedp.ByID),
		chromedp.Click("#play-now", chromedp.ByID),
		chromedp.WaitVisible("#onair", chromedp.ByID),
		chromedp.Poll(`document.getElementById('onair-state').textContent === 'ĐANG PHÁT'`, nil, chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.Poll(`document.getElementById('airbar-onair').textContent.includes('Thủ tục cấp căn cước')`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		shot("web-now-phone"),
		chromedp.Click("#ctl-stop", chromedp.ByID),
		chromedp.Poll(`document.getElementById('flash').textContent.includes('Đã dừng')`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if pick.Box < 24 || pick.Button < 44 || dialogs.Load() != 2 {
		t.Errorf("on a phone: check box %.0f px, button %.0f px, %d confirmations for play and stop", pick.Box, pick.Button, dialogs.Load())
	}
	var chartFont float64
	step("phone: chart text", chromedp.Navigate(base+"/"), chromedp.Evaluate(`parseFloat(getComputedStyle(document.querySelector('.barname')).fontSize)`, &chartFont))
	if chartFont < 12 {
		t.Errorf("the chart's text is %.1f px on a phone", chartFont)
	}
	stop()

	// No sound card: every page says so in red, and a play says it failed.
	asound := filepath.Join(t.TempDir(), "asound.conf")
	os.WriteFile(asound, []byte("pcm.!default { type hw card 99 }\n"), 0o644)
	deadConfig := filepath.Join(t.TempDir(), "dead.yaml")
	raw, _ := os.ReadFile(config)
	os.WriteFile(deadConfig, []byte(strings.Replace(string(raw), "output: null", "output: alsa", 1)), 0o644)
	base, serveErr, stop = serveWeb(t, data, deadConfig, []string{"ALSA_CONFIG_PATH=" + asound})
	defer stop()
	var barClass string
	step("dead: the bar is red", login("lan", "mật-khẩu-lan"), chromedp.WaitVisible("#airbar", chromedp.ByID),
		chromedp.AttributeValue("#airbar", "class", &barClass, nil), shot("web-phone-dead"))
	if !strings.Contains(barClass, "dead") {
		t.Errorf("with no sound card the bar is %q", barClass)
	}
	expect("dead bar", text("#airbar"), "LOA KHÔNG PHÁT — kiểm tra card âm thanh, dây nối")
	step("dead: play fails loudly",
		chromedp.ActionFunc(func(context.Context) error { phoneShots = false; return nil }),
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(base+"/play"),
		chromedp.WaitVisible("#play-4", chromedp.ByID),
		chromedp.Click("#play-4", chromedp.ByID),
		chromedp.Click("#play-now", chromedp.ByID),
		chromedp.WaitVisible("#flash.bad", chromedp.ByQuery),
	)
	expect("failed play", text("#flash"), "LOA KHÔNG PHÁT", "lỗi phát")
}

// webConfig is the shipped config with the null output, so that no sound
// card is needed.
func webConfig(t *testing.T) string {
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(raw), "output: auto", "output: null", 1)
	s = strings.Replace(s, "media_dir: ./media", fmt.Sprintf("media_dir: %s", filepath.Join(t.TempDir(), "media")), 1)
	return writeConfig(t, "web.yaml", s)
}
