package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// SegmentBySHA returns the segment stored with that SHA-256, retired or
// not; ErrNotFound when there is none.
func (s *Store) SegmentBySHA(ctx context.Context, sha string) (playlist.Segment, error) {
	seg, err := scanSegment(s.db.QueryRowContext(ctx, "SELECT "+segmentColumns+" FROM segments WHERE sha256 = ?", sha))
	if errors.Is(err, sql.ErrNoRows) {
		return seg, fmt.Errorf("segment %s: %w", sha, ErrNotFound)
	}
	return seg, err
}
