// Package pgstore is the province's PostgreSQL database: the stations'
// store behind the same interfaces as the SQLite one (internal/store),
// scoped to one commune, and the province's own data — its communes and
// their tokens, the airings the stations ship, the bulletins it sends down
// and the province report.
//
// It speaks to PostgreSQL through pgx v5's pool (pgxpool) rather than
// database/sql: the ingest of shipped airings uses the COPY protocol and
// the report reads a month of every commune, both native to pgx and
// without database/sql's per-row conversions.
//
// # Opening
//
//	db, err := pgstore.Open(ctx, "postgres://user@host/db")   // migrates
//	defer db.Close()
//
// Migrations are embedded (migrations/NNNN_name.sql), applied once each in
// order, recorded in schema_migrations, under an advisory lock so that two
// servers starting together do not race.
//
// # A commune's store
//
//	st := db.Commune("25252")   // *Store: station.Log, library.SegmentStore,
//	                            // commune.Store, web.Store, storetest.Store
//
// Every row carries its commune's code; a Store reads and writes its own
// commune's rows only. db.Province() is the store of the province itself
// (code ""): its users, sessions and audit trail. A commune's airings are
// written either by its station's shipments (IngestAirings) or through its
// Store, not both: both number the commune's airings and chain them. The
// Store of a commune that ships can read its log (Airings, LoggedAirings,
// Summarize, VerifyChain); VerifyChain then also names the ids of airings
// still open at the station (not shipped yet) as missing.
//
// # Communes and tokens
//
//	token, err := db.AddCommune(ctx, code, name, now)   // ErrExists if taken
//	token, err := db.ResetToken(ctx, code)              // the old one stops working
//	c, err := db.CommuneByToken(ctx, token)             // ErrNotFound: refuse
//	c, err := db.CommuneInfo(ctx, code)
//	cs, err := db.Communes(ctx)                          // by code
//
// A token is 32 random bytes (hex); the database keeps its SHA-256. A key
// derivation function (bcrypt, argon2) slows the guessing of low-entropy
// secrets such as passwords; a 256-bit random token cannot be guessed
// either way, and a plain hash lets the server find the commune by an
// indexed lookup on every request of every station at no CPU cost.
//
// # Shipped airings
//
//	res, err := db.IngestAirings(ctx, code, batch)   // batch []store.LoggedAiring, in chain order
//	head, err := db.ChainHead(ctx, code)             // where to resume
//
// IngestAirings appends closed airings with their links and hashes,
// recomputing each hash (store.ChainHash over store.AiringCanonical) and
// checking each link against the commune's chain; a batch that breaks it is
// refused whole with a *ChainError naming the airing (errors.Is(err,
// ErrChainBroken)). Rows already received are checked equal and skipped,
// so a batch sent twice counts once. res.Head is where the commune's chain
// stands afterwards.
//
// # Bulletins
//
//	b, err := db.AddBulletin(ctx, pgstore.Bulletin{Level, Title, Topics, Communes, CreatedAt, CreatedBy}, audio)
//	bs, err := db.BulletinsFor(ctx, code, afterID, limit)   // without audio
//	bs, err := db.WaitBulletins(ctx, code, afterID, limit)  // long-poll: blocks until one comes or ctx ends
//	audio, b, err := db.BulletinAudio(ctx, code, id)         // ErrNotFound unless code is a target
//	bs, err := db.Bulletins(ctx, limit)                      // the province's list, newest first
//
// # The province report
//
//	rep, err := db.Report(ctx, from, to)   // ProvinceReport of the airings scheduled in [from, to)
//
// ReportQuery, one GROUP BY over the airings (commune, topic, first topic)
// read from a covering index, gives per commune and topic the completed,
// interrupted, failed and missed airings and the time played; the commune
// totals (each airing once), the province's topics and totals are summed
// from its rows.
//
// # Clock and logger
//
//	db.SetClock(func() time.Time)   // stamps last sync and bulletins (tests, demos)
//	db.SetLogger(*slog.Logger)      // the bulletin listener's reconnections
//	db.SetHashCost(n)               // bcrypt cost of passwords (tests)
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the province's database.
type DB struct {
	pool     *pgxpool.Pool
	name     string // the URL without its password, for messages
	hashCost int
	now      func() time.Time // nil: time.Now
	logger   *slog.Logger

	listenOnce sync.Once
	listen     *listener // started by the first WaitBulletins
}

// Open connects to the database at url and applies the migrations it has
// not had yet.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redact(dsn), err)
	}
	db := &DB{pool: pool, name: redact(dsn)}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrate %s: %w", db.name, err)
	}
	return db, nil
}

// redact drops the password from a URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Close stops the bulletin listener and closes the pool.
func (db *DB) Close() {
	db.listenOnce.Do(func() {}) // no listener starts after Close
	if db.listen != nil {
		db.listen.stop()
	}
	db.pool.Close()
}

// SetLogger sets the logger of the background bulletin listener (default
// slog.Default()).
func (db *DB) SetLogger(l *slog.Logger) { db.logger = l }

func (db *DB) log() *slog.Logger {
	if db.logger == nil {
		return slog.Default()
	}
	return db.logger
}

// Pool exposes the connection pool (benchmarks, tools).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// SetHashCost sets the bcrypt work factor of passwords set from now on by
// every Store of db (tests use bcrypt.MinCost); 0 restores store.BcryptCost.
func (db *DB) SetHashCost(cost int) { db.hashCost = cost }

// migrationLock is the advisory lock key held while migrating.
const migrationLock = 7_245_981_016

func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&version); err != nil {
			return err
		}
		for _, name := range names {
			base := path.Base(name)
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
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", n, base); err != nil {
				return err
			}
		}
		return nil
	})
}

// inTx runs fn in a transaction, committed when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// ProvinceScope is the code under which the province's own rows are kept
// (its users, sessions and audit trail): no commune has it.
const ProvinceScope = ""

// Commune is the store of one commune: every method reads and writes that
// commune's rows only.
func (db *DB) Commune(code string) *Store { return &Store{db: db, commune: code} }

// Province is the store of the province itself (ProvinceScope).
func (db *DB) Province() *Store { return db.Commune(ProvinceScope) }

// Store is one commune's part of the database, with the methods of the
// station's SQLite store (internal/store) and the same meaning.
type Store struct {
	db      *DB
	commune string
}

// CommuneCode is the commune the store is scoped to.
func (s *Store) CommuneCode() string { return s.commune }

// Path names the database and the commune, for the operator's messages.
func (s *Store) Path() string {
	return s.db.name + " (commune " + s.commune + ")"
}

// SetHashCost is DB.SetHashCost (the SQLite store has it per store).
func (s *Store) SetHashCost(cost int) { s.db.hashCost = cost }

// isUnique reports a unique-constraint violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func msOf(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

func timeOf(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return time.UnixMilli(*ms)
}
