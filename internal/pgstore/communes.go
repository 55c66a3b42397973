package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truyenthanh/cchc/internal/store"
)

// Commune is a commune of the province as the province knows it.
type Commune struct {
	Code    string
	Name    string
	Created time.Time
	// LastSync is when the commune's station last shipped a batch that
	// was accepted (zero: never).
	LastSync time.Time
	// Head is where the commune's chain stands in this database.
	Head ChainPosition
}

// ChainPosition is the last link of a commune's chain the province holds:
// the station ships from Seq+1 on. Zero Seq (and Hash store.Genesis): none
// yet.
type ChainPosition struct {
	Seq      int64
	Hash     string
	AiringID int64
}

// ValidCommuneCode reports whether code can name a commune: 1–32 letters,
// digits, '-' or '_' (the official codes are five digits).
func ValidCommuneCode(code string) bool {
	if code == "" || len(code) > 32 {
		return false
	}
	for _, r := range code {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// AddCommune registers a commune and returns its station's token, shown
// once: only its SHA-256 is kept. A taken code gives store.ErrExists.
func (db *DB) AddCommune(ctx context.Context, code, name string, now time.Time) (token string, err error) {
	if !ValidCommuneCode(code) {
		return "", fmt.Errorf("commune code %q: want 1–32 letters, digits, '-' or '_' (e.g. 25252)", code)
	}
	if token, err = randomToken(); err != nil {
		return "", fmt.Errorf("commune token: %w", err)
	}
	_, err = db.pool.Exec(ctx, "INSERT INTO communes (code, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
		code, name, tokenHash(token), now.UnixMilli())
	if isUnique(err) {
		return "", fmt.Errorf("commune %s: %w", code, store.ErrExists)
	}
	if err != nil {
		return "", fmt.Errorf("add commune %s: %w", code, err)
	}
	return token, nil
}

// ResetToken gives a commune a new token; the old one stops working.
func (db *DB) ResetToken(ctx context.Context, code string) (string, error) {
	token, err := randomToken()
	if err != nil {
		return "", fmt.Errorf("commune token: %w", err)
	}
	tag, err := db.pool.Exec(ctx, "UPDATE communes SET token_hash = $2 WHERE code = $1", code, tokenHash(token))
	if err != nil {
		return "", fmt.Errorf("reset the token of commune %s: %w", code, err)
	}
	if tag.RowsAffected() == 0 {
		return "", fmt.Errorf("commune %s: %w", code, store.ErrNotFound)
	}
	return token, nil
}

const communeColumns = `c.code, c.name, c.created_at, c.last_sync_at,
	COALESCE(h.chain_seq, 0), COALESCE(h.hash, '` + store.Genesis + `'), COALESCE(h.id, 0)`

// communeHead is the join that gives each commune its chain's head (by
// the airings_chain index: one row per commune).
const communeHead = ` FROM communes c LEFT JOIN LATERAL (SELECT chain_seq, hash, id FROM airings
	WHERE commune = c.code AND chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1) h ON true`

func scanCommune(row pgx.Row) (Commune, error) {
	var c Commune
	var created int64
	var last *int64
	err := row.Scan(&c.Code, &c.Name, &created, &last, &c.Head.Seq, &c.Head.Hash, &c.Head.AiringID)
	c.Created, c.LastSync = time.UnixMilli(created), timeOf(last)
	return c, err
}

// CommuneByToken is the commune whose station holds token; ErrNotFound
// for any other token (refuse the request).
func (db *DB) CommuneByToken(ctx context.Context, token string) (Commune, error) {
	c, err := scanCommune(db.pool.QueryRow(ctx, "SELECT "+communeColumns+communeHead+" WHERE c.token_hash = $1", tokenHash(token)))
	if errors.Is(err, pgx.ErrNoRows) {
		return Commune{}, fmt.Errorf("commune token: %w", store.ErrNotFound)
	}
	return c, err
}

// CommuneInfo is one commune; ErrNotFound when it is not registered.
func (db *DB) CommuneInfo(ctx context.Context, code string) (Commune, error) {
	c, err := scanCommune(db.pool.QueryRow(ctx, "SELECT "+communeColumns+communeHead+" WHERE c.code = $1", code))
	if errors.Is(err, pgx.ErrNoRows) {
		return Commune{}, fmt.Errorf("commune %s: %w", code, store.ErrNotFound)
	}
	return c, err
}

// Communes lists the province's communes by code.
func (db *DB) Communes(ctx context.Context) ([]Commune, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+communeColumns+communeHead+" ORDER BY c.code")
	if err != nil {
		return nil, fmt.Errorf("list communes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Commune, error) { return scanCommune(r) })
	if err != nil {
		return nil, fmt.Errorf("list communes: %w", err)
	}
	return out, nil
}

// ChainHead is where a commune's chain stands in this database: the station
// resumes shipping after it.
func (db *DB) ChainHead(ctx context.Context, code string) (ChainPosition, error) {
	c, err := db.CommuneInfo(ctx, code)
	return c.Head, err
}
