// Package store keeps the library and the airing log in SQLite (WAL,
// synchronous=FULL), with embedded numbered migrations applied at open.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned for an id that is not stored.
var ErrNotFound = errors.New("not found")

// FileName is the database's name inside the data folder.
const FileName = "cchc.db"

// Store is the SQLite database of one station.
type Store struct {
	db       *sql.DB
	path     string
	hashCost int // bcrypt work factor; 0 means BcryptCost (users.go)
}

// Open opens (creating if needed) the database in dir and migrates it.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", dir, MarkDiskFull(err))
	}
	path := filepath.Join(dir, FileName)
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: writes are serialised here rather than by SQLITE_BUSY.
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, MarkDiskFull(err))
	}
	return s, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the handle to other adapters of this package's data (backup).
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) migrate(ctx context.Context) error {
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		if n <= version {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			// Another process may have migrated since the version was read.
			var now int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&now); err != nil {
				return err
			}
			if n <= now {
				return nil
			}
			if err := runMigration(ctx, tx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n))
			return err
		})
		if err != nil {
			return err
		}
		version = n
	}
	return nil
}

// migrationSteps are the Go steps a migration runs where its SQL has a line
// "-- step: NAME", in the same transaction as the SQL around it.
var migrationSteps = map[string]func(context.Context, *sql.Tx) error{
	"chain-closed-rows": chainClosedRows,
}

const stepMarker = "-- step: "

// runMigration executes a migration's SQL and the Go steps it names.
func runMigration(ctx context.Context, tx *sql.Tx, body string) error {
	for {
		i := strings.Index(body, stepMarker)
		if i < 0 {
			break
		}
		if _, err := tx.ExecContext(ctx, body[:i]); err != nil {
			return err
		}
		rest := body[i+len(stepMarker):]
		name, after, _ := strings.Cut(rest, "\n")
		step, ok := migrationSteps[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("unknown step %q", strings.TrimSpace(name))
		}
		if err := step(ctx, tx); err != nil {
			return fmt.Errorf("step %s: %w", strings.TrimSpace(name), err)
		}
		body = after
	}
	_, err := tx.ExecContext(ctx, body)
	return err
}

// inTx runs fn in one transaction, which the DSN makes IMMEDIATE: it holds
// the write lock from the start, so what fn reads cannot change under it,
// even when another process writes to the same database.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return MarkDiskFull(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return MarkDiskFull(err)
	}
	return MarkDiskFull(tx.Commit())
}

// State reads a station_state value ("" if unset).
func (s *Store) State(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM station_state WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetState writes a station_state value.
func (s *Store) SetState(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, "INSERT INTO station_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	return MarkDiskFull(err)
}
