package sdnotify

import (
	"net"
	"path/filepath"
	"testing"
)

func TestNotifySendsTheStateToTheSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := Notify(path, "READY=1"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(buf[:n]); got != "READY=1" {
		t.Fatalf("got %q, want READY=1", got)
	}
	if err := Notify("", "READY=1"); err != nil {
		t.Fatalf("without a socket Notify must do nothing, got %v", err)
	}
	if err := Notify(filepath.Join(t.TempDir(), "absent.sock"), "READY=1"); err == nil {
		t.Fatal("a missing socket must be an error")
	}
}
