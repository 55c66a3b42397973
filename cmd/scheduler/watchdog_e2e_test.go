package main

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestServeWatchdogStopsWhenTheLoopFreezes runs serve as systemd would with
// WatchdogSec=1: WATCHDOG=1 arrives every half second while the station
// loop turns; once the loop freezes (the CCHC_TEST_FREEZE_LOOP hook blocks
// it in its check-in, as a call stuck in the store or the deck would), the
// pings stop although the process and its pinger still run.
func TestServeWatchdogStopsWhenTheLoopFreezes(t *testing.T) {
	data := t.TempDir()
	config := stationConfig(t)
	freeze := filepath.Join(t.TempDir(), "freeze")
	cmd, next := serveNotifying(t, data, config, nil, "WATCHDOG_USEC=1000000", "CCHC_TEST_FREEZE_LOOP="+freeze)
	// Alive: pings every 0.5 s; four within 3 s.
	pings := 0
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end) && pings < 4; {
		switch got := next(time.Until(end)); got {
		case "WATCHDOG=1":
			pings++
		case "":
		default:
			t.Fatalf("unexpected message %q", got)
		}
	}
	if pings < 4 {
		t.Fatalf("%d WATCHDOG=1 in 3 s from a live station, want 4 (every 0.5 s)", pings)
	}
	if err := os.WriteFile(freeze, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The loop freezes at its next check-in (within 0.25 s); the pinger
	// may still ping until the last check-in is 1 s old. After that,
	// silence: 2 s without a single ping.
	for deadline := time.Now().Add(4 * time.Second); ; {
		got := next(2 * time.Second)
		if got == "" {
			break
		}
		if got != "WATCHDOG=1" {
			t.Fatalf("unexpected message %q", got)
		}
		if time.Now().After(deadline) {
			t.Fatal("WATCHDOG=1 still arrives 4 s after the station loop froze")
		}
	}
	if cmd.ProcessState != nil {
		t.Fatal("serve exited: the pings must stop because the loop froze, not the process")
	}
	// The process is alive and its pinger running (SIGSTOP would have
	// stopped both): it still answers SIGTERM and says it is stopping.
	cmd.Process.Signal(syscall.SIGTERM)
	if got := next(10 * time.Second); got != "STOPPING=1" {
		t.Fatalf("after SIGTERM got %q, want STOPPING=1", got)
	}
}

// serveNotifying runs serve as systemd would (NOTIFY_SOCKET), with env
// added to its environment (WATCHDOG_USEC=1000000 for WatchdogSec=1) and
// its standard error to stderr (nil: dropped), and returns once it said
// READY=1. next reads its next message, "" when none comes within d. Serve
// is killed when the test ends.
func serveNotifying(t *testing.T, data, config string, stderr io.Writer, env ...string) (cmd *exec.Cmd, next func(d time.Duration) string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	cmd = exec.Command(binPath, "--data", data, "--config", config, "serve")
	cmd.Dir = "../.."
	cmd.Env = append(append(os.Environ(), "NOTIFY_SOCKET="+sock), env...)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	buf := make([]byte, 64)
	next = func(d time.Duration) string {
		conn.SetReadDeadline(time.Now().Add(d))
		n, err := conn.Read(buf)
		if err != nil {
			return ""
		}
		return string(buf[:n])
	}
	if got := next(20 * time.Second); got != "READY=1" {
		t.Fatalf("first message %q, want READY=1", got)
	}
	return cmd, next
}
