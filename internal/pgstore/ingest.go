package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// ErrChainBroken is what a refused batch's error wraps (see ChainError).
var ErrChainBroken = errors.New("the batch breaks the commune's hash chain")

// ChainProblem says how a shipped airing does not fit the commune's chain.
type ChainProblem string

const (
	// ProblemOpen: the airing is not closed (only closed airings are
	// chained and shipped).
	ProblemOpen ChainProblem = "open"
	// ProblemStatus: the status is not one of the log's.
	ProblemStatus ChainProblem = "status"
	// ProblemUnchained: it carries no place in the chain (seq, hash).
	ProblemUnchained ChainProblem = "unchained"
	// ProblemGap: airings are missing before it (Want is the place in the
	// chain the province expects next: ship from there).
	ProblemGap ChainProblem = "gap"
	// ProblemLink: its prev_hash is not the hash of the airing before it.
	ProblemLink ChainProblem = "link"
	// ProblemContent: its fields do not give its hash (changed after it
	// was closed).
	ProblemContent ChainProblem = "content"
	// ProblemConflict: the province already holds that place in the chain,
	// or that airing id, with another airing (the station's log was
	// replaced, or the token is used by another station).
	ProblemConflict ChainProblem = "conflict"
)

// ChainError refuses a batch: the first airing that does not fit.
type ChainError struct {
	Commune  string
	AiringID int64
	Seq      int64
	Problem  ChainProblem
	Want     string
	Got      string
}

func (e *ChainError) Error() string {
	msg := fmt.Sprintf("commune %s: airing %d (chain place %d): ", e.Commune, e.AiringID, e.Seq)
	switch e.Problem {
	case ProblemOpen:
		msg += "still open; only closed airings are shipped"
	case ProblemStatus:
		msg += fmt.Sprintf("unknown status %q", e.Got)
	case ProblemUnchained:
		msg += "it carries no place in the chain (seq and hash)"
	case ProblemGap:
		msg += fmt.Sprintf("airings are missing before it: the province expects chain place %s next", e.Want)
	case ProblemLink:
		msg += fmt.Sprintf("its previous hash %s is not the hash of the airing before it, %s", e.Got, e.Want)
	case ProblemContent:
		msg += fmt.Sprintf("its fields give hash %s, not the %s it carries: the airing was changed after it was closed", e.Got, e.Want)
	case ProblemConflict:
		msg += fmt.Sprintf("the province already holds another airing there (hash %s, this one %s)", e.Want, e.Got)
	}
	return msg + ": " + ErrChainBroken.Error()
}

func (e *ChainError) Unwrap() error { return ErrChainBroken }

// IngestResult is what IngestAirings did.
type IngestResult struct {
	Received   int // airings in the batch
	Added      int // stored now
	Duplicates int // already held, identical: skipped
	// Head is where the commune's chain stands after the batch.
	Head ChainPosition
}

// SetClock sets the clock that stamps last_sync_at (tests, demos); nil
// restores time.Now.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

func (db *DB) clock() time.Time {
	if db.now == nil {
		return time.Now()
	}
	return db.now()
}

var ingestColumns = []string{"commune", "id", "segment_id", "title", "topics", "slot", "scheduled_at", "started_at", "ended_at",
	"played_ms", "duration_ms", "status", "reason", "zone", "chain_seq", "prev_hash", "hash"}

