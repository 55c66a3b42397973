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
	if n != 5 || last != 5 {
		t.Errorf("schema_migrations holds %d rows up to version %d; want migrations 1 to 5 once each", n, last)
	}
}

// A province administrator stored as approver before migration 0004 is an
// admin after it; a commune's approver stays an approver.
func TestProvinceApproverBecomesAdmin(t *testing.T) {
	ctx := context.Background()
	db, url := openURL(t)
	// Back to the schema before migration 0004 (and 0005, which follows it).
	for _, q := range []string{
		"ALTER TABLE users DROP CONSTRAINT users_role",
		"ALTER TABLE bulletins DROP COLUMN file_name, DROP COLUMN zones, DROP COLUMN valid_from, DROP COLUMN valid_to",
		"DELETE FROM schema_migrations WHERE version >= 4",
		"INSERT INTO users (commune, name, role, password_hash, created_at) VALUES ('', 'quantri', 'approver', 'x', 0), ('25252', 'duyet', 'approver', 'x', 0)",
	} {
		if _, err := db.Pool().Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	again, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for _, c := range []struct{ commune, name, want string }{{"", "quantri", pgstore.RoleAdmin}, {"25252", "duyet", "approver"}} {
		var role string
		if err := again.Pool().QueryRow(ctx, "SELECT role FROM users WHERE commune = $1 AND name = $2", c.commune, c.name).Scan(&role); err != nil || role != c.want {
			t.Errorf("%q of %q after the migrations: %q, %v; want %q", c.name, c.commune, role, err, c.want)
		}
	}
}
