package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ChainedAiring is a closed airing as the province receives it: the stored
// row, its link in the chain, the SHA-256 of its segment's audio (empty for
// a file outside the library), and the zone and stream listeners when the
// log has those columns (zones, issue 15; "" and nil before).
type ChainedAiring struct {
	ID, SegmentID  int64
	SegmentSHA256  string
	Title, Topics  string
	Slot, Zone     string
	ScheduledAtMS  int64
	StartedAtMS    *int64
	EndedAtMS      *int64
	PlayedMS       int64
	DurationMS     int64
	Status, Reason string
	Link           Link
	Listeners      *int
}

// optionalColumn is column when the airings table has it, else fallback:
// the query reads what the log holds on either side of a migration that
// adds it.
func (s *Store) optionalColumn(ctx context.Context, column, fallback string) (string, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pragma_table_info('airings') WHERE name = ?", column).Scan(&n)
	if err != nil {
		return "", err
	}
	if n == 0 {
		return fallback, nil
	}
	return "a." + column, nil
}

// ClosedAiringsAfter lists up to limit closed airings with chain_seq > seq,
// in chain order.
func (s *Store) ClosedAiringsAfter(ctx context.Context, seq int64, limit int) ([]ChainedAiring, error) {
	zone, err := s.optionalColumn(ctx, "zone", "''")
	if err != nil {
		return nil, fmt.Errorf("closed airings: %w", err)
	}
	listeners, err := s.optionalColumn(ctx, "listeners", "NULL")
	if err != nil {
		return nil, fmt.Errorf("closed airings: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.segment_id, COALESCE(g.sha256, ''), a.title, a.topics, a.slot, `+zone+`,
		a.scheduled_at, a.started_at, a.ended_at, a.played_ms, a.duration_ms, a.status, a.reason,
		a.chain_seq, a.prev_hash, a.hash, `+listeners+`
		FROM airings a LEFT JOIN segments g ON g.id = a.segment_id
		WHERE a.chain_seq > ? ORDER BY a.chain_seq LIMIT ?`, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("closed airings after %d: %w", seq, err)
	}
	defer rows.Close()
	var out []ChainedAiring
	for rows.Next() {
		var a ChainedAiring
		var started, ended, lis sql.NullInt64
		if err := rows.Scan(&a.ID, &a.SegmentID, &a.SegmentSHA256, &a.Title, &a.Topics, &a.Slot, &a.Zone,
			&a.ScheduledAtMS, &started, &ended, &a.PlayedMS, &a.DurationMS, &a.Status, &a.Reason,
			&a.Link.Seq, &a.Link.PrevHash, &a.Link.Hash, &lis); err != nil {
			return nil, fmt.Errorf("closed airings after %d: %w", seq, err)
		}
		if started.Valid {
			a.StartedAtMS = &started.Int64
		}
		if ended.Valid {
			a.EndedAtMS = &ended.Int64
		}
		if lis.Valid {
			n := int(lis.Int64)
			a.Listeners = &n
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Backlog is how much of the chain is after seq: the rows and when the
// oldest of them was scheduled (zero when none).
func (s *Store) Backlog(ctx context.Context, seq int64) (rows int64, oldest time.Time, err error) {
	var at sql.NullInt64
	err = s.db.QueryRowContext(ctx, "SELECT COUNT(*), MIN(scheduled_at) FROM airings WHERE chain_seq > ?", seq).Scan(&rows, &at)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("backlog after %d: %w", seq, err)
	}
	if at.Valid {
		oldest = time.UnixMilli(at.Int64)
	}
	return rows, oldest, nil
}

// ProvinceSync is the station's record of its last syncs with the province.
type ProvinceSync struct {
	LastSeq     int64     // the chain_seq the province had acknowledged at the last success
	LastSync    time.Time // zero when never
	LastError   string
	LastErrorAt time.Time
}

// ProvinceSyncState reads the record of the last syncs.
func (s *Store) ProvinceSyncState(ctx context.Context) (ProvinceSync, error) {
	var p ProvinceSync
	var at, errAt sql.NullInt64
	err := s.db.QueryRowContext(ctx, "SELECT last_seq, last_sync_at, last_error, last_error_at FROM province_sync WHERE id = 1").
		Scan(&p.LastSeq, &at, &p.LastError, &errAt)
	if err != nil {
		return p, fmt.Errorf("province sync state: %w", err)
	}
	p.LastSync, p.LastErrorAt = fromMS(at), fromMS(errAt)
	return p, nil
}

// SetProvinceSynced records a successful sync: the province holds the chain
// up to lastSeq, as of at. It clears the last error.
func (s *Store) SetProvinceSynced(ctx context.Context, lastSeq int64, at time.Time) error {
	_, err := s.db.ExecContext(ctx, "UPDATE province_sync SET last_seq = ?, last_sync_at = ?, last_error = '', last_error_at = NULL WHERE id = 1",
		lastSeq, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("record province sync: %w", MarkDiskFull(err))
	}
	return nil
}

// SetProvinceError records why the last sync failed.
func (s *Store) SetProvinceError(ctx context.Context, msg string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, "UPDATE province_sync SET last_error = ?, last_error_at = ? WHERE id = 1", msg, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("record province sync error: %w", MarkDiskFull(err))
	}
	return nil
}

// ProvinceBulletin is the station's bookkeeping of one bulletin the province
// sent down.
type ProvinceBulletin struct {
	BulletinID int64
	Level      string
	Title      string
	SHA256     string
	SegmentID  int64 // 0 until imported
	ReceivedAt time.Time
	HandledAt  time.Time // zero until handled
	Error      string
}

// ErrBulletinKnown: the bulletin was recorded already.
var ErrBulletinKnown = errors.New("bulletin already recorded")

// ProvinceBulletinByID reads the bookkeeping of a bulletin (ErrNotFound when
// it never came).
func (s *Store) ProvinceBulletinByID(ctx context.Context, id int64) (ProvinceBulletin, error) {
	var b ProvinceBulletin
	var seg, recv, handled sql.NullInt64
	err := s.db.QueryRowContext(ctx, "SELECT bulletin_id, level, title, sha256, segment_id, received_at, handled_at, error FROM province_bulletins WHERE bulletin_id = ?", id).
		Scan(&b.BulletinID, &b.Level, &b.Title, &b.SHA256, &seg, &recv, &handled, &b.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("province bulletin %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("province bulletin %d: %w", id, err)
	}
	b.SegmentID, b.ReceivedAt, b.HandledAt = seg.Int64, fromMS(recv), fromMS(handled)
	return b, nil
}

// RecordProvinceBulletin writes (or rewrites, while it is not handled) the
// bookkeeping of a bulletin.
func (s *Store) RecordProvinceBulletin(ctx context.Context, b ProvinceBulletin) error {
	var seg, handled any
	if b.SegmentID != 0 {
		seg = b.SegmentID
	}
	if !b.HandledAt.IsZero() {
		handled = b.HandledAt.UnixMilli()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO province_bulletins (bulletin_id, level, title, sha256, segment_id, received_at, handled_at, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (bulletin_id) DO UPDATE SET segment_id = excluded.segment_id, handled_at = excluded.handled_at, error = excluded.error
		WHERE province_bulletins.handled_at IS NULL`,
		b.BulletinID, b.Level, b.Title, b.SHA256, seg, b.ReceivedAt.UnixMilli(), handled, b.Error)
	if err != nil {
		return fmt.Errorf("record province bulletin %d: %w", b.BulletinID, MarkDiskFull(err))
	}
	return nil
}

// LastProvinceBulletin is the highest bulletin id handled so far (0 when
// none): where the next long-poll starts.
func (s *Store) LastProvinceBulletin(ctx context.Context) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(bulletin_id), 0) FROM province_bulletins WHERE handled_at IS NOT NULL").Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("last province bulletin: %w", err)
	}
	return id, nil
}
