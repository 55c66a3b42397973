package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// VerifyChain walks the commune's chain in chain_seq order, recomputing
// every hash, and reports the first break, as store.Store.VerifyChain.
func (s *Store) VerifyChain(ctx context.Context) (store.ChainReport, error) {
	var rep store.ChainReport
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return rep, fmt.Errorf("verify the chain: %w", err)
	}
	defer tx.Rollback(ctx)
	missing, err := missingIDs(ctx, tx, s.commune)
	if err != nil {
		return rep, err
	}
	rows, err := tx.Query(ctx, "SELECT "+airingColumns+", chain_seq, prev_hash, hash FROM airings WHERE commune = $1 AND chain_seq IS NOT NULL ORDER BY chain_seq", s.commune)
	if err != nil {
		return rep, fmt.Errorf("verify the chain: %w", err)
	}
	prev := store.Link{Hash: store.Genesis}
	for rows.Next() {
		var seq int64
		var prevHash, hash string
		a, err := scanAiring(rows, &seq, &prevHash, &hash)
		if err != nil {
			rows.Close()
			return rep, fmt.Errorf("verify the chain: %w", err)
		}
		b := &store.ChainBreak{ID: a.ID, Seq: seq, MissingIDs: missing}
		switch {
		case a.Status == playlist.StatusOpen:
			b.Kind = store.BreakOpenChained
		case seq != prev.Seq+1:
			b.Kind, b.Want, b.Got = store.BreakGap, strconv.FormatInt(prev.Seq+1, 10), strconv.FormatInt(seq, 10)
		case prevHash != prev.Hash:
			b.Kind, b.Want, b.Got = store.BreakLink, prev.Hash, prevHash
		default:
			if got := store.ChainHash(prevHash, store.AiringCanonical(a)); got != hash {
				b.Kind, b.Want, b.Got = store.BreakContent, hash, got
			} else {
				b = nil
			}
		}
		if b != nil {
			rep.Break = b
			break
		}
		rep.Verified++
		prev = store.Link{Seq: seq, PrevHash: prevHash, Hash: hash}
		rep.Last, rep.LastID = prev, a.ID
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("verify the chain: %w", err)
	}
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM airings WHERE commune = $1 AND status = 'open'", s.commune).Scan(&rep.Open); err != nil {
		return rep, err
	}
	if rep.Break == nil && len(missing) > 0 {
		rep.Break = &store.ChainBreak{Kind: store.BreakMissingID, ID: missing[0], MissingIDs: missing}
	}
	return rep, nil
}

// missingIDs lists ids below the commune's largest that are not in its log
// (at most 20). The schema makes an unchained closed row impossible (a
// CHECK ties chain_seq to the status), so holes are the one other break.
func missingIDs(ctx context.Context, tx pgx.Tx, commune string) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM airings WHERE commune = $1 AND id = 1)
			AND EXISTS (SELECT 1 FROM airings WHERE commune = $1)
		UNION ALL
		SELECT a.id + 1 FROM airings a WHERE a.commune = $1 AND a.id < (SELECT MAX(id) FROM airings WHERE commune = $1)
			AND NOT EXISTS (SELECT 1 FROM airings b WHERE b.commune = $1 AND b.id = a.id + 1)
		LIMIT 20`, commune)
	if err != nil {
		return nil, fmt.Errorf("look for deleted rows: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// ChainHeadBefore is the last link among the commune's closed airings due
// before end.
func (s *Store) ChainHeadBefore(ctx context.Context, end time.Time) (store.PeriodHead, bool, error) {
	var head store.PeriodHead
	err := s.db.pool.QueryRow(ctx, `SELECT chain_seq, hash, id FROM airings
		WHERE commune = $1 AND chain_seq IS NOT NULL AND scheduled_at < $2 ORDER BY chain_seq DESC LIMIT 1`, s.commune, end.UnixMilli()).
		Scan(&head.Seq, &head.Hash, &head.AiringID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.PeriodHead{}, false, nil
	case err != nil:
		return store.PeriodHead{}, false, fmt.Errorf("read the head of the chain before %s: %w", end.Format(time.RFC3339), err)
	}
	return head, true, nil
}

// tallyOffset is the station's offset from UTC at which days and months
// are counted (Asia/Ho_Chi_Minh, no daylight saving time), as the SQLite
// store's tally_zone.
const tallyOffset = 7 * time.Hour

// VerifyTallies: the PostgreSQL store keeps no running totals — Summarize
// and Report sum the airings themselves with GROUP BY, which PostgreSQL
// does over a month of a province in well under a second (bench/RESULTS.md)
// — so no total can drift from the chained log. It counts the day and
// segment totals a report of the whole log is made of, and lists no
// difference.
func (s *Store) VerifyTallies(ctx context.Context) (store.TallyCheck, error) {
	var c store.TallyCheck
	off := tallyOffset.Milliseconds()
	err := s.db.pool.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM (SELECT 1 FROM airings WHERE commune = $1 AND status <> 'open' GROUP BY (scheduled_at + $2) / 86400000, zone, topics, status) d),
		(SELECT COUNT(*) FROM (SELECT 1 FROM airings WHERE commune = $1 AND status = 'completed'
			GROUP BY to_char(to_timestamp((scheduled_at + $2) / 1000.0) AT TIME ZONE 'UTC', 'YYYYMM'), zone, topics, segment_id) m)`,
		s.commune, off).Scan(&c.Days, &c.Segments)
	if err != nil {
		return c, fmt.Errorf("verify the totals: %w", err)
	}
	return c, nil
}

