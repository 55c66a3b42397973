package pgcluster

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestStartCreateStop(t *testing.T) {
	ctx := context.Background()
	c, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := c.Dir()
	url, err := c.CreateDatabase(ctx, "essai")
	if err != nil {
		c.Stop(ctx)
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		c.Stop(ctx)
		t.Fatal(err)
	}
	var db string
	err = conn.QueryRow(ctx, "SELECT current_database()").Scan(&db)
	conn.Close(ctx)
	if err != nil || db != "essai" {
		t.Errorf("current_database() = %q, %v; want essai", db, err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the temporary folder %s is still there after Stop: %v", dir, err)
	}
}

// Without PostgreSQL's programs Start says what to install.
func TestStartWithoutPostgreSQLSaysWhatToInstall(t *testing.T) {
	_, err := Start(context.Background(), Options{BinDir: t.TempDir()})
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "apt-get install postgresql") {
		t.Errorf("err = %v; want ErrMissing naming the package to install", err)
	}
}

// A cluster in a folder of its own keeps its data from one start to the
// next (the demo's cluster).
func TestClusterInAFolderKeepsItsData(t *testing.T) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("/tmp", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	c, err := Start(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	url, err := c.CreateDatabase(ctx, "giu")
	if err == nil {
		var conn *pgx.Conn
		if conn, err = pgx.Connect(ctx, url); err == nil {
			_, err = conn.Exec(ctx, "CREATE TABLE t (v text); INSERT INTO t VALUES ('còn đây')")
			conn.Close(ctx)
		}
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	c, err = Start(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	conn, err := pgx.Connect(ctx, c.URL("giu"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SELECT v FROM t").Scan(&v); err != nil || v != "còn đây" {
		t.Errorf("after a restart: %q, %v; want the row written before", v, err)
	}
}
