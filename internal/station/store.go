package station

import (
	"context"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// History is what the planner's ledger is read from: when each segment
// last aired and the month's airings, of one zone ("" for every zone).
type History interface {
	LastAired(ctx context.Context, zone string, t time.Time) (map[int64]time.Time, error)
	Airings(ctx context.Context, zone string, from, to time.Time) ([]playlist.Airing, error)
}

// Log is the store as the station uses it: the library to plan from, the
// airing log it writes and the state it keeps across restarts. The SQLite
// store (internal/store) satisfies it; any other store must too, and pass
// the conformance suite in internal/store/storetest.
type Log interface {
	History
	Segments(ctx context.Context, withRetired bool) ([]playlist.Segment, error)
	HasScheduled(ctx context.Context, zone, slot string, start, end time.Time) (bool, error)
	StartAiring(ctx context.Context, a playlist.Airing) (int64, error)
	Progress(ctx context.Context, id int64, played time.Duration) error
	CloseAiring(ctx context.Context, id int64, status playlist.Status, started, ended time.Time, played time.Duration, reason string) error
	LogClosed(ctx context.Context, a playlist.Airing) (int64, error)
	CloseOpenAirings(ctx context.Context, reason string) (int, error)
	State(ctx context.Context, key string) (string, error)
	SetState(ctx context.Context, key, value string) error
	// Path names where the log is kept, for the operator's messages.
	Path() string
}

// StreamLog is a Log that also records, for an airing on a stream output,
// how many listeners heard it (the SQLite store). With a Log that is not,
// the count is not kept.
type StreamLog interface {
	CloseStreamAiring(ctx context.Context, id int64, status playlist.Status, started, ended time.Time, played time.Duration, reason string, listeners int) error
}
