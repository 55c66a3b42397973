package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PeriodHead is a link of the chain and the airing it seals.
type PeriodHead struct {
	Seq      int64
	Hash     string
	AiringID int64
}

// ChainHeadBefore is the head of the chain at the end of a report's period:
// the last link (highest chain_seq) among the closed airings due before end
// (scheduled_at < end; a manual airing's scheduled_at is its start). Every
// airing a report of a period ending at end counts is at or before it in
// the chain, so its hash pins them all, and every airing closed before them.
// ok is false when no closed airing was due before end.
func (s *Store) ChainHeadBefore(ctx context.Context, end time.Time) (head PeriodHead, ok bool, err error) {
	// Walks chain_seq down from the newest link: reports are mostly of
	// recent periods.
	err = s.db.QueryRowContext(ctx, `SELECT chain_seq, hash, id FROM airings
		WHERE chain_seq IS NOT NULL AND scheduled_at < ? ORDER BY chain_seq DESC LIMIT 1`, end.UnixMilli()).
		Scan(&head.Seq, &head.Hash, &head.AiringID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return PeriodHead{}, false, nil
	case err != nil:
		return PeriodHead{}, false, fmt.Errorf("read the head of the chain before %s: %w", end.Format(time.RFC3339), err)
	}
	return head, true, nil
}
