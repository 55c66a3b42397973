package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/title"
)

func nullFloat(f float64) *float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil
	}
	return &f
}

func fromNullFloat(f *float64) float64 {
	if f == nil {
		return math.Inf(-1)
	}
	return *f
}

func silenceMS(seg playlist.Segment, d time.Duration) *int64 {
	if !seg.SilenceKnown {
		return nil
	}
	v := d.Milliseconds()
	return &v
}

// AddSegment stores a new segment and its topics in one transaction; a
// segment with the same SHA-256 in this commune is that segment (existed,
// brought back when retired).
func (s *Store) AddSegment(ctx context.Context, seg playlist.Segment) (id int64, existed bool, err error) {
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var retired bool
		err := tx.QueryRow(ctx, "SELECT id, retired FROM segments WHERE commune = $1 AND sha256 = $2", s.commune, seg.SHA256).Scan(&id, &retired)
		switch {
		case err == nil:
			existed = true
			if retired {
				_, err = tx.Exec(ctx, "UPDATE segments SET retired = false WHERE id = $1", id)
			}
			return err
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if seg.Priority == "" {
			seg.Priority = playlist.PriorityNormal
		}
		seg.Title = title.Clean(seg.Title)
		if seg.ImportedAt.IsZero() {
			seg.ImportedAt = time.Now()
		}
		err = tx.QueryRow(ctx, `INSERT INTO segments (commune, title, path, sha256, duration_ms, sample_rate, channels, bit_depth,
			loudness_lufs, true_peak_dbtp, priority, valid_from, valid_until, approved, approved_by, approved_at, imported_at,
			silence_start_ms, silence_end_ms)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
			s.commune, seg.Title, seg.Path, seg.SHA256, seg.Duration.Milliseconds(), seg.SampleRate, seg.Channels, seg.BitDepth,
			nullFloat(seg.LoudnessLUFS), nullFloat(seg.TruePeakDBTP), string(seg.Priority), seg.ValidFrom, seg.ValidUntil,
			seg.Approved, seg.ApprovedBy, msOf(seg.ApprovedAt), seg.ImportedAt.UnixMilli(),
			silenceMS(seg, seg.SilenceStart), silenceMS(seg, seg.SilenceEnd)).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert segment %s: %w", seg.Path, err)
		}
		return s.setTopics(ctx, tx, id, seg.Topics)
	})
	if err != nil {
		return 0, false, err
	}
	return id, existed, nil
}

func (s *Store) setTopics(ctx context.Context, tx pgx.Tx, id int64, topics []string) error {
	if len(topics) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO segment_topics (commune, segment_id, topic) SELECT $1, $2, unnest($3::text[])
		ON CONFLICT DO NOTHING`, s.commune, id, topics)
	return err
}

const segmentColumns = `id, title, path, sha256, duration_ms, sample_rate, channels, bit_depth, loudness_lufs, true_peak_dbtp,
	priority, valid_from, valid_until, approved, approved_by, approved_at, retired, imported_at,
	silence_start_ms, silence_end_ms,
	COALESCE((SELECT string_agg(topic, ',' ORDER BY topic) FROM segment_topics WHERE segment_id = segments.id), '')`

func scanSegment(row pgx.Row) (playlist.Segment, error) {
	var seg playlist.Segment
	var durMS, importedAt int64
	var lufs, tp *float64
	var approvedAt, silStart, silEnd *int64
	var priority, topics string
	err := row.Scan(&seg.ID, &seg.Title, &seg.Path, &seg.SHA256, &durMS, &seg.SampleRate, &seg.Channels, &seg.BitDepth,
		&lufs, &tp, &priority, &seg.ValidFrom, &seg.ValidUntil, &seg.Approved, &seg.ApprovedBy, &approvedAt, &seg.Retired, &importedAt,
		&silStart, &silEnd, &topics)
	if err != nil {
		return seg, err
	}
	seg.Duration = time.Duration(durMS) * time.Millisecond
	seg.LoudnessLUFS, seg.TruePeakDBTP = fromNullFloat(lufs), fromNullFloat(tp)
	seg.Priority = playlist.Priority(priority)
	seg.ApprovedAt = timeOf(approvedAt)
	seg.ImportedAt = time.UnixMilli(importedAt)
	if silStart != nil && silEnd != nil {
		seg.SilenceKnown = true
		seg.SilenceStart = time.Duration(*silStart) * time.Millisecond
		seg.SilenceEnd = time.Duration(*silEnd) * time.Millisecond
	}
	if topics != "" {
		seg.Topics = strings.Split(topics, ",")
	}
	return seg, nil
}

// Segments lists the commune's library by id; retired segments only when
// asked.
func (s *Store) Segments(ctx context.Context, withRetired bool) ([]playlist.Segment, error) {
	q := "SELECT " + segmentColumns + " FROM segments WHERE commune = $1"
	if !withRetired {
		q += " AND NOT retired"
	}
	rows, err := s.db.pool.Query(ctx, q+" ORDER BY id", s.commune)
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
		return nil, fmt.Errorf("list segments: %w", err)
	}
	return out, s.attachPins(ctx, out)
}

