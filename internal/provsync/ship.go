package provsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/store"
)

// Store is the station's log as provsync needs it. The SQLite store
// (internal/store) satisfies it.
type Store interface {
	ClosedAiringsAfter(ctx context.Context, seq int64, limit int) ([]store.ChainedAiring, error)
	Backlog(ctx context.Context, seq int64) (rows int64, oldest time.Time, err error)
	ProvinceSyncState(ctx context.Context) (store.ProvinceSync, error)
	SetProvinceSynced(ctx context.Context, lastSeq int64, at time.Time) error
	SetProvinceError(ctx context.Context, msg string, at time.Time) error
}

var _ Store = (*store.Store)(nil)

// DefaultBatch is how many airings go in one request (a month of a busy
// station is a few batches).
const DefaultBatch = 500

// Shipper ships the closed airings of the station's log to the province.
type Shipper struct {
	Store  Store
	Client *Client
	Batch  int // airings per request; 0 means DefaultBatch
	// Backoff is the first wait after a failure (doubling up to 30 s, so
	// that a station notices the province is back within half a minute;
	// 200 communes retrying cost the province a few requests a second);
	// 0 means 2 s.
	Backoff time.Duration
	// MinGap is how long a nudge waits before the sync it asks for, so
	// that a burst of nudges makes one sync; 0 means 2 s.
	MinGap time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Backlog is how far the province is behind the station's log.
type Backlog struct {
	Airings int64     // closed airings the province does not have yet
	Oldest  time.Time // when the oldest of them was scheduled (zero when none)
}

// Age is how old the oldest unshipped airing is at now (0 when none).
func (b Backlog) Age(now time.Time) time.Duration {
	if b.Airings == 0 || b.Oldest.IsZero() {
		return 0
	}
	return now.Sub(b.Oldest)
}

// Result is what one sync did.
type Result struct {
	Before     Backlog // how far behind the province was when the sync began
	Accepted   int     // airings the province took
	Duplicates int     // airings it had already (counted once)
	Batches    int
	Chain      provinceapi.ChainState // where the commune's chain stands at the province now
}

// ErrDiverged: the province's chain does not end on a row of this log (the
// station's database was replaced, or the province's record was). Shipping
// cannot fix it; the operator must.
var ErrDiverged = errors.New("the province's chain does not match this station's log")

func (s *Shipper) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Shipper) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Sync ships every closed airing the province does not have, in chain
// order, in batches, starting where the province's chain stands. It
// records the outcome (the last successful sync, or the failure).
func (s *Shipper) Sync(ctx context.Context) (Result, error) {
	res, err := s.sync(ctx)
	if err != nil && ctx.Err() == nil {
		if rerr := s.Store.SetProvinceError(context.WithoutCancel(ctx), err.Error(), s.now()); rerr != nil {
			s.logger().Error("recording the province sync failure", "err", rerr)
		}
	}
	return res, err
}

func (s *Shipper) sync(ctx context.Context) (Result, error) {
	var res Result
	chain, err := s.Client.Chain(ctx)
	if err != nil {
		// Say how far behind we are from our own record.
		if st, serr := s.Store.ProvinceSyncState(ctx); serr == nil {
			res.Before, _ = s.backlog(ctx, st.LastSeq)
		}
		return res, err
	}
	res.Chain = chain
	if res.Before, err = s.backlog(ctx, chain.LastSeq); err != nil {
		return res, err
	}
	if err := s.checkTail(ctx, chain); err != nil {
		return res, err
	}
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	last := chain.LastSeq
	for {
		rows, err := s.Store.ClosedAiringsAfter(ctx, last, batch)
		if err != nil {
			return res, err
		}
		if len(rows) == 0 {
			break
		}
		out := make([]provinceapi.Airing, len(rows))
		for i, r := range rows {
			out[i] = wire(r)
		}
		br, err := s.Client.Ship(ctx, out)
		if err != nil {
			return res, err
		}
		res.Batches++
		res.Accepted += br.Accepted
		res.Duplicates += br.Duplicates
		res.Chain = br.Chain
		if br.Chain.LastSeq < rows[len(rows)-1].Link.Seq {
			return res, fmt.Errorf("the province took the batch up to chain_seq %d but holds only %d", rows[len(rows)-1].Link.Seq, br.Chain.LastSeq)
		}
		last = br.Chain.LastSeq
		if err := s.Store.SetProvinceSynced(ctx, last, s.now()); err != nil {
			return res, err
		}
		s.logger().Debug("batch shipped", "accepted", br.Accepted, "duplicates", br.Duplicates, "last_seq", last)
	}
	if err := s.Store.SetProvinceSynced(ctx, last, s.now()); err != nil {
		return res, err
	}
	return res, nil
}

