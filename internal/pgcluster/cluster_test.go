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
