package library

import (
	"context"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// SegmentStore is the store as the importer uses it: segments added, read
// back and found by their SHA-256. The SQLite store satisfies it.
type SegmentStore interface {
	AddSegment(ctx context.Context, seg playlist.Segment) (id int64, existed bool, err error)
	Segment(ctx context.Context, id int64) (playlist.Segment, error)
	SegmentBySHA(ctx context.Context, sha string) (playlist.Segment, error)
}
