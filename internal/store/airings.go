package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/title"
)

// ErrClosed is returned when closing an airing that is already closed.
var ErrClosed = errors.New("airing already closed")

// StartAiring inserts an open airing row and returns its id once it is on
// disk (the transaction is committed with synchronous=FULL).
func (s *Store) StartAiring(ctx context.Context, a playlist.Airing) (int64, error) {
	if a.StartedAt.IsZero() {
		return 0, errors.New("start airing: started_at is required")
	}
	a.Status = playlist.StatusOpen
	return s.insertAiring(ctx, a)
}

// LogClosed inserts an airing that is already over (missed or failed ones,
// which never started playing), chained like any closed row.
func (s *Store) LogClosed(ctx context.Context, a playlist.Airing) (int64, error) {
	if a.Status == playlist.StatusOpen || a.Status == "" {
		return 0, errors.New("log closed airing: a final status is required")
	}
	if a.EndedAt.IsZero() {
		a.EndedAt = a.StartedAt
	}
	r := rowOf(a)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// The id is part of what the hash covers, so it is chosen here: the
		// one SQLite would give (the largest plus one), under the write lock.
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM airings").Scan(&r.ID); err != nil {
			return err
		}
		l, err := seal(ctx, tx, r)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO airings (id, segment_id, title, topics, slot, scheduled_at, started_at, ended_at,
			played_ms, duration_ms, status, reason, zone, listeners, chain_seq, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.SegmentID, r.Title, r.Topics, r.Slot, r.ScheduledAt, r.StartedAt, r.EndedAt, r.PlayedMS, r.DurationMS, r.Status, r.Reason,
			r.Zone, r.Listeners, l.Seq, l.PrevHash, l.Hash)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("log airing of segment %d: %w", a.SegmentID, err)
	}
	return r.ID, nil
}

func rowOf(a playlist.Airing) row {
	zone := a.Zone
	if zone == "" {
		zone = playlist.DefaultZone
	}
	return row{SegmentID: a.SegmentID, Title: title.Clean(a.Title), Topics: strings.Join(a.Topics, ","), Slot: a.Slot,
		ScheduledAt: a.ScheduledAt.UnixMilli(), StartedAt: ms(a.StartedAt), EndedAt: ms(a.EndedAt),
		PlayedMS: a.Played.Milliseconds(), DurationMS: a.Duration.Milliseconds(), Status: string(a.Status), Reason: a.Reason, Zone: zone,
		Listeners: listenersOf(a.Listeners)}
}

func listenersOf(n *int) sql.NullInt64 {
	if n == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*n), Valid: true}
}

