package pgstore_test

import (
	"context"
	"testing"

	"github.com/truyenthanh/cchc/internal/pgstore"
)

// Opening a migrated database again applies nothing twice.
func TestMigrationsApplyOnce(t *testing.T) {
	ctx := context.Background()
	_, url := openURL(t)
	again, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatalf("opening a migrated database again: %v", err)
	}
	defer again.Close()
	var n, last int
	if err := again.Pool().QueryRow(ctx, "SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &last); err != nil {
		t.Fatal(err)
	}
	if n != 1 || last != 1 {
		t.Errorf("schema_migrations holds %d rows up to version %d; want migration 1 once", n, last)
	}
}
