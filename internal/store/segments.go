package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/title"
)

func ms(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromMS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64)
}

func nullFloat(f float64) sql.NullFloat64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: f, Valid: true}
}

func fromNullFloat(n sql.NullFloat64) float64 {
	if !n.Valid {
		return math.Inf(-1)
	}
	return n.Float64
}

// AddSegment stores a new segment and its topics in one transaction. When a
// segment with the same SHA-256 is already stored it changes nothing and
// returns that segment's id with existed = true (a retired one is brought
// back).
func (s *Store) AddSegment(ctx context.Context, seg playlist.Segment) (id int64, existed bool, err error) {
	defer func() { err = MarkDiskFull(err) }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback()
	var retired bool
	err = tx.QueryRowContext(ctx, "SELECT id, retired FROM segments WHERE sha256 = ?", seg.SHA256).Scan(&id, &retired)
	switch {
	case err == nil:
		if retired {
			if _, err := tx.ExecContext(ctx, "UPDATE segments SET retired = 0 WHERE id = ?", id); err != nil {
				return 0, false, err
			}
		}
		return id, true, tx.Commit()
	case !errors.Is(err, sql.ErrNoRows):
		return 0, false, err
	}
	if seg.Priority == "" {
		seg.Priority = playlist.PriorityNormal
	}
	seg.Title = title.Clean(seg.Title) // one line of plain text, wherever it came from
	if seg.ImportedAt.IsZero() {
		seg.ImportedAt = time.Now()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO segments (title, path, sha256, duration_ms, sample_rate, channels, bit_depth,
		loudness_lufs, true_peak_dbtp, priority, valid_from, valid_until, approved, approved_by, approved_at, imported_at,
		silence_start_ms, silence_end_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		seg.Title, seg.Path, seg.SHA256, seg.Duration.Milliseconds(), seg.SampleRate, seg.Channels, seg.BitDepth,
		nullFloat(seg.LoudnessLUFS), nullFloat(seg.TruePeakDBTP), string(seg.Priority), seg.ValidFrom, seg.ValidUntil,
		seg.Approved, seg.ApprovedBy, ms(seg.ApprovedAt), seg.ImportedAt.UnixMilli(),
		silenceMS(seg, seg.SilenceStart), silenceMS(seg, seg.SilenceEnd))
	if err != nil {
		return 0, false, fmt.Errorf("insert segment %s: %w", seg.Path, err)
	}
	id, err = res.LastInsertId()
	if err != nil {
		return 0, false, err
	}
	for _, t := range seg.Topics {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO segment_topics (segment_id, topic) VALUES (?, ?)", id, t); err != nil {
			return 0, false, err
		}
	}
	return id, false, tx.Commit()
}

const segmentColumns = `id, title, path, sha256, duration_ms, sample_rate, channels, bit_depth, loudness_lufs, true_peak_dbtp,
	priority, valid_from, valid_until, approved, approved_by, approved_at, retired, imported_at,
	silence_start_ms, silence_end_ms,
	COALESCE((SELECT group_concat(topic, ',') FROM (SELECT topic FROM segment_topics WHERE segment_id = segments.id ORDER BY topic)), '')`

func scanSegment(row interface{ Scan(...any) error }) (playlist.Segment, error) {
	var seg playlist.Segment
	var durMS int64
	var lufs, tp sql.NullFloat64
	var approvedAt sql.NullInt64
	var importedAt int64
	var priority, topics string
	var silStart, silEnd sql.NullInt64
	err := row.Scan(&seg.ID, &seg.Title, &seg.Path, &seg.SHA256, &durMS, &seg.SampleRate, &seg.Channels, &seg.BitDepth,
		&lufs, &tp, &priority, &seg.ValidFrom, &seg.ValidUntil, &seg.Approved, &seg.ApprovedBy, &approvedAt, &seg.Retired, &importedAt,
		&silStart, &silEnd, &topics)
	if err != nil {
		return seg, err
	}
	seg.Duration = time.Duration(durMS) * time.Millisecond
	seg.LoudnessLUFS, seg.TruePeakDBTP = fromNullFloat(lufs), fromNullFloat(tp)
	seg.Priority = playlist.Priority(priority)
	seg.ApprovedAt = fromMS(approvedAt)
	seg.ImportedAt = time.UnixMilli(importedAt)
	if silStart.Valid && silEnd.Valid {
		seg.SilenceKnown = true
		seg.SilenceStart = time.Duration(silStart.Int64) * time.Millisecond
		seg.SilenceEnd = time.Duration(silEnd.Int64) * time.Millisecond
	}
	if topics != "" {
		seg.Topics = strings.Split(topics, ",")
	}
	return seg, nil
}

// Segments lists the library by id; retired segments only when asked.
func (s *Store) Segments(ctx context.Context, withRetired bool) ([]playlist.Segment, error) {
	q := "SELECT " + segmentColumns + " FROM segments"
	if !withRetired {
		q += " WHERE retired = 0"
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	defer rows.Close()
	var out []playlist.Segment
	for rows.Next() {
		seg, err := scanSegment(rows)
		if err != nil {
			return nil, fmt.Errorf("list segments: %w", err)
		}
		out = append(out, seg)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, s.attachPins(ctx, out)
}

// Segment returns one segment, retired or not.
func (s *Store) Segment(ctx context.Context, id int64) (playlist.Segment, error) {
	seg, err := scanSegment(s.db.QueryRowContext(ctx, "SELECT "+segmentColumns+" FROM segments WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return seg, fmt.Errorf("segment %d: %w", id, ErrNotFound)
	}
	return seg, err
}

// Approve marks the segments approved by who at at. All ids must exist, or
// nothing changes.
func (s *Store) Approve(ctx context.Context, ids []int64, who string, at time.Time) error {
	return s.eachSegment(ctx, ids, "UPDATE segments SET approved = 1, approved_by = ?, approved_at = ? WHERE id = ?", who, at.UnixMilli())
}

// Retire takes the segments out of the programme; their rows stay for the
// log's sake. All ids must exist, or nothing changes.
func (s *Store) Retire(ctx context.Context, ids []int64) error {
	return s.eachSegment(ctx, ids, "UPDATE segments SET retired = 1 WHERE id = ?")
}

func (s *Store) eachSegment(ctx context.Context, ids []int64, stmt string, args ...any) (err error) {
	defer func() { err = MarkDiskFull(err) }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, stmt, append(append([]any{}, args...), id)...)
		if err != nil {
			return fmt.Errorf("segment %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("segment %d: %w", id, ErrNotFound)
		}
	}
	return tx.Commit()
}

// silenceMS stores a measured silence in whole milliseconds, rounded down
// (a trim never cuts into the sound); NULL when it was not measured.
func silenceMS(seg playlist.Segment, d time.Duration) sql.NullInt64 {
	if !seg.SilenceKnown {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: d.Milliseconds(), Valid: true}
}

// SetSilence records a segment's measured leading and trailing silence
// (for segments imported before it was measured at import).
func (s *Store) SetSilence(ctx context.Context, id int64, start, end time.Duration) error {
	res, err := s.db.ExecContext(ctx, "UPDATE segments SET silence_start_ms = ?, silence_end_ms = ? WHERE id = ?",
		start.Milliseconds(), end.Milliseconds(), id)
	if err != nil {
		return fmt.Errorf("segment %d: %w", id, MarkDiskFull(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("segment %d: %w", id, ErrNotFound)
	}
	return nil
}