func (s *Store) insertAiring(ctx context.Context, a playlist.Airing) (int64, error) {
	r := rowOf(a)
	res, err := s.db.ExecContext(ctx, `INSERT INTO airings (segment_id, title, topics, slot, scheduled_at, started_at, ended_at,
		played_ms, duration_ms, status, reason, zone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.SegmentID, r.Title, r.Topics, r.Slot, r.ScheduledAt, r.StartedAt, r.EndedAt, r.PlayedMS, r.DurationMS, r.Status, r.Reason, r.Zone)
	if err != nil {
		return 0, fmt.Errorf("log airing of segment %d: %w", a.SegmentID, MarkDiskFull(err))
	}
	return res.LastInsertId()
}

// Progress records how much of an open airing has played, so that a crash
// leaves an honest played length behind.
func (s *Store) Progress(ctx context.Context, id int64, played time.Duration) error {
	_, err := s.db.ExecContext(ctx, "UPDATE airings SET played_ms = ? WHERE id = ? AND status = 'open'", played.Milliseconds(), id)
	return MarkDiskFull(err)
}

// CloseAiring closes an open airing exactly once, and chains it.
// started, when not zero, replaces the provisional start written when the
// row was opened with the time the first sample was heard.
func (s *Store) CloseAiring(ctx context.Context, id int64, status playlist.Status, started, ended time.Time, played time.Duration, reason string) error {
	return s.closeAiring(ctx, id, status, started, ended, played, reason, nil)
}

// CloseStreamAiring is CloseAiring for an airing on a stream output, which
// also records how many listeners heard it.
func (s *Store) CloseStreamAiring(ctx context.Context, id int64, status playlist.Status, started, ended time.Time, played time.Duration, reason string, listeners int) error {
	if listeners < 0 {
		return fmt.Errorf("close airing %d: %d listeners", id, listeners)
	}
	return s.closeAiring(ctx, id, status, started, ended, played, reason, &listeners)
}

func (s *Store) closeAiring(ctx context.Context, id int64, status playlist.Status, started, ended time.Time, played time.Duration, reason string, listeners *int) error {
	if status == playlist.StatusOpen {
		return errors.New("close airing: a final status is required")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := scanRow(tx.QueryRowContext(ctx, "SELECT "+rowColumns+" FROM airings WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && r.Status != string(playlist.StatusOpen)) {
			return ErrClosed
		}
		if err != nil {
			return err
		}
		r.Status, r.Reason = string(status), reason
		if !started.IsZero() {
			r.StartedAt = ms(started)
		}
		r.EndedAt = sql.NullInt64{Int64: ended.UnixMilli(), Valid: true}
		r.PlayedMS = played.Milliseconds()
		r.Listeners = listenersOf(listeners)
		return closeRow(ctx, tx, r)
	})
	if err != nil {
		return fmt.Errorf("close airing %d: %w", id, err)
	}
	return nil
}

// closeRow writes the final fields of an open row and its link, in tx.
func closeRow(ctx context.Context, tx *sql.Tx, r row) error {
	l, err := seal(ctx, tx, r)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE airings SET status = ?, started_at = ?, ended_at = ?, played_ms = ?, reason = ?, listeners = ?,
		chain_seq = ?, prev_hash = ?, hash = ? WHERE id = ? AND status = 'open'`,
		r.Status, r.StartedAt, r.EndedAt, r.PlayedMS, r.Reason, r.Listeners, l.Seq, l.PrevHash, l.Hash, r.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrClosed
	}
	return nil
}

// CloseOpenAirings closes every airing left open (by a crash) as
// interrupted, keeping the last recorded played length, and returns how
// many it closed. They are closed and chained in id order, all in one
// transaction: a crash here leaves them all open for the next start.
func (s *Store) CloseOpenAirings(ctx context.Context, reason string) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+rowColumns+" FROM airings WHERE status = 'open' ORDER BY id")
		if err != nil {
			return err
		}
		var open []row
		for rows.Next() {
			r, err := scanRow(rows)
			if err != nil {
				rows.Close()
				return err
			}
			open = append(open, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, r := range open {
			r.Status, r.Reason = string(playlist.StatusInterrupted), reason
			r.EndedAt = sql.NullInt64{}
			if r.StartedAt.Valid {
				r.EndedAt = sql.NullInt64{Int64: r.StartedAt.Int64 + r.PlayedMS, Valid: true}
			}
			if err := closeRow(ctx, tx, r); err != nil {
				return fmt.Errorf("airing %d: %w", r.ID, err)
			}
		}
		n = len(open)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("close open airings: %w", err)
	}
	return n, nil
}

func (r row) airing() playlist.Airing {
	a := playlist.Airing{ID: r.ID, SegmentID: r.SegmentID, Title: r.Title, Slot: r.Slot, Reason: r.Reason, Zone: r.Zone}
	if r.Topics != "" {
		a.Topics = strings.Split(r.Topics, ",")
	}
	a.ScheduledAt = time.UnixMilli(r.ScheduledAt)
	a.StartedAt, a.EndedAt = fromMS(r.StartedAt), fromMS(r.EndedAt)
	a.Played = time.Duration(r.PlayedMS) * time.Millisecond
	a.Duration = time.Duration(r.DurationMS) * time.Millisecond
	a.Status = playlist.Status(r.Status)
	if r.Listeners.Valid {
		n := int(r.Listeners.Int64)
		a.Listeners = &n
	}
	return a
}

func scanAiring(sc interface{ Scan(...any) error }) (playlist.Airing, error) {
	r, err := scanRow(sc)
	return r.airing(), err
}

