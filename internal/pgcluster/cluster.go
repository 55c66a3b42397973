// Package pgcluster runs a PostgreSQL cluster of its own in a folder: the
// throwaway cluster of the tests and benchmarks, and the local cluster of
// the province demo. It drives Debian's PostgreSQL 15 binaries (initdb,
// pg_ctl, in /usr/lib/postgresql/15/bin; Debian package `postgresql`),
// which refuse to run as root: when the process is root they run as the
// `postgres` OS user (runuser), and the folder is handed to that user.
//
// The cluster listens on a Unix socket in its own folder (and on a
// loopback port when one is asked for), trusts local connections (it is
// reachable by this machine's users only through that folder or loopback),
// and is stopped with `pg_ctl stop -m fast`.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// BinDir is where Debian installs PostgreSQL 15's server programs.
const BinDir = "/usr/lib/postgresql/15/bin"

// Superuser is the cluster's superuser role.
const Superuser = "postgres"

// ErrMissing says PostgreSQL is not installed.
var ErrMissing = errors.New("PostgreSQL 15 is not installed: apt-get install postgresql (Debian 12), or `make deps`")

// Options say where and how the cluster runs.
type Options struct {
	// Dir holds the cluster (data/, the socket, the server log). Empty: a
	// new temporary folder, removed by Stop. A Dir that already holds a
	// cluster is started again as it is (or taken over if its server is
	// still running).
	Dir string
	// Port is a loopback TCP port to listen on besides the socket; 0
	// listens on the socket only.
	Port int
	// BinDir holds initdb, pg_ctl and postgres; empty: BinDir.
	BinDir string
	// Durable keeps PostgreSQL's crash safety (fsync, full page writes).
	// Off, the cluster trades it for speed: right for tests, whose
	// cluster is thrown away.
	Durable bool
}

// Cluster is a running cluster.
type Cluster struct {
	bin     string
	dir     string
	port    int
	temp    bool
	asUser  string // "" when the process itself runs the binaries
	stopped bool
}

// socketPort is the port number in the socket's name (.s.PGSQL.N) when
// the cluster listens on the socket only.
const socketPort = 5432

// Start creates the cluster if its folder has none, and starts it.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	bin := o.BinDir
	if bin == "" {
		bin = BinDir
	}
	for _, prog := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, prog)); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(bin, prog), ErrMissing)
		}
	}
	c := &Cluster{bin: bin, dir: o.Dir, port: o.Port}
	if c.port == 0 {
		c.port = socketPort
	}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup(Superuser); err != nil {
			return nil, fmt.Errorf("PostgreSQL refuses to run as root and there is no %q OS user to run it: %w", Superuser, ErrMissing)
		}
		c.asUser = Superuser
	}
	if c.dir == "" {
		// Under /tmp, not $TMPDIR: the postgres user must reach it, and a
		// socket's path must stay under 108 bytes.
		d, err := os.MkdirTemp("/tmp", "pgcluster-")
		if err != nil {
			return nil, fmt.Errorf("make the cluster's folder: %w", err)
		}
		c.dir, c.temp = d, true
	} else if err := os.MkdirAll(c.dir, 0o750); err != nil {
		return nil, fmt.Errorf("make the cluster's folder %s: %w", c.dir, err)
	}
	abs, err := filepath.Abs(c.dir)
	if err != nil {
		return nil, err
	}
	c.dir = abs
	if len(filepath.Join(c.dir, ".s.PGSQL."+strconv.Itoa(c.port))) > 100 {
		return nil, fmt.Errorf("cluster folder %s: the socket's path would be too long for Unix (108 bytes); choose a shorter folder", c.dir)
	}
	if err := c.start(ctx, o); err != nil {
		c.cleanup()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context, o Options) error {
	if c.asUser != "" {
		if err := c.chown(); err != nil {
			return err
		}
	}
	data := c.DataDir()
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		if err := c.run(ctx, "initdb", "-D", data, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"); err != nil {
			return fmt.Errorf("initdb %s: %w", data, err)
		}
	}
	// A server left running in this folder (its owner killed before
	// Stop) is taken over as it is.
	if c.run(ctx, "pg_ctl", "-D", data, "status") == nil {
		return nil
	}
	listen := "''"
	if o.Port != 0 {
		listen = "127.0.0.1"
	}
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses=%s -c unix_socket_permissions=0700", c.dir, c.port, listen)
	if !o.Durable {
		opts += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
	}
	if err := c.run(ctx, "pg_ctl", "-D", data, "-l", c.LogFile(), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(c.LogFile())
		return fmt.Errorf("pg_ctl start: %w\n%s", err, tail(log, 2000))
	}
	return nil
}

// chown hands the folder to the postgres user, and lets it reach the
// folder through its parents when they are root's own (0700).
func (c *Cluster) chown() error {
	u, err := user.Lookup(c.asUser)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(c.dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			return fmt.Errorf("hand %s to the %s user: %w", p, c.asUser, err)
		}
		return nil
	})
}

// run runs one of PostgreSQL's programs, as the postgres user when root.
func (c *Cluster) run(ctx context.Context, prog string, args ...string) error {
	path := filepath.Join(c.bin, prog)
	var cmd *exec.Cmd
	if c.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", prog, err, tail(out.Bytes(), 2000))
	}
	return nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}

// Dir is the cluster's folder.
func (c *Cluster) Dir() string { return c.dir }

// DataDir is the cluster's data directory.
func (c *Cluster) DataDir() string { return filepath.Join(c.dir, "data") }

// LogFile is the server's log.
func (c *Cluster) LogFile() string { return filepath.Join(c.dir, "server.log") }

// URL is the connection URL of database db through the socket, as the
// superuser.
func (c *Cluster) URL(db string) string {
	q := url.Values{"host": {c.dir}, "port": {strconv.Itoa(c.port)}}
	return (&url.URL{Scheme: "postgres", User: url.User(Superuser), Path: "/" + db, RawQuery: q.Encode()}).String()
}

// TCPURL is the connection URL of database db on the loopback port ("" when
// the cluster listens on its socket only).
func (c *Cluster) TCPURL(db string) string {
	if c.port == socketPort {
		return ""
	}
	return (&url.URL{Scheme: "postgres", User: url.User(Superuser), Host: "127.0.0.1:" + strconv.Itoa(c.port), Path: "/" + db,
		RawQuery: "sslmode=disable"}).String()
}

// CreateDatabase creates database name (if it does not exist) and returns
// its URL.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return "", fmt.Errorf("connect to the cluster in %s: %w", c.dir, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}
	return c.URL(name), nil
}

// Stop stops the server (fast shutdown: sessions are ended, the data is
// left consistent) and removes a temporary folder.
func (c *Cluster) Stop(ctx context.Context) error {
	if c.stopped {
		return nil
	}
	c.stopped = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	err := c.run(ctx, "pg_ctl", "-D", c.DataDir(), "-w", "-t", "60", "stop", "-m", "fast")
	c.cleanup()
	if err != nil {
		return fmt.Errorf("stop the cluster in %s: %w", c.dir, err)
	}
	return nil
}

func (c *Cluster) cleanup() {
	if c.temp {
		os.RemoveAll(c.dir)
	}
}