// Segment returns one segment of the commune, retired or not.
func (s *Store) Segment(ctx context.Context, id int64) (playlist.Segment, error) {
	seg, err := scanSegment(s.db.pool.QueryRow(ctx, "SELECT "+segmentColumns+" FROM segments WHERE commune = $1 AND id = $2", s.commune, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return seg, fmt.Errorf("segment %d: %w", id, store.ErrNotFound)
	}
	return seg, err
}

// SegmentBySHA returns the commune's segment with that SHA-256.
func (s *Store) SegmentBySHA(ctx context.Context, sha string) (playlist.Segment, error) {
	seg, err := scanSegment(s.db.pool.QueryRow(ctx, "SELECT "+segmentColumns+" FROM segments WHERE commune = $1 AND sha256 = $2", s.commune, sha))
	if errors.Is(err, pgx.ErrNoRows) {
		return seg, fmt.Errorf("segment %s: %w", sha, store.ErrNotFound)
	}
	return seg, err
}

// Approve marks the segments approved; all ids must be the commune's, or
// nothing changes.
func (s *Store) Approve(ctx context.Context, ids []int64, who string, at time.Time) error {
	return s.eachSegment(ctx, ids, "UPDATE segments SET approved = true, approved_by = $3, approved_at = $4 WHERE commune = $1 AND id = $2", who, at.UnixMilli())
}

// Retire takes the segments out of the programme; all ids must be the
// commune's, or nothing changes.
func (s *Store) Retire(ctx context.Context, ids []int64) error {
	return s.eachSegment(ctx, ids, "UPDATE segments SET retired = true WHERE commune = $1 AND id = $2")
}

func (s *Store) eachSegment(ctx context.Context, ids []int64, stmt string, args ...any) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		for _, id := range ids {
			tag, err := tx.Exec(ctx, stmt, append([]any{s.commune, id}, args...)...)
			if err != nil {
				return fmt.Errorf("segment %d: %w", id, err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("segment %d: %w", id, store.ErrNotFound)
			}
		}
		return nil
	})
}

