package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// The airing log is a hash chain. Each row gets, in the transaction that
// closes it, its place in the chain (chain_seq 1, 2, 3… in the order rows
// were closed), the hash of the row closed before it (prev_hash; Genesis for
// the first) and its own hash:
//
//	hash = hex(SHA-256(prev_hash + "\n" + canonical))
//
// where canonical is the row's stored fields joined by U+001F (unit
// separator), in this order:
//
//	id, segment_id, title, topics (the stored comma-joined codes), slot,
//	scheduled_at (Unix ms), started_at (Unix ms, empty when NULL),
//	ended_at (Unix ms, empty when NULL), played_ms, duration_ms, status, reason
//
// followed, for a row of any zone but chung (playlist.DefaultZone), by its
// zone code. Rows of chung, which every row logged before zones was, hash
// as they always have; the zone of any other row is covered.
//
// and, only when it is not NULL (an airing on a stream output, since
// migration 0009), "listeners=" and its listeners. Rows closed before
// either hash as they always have.
//
// Integers are written in decimal. Changing any field of a closed row, or
// removing or reordering rows, breaks the chain at that row; VerifyChain
// finds the first break. Open rows are not in the chain until they close.

// Genesis is the prev_hash of the first row of the chain.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Link is a closed row's place in the chain (zero for an open row).
type Link struct {
	Seq      int64
	PrevHash string
	Hash     string
}

// row is an airings row as stored: exactly what the hash covers.
type row struct {
	ID, SegmentID      int64
	Title, Topics      string
	Slot               string
	ScheduledAt        int64
	StartedAt, EndedAt sql.NullInt64
	PlayedMS           int64
	DurationMS         int64
	Status, Reason     string
	Zone               string
	Listeners          sql.NullInt64
}

// Canonical is the line the hash covers (see the package comment).
func (r row) Canonical() string {
	opt := func(n sql.NullInt64) string {
		if !n.Valid {
			return ""
		}
		return strconv.FormatInt(n.Int64, 10)
	}
	fields := []string{
		strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.SegmentID, 10), r.Title, r.Topics, r.Slot,
		strconv.FormatInt(r.ScheduledAt, 10), opt(r.StartedAt), opt(r.EndedAt),
		strconv.FormatInt(r.PlayedMS, 10), strconv.FormatInt(r.DurationMS, 10), r.Status, r.Reason,
	}
	if r.Zone != playlist.DefaultZone {
		fields = append(fields, r.Zone)
	}
	if r.Listeners.Valid {
		// Tagged, so that it cannot pass for a zone code.
		fields = append(fields, "listeners="+opt(r.Listeners))
	}
	return strings.Join(fields, "\x1f")
}

// AiringCanonical is the canonical line of a logged airing (as read back
// from a store: its title already cleaned, its times whole milliseconds),
// exactly as the chain hashes it; the province recomputes the hashes of the
// airings stations ship with it.
func AiringCanonical(a playlist.Airing) string {
	r := rowOf(a)
	r.ID, r.Title = a.ID, a.Title
	return r.Canonical()
}

// ChainHash is the hash of a row whose canonical line is canonical, chained
// to prev.
func ChainHash(prev, canonical string) string {
	sum := sha256.Sum256([]byte(prev + "\n" + canonical))
	return hex.EncodeToString(sum[:])
}

// rowColumnsBeforeZones are the airings' columns before migration 0008.
const rowColumnsBeforeZones = "id, segment_id, title, topics, slot, scheduled_at, started_at, ended_at, played_ms, duration_ms, status, reason"

const rowColumns = "id, segment_id, title, topics, slot, scheduled_at, started_at, ended_at, played_ms, duration_ms, status, reason, zone, listeners"

func scanRow(sc interface{ Scan(...any) error }, extra ...any) (row, error) {
	var r row
	dest := append([]any{&r.ID, &r.SegmentID, &r.Title, &r.Topics, &r.Slot, &r.ScheduledAt, &r.StartedAt, &r.EndedAt,
		&r.PlayedMS, &r.DurationMS, &r.Status, &r.Reason, &r.Zone, &r.Listeners}, extra...)
	return r, sc.Scan(dest...)
}

