// Package pgstoretest runs the tests of a package on one PostgreSQL
// cluster (internal/pgcluster) for the whole test binary, each test on a
// migrated database of its own (internal/pgstore).
package pgstoretest

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

// Cluster is a test binary's PostgreSQL cluster; the zero value is ready
// for Main.
type Cluster struct {
	c         *pgcluster.Cluster
	databases atomic.Int64
}

// Main starts the cluster, runs the tests and stops the cluster; it
// returns the exit code for os.Exit. A cluster that does not start fails
// the binary (not a skip: the tests need PostgreSQL, and the error says how
// to get it); what names the tests in that message.
func (c *Cluster) Main(m *testing.M, what string) int {
	ctx := context.Background()
	pc, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the %s tests need a PostgreSQL cluster: %v\n", what, err)
		return 1
	}
	c.c = pc
	defer pc.Stop(ctx)
	return m.Run()
}

// Open returns a migrated, empty database of t's own, closed at cleanup,
// and its URL. Passwords are hashed at the lowest bcrypt cost: tests log in
// often.
func (c *Cluster) Open(t testing.TB) (*pgstore.DB, string) {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("t%d_%s", c.databases.Add(1), strings.ToLower(strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())))
	if len(name) > 60 {
		name = name[:60]
	}
	url, err := c.c.CreateDatabase(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	db.SetHashCost(4) // bcrypt.MinCost
	t.Cleanup(db.Close)
	return db, url
}