// SetSilence records a segment's measured leading and trailing silence.
func (s *Store) SetSilence(ctx context.Context, id int64, start, end time.Duration) error {
	tag, err := s.db.pool.Exec(ctx, "UPDATE segments SET silence_start_ms = $3, silence_end_ms = $4 WHERE commune = $1 AND id = $2",
		s.commune, id, start.Milliseconds(), end.Milliseconds())
	if err != nil {
		return fmt.Errorf("segment %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("segment %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// Pin puts a segment in the slot's occurrence on day; twice is harmless.
func (s *Store) Pin(ctx context.Context, segmentID int64, day, slot string, at time.Time) error {
	if _, err := s.Segment(ctx, segmentID); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO pins (commune, segment_id, day, slot, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, s.commune, segmentID, day, slot, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("pin segment %d: %w", segmentID, err)
	}
	return nil
}

// Unpin removes a pin; ErrNotFound when it is not there.
func (s *Store) Unpin(ctx context.Context, segmentID int64, day, slot string) error {
	tag, err := s.db.pool.Exec(ctx, "DELETE FROM pins WHERE commune = $1 AND segment_id = $2 AND day = $3 AND slot = $4", s.commune, segmentID, day, slot)
	if err != nil {
		return fmt.Errorf("unpin segment %d: %w", segmentID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pin of segment %d on %s in %s: %w", segmentID, day, slot, store.ErrNotFound)
	}
	return nil
}

func (s *Store) attachPins(ctx context.Context, segs []playlist.Segment) error {
	index := make(map[int64]int, len(segs))
	for i, seg := range segs {
		index[seg.ID] = i
	}
	rows, err := s.db.pool.Query(ctx, "SELECT segment_id, day, slot FROM pins WHERE commune = $1 ORDER BY day, slot, created_at, segment_id", s.commune)
	if err != nil {
		return fmt.Errorf("list pins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p playlist.Pin
		if err := rows.Scan(&id, &p.Day, &p.Slot); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			segs[i].Pins = append(segs[i].Pins, p)
		}
	}
	return rows.Err()
}

// SetUploader records who loaded a segment (the first loader stays).
func (s *Store) SetUploader(ctx context.Context, id int64, who string) error {
	_, err := s.db.pool.Exec(ctx, `INSERT INTO segment_review (commune, segment_id, uploaded_by)
		SELECT commune, id, $3 FROM segments WHERE commune = $1 AND id = $2
		ON CONFLICT (segment_id) DO UPDATE SET uploaded_by = excluded.uploaded_by WHERE segment_review.uploaded_by = ''`, s.commune, id, who)
	if err != nil {
		return fmt.Errorf("record uploader of segment %d: %w", id, err)
	}
	return nil
}

// approvedForUpdate locks a segment of the commune and says whether it is
// approved.
func (s *Store) approvedForUpdate(ctx context.Context, tx pgx.Tx, id int64) error {
	var approved bool
	err := tx.QueryRow(ctx, "SELECT approved FROM segments WHERE commune = $1 AND id = $2 FOR UPDATE", s.commune, id).Scan(&approved)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("segment %d: %w", id, store.ErrNotFound)
	case err != nil:
		return err
	case approved:
		return fmt.Errorf("segment %d: %w", id, store.ErrApproved)
	}
	return nil
}

// Reject refuses a segment not yet approved: retired, with the refusal
// recorded; ErrApproved for an approved one.
func (s *Store) Reject(ctx context.Context, id int64, who, reason string, at time.Time) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.approvedForUpdate(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE segments SET retired = true WHERE id = $1", id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO segment_review (commune, segment_id, rejected_by, rejected_at, reject_reason) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (segment_id) DO UPDATE SET rejected_by = excluded.rejected_by, rejected_at = excluded.rejected_at,
			reject_reason = excluded.reject_reason`, s.commune, id, who, at.UnixMilli(), reason)
		return err
	})
}

// Reviews returns the review of every segment of the commune that has one.
func (s *Store) Reviews(ctx context.Context) (map[int64]store.Review, error) {
	rows, err := s.db.pool.Query(ctx, "SELECT segment_id, uploaded_by, rejected_by, rejected_at, reject_reason FROM segment_review WHERE commune = $1", s.commune)
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	defer rows.Close()
	out := map[int64]store.Review{}
	for rows.Next() {
		var id int64
		var r store.Review
		var at *int64
		if err := rows.Scan(&id, &r.UploadedBy, &r.RejectedBy, &at, &r.RejectReason); err != nil {
			return nil, err
		}
		r.RejectedAt = timeOf(at)
		out[id] = r
	}
	return out, rows.Err()
}

// EditSegment changes a segment not yet approved (ErrApproved otherwise).
func (s *Store) EditSegment(ctx context.Context, id int64, e store.SegmentEdit) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.approvedForUpdate(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE segments SET title = $2, valid_from = $3, valid_until = $4, priority = $5 WHERE id = $1",
			id, e.Title, e.ValidFrom, e.ValidUntil, string(e.Priority)); err != nil {
			return fmt.Errorf("edit segment %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM segment_topics WHERE segment_id = $1", id); err != nil {
			return err
		}
		return s.setTopics(ctx, tx, id, e.Topics)
	})
}

// CompletedAirings counts each segment's completed airings in the
// commune's log.
func (s *Store) CompletedAirings(ctx context.Context) (map[int64]int, error) {
	rows, err := s.db.pool.Query(ctx, "SELECT segment_id, count(*) FROM airings WHERE commune = $1 AND status = 'completed' GROUP BY segment_id", s.commune)
	if err != nil {
		return nil, fmt.Errorf("count airings: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// State reads a station_state value of the commune ("" if unset).
func (s *Store) State(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.pool.QueryRow(ctx, "SELECT value FROM station_state WHERE commune = $1 AND key = $2", s.commune, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetState writes a station_state value of the commune.
func (s *Store) SetState(ctx context.Context, key, value string) error {
	_, err := s.db.pool.Exec(ctx, `INSERT INTO station_state (commune, key, value) VALUES ($1, $2, $3)
		ON CONFLICT (commune, key) DO UPDATE SET value = excluded.value`, s.commune, key, value)
	return err
}