// seal chains r, about to be closed, after the last closed row. It must run
// in the transaction that writes r, so that no other close comes between.
func seal(ctx context.Context, tx *sql.Tx, r row) (Link, error) {
	tail, err := chainTail(ctx, tx)
	if err != nil {
		return Link{}, err
	}
	return tail.next(r), nil
}

// chainTail is the last link of the chain (Seq 0 and Genesis when empty).
func chainTail(ctx context.Context, tx *sql.Tx) (Link, error) {
	var l Link
	var hash sql.NullString
	err := tx.QueryRowContext(ctx, "SELECT chain_seq, hash FROM airings WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1").Scan(&l.Seq, &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Link{Hash: Genesis}, nil
	case err != nil:
		return Link{}, fmt.Errorf("read the end of the chain: %w", err)
	}
	l.Hash = hash.String
	return l, nil
}

// next is the link of r chained after l.
func (l Link) next(r row) Link {
	return Link{Seq: l.Seq + 1, PrevHash: l.Hash, Hash: ChainHash(l.Hash, r.Canonical())}
}

// chainClosedRows chains, in id order, the closed rows that have no place in
// the chain: those closed before migration 0002. Migration 0002 runs it with
// the update trigger lifted.
func chainClosedRows(ctx context.Context, tx *sql.Tx) error {
	tail, err := chainTail(ctx, tx)
	if err != nil {
		return err
	}
	upd, err := tx.PrepareContext(ctx, "UPDATE airings SET chain_seq = ?, prev_hash = ?, hash = ? WHERE id = ?")
	if err != nil {
		return err
	}
	defer upd.Close()
	var after int64
	for {
		// This runs inside migration 0002, before airings had a zone
		// (0008) or listeners (0009): every row then was of the default
		// zone, with no listeners.
		rows, err := tx.QueryContext(ctx, "SELECT "+rowColumnsBeforeZones+", '"+playlist.DefaultZone+"', NULL FROM airings WHERE status <> 'open' AND chain_seq IS NULL AND id > ? ORDER BY id LIMIT 1000", after)
		if err != nil {
			return err
		}
		var batch []row
		for rows.Next() {
			r, err := scanRow(rows)
			if err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, r := range batch {
			tail = tail.next(r)
			if _, err := upd.ExecContext(ctx, tail.Seq, tail.PrevHash, tail.Hash, r.ID); err != nil {
				return fmt.Errorf("chain airing %d: %w", r.ID, err)
			}
			after = r.ID
		}
	}
}

// BreakKind says how the chain is broken.
type BreakKind string

const (
	// BreakContent: the row's fields no longer give its hash (edited after
	// it was closed).
	BreakContent BreakKind = "content"
	// BreakLink: the row's prev_hash is not the hash of the row closed
	// before it (that row was changed or removed, or the chain rewritten).
	BreakLink BreakKind = "link"
	// BreakGap: chain_seq skips a number (a closed row was deleted).
	BreakGap BreakKind = "gap"
	// BreakOpenChained: an open row carries chain fields.
	BreakOpenChained BreakKind = "open_chained"
	// BreakUnchained: a closed row has no place in the chain.
	BreakUnchained BreakKind = "unchained"
	// BreakMissingID: airing ids skip a number (a row was deleted).
	BreakMissingID BreakKind = "missing_id"
)

// ChainBreak is the first place where the chain does not hold.
type ChainBreak struct {
	Kind BreakKind
	ID   int64 // the row where it was found; for BreakMissingID, the missing id
	Seq  int64 // its chain_seq (0 if none)
	Want string
	Got  string
	// MissingIDs are ids absent from the log (rows deleted), at most 20.
	MissingIDs []int64
}

// ChainReport is the outcome of VerifyChain.
type ChainReport struct {
	Verified int   // closed rows whose hash and link check out
	Open     int   // open rows (not yet in the chain)
	Last     Link  // the last verified link (Seq 0 when the chain is empty)
	LastID   int64 // its row
	// Break is the first break, nil when the chain holds.
	Break *ChainBreak
	// Head is the verified row whose hash starts with the head asked of
	// VerifyChainHead; nil when no verified row has it.
	Head *ChainHead
}

// ChainHead is a row of the verified chain, found by its hash.
type ChainHead struct {
	Link
	ID int64
	// After is how many rows were closed after it: the verified rows with
	// a later chain_seq.
	After int
}

// VerifyChain walks the chain in chain_seq order, recomputing every hash,
// and reports the first break. Rows closed while it runs may or may not be
// included; they never count as breaks.
func (s *Store) VerifyChain(ctx context.Context) (ChainReport, error) {
	return s.VerifyChainHead(ctx, "")
}

// VerifyChainHead is VerifyChain that also looks, among the rows it
// verifies from the first, for the one whose hash starts with head (a
// lower-case hex prefix; "" looks for none). A report printed at a period's
// end carries the head of the chain then: finding it proves the log still
// holds every row closed up to it, unchanged (deleting the newest rows or
// rewriting the chain loses it).
func (s *Store) VerifyChainHead(ctx context.Context, head string) (ChainReport, error) {
	var rep ChainReport
	missing, err := s.missingIDs(ctx)
	if err != nil {
		return rep, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+rowColumns+", chain_seq, prev_hash, hash FROM airings WHERE chain_seq IS NOT NULL ORDER BY chain_seq")
	if err != nil {
		return rep, fmt.Errorf("verify the chain: %w", err)
	}
	prev := Link{Hash: Genesis}
	for rows.Next() {
		var seq int64
		var prevHash, hash sql.NullString
		r, err := scanRow(rows, &seq, &prevHash, &hash)
		if err != nil {
			rows.Close()
			return rep, fmt.Errorf("verify the chain: %w", err)
		}
		b := &ChainBreak{ID: r.ID, Seq: seq, MissingIDs: missing}
		switch {
		case r.Status == "open":
			b.Kind = BreakOpenChained
		case seq != prev.Seq+1:
			b.Kind, b.Want, b.Got = BreakGap, strconv.FormatInt(prev.Seq+1, 10), strconv.FormatInt(seq, 10)
		case prevHash.String != prev.Hash:
			b.Kind, b.Want, b.Got = BreakLink, prev.Hash, prevHash.String
		default:
			if got := ChainHash(prevHash.String, r.Canonical()); got != hash.String {
				b.Kind, b.Want, b.Got = BreakContent, hash.String, got
			} else {
				b = nil
			}
		}
		if b != nil {
			rep.Break = b
			break
		}
		rep.Verified++
		prev = Link{Seq: seq, PrevHash: prevHash.String, Hash: hash.String}
		rep.Last, rep.LastID = prev, r.ID
		if head != "" && rep.Head == nil && strings.HasPrefix(prev.Hash, head) {
			rep.Head = &ChainHead{Link: prev, ID: r.ID}
		}
	}
	if rep.Head != nil {
		rep.Head.After = int(rep.Last.Seq - rep.Head.Seq)
	}
	if err := rows.Close(); err != nil {
		return rep, err
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("verify the chain: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM airings WHERE status = 'open'").Scan(&rep.Open); err != nil {
		return rep, err
	}
	if rep.Break != nil {
		return rep, nil
	}
	var id int64
	err = s.db.QueryRowContext(ctx, "SELECT id FROM airings WHERE status <> 'open' AND chain_seq IS NULL ORDER BY id LIMIT 1").Scan(&id)
	switch {
	case err == nil:
		rep.Break = &ChainBreak{Kind: BreakUnchained, ID: id, MissingIDs: missing}
	case !errors.Is(err, sql.ErrNoRows):
		return rep, err
	case len(missing) > 0:
		rep.Break = &ChainBreak{Kind: BreakMissingID, ID: missing[0], MissingIDs: missing}
	}
	return rep, nil
}

// missingIDs lists ids below the largest that are not in the log. Rows are
// inserted with the next id and never deleted, so any hole is a deleted row.
func (s *Store) missingIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM airings WHERE id = 1) AND EXISTS (SELECT 1 FROM airings)
		UNION ALL
		SELECT a.id + 1 FROM airings a WHERE a.id < (SELECT MAX(id) FROM airings)
			AND NOT EXISTS (SELECT 1 FROM airings b WHERE b.id = a.id + 1)
		LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("look for deleted rows: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
