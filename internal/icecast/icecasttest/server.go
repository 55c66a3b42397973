// Package icecasttest runs Debian's icecast2 for tests: its own config on a
// loopback port in a temporary folder, started and stopped by PID.
package icecasttest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running (or stopped) icecast2.
type Server struct {
	Port           int
	SourcePassword string
	AdminPassword  string
	dir            string
	config         string
	t              testing.TB

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	logs *tail
}

// Start starts icecast2 on a free loopback port; it is stopped at the end
// of the test. icecast2 refuses to run as root: as root, the config has it
// change owner to the package's own user (icecast2) once it has bound its
// port.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("icecast2"); err != nil {
		t.Fatalf("icecast2 is not installed: apt-get install icecast2 (make test installs it)")
	}
	s := &Server{Port: freePort(t), SourcePassword: "src-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		AdminPassword: "adm-" + strconv.FormatInt(time.Now().UnixNano()%99991, 36), dir: t.TempDir(), t: t}
	// The server drops to its own user: let it into the folder.
	os.Chmod(s.dir, 0o755)
	s.config = filepath.Join(s.dir, "icecast.xml")
	if err := os.WriteFile(s.config, []byte(s.xml()), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// SourceSpec is the output spec of mount with the source password.
func (s *Server) SourceSpec(mount string) string {
	return fmt.Sprintf("icecast://source:%s@127.0.0.1:%d%s?codec=mp3&bitrate=64k&channels=1", s.SourcePassword, s.Port, mount)
}

// URL is where a listener opens mount.
func (s *Server) URL(mount string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", s.Port, mount)
}

// Logs is what the server wrote (its error and access logs go to stderr).
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logs == nil {
		return ""
	}
	return s.logs.String()
}

// Restart starts the server again (after Kill or Stop) on the same port,
// and waits until it answers.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	cmd := exec.Command("icecast2", "-c", s.config)
	s.logs = &tail{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		s.t.Fatalf("start icecast2: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/status-json.xsl", s.Port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-done:
			s.t.Fatalf("icecast2 exited at start: %s", s.Logs())
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("icecast2 did not answer within 10 s: %v\n%s", err, s.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Kill kills the server (SIGKILL), as a crash would.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

// Stop stops the server (SIGTERM, then SIGKILL after 5 s).
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func (s *Server) xml() string {
	owner := ""
	if os.Geteuid() == 0 {
		u, err := user.Lookup("icecast2")
		if err != nil {
			s.t.Fatalf("icecast2 refuses to run as root and its user is missing: %v", err)
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			s.t.Fatalf("group of icecast2: %v", err)
		}
		owner = fmt.Sprintf("<changeowner><user>%s</user><group>%s</group></changeowner>", u.Username, g.Name)
	}
	return fmt.Sprintf(`<icecast>
  <location>test</location>
  <admin>test@localhost</admin>
  <limits><clients>50</clients><sources>16</sources><queue-size>524288</queue-size>
    <client-timeout>30</client-timeout><header-timeout>15</header-timeout><source-timeout>10</source-timeout>
    <burst-on-connect>0</burst-on-connect><burst-size>0</burst-size></limits>
  <authentication>
    <source-password>%s</source-password>
    <admin-user>admin</admin-user><admin-password>%s</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>%d</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>1</fileserve>
  <paths>
    <basedir>/usr/share/icecast2</basedir>
    <logdir>%s</logdir>
    <webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot>
  </paths>
  <logging><accesslog>-</accesslog><errorlog>-</errorlog><loglevel>3</loglevel></logging>
  <security><chroot>0</chroot>%s</security>
</icecast>
`, s.SourcePassword, s.AdminPassword, s.Port, s.dir, owner)
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// tail keeps the last max bytes written.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// WaitMount waits until a source feeds mount (the statistics list it).
func (s *Server) WaitMount(mount string, within time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/status-json.xsl", s.Port))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), fmt.Sprintf(`:%d%s"`, s.Port, mount)) {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no source on %s within %v", mount, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
