package store

import (
	"context"
	"fmt"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// Pin puts a segment in the slot's occurrence on day (YYYY-MM-DD). Pinning
// twice is harmless. An unknown segment gives ErrNotFound.
func (s *Store) Pin(ctx context.Context, segmentID int64, day, slot string, at time.Time) error {
	if _, err := s.Segment(ctx, segmentID); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, "INSERT OR IGNORE INTO pins (segment_id, day, slot, created_at) VALUES (?, ?, ?, ?)",
		segmentID, day, slot, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("pin segment %d: %w", segmentID, MarkDiskFull(err))
	}
	return nil
}

// Unpin removes a pin; a pin that is not there gives ErrNotFound.
func (s *Store) Unpin(ctx context.Context, segmentID int64, day, slot string) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM pins WHERE segment_id = ? AND day = ? AND slot = ?", segmentID, day, slot)
	if err != nil {
		return fmt.Errorf("unpin segment %d: %w", segmentID, MarkDiskFull(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("pin of segment %d on %s in %s: %w", segmentID, day, slot, ErrNotFound)
	}
	return nil
}

// attachPins fills each segment's Pins.
func (s *Store) attachPins(ctx context.Context, segs []playlist.Segment) error {
	index := make(map[int64]int, len(segs))
	for i, seg := range segs {
		index[seg.ID] = i
	}
	rows, err := s.db.QueryContext(ctx, "SELECT segment_id, day, slot FROM pins ORDER BY day, slot, created_at, segment_id")
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
