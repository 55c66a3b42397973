package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// Review is what the web app records about a segment beside the library:
// who loaded it, and an approver's refusal.
type Review struct {
	UploadedBy   string
	RejectedBy   string
	RejectedAt   time.Time // zero when never refused
	RejectReason string
}

// ErrApproved refuses a change that is only allowed before approval.
var ErrApproved = errors.New("segment already approved")

// SetUploader records who loaded a segment through the web app (kept when
// already known: the first loader stays).
func (s *Store) SetUploader(ctx context.Context, id int64, who string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO segment_review (segment_id, uploaded_by) VALUES (?, ?)
		ON CONFLICT (segment_id) DO UPDATE SET uploaded_by = excluded.uploaded_by WHERE uploaded_by = ''`, id, who)
	if err != nil {
		return fmt.Errorf("record uploader of segment %d: %w", id, err)
	}
	return nil
}

// Reject refuses a segment not yet approved: it is retired (it never airs)
// and the refusal is recorded with its reason. An approved segment is
// refused with ErrApproved (retire it instead).
func (s *Store) Reject(ctx context.Context, id int64, who, reason string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var approved bool
		err := tx.QueryRowContext(ctx, "SELECT approved FROM segments WHERE id = ?", id).Scan(&approved)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("segment %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if approved {
			return fmt.Errorf("segment %d: %w", id, ErrApproved)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE segments SET retired = 1 WHERE id = ?", id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO segment_review (segment_id, rejected_by, rejected_at, reject_reason) VALUES (?, ?, ?, ?)
			ON CONFLICT (segment_id) DO UPDATE SET rejected_by = excluded.rejected_by, rejected_at = excluded.rejected_at,
			reject_reason = excluded.reject_reason`, id, who, at.UnixMilli(), reason)
		return err
	})
}

// Reviews returns the review of every segment that has one, by id.
func (s *Store) Reviews(ctx context.Context) (map[int64]Review, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT segment_id, uploaded_by, rejected_by, rejected_at, reject_reason FROM segment_review")
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	defer rows.Close()
	out := map[int64]Review{}
	for rows.Next() {
		var id int64
		var r Review
		var at sql.NullInt64
		if err := rows.Scan(&id, &r.UploadedBy, &r.RejectedBy, &at, &r.RejectReason); err != nil {
			return nil, err
		}
		r.RejectedAt = fromMS(at)
		out[id] = r
	}
	return out, rows.Err()
}

// SegmentEdit is what may be changed of a segment before its approval.
type SegmentEdit struct {
	Title                 string
	Topics                []string
	ValidFrom, ValidUntil string // YYYY-MM-DD or ""
	Priority              playlist.Priority
}

// EditSegment changes a segment not yet approved (ErrApproved otherwise),
// its topics replaced as a whole, in one transaction.
func (s *Store) EditSegment(ctx context.Context, id int64, e SegmentEdit) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var approved bool
		err := tx.QueryRowContext(ctx, "SELECT approved FROM segments WHERE id = ?", id).Scan(&approved)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("segment %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if approved {
			return fmt.Errorf("segment %d: %w", id, ErrApproved)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE segments SET title = ?, valid_from = ?, valid_until = ?, priority = ? WHERE id = ?",
			e.Title, e.ValidFrom, e.ValidUntil, string(e.Priority), id); err != nil {
			return fmt.Errorf("edit segment %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM segment_topics WHERE segment_id = ?", id); err != nil {
			return err
		}
		for _, t := range e.Topics {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO segment_topics (segment_id, topic) VALUES (?, ?)", id, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// CompletedAirings counts each segment's completed airings in the whole log.
func (s *Store) CompletedAirings(ctx context.Context) (map[int64]int, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT segment_id, count(*) FROM airings WHERE status = 'completed' GROUP BY segment_id")
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