// IngestAirings appends airings a commune's station shipped: closed
// airings with their links, as store.Store.LoggedAirings gives them (any
// order; they are taken in chain order). Each one's hash is recomputed and
// its link checked against the commune's chain as it stands; the first
// that does not fit refuses the whole batch with a *ChainError naming it
// (nothing is stored). Airings the province already holds, identical, are
// skipped, so a batch sent again counts once. An accepted batch, even an
// empty one, stamps the commune's last sync. An unregistered commune gives
// store.ErrNotFound.
func (db *DB) IngestAirings(ctx context.Context, commune string, batch []store.LoggedAiring) (IngestResult, error) {
	res := IngestResult{Received: len(batch)}
	sorted := make([]store.LoggedAiring, len(batch))
	copy(sorted, batch)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Link.Seq < sorted[j].Link.Seq })
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockCommune(ctx, tx, commune); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "UPDATE communes SET last_sync_at = $2 WHERE code = $1", commune, db.clock().UnixMilli())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("commune %s: %w", commune, store.ErrNotFound)
		}
		tail, tailID, err := chainTail(ctx, tx, commune)
		if err != nil {
			return err
		}
		held, err := heldLinks(ctx, tx, commune, sorted, tail.Seq)
		if err != nil {
			return err
		}
		var rows [][]any
		var newIDs []int64
		prev := tail
		for _, la := range sorted {
			a, l := la.Airing, la.Link
			fail := func(p ChainProblem, want, got string) error {
				return &ChainError{Commune: commune, AiringID: a.ID, Seq: l.Seq, Problem: p, Want: want, Got: got}
			}
			switch a.Status {
			case playlist.StatusOpen, "":
				return fail(ProblemOpen, "", string(a.Status))
			case playlist.StatusCompleted, playlist.StatusInterrupted, playlist.StatusMissed, playlist.StatusFailed:
			default:
				return fail(ProblemStatus, "", string(a.Status))
			}
			if l.Seq <= 0 || l.Hash == "" {
				return fail(ProblemUnchained, "", "")
			}
			if l.Seq <= prev.Seq {
				h, ok := held[l.Seq]
				if l.Seq <= tail.Seq && ok && h.hash == l.Hash && h.id == a.ID {
					res.Duplicates++
					continue
				}
				if l.Seq > tail.Seq && l.Seq == prev.Seq && l.Hash == prev.Hash {
					res.Duplicates++ // the same airing twice in the batch
					continue
				}
				return fail(ProblemConflict, h.hash, l.Hash)
			}
			if l.Seq != prev.Seq+1 {
				return fail(ProblemGap, fmt.Sprint(prev.Seq+1), fmt.Sprint(l.Seq))
			}
			if l.PrevHash != prev.Hash {
				return fail(ProblemLink, prev.Hash, l.PrevHash)
			}
			if got := store.ChainHash(l.PrevHash, store.AiringCanonical(a)); got != l.Hash {
				return fail(ProblemContent, l.Hash, got)
			}
			zone := a.Zone
			if zone == "" {
				zone = playlist.DefaultZone
			}
			rows = append(rows, []any{commune, a.ID, a.SegmentID, a.Title, strings.Join(a.Topics, ","), a.Slot, a.ScheduledAt.UnixMilli(),
				msOf(a.StartedAt), msOf(a.EndedAt), a.Played.Milliseconds(), a.Duration.Milliseconds(), string(a.Status), a.Reason,
				zone, l.Seq, l.PrevHash, l.Hash})
			newIDs = append(newIDs, a.ID)
			prev, tailID = l, a.ID
		}
		if len(rows) == 0 {
			res.Head = ChainPosition{Seq: prev.Seq, Hash: prev.Hash, AiringID: tailID}
			return nil
		}
		// An id already held at another place of the chain.
		var taken int64
		err = tx.QueryRow(ctx, "SELECT id FROM airings WHERE commune = $1 AND id = ANY($2) LIMIT 1", commune, newIDs).Scan(&taken)
		if err == nil {
			for _, la := range sorted {
				if la.ID == taken {
					return &ChainError{Commune: commune, AiringID: taken, Seq: la.Link.Seq, Problem: ProblemConflict, Want: "", Got: la.Link.Hash}
				}
			}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"airings"}, ingestColumns, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("store the airings: %w", err)
		}
		res.Added = int(n)
		res.Head = ChainPosition{Seq: prev.Seq, Hash: prev.Hash, AiringID: tailID}
		return nil
	})
	if err != nil {
		var ce *ChainError
		if errors.As(err, &ce) || errors.Is(err, store.ErrNotFound) {
			return IngestResult{Received: len(batch)}, err
		}
		return IngestResult{Received: len(batch)}, fmt.Errorf("ingest %d airings of commune %s: %w", len(batch), commune, err)
	}
	return res, nil
}

type heldLink struct {
	hash string
	id   int64
}

// heldLinks reads the links the province already holds at the batch's
// places up to the tail.
func heldLinks(ctx context.Context, tx pgx.Tx, commune string, batch []store.LoggedAiring, tail int64) (map[int64]heldLink, error) {
	var seqs []int64
	for _, la := range batch {
		if la.Link.Seq <= tail {
			seqs = append(seqs, la.Link.Seq)
		}
	}
	out := map[int64]heldLink{}
	if len(seqs) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, "SELECT chain_seq, hash, id FROM airings WHERE commune = $1 AND chain_seq = ANY($2)", commune, seqs)
	if err != nil {
		return nil, fmt.Errorf("read the links already held: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var h heldLink
		if err := rows.Scan(&seq, &h.hash, &h.id); err != nil {
			return nil, err
		}
		out[seq] = h
	}
	return out, rows.Err()
}