// Summarize sums up the commune's airings of the zone ("" for every zone,
// added up) scheduled in [from, to), days counted at offset, by GROUP BY
// over the airings.
func (s *Store) Summarize(ctx context.Context, zone string, from, to time.Time, offset time.Duration) (store.AiringSummary, error) {
	var sum store.AiringSummary
	lo, hi := from.UnixMilli(), to.UnixMilli()
	split := topicSplitter()
	rows, err := s.db.pool.Query(ctx, `SELECT MIN(scheduled_at), topics, status, COUNT(*), SUM(played_ms)
		FROM airings WHERE commune = $1 AND scheduled_at >= $2 AND scheduled_at < $3 AND status <> 'open' AND `+zoneIs("$5")+`
		GROUP BY (scheduled_at + $4) / 86400000, topics, status ORDER BY 1, 2, 3`, s.commune, lo, hi, offset.Milliseconds(), zone)
	if err != nil {
		return sum, fmt.Errorf("summarize airings: %w", err)
	}
	for rows.Next() {
		var g store.AiringGroup
		var at int64
		var topics, status string
		if err := rows.Scan(&at, &topics, &status, &g.Airings, &g.PlayedMS); err != nil {
			rows.Close()
			return sum, fmt.Errorf("summarize airings: %w", err)
		}
		g.At, g.Topics, g.Status = time.UnixMilli(at), split(topics), playlist.Status(status)
		sum.Groups = append(sum.Groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("summarize airings: %w", err)
	}
	rows, err = s.db.pool.Query(ctx, `SELECT topics, segment_id FROM airings
		WHERE commune = $1 AND scheduled_at >= $2 AND scheduled_at < $3 AND status = 'completed' AND `+zoneIs("$4")+` GROUP BY topics, segment_id ORDER BY 1, 2`,
		s.commune, lo, hi, zone)
	if err != nil {
		return sum, fmt.Errorf("summarize airings: %w", err)
	}
	for rows.Next() {
		var a store.AiredSegment
		var topics string
		if err := rows.Scan(&topics, &a.SegmentID); err != nil {
			rows.Close()
			return sum, fmt.Errorf("summarize airings: %w", err)
		}
		a.Topics = split(topics)
		sum.Aired = append(sum.Aired, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("summarize airings: %w", err)
	}
	sum.Incidents, err = s.listAirings(ctx, "SELECT "+airingColumns+` FROM airings
		WHERE commune = $1 AND status IN ('interrupted', 'missed', 'failed') AND scheduled_at >= $2 AND scheduled_at < $3 AND `+zoneIs("$4")+` ORDER BY scheduled_at, id`,
		s.commune, lo, hi, zone)
	if err != nil {
		return sum, fmt.Errorf("summarize airings: %w", err)
	}
	return sum, nil
}

// topicSplitter splits stored topic lists, each distinct list once.
func topicSplitter() func(string) []string {
	seen := map[string][]string{}
	return func(t string) []string {
		if v, ok := seen[t]; ok {
			return v
		}
		var v []string
		if t != "" {
			v = strings.Split(t, ",")
		}
		seen[t] = v
		return v
	}
}
