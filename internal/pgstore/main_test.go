package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/truyenthanh/cchc/internal/pgcluster"
	"github.com/truyenthanh/cchc/internal/pgstore"
)

// cluster is the one PostgreSQL cluster of this test binary; each test
// opens a database of its own in it.
var cluster *pgcluster.Cluster

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	ctx := context.Background()
	c, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err != nil {
		// Not a skip: the tests need PostgreSQL, and say how to get it.
		fmt.Fprintf(os.Stderr, "FAIL: the pgstore tests need a PostgreSQL cluster: %v\n", err)
		return 1
	}
	cluster = c
	defer c.Stop(ctx)
	return m.Run()
}

var databases atomic.Int64

// open returns a migrated, empty database of its own, closed at cleanup.
func open(t *testing.T) *pgstore.DB {
	t.Helper()
	db, _ := openURL(t)
	return db
}

func openURL(t *testing.T) (*pgstore.DB, string) {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("t%d_%s", databases.Add(1), strings.ToLower(strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())))
	if len(name) > 60 {
		name = name[:60]
	}
	url, err := cluster.CreateDatabase(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	db.SetHashCost(4) // bcrypt.MinCost: the suite logs in often
	t.Cleanup(db.Close)
	return db, url
}