// LoggedAiring is an airing with its place in the hash chain.
type LoggedAiring struct {
	playlist.Airing
	Link Link // zero while the airing is open
}

// LoggedAirings lists the airings of the zone ("" for every zone)
// scheduled in [from, to), in log order, with their links.
func (s *Store) LoggedAirings(ctx context.Context, zone string, from, to time.Time) ([]LoggedAiring, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+rowColumns+", chain_seq, prev_hash, hash FROM airings WHERE scheduled_at >= ? AND scheduled_at < ? AND "+zoneIs+" ORDER BY scheduled_at, id",
		from.UnixMilli(), to.UnixMilli(), zone, zone)
	if err != nil {
		return nil, fmt.Errorf("list airings: %w", err)
	}
	defer rows.Close()
	var out []LoggedAiring
	for rows.Next() {
		var seq sql.NullInt64
		var prev, hash sql.NullString
		r, err := scanRow(rows, &seq, &prev, &hash)
		if err != nil {
			return nil, fmt.Errorf("list airings: %w", err)
		}
		out = append(out, LoggedAiring{Airing: r.airing(), Link: Link{Seq: seq.Int64, PrevHash: prev.String, Hash: hash.String}})
	}
	return out, rows.Err()
}

// zoneIs is the condition of the zone filter; its two arguments are the
// zone, "" meaning every zone.
const zoneIs = "(? = '' OR zone = ?)"

// Airings lists the airings of the zone ("" for every zone) scheduled in
// [from, to), in log order.
func (s *Store) Airings(ctx context.Context, zone string, from, to time.Time) ([]playlist.Airing, error) {
	// Size the result once (the index answers the count): a month of a busy
	// station is tens of thousands of rows, and growing the slice row by row
	// copies it again and again.
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM airings WHERE scheduled_at >= ? AND scheduled_at < ? AND "+zoneIs,
		from.UnixMilli(), to.UnixMilli(), zone, zone).Scan(&n); err != nil {
		return nil, fmt.Errorf("count airings: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+rowColumns+" FROM airings WHERE scheduled_at >= ? AND scheduled_at < ? AND "+zoneIs+" ORDER BY scheduled_at, id",
		from.UnixMilli(), to.UnixMilli(), zone, zone)
	if err != nil {
		return nil, fmt.Errorf("list airings: %w", err)
	}
	defer rows.Close()
	out := make([]playlist.Airing, 0, n)
	for rows.Next() {
		a, err := scanAiring(rows)
		if err != nil {
			return nil, fmt.Errorf("list airings: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Airing returns one airing.
func (s *Store) Airing(ctx context.Context, id int64) (playlist.Airing, error) {
	a, err := scanAiring(s.db.QueryRowContext(ctx, "SELECT "+rowColumns+" FROM airings WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("airing %d: %w", id, ErrNotFound)
	}
	return a, err
}

// HasScheduled reports whether the log already holds an airing in the zone
// ("" for any zone) of the slot scheduled in [start, end) — one occurrence —
// so that no occurrence is aired or marked missed twice in a zone, whatever
// the clock does.
func (s *Store) HasScheduled(ctx context.Context, zone, slot string, start, end time.Time) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM airings WHERE slot = ? AND scheduled_at >= ? AND scheduled_at < ? AND "+zoneIs,
		slot, start.UnixMilli(), max(end.UnixMilli(), start.UnixMilli()+1), zone, zone).Scan(&n)
	return n > 0, err
}

// LastAired gives, for each segment that started airing in the zone ("" for
// any zone) before t, the scheduled time of its latest airing there.
func (s *Store) LastAired(ctx context.Context, zone string, t time.Time) (map[int64]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT segment_id, MAX(scheduled_at) FROM airings
		WHERE segment_id <> 0 AND status IN ('completed', 'interrupted', 'open') AND scheduled_at < ? AND `+zoneIs+` GROUP BY segment_id`, t.UnixMilli(), zone, zone)
	if err != nil {
		return nil, fmt.Errorf("last aired: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		out[id] = time.UnixMilli(at)
	}
	return out, rows.Err()
}
