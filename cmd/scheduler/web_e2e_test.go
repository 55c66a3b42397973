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
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
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

// TestWebAppInARealBrowser drives Chromium as the commune's staff would:
// the operator logs in and uploads a WAV, the leader approves it, it shows
// in the week's programme, the operator plays it now and sees it on air,
// and the month's report downloads. Set CCHC_SCREENSHOTS=DIR to keep
// screenshots of the pages.
func TestWebAppInARealBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	data := t.TempDir()
	config := webConfig(t)
	addUser(t, data, config, "lan", "operator", "mật-khẩu-lan")
	addUser(t, data, config, "chutich", "approver", "mật-khẩu-chủ-tịch")
	wav := filepath.Join(t.TempDir(), "thu-tuc-moi.wav")
	writeTone(t, wav, "6")

	addr := freeAddr(t)
	cmd := exec.Command(binPath, "--data", data, "--config", config, "serve", "--listen", addr)
	cmd.Dir = "../.."
	var serveErr bytes.Buffer
	cmd.Stderr = &serveErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, serveErr.String())
		}
	}()
	base := "http://" + addr
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i > 100 {
			t.Fatalf("the web app did not start:\n%s", serveErr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1100, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	// Confirmation dialogs (play now) are accepted, as the operator would.
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		}
	})
	shots := os.Getenv("CCHC_SCREENSHOTS")
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			if shots == "" {
				return nil
			}
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
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
			t.Fatalf("%s: %v\npage: %.2000s\nserve: %s", name, err, html, serveErr.String())
		}
	}

	// Without a session, a page sends the browser to the login page.
	var loc string
	step("redirect to login", chromedp.Navigate(base+"/segments"), chromedp.WaitVisible("#login-form", chromedp.ByID), chromedp.Location(&loc))
	if !strings.Contains(loc, "/login?next=%2Fsegments") {
		t.Errorf("without a session /segments went to %s", loc)
	}
	step("operator logs in", login("lan", "mật-khẩu-lan"), shot("overview"))

	// Upload a WAV with its topic; the page shows the outcome per file.
	var outcome string
	step("upload",
		chromedp.Navigate(base+"/segments"),
		chromedp.WaitVisible("#upload-form", chromedp.ByID),
		chromedp.Click("input[name=topic][value=tthc]", chromedp.ByQuery),
		chromedp.SendKeys("input[name=title]", "Thủ tục mới", chromedp.ByQuery),
		chromedp.SetUploadFiles("#upload-files", []string{wav}, chromedp.ByID),
		chromedp.Click("#upload-submit", chromedp.ByID),
		chromedp.WaitVisible("#upload-list li[data-outcome]", chromedp.ByQuery),
		chromedp.Text("#upload-list li", &outcome, chromedp.ByQuery),
		shot("segments-upload"),
	)
	if !strings.Contains(outcome, "Đã nạp: #1 Thủ tục mới") {
		t.Fatalf("upload outcome %q", outcome)
	}
	step("operator logs out", logout)

	// The leader approves it.
	var state string
	step("approver approves",
		login("chutich", "mật-khẩu-chủ-tịch"),
		chromedp.Navigate(base+"/segments?state=pending"),
		chromedp.WaitVisible("button[data-approve='1']", chromedp.ByQuery),
		chromedp.Click("button[data-approve='1']", chromedp.ByQuery),
		chromedp.WaitVisible("#flash:not([hidden])", chromedp.ByQuery),
		chromedp.Navigate(base+"/segments"),
		chromedp.Text("tr[data-segment='1'] td.state", &state, chromedp.ByQuery),
	)
	if !strings.Contains(state, "đã duyệt (chutich)") {
		t.Errorf("after approval the segment's state reads %q", state)
	}
	var playButtons int
	step("approver may not play", chromedp.Navigate(base+"/play"), chromedp.WaitVisible("main", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#play-now').length`, &playButtons))
	if playButtons != 0 {
		t.Error("the approver is offered Play now")
	}
	step("approver logs out", logout)

	// It is in the week's programme.
	var programme string
	step("week's programme",
		login("lan", "mật-khẩu-lan"),
		chromedp.Navigate(base+"/schedule"),
		chromedp.WaitVisible("tr.item[data-segment='1']", chromedp.ByQuery),
		chromedp.Text("section.day", &programme, chromedp.ByQuery),
		shot("schedule"),
	)
	if !strings.Contains(programme, "Thủ tục mới") {
		t.Errorf("the week's programme does not list the segment: %q", programme)
	}

	// Play it now, confirm, and see it on air (live over SSE).
	var title string
	step("play now and see it on air",
		chromedp.Navigate(base+"/play"),
		chromedp.WaitVisible("#play-1", chromedp.ByID),
		chromedp.Click("#play-1", chromedp.ByID),
		chromedp.Click("#play-now", chromedp.ByID),
		chromedp.WaitVisible("#onair", chromedp.ByID),
		chromedp.Poll(`document.getElementById('onair-title').textContent.includes('#1 ')`, nil, chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.Text("#onair-title", &title, chromedp.ByID),
		shot("now"),
	)
	if !strings.Contains(title, "Thủ tục mới") {
		t.Errorf("on air: %q", title)
	}

	// Choose March 2025 in the month picker (not the default month) and
	// download its report (XLSX) through the page's link.
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
	step("report page",
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).WithDownloadPath(dl).WithEventsEnabled(true),
		chromedp.Navigate(base+"/reports"),
		chromedp.WaitVisible("#pick-month", chromedp.ByID),
		chromedp.SetValue("#pick-month", "2025-03", chromedp.ByID),
		chromedp.Submit("#pick-month", chromedp.ByID),
		chromedp.WaitVisible("#report-xlsx", chromedp.ByID),
		chromedp.Text("main h2", &heading, chromedp.ByQuery),
		shot("reports"),
		chromedp.Click("#report-xlsx", chromedp.ByID),
	)
	if heading != "tháng 3 năm 2025" {
		t.Errorf("report page after choosing 2025-03 shows %q", heading)
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
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) == 0 || sheets[0] != "Tổng hợp" {
		t.Errorf("report sheets %v", sheets)
	} else if rows, _ := f.GetRows(sheets[0]); !strings.Contains(fmt.Sprint(rows), "tháng 3 năm 2025") {
		t.Errorf("the downloaded report is not March 2025's: %.300v", rows)
	}
	for _, p := range []string{"log", "system", "audit"} {
		step("page "+p, chromedp.Navigate(base+"/"+p), chromedp.WaitVisible("main h1", chromedp.ByQuery), shot(p))
	}
	var audit string
	step("audit trail", chromedp.Navigate(base+"/audit"), chromedp.Text("#audit", &audit, chromedp.ByID))
	for _, want := range []string{"nạp bản tin", "phê duyệt", "phát ngay", "chutich", "lan"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit trail lacks %q:\n%s", want, audit)
		}
	}
	if shots != "" {
		step("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/now"), chromedp.WaitVisible("#onair", chromedp.ByID), shot("phone-now"))
	}
	// The airing is logged as an emergency preemption, like play --now.
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := mustRun(t, data, "--config", config, "log", "--json")
		if strings.Contains(out, `"status": "completed"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the segment played now never completed in the log:\n%s", out)
		}
		time.Sleep(300 * time.Millisecond)
	}
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
	path := filepath.Join(t.TempDir(), "web.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
