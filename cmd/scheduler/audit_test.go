package main

import (
	"bytes"
	"context"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truyenthanh/cchc/internal/store"
)

// TestCLIActionsAreInTheAuditTrail: what the operator changes at the
// command line is in the audit trail, like a web action, with the
// operating-system user as the actor. (control, handed to a running
// station, is checked in TestControlPauseResumeSkipStop.)
func TestCLIActionsAreInTheAuditTrail(t *testing.T) {
	data := t.TempDir()
	mustRun(t, data, "segments", "import", "media/tthc/bo-phan-mot-cua.wav", "media/tthc/dich-vu-cong-truc-tuyen.wav")
	mustRun(t, data, "segments", "approve", "1")
	mustRun(t, data, "schedule", "pin", "1", "--slot", "sang", "--date", "2024-05-02")
	mustRun(t, data, "schedule", "unpin", "1", "--slot", "sang", "--date", "2024-05-02")
	mustRun(t, data, "segments", "remove", "2")
	mustRun(t, data, "segments", "analyze", "--all") // writes #1's silence
	cmd := exec.Command(binPath, "--data", data, "users", "add", "lan", "--role", "operator")
	cmd.Dir = "../.."
	cmd.Stdin = strings.NewReader("mật-khẩu-của-lan\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("users add: %v\n%s", err, out.String())
	}
	dir := t.TempDir()
	tone := filepath.Join(dir, "tone.wav")
	writeTone(t, tone, "0.2")
	mustRun(t, data, "play", "--output", "file:"+filepath.Join(dir, "out.wav"), tone)
	copyPath := filepath.Join(dir, "copy.db")
	mustRun(t, data, "backup", copyPath)
	// A refused action changes nothing and records nothing.
	if r := run(t, data, nil, "segments", "approve", "99"); r.code != 2 {
		t.Fatalf("approve of an unknown segment: exit %d, want 2", r.code)
	}

	actor := cliActor(t)
	trail := auditTrail(t, data)
	var got []string
	for i := len(trail) - 1; i >= 0; i-- { // oldest first
		e := trail[i]
		if e.User != actor {
			t.Errorf("entry %+v: user %q, want %q", e, e.User, actor)
		}
		got = append(got, e.Action+" "+e.Object)
	}
	want := []string{
		"load #1 «Bộ phận một cửa xã Tân Lập»", "load #2 «Dịch vụ công trực tuyến toàn trình»",
		"approve #1 «Bộ phận một cửa xã Tân Lập»", "pin #1", "unpin #1", "retire #2 «Dịch vụ công trực tuyến toàn trình»", "silence #1 «Bộ phận một cửa xã Tân Lập»", "user lan", "play tone.wav",
		"backup " + copyPath,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit trail:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// cliActor is who the audit trail names for a command run by this test.
func cliActor(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return "cli:" + u.Username
}

// auditTrail reads the audit trail of the data folder, newest first.
func auditTrail(t *testing.T, data string) []store.AuditEntry {
	t.Helper()
	st, err := store.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	trail, err := st.AuditTrail(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return trail
}
