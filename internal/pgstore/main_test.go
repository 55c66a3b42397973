package pgstore_test

import (
	"os"
	"testing"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/pgstore/pgstoretest"
)

// cluster is the one PostgreSQL cluster of this test binary; each test
// opens a database of its own in it.
var cluster pgstoretest.Cluster

func TestMain(m *testing.M) { os.Exit(cluster.Main(m, "pgstore")) }

// open returns a migrated, empty database of its own, closed at cleanup.
func open(t *testing.T) *pgstore.DB {
	t.Helper()
	db, _ := cluster.Open(t)
	return db
}

func openURL(t *testing.T) (*pgstore.DB, string) {
	t.Helper()
	return cluster.Open(t)
}