// checkTail makes sure the province's chain ends on a row of this log.
func (s *Shipper) checkTail(ctx context.Context, chain provinceapi.ChainState) error {
	if chain.LastSeq == 0 {
		return nil
	}
	rows, err := s.Store.ClosedAiringsAfter(ctx, chain.LastSeq-1, 1)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("%w: the province holds chain_seq %d, this log ends before it", ErrDiverged, chain.LastSeq)
	}
	if rows[0].Link.Hash != chain.LastHash {
		return fmt.Errorf("%w: at chain_seq %d (airing %d) the province has hash %.12s…, this log %.12s…",
			ErrDiverged, chain.LastSeq, rows[0].ID, chain.LastHash, rows[0].Link.Hash)
	}
	return nil
}

func (s *Shipper) backlog(ctx context.Context, seq int64) (Backlog, error) {
	n, oldest, err := s.Store.Backlog(ctx, seq)
	return Backlog{Airings: n, Oldest: oldest}, err
}

// wire is a stored airing in the contract's form.
func wire(r store.ChainedAiring) provinceapi.Airing {
	return provinceapi.Airing{ID: r.ID, ChainSeq: r.Link.Seq, PrevHash: r.Link.PrevHash, Hash: r.Link.Hash,
		SegmentID: r.SegmentID, SegmentSHA256: r.SegmentSHA256, Title: r.Title, Topics: r.Topics, Slot: r.Slot, Zone: r.Zone,
		ScheduledAtMS: r.ScheduledAtMS, StartedAtMS: r.StartedAtMS, EndedAtMS: r.EndedAtMS, PlayedMS: r.PlayedMS,
		DurationMS: r.DurationMS, Status: r.Status, Reason: r.Reason, Listeners: r.Listeners}
}

// Status is the state of the station's reporting, for its web app.
type Status struct {
	LastSync    time.Time // zero when never
	Behind      Backlog   // as far as the station knows (the province's last answer)
	LastError   string
	LastErrorAt time.Time
}

// Status reads the last sync and how far behind the province is, from the
// station's own record (no network).
func (s *Shipper) Status(ctx context.Context) (Status, error) {
	st, err := s.Store.ProvinceSyncState(ctx)
	if err != nil {
		return Status{}, err
	}
	b, err := s.backlog(ctx, st.LastSeq)
	if err != nil {
		return Status{}, err
	}
	return Status{LastSync: st.LastSync, Behind: b, LastError: st.LastError, LastErrorAt: st.LastErrorAt}, nil
}

// Run ships continuously until ctx ends: a sync every interval, soon after
// a nudge (serve nudges it when an airing starts or ends), and after a
// failure again after a back-off that doubles from Backoff up to 30 s. It never returns an error the
// station must act on: failures are logged and recorded.
func (s *Shipper) Run(ctx context.Context, interval time.Duration, nudge <-chan struct{}) {
	log := s.logger()
	backoff := time.Duration(0)
	minBackoff, maxBackoff := s.Backoff, 30*time.Second
	if minBackoff <= 0 {
		minBackoff = 2 * time.Second
	}
	for {
		res, err := s.Sync(ctx)
		wait := interval
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			backoff = min(max(2*backoff, minBackoff), maxBackoff)
			wait = backoff
			log.Warn("province sync failed; retrying", "err", err, "behind", res.Before.Airings, "retry_in", wait)
		default:
			if backoff > 0 {
				log.Info("province reachable again")
			}
			backoff = 0
			if res.Accepted > 0 {
				log.Info("airings shipped to the province", "accepted", res.Accepted, "duplicates", res.Duplicates, "last_seq", res.Chain.LastSeq)
			}
		}
		wake := nudge
		if backoff > 0 {
			wake = nil // a nudge does not cut a back-off short
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-wake:
			t.Stop()
			// Airings close in bursts (an occurrence's items one after
			// the other): one sync per gap ships them together.
			gap := s.MinGap
			if gap <= 0 {
				gap = 2 * time.Second
			}
			g := time.NewTimer(gap)
			select {
			case <-ctx.Done():
				g.Stop()
				return
			case <-g.C:
			}
		}
	}
}
