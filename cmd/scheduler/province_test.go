package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/truyenthanh/cchc/internal/pgcluster"
)

// runIn runs the binary from the project root with stdin.
func runIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runBinary(t, strings.NewReader(stdin), nil, args...)
}

// TestProvinceCLI drives the province commands against a throwaway
// PostgreSQL cluster: communes and their tokens, users, the report, and
// bad input refused with exit 2.
func TestProvinceCLI(t *testing.T) {
	ctx := context.Background()
	c, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err != nil {
		t.Fatalf("the province CLI test needs PostgreSQL: %v", err)
	}
	defer c.Stop(ctx)
	db, err := c.CreateDatabase(ctx, "tinh")
	if err != nil {
		t.Fatal(err)
	}

	r := runIn(t, "", "province", "communes", "add", "25252", "--name", "Xã Tân Lập", "--db", db)
	if r.code != 0 || !regexp.MustCompile(`^[0-9a-f]{64}\n$`).MatchString(r.stdout) {
		t.Fatalf("communes add: exit %d, stdout %q (want the token alone), stderr %s", r.code, r.stdout, r.stderr)
	}
	first := r.stdout
	for _, bad := range []struct {
		stdin string
		args  []string
		says  string
	}{
		{"", []string{"province", "communes", "add", "25252", "--name", "Lại", "--db", db}, "đã có"},
		{"", []string{"province", "communes", "add", "mã sai", "--name", "X", "--db", db}, "mã xã"},
		{"", []string{"province", "communes", "add", "25253", "--db", db}, "--name"},
		{"mat-khau-dai\n", []string{"province", "users", "add", "an", "--role", "boss", "--db", db}, "--role"},
		{"ngan\n", []string{"province", "users", "add", "an", "--role", "admin", "--db", db}, "mật khẩu quá ngắn"},
		{"", []string{"province", "report", "--db", db}, "chọn đúng một kỳ"},
		{"", []string{"province", "report", "--month", "2024-13", "--db", db}, "Tháng không hợp lệ"},
		{"", []string{"province", "report", "--month", "2024-05", "--db", "mysql://x"}, "postgres://"},
		{"", []string{"--lang", "en", "province", "report", "--month", "2024-05"}, "--db postgres://USER@HOST/DB is needed"},
		{"", []string{"province", "serve", "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "proxy.lan", "--db", db}, `--trusted-proxy "proxy.lan"`},
	} {
		r := runIn(t, bad.stdin, bad.args...)
		if r.code != 2 || !strings.Contains(r.stderr, bad.says) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", bad.args, r.code, r.stderr, bad.says)
		}
	}
	if r := runIn(t, "mat-khau-dai\n", "province", "users", "add", "quantri", "--role", "admin", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "quản trị") {
		t.Errorf("users add: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, "", "--lang", "en", "province", "users", "list", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "quantri") || !strings.Contains(r.stdout, "administrator") {
		t.Errorf("users list: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, "", "province", "communes", "token", "25252", "--db", db); r.code != 0 || len(strings.TrimSpace(r.stdout)) != 64 || strings.TrimSpace(r.stdout) == strings.TrimSpace(first) {
		t.Errorf("communes token: exit %d, %q (want a new token)", r.code, r.stdout)
	}
	if r := runIn(t, "", "--lang", "en", "province", "users", "list", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "quantri") || !strings.Contains(r.stdout, "administrator") {
		t.Errorf("users list: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, "", "province", "communes", "token", "99999", "--db", db); r.code != 2 {
		t.Errorf("communes token of an unknown commune: exit %d, want 2", r.code)
	}
	if r := runIn(t, "", "province", "communes", "list", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "Xã Tân Lập") || !strings.Contains(r.stdout, "chưa bao giờ") {
		t.Errorf("communes list: exit %d %s %s", r.code, r.stdout, r.stderr)
	}

	r = runIn(t, "", "province", "report", "--month", "2024-05", "--format", "json", "--db", db)
	var rep struct {
		Period   map[string]any   `json:"period"`
		Communes []map[string]any `json:"communes"`
		Topics   []map[string]any `json:"topics"`
		Totals   map[string]any   `json:"totals"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 0 || err != nil {
		t.Fatalf("report json: exit %d, %v\n%s", r.code, err, r.stderr)
	}
	if len(rep.Communes) != 1 || rep.Communes[0]["code"] != "25252" || rep.Communes[0]["last_sync"] != nil || len(rep.Topics) != 10 || rep.Period["from"] != "2024-05-01" {
		t.Errorf("report json: %+v", rep)
	}
	out := filepath.Join(t.TempDir(), "bao-cao-tinh.xlsx")
	if r := runIn(t, "", "province", "report", "--month", "2024-05", "--format", "xlsx", "-o", out, "--db", db); r.code != 0 {
		t.Fatalf("report xlsx: exit %d %s", r.code, r.stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue(f.GetSheetList()[0], "B6"); v != "Xã Tân Lập" {
		t.Errorf("xlsx B6 = %q, want the commune", v)
	}
	_ = os.Remove(out)

	// serve: the web app answers, SIGTERM stops it cleanly.
	srv := exec.Command(binPath, "province", "serve", "--listen", "127.0.0.1:0", "--trusted-proxy", "127.0.0.0/8", "--trusted-proxy", "::1", "--db", db)
	srv.Dir = "../.."
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var serr bytes.Buffer
	srv.Stderr = &serr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	m := regexp.MustCompile(`http://[0-9.:]+/`).FindString(line)
	if err != nil || m == "" {
		srv.Process.Kill()
		srv.Wait()
		t.Fatalf("serve printed %q, %v; stderr %s", line, err, serr.String())
	}
	res, err := http.Get(m + "login")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("GET /login: %v %v", res, err)
	}
	if res != nil {
		res.Body.Close()
	}
	srv.Process.Signal(syscall.SIGTERM)
	if err := srv.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, serr.String())
	}
}
