package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
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
// which never started playing).
func (s *Store) LogClosed(ctx context.Context, a playlist.Airing) (int64, error) {
	if a.Status == playlist.StatusOpen || a.Status == "" {
		return 0, errors.New("log closed airing: a final status is required")
	}
	if a.EndedAt.IsZero() {
		a.EndedAt = a.StartedAt
	}
	return s.insertAiring(ctx, a)
}

func (s *Store) insertAiring(ctx context.Context, a playlist.Airing) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO airings (segment_id, title, topics, slot, scheduled_at, started_at, ended_at,
		played_ms, duration_ms, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.SegmentID, a.Title, strings.Join(a.Topics, ","), a.Slot, a.ScheduledAt.UnixMilli(), ms(a.StartedAt), ms(a.EndedAt),
		a.Played.Milliseconds(), a.Duration.Milliseconds(), string(a.Status), a.Reason)
	if err != nil {
		return 0, fmt.Errorf("log airing of segment %d: %w", a.SegmentID, err)
	}
	return res.LastInsertId()
}

// Progress records how much of an open airing has played, so that a crash
// leaves an honest played length behind.
func (s *Store) Progress(ctx context.Context, id int64, played time.Duration) error {
	_, err := s.db.ExecContext(ctx, "UPDATE airings SET played_ms = ? WHERE id = ? AND status = 'open'", played.Milliseconds(), id)
	return err
}

// CloseAiring closes an open airing exactly once.
// started, when not zero, replaces the provisional start written when the
// row was opened with the time the first sample was heard.
func (s *Store) CloseAiring(ctx context.Context, id int64, status playlist.Status, started, ended time.Time, played time.Duration, reason string) error {
	if status == playlist.StatusOpen {
		return errors.New("close airing: a final status is required")
	}
	res, err := s.db.ExecContext(ctx, `UPDATE airings SET status = ?, started_at = COALESCE(?, started_at), ended_at = ?, played_ms = ?, reason = ?
		WHERE id = ? AND status = 'open'`,
		string(status), ms(started), ended.UnixMilli(), played.Milliseconds(), reason, id)
	if err != nil {
		return fmt.Errorf("close airing %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("close airing %d: %w", id, ErrClosed)
	}
	return nil
}

// CloseOpenAirings closes every airing left open (by a crash) as
// interrupted, keeping the last recorded played length, and returns how
// many it closed.
func (s *Store) CloseOpenAirings(ctx context.Context, reason string) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE airings SET status = 'interrupted', reason = ?,
		ended_at = started_at + played_ms WHERE status = 'open'`, reason)
	if err != nil {
		return 0, fmt.Errorf("close open airings: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const airingColumns = "id, segment_id, title, topics, slot, scheduled_at, started_at, ended_at, played_ms, duration_ms, status, reason"

func scanAiring(row interface{ Scan(...any) error }) (playlist.Airing, error) {
	var a playlist.Airing
	var topics, status string
	var scheduled int64
	var started, ended sql.NullInt64
	var playedMS, durMS int64
	if err := row.Scan(&a.ID, &a.SegmentID, &a.Title, &topics, &a.Slot, &scheduled, &started, &ended, &playedMS, &durMS, &status, &a.Reason); err != nil {
		return a, err
	}
	if topics != "" {
		a.Topics = strings.Split(topics, ",")
	}
	a.ScheduledAt = time.UnixMilli(scheduled)
	a.StartedAt, a.EndedAt = fromMS(started), fromMS(ended)
	a.Played = time.Duration(playedMS) * time.Millisecond
	a.Duration = time.Duration(durMS) * time.Millisecond
	a.Status = playlist.Status(status)
	return a, nil
}

// Airings lists the airings scheduled in [from, to), in log order.
func (s *Store) Airings(ctx context.Context, from, to time.Time) ([]playlist.Airing, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+airingColumns+" FROM airings WHERE scheduled_at >= ? AND scheduled_at < ? ORDER BY scheduled_at, id",
		from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("list airings: %w", err)
	}
	defer rows.Close()
	var out []playlist.Airing
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
	a, err := scanAiring(s.db.QueryRowContext(ctx, "SELECT "+airingColumns+" FROM airings WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("airing %d: %w", id, ErrNotFound)
	}
	return a, err
}

// HasScheduled reports whether the log already holds an airing of the slot
// scheduled in [start, end) — one occurrence — so that no occurrence is
// aired or marked missed twice, whatever the clock does.
func (s *Store) HasScheduled(ctx context.Context, slot string, start, end time.Time) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM airings WHERE slot = ? AND scheduled_at >= ? AND scheduled_at < ?",
		slot, start.UnixMilli(), max(end.UnixMilli(), start.UnixMilli()+1)).Scan(&n)
	return n > 0, err
}

// LastAired gives, for each segment that started airing before t, the
// scheduled time of its latest airing.
func (s *Store) LastAired(ctx context.Context, t time.Time) (map[int64]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT segment_id, MAX(scheduled_at) FROM airings
		WHERE segment_id <> 0 AND status IN ('completed', 'interrupted', 'open') AND scheduled_at < ? GROUP BY segment_id`, t.UnixMilli())
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
