package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// LatestAiring is the airing that started last (completed, interrupted or
// open); ErrNotFound when nothing has aired yet.
func (s *Store) LatestAiring(ctx context.Context) (playlist.Airing, error) {
	a, err := scanAiring(s.db.QueryRowContext(ctx, "SELECT "+rowColumns+
		" FROM airings WHERE started_at IS NOT NULL AND status IN ('completed', 'interrupted', 'open') ORDER BY started_at DESC, id DESC LIMIT 1"))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("latest airing: %w", ErrNotFound)
	}
	return a, err
}
