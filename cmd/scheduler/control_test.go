package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestControlPauseResumeSkipStop drives the running station with
// `scheduler control` as an operator would, and checks the answers, the
// exit codes and the log.
func TestControlPauseResumeSkipStop(t *testing.T) {
	data := t.TempDir()
	config := stationConfig(t)
	// Without a station: exit 1, said in Vietnamese; a bad action: exit 2.
	if r := run(t, data, nil, "--config", config, "control", "pause"); r.code != 1 || !strings.Contains(r.stderr, "trạm chưa chạy") {
		t.Fatalf("control without a station: exit %d: %s", r.code, r.stderr)
	}
	if r := run(t, data, nil, "--config", config, "control", "rewind"); r.code != 2 {
		t.Fatalf("control rewind: exit %d, want 2: %s", r.code, r.stderr)
	}
	dir := t.TempDir()
	for _, name := range []string{"a", "b"} {
		p := filepath.Join(dir, name+".wav")
		writeTone(t, p, "4")
		mustRun(t, data, "--config", config, "segments", "import", "--topic", "tthc", "--approve", "--title", name, p)
	}
	cmd := exec.Command(binPath, "--data", data, "--config", config, "serve")
	cmd.Dir = "../.."
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	waitOnAir(t, data, config, 500*time.Millisecond)
	ctl := func(action string, wantCode int, want string) {
		t.Helper()
		r := run(t, data, nil, "--config", config, "control", action)
		if r.code != wantCode || !strings.Contains(r.stdout+r.stderr, want) {
			t.Fatalf("control %s: exit %d (want %d): %s%s (want %q)", action, r.code, wantCode, r.stdout, r.stderr, want)
		}
	}
	ctl("pause", 0, "Đã tạm dừng")
	ctl("pause", 1, "đang tạm dừng rồi")
	time.Sleep(500 * time.Millisecond)
	ctl("resume", 0, "Đã phát tiếp")
	ctl("resume", 1, "không ở trạng thái tạm dừng")
	ctl("skip", 0, "Đã bỏ qua")
	// The second segment starts a gap (1 s) after the skip: once the first
	// is closed, wait for the gap and some of the second, then stop it.
	// (Its row is open, with a started_at, from the moment it is queued.)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var log []airingJSON
		json.Unmarshal([]byte(run(t, data, nil, "--config", config, "log", "--json").stdout), &log)
		if len(log) == 2 && log[0].Status == "interrupted" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first segment was not closed after the skip: %+v", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2500 * time.Millisecond)
	ctl("stop", 0, "Đã dừng khung giờ")
	log := waitForStatus(t, data, config, "interrupted", 5*time.Second)
	deadline = time.Now().Add(10 * time.Second)
	for (len(log) < 2 || log[1].Status == "open") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		json.Unmarshal([]byte(run(t, data, nil, "--config", config, "log", "--json").stdout), &log)
	}
	if len(log) < 2 {
		t.Fatalf("log: %+v", log)
	}
	if a := log[0]; a.Status != "interrupted" || a.Reason != "skipped by the operator" || a.PlayedMS <= 0 || a.PlayedMS >= 4000 {
		t.Errorf("skipped airing: %+v", a)
	}
	if a := log[1]; a.Status != "interrupted" || a.Reason != "stopped by the operator" || a.PlayedMS <= 0 || a.PlayedMS >= 4000 {
		t.Errorf("stopped airing: %+v", a)
	}
	text := run(t, data, nil, "--config", config, "log").stdout
	for _, w := range []string{"người vận hành bỏ qua", "người vận hành dừng"} {
		if !strings.Contains(text, w) {
			t.Errorf("the log's text lacks %q:\n%s", w, text)
		}
	}
	ctl("skip", 1, "không có gì đang phát")
	// What the station did is in the audit trail, with who asked; what
	// it refused is not.
	var done []string
	for _, e := range auditTrail(t, data) {
		if e.Action == "control" {
			if e.User != cliActor(t) {
				t.Errorf("control entry %+v: want user %s", e, cliActor(t))
			}
			done = append([]string{e.Object}, done...)
		}
	}
	if got := strings.Join(done, ", "); got != "tạm dừng, tiếp tục, bỏ qua, dừng" {
		t.Errorf("control in the audit trail: %s; want tạm dừng, tiếp tục, bỏ qua, dừng", got)
	}
}
