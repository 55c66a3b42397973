package station

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// LogWrites says what the station does when a write to the airing log fails.
type LogWrites int

const (
	// WriteThrough: every write goes to the store at once; a failed write
	// stops the station with the error.
	WriteThrough LogWrites = iota
	// HoldWhenFull (serve): audio needs no disk, so when the disk is full the
	// station keeps to its timetable and holds the writes it could not make
	// in memory, in order, and makes them, in that order, once space
	// returns (retried every logRetryEvery). Other failures stop it.
	HoldWhenFull
	// WriteWhenClosed (simulate): a row is written once, when the airing is
	// over, in one transaction, so that a failure — a full disk — leaves no
	// row open. Nobody listens to a simulation, so no row needs to be on disk
	// before its first sample.
	WriteWhenClosed
)

const (
	// logRetryEvery is how often held writes are tried again (station clock).
	logRetryEvery = 10 * time.Second
	// logWarnEvery is how often the station says again that writes are held.
	logWarnEvery = 5 * time.Minute
)

// logRow is an airing row as the station knows it.
type logRow struct {
	id int64           // 0 while its insert is held (or, in WriteWhenClosed, until it closes)
	a  playlist.Airing // the row as last written or held: what the ledger counts while it is held
}

type writeKind int

const (
	writeOpen    writeKind = iota // insert row as open
	writeClose                    // close row
	writeClosed                   // insert row already closed
	writeState                    // set station_state key to value
	writeRecover                  // close the rows a crash left open
)

// logWrite is one write to the airing log.
type logWrite struct {
	kind       writeKind
	row        *logRow
	a          playlist.Airing // the row as it is to be written (writeOpen, writeClose, writeClosed)
	key, value string          // writeState
	reason     string          // writeRecover
}

// logbook is the station's way into the airing log (see LogWrites). The
// hash chain is computed in the transaction that closes a row, so writing
// the held closes in their order gives the chain the order they happened in.
type logbook struct {
	store Log
	// zone is the station's zone: every row it writes is of that zone.
	zone   string
	mode   LogWrites
	logger *slog.Logger
	now    func() time.Time
	// changed, if set, is called when writes start or stop being held.
	changed func()

	mu      sync.Mutex
	held    []logWrite
	since   time.Time // when the first held write failed (zero when none is held)
	cause   error
	tried   time.Time // last retry
	warned  time.Time // last time it said so
	written int       // writes held since `since` and written back so far
}

// start writes an open row for a, which is about to play.
func (b *logbook) start(ctx context.Context, a playlist.Airing) (*logRow, error) {
	a.Status, a.Zone = playlist.StatusOpen, b.zone
	r := &logRow{a: a}
	if b.mode == WriteWhenClosed {
		return r, nil
	}
	return r, b.write(ctx, logWrite{kind: writeOpen, row: r, a: a})
}

// close closes r with its final fields; started, when not zero, replaces
// its provisional start; listeners is nil but for a stream output.
func (b *logbook) close(ctx context.Context, r *logRow, status playlist.Status, started, ended time.Time, played time.Duration, reason string, listeners *int) error {
	b.mu.Lock()
	if !started.IsZero() {
		r.a.StartedAt = started
	}
	r.a.Status, r.a.EndedAt, r.a.Played, r.a.Reason, r.a.Listeners = status, ended, played, reason, listeners
	a := r.a
	b.mu.Unlock()
	if b.mode == WriteWhenClosed {
		return b.write(ctx, logWrite{kind: writeClosed, row: r, a: a})
	}
	return b.write(ctx, logWrite{kind: writeClose, row: r, a: a})
}

// logClosed writes a row that is over (missed, failed).
func (b *logbook) logClosed(ctx context.Context, a playlist.Airing) error {
	a.Zone = b.zone
	return b.write(ctx, logWrite{kind: writeClosed, row: &logRow{a: a}, a: a})
}

// setState writes a station_state value.
func (b *logbook) setState(ctx context.Context, key, value string) error {
	return b.write(ctx, logWrite{kind: writeState, key: key, value: value})
}

// recover closes the rows a crash left open, as interrupted.
func (b *logbook) recover(ctx context.Context, reason string) error {
	return b.write(ctx, logWrite{kind: writeRecover, reason: reason})
}

// progress records how much of r has played; a failure is not worth
// stopping for (the close writes the length).
func (b *logbook) progress(ctx context.Context, r *logRow, played time.Duration) {
	b.mu.Lock()
	r.a.Played = played
	id := r.id
	b.mu.Unlock()
	if id != 0 {
		_ = b.store.Progress(ctx, id, played)
	}
}

// write makes w, after the writes held before it.
func (b *logbook) write(ctx context.Context, w logWrite) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.held) > 0 {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	if len(b.held) == 0 {
		err := b.apply(ctx, w)
		if err == nil || b.mode != HoldWhenFull || !errors.Is(err, store.ErrDiskFull) {
			return err
		}
		b.since, b.cause, b.tried, b.warned, b.written = b.now(), err, b.now(), b.now(), 0
		b.logger.Error("DISK FULL: the airing log cannot be written; the station keeps to its timetable and holds what it cannot write in memory until space is freed",
			"db", b.store.Path(), "err", err)
		defer b.notify()
	}
	if last := len(b.held) - 1; w.kind == writeState && last >= 0 && b.held[last].kind == writeState && b.held[last].key == w.key {
		b.held[last] = w // only the latest value matters
		return nil
	}
	b.held = append(b.held, w)
	return nil
}

// apply makes one write to the store.
func (b *logbook) apply(ctx context.Context, w logWrite) error {
	switch w.kind {
	case writeOpen:
		id, err := b.store.StartAiring(ctx, w.a)
		if err == nil {
			w.row.id = id
		}
		return err
	case writeClose:
		a := w.a
		if sl, ok := b.store.(StreamLog); ok && a.Listeners != nil {
			return sl.CloseStreamAiring(ctx, w.row.id, a.Status, a.StartedAt, a.EndedAt, a.Played, a.Reason, *a.Listeners)
		}
		return b.store.CloseAiring(ctx, w.row.id, a.Status, a.StartedAt, a.EndedAt, a.Played, a.Reason)
	case writeClosed:
		id, err := b.store.LogClosed(ctx, w.a)
		if err == nil {
			w.row.id = id
		}
		return err
	case writeState:
		return b.store.SetState(ctx, w.key, w.value)
	case writeRecover:
		n, err := b.store.CloseOpenAirings(ctx, w.reason)
		if n > 0 {
			b.logger.Warn("closed airings left open by a crash as interrupted", "count", n)
		}
		return err
	}
	return nil
}

// flush writes the held writes in order until one fails; a full disk is
// not an error (they stay held). Called with mu held.
func (b *logbook) flush(ctx context.Context) error {
	for len(b.held) > 0 {
		if err := b.apply(ctx, b.held[0]); err != nil {
			if errors.Is(err, store.ErrDiskFull) {
				return nil
			}
			return err
		}
		b.held = b.held[1:]
		b.written++
	}
	b.logger.Warn("disk space is back: the airing log writes held while the disk was full are written",
		"writes", b.written, "held_for", b.now().Sub(b.since).Round(time.Second), "db", b.store.Path())
	b.since, b.cause, b.held = time.Time{}, nil, nil
	b.notify()
	return nil
}

func (b *logbook) notify() {
	if b.changed != nil {
		b.changed()
	}
}

// retry tries the held writes again when it is time to, and says again
// that they are held when they still are.
func (b *logbook) retry(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.held) == 0 || b.now().Sub(b.tried) < logRetryEvery {
		return nil
	}
	b.tried = b.now()
	if err := b.flush(ctx); err != nil {
		return err
	}
	if len(b.held) > 0 && b.now().Sub(b.warned) >= logWarnEvery {
		b.warned = b.now()
		b.logger.Error("DISK FULL: airing log writes are still held in memory; free space on the disk",
			"pending", len(b.held), "since", b.since.Format(time.RFC3339), "db", b.store.Path(), "err", b.cause)
	}
	return nil
}

// shutdown tries the held writes once more and says what is lost.
func (b *logbook) shutdown(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.held) == 0 {
		return nil
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	if len(b.held) == 0 {
		return nil
	}
	rows := 0
	for _, w := range b.held {
		if w.row == nil {
			continue
		}
		rows++
		a := w.row.a
		b.logger.Error("airing log write lost (disk full)", "slot", a.Slot, "segment", a.SegmentID, "title", a.Title,
			"scheduled_at", a.ScheduledAt.Format(time.RFC3339), "status", a.Status, "played", a.Played)
	}
	b.logger.Error("DISK FULL at shutdown: airing log writes held in memory are lost (rows still open are closed as interrupted at the next start)",
		"writes", len(b.held), "airings", rows, "since", b.since.Format(time.RFC3339), "db", b.store.Path())
	return nil
}

// heldAirings are the rows some held write is about, as last known: the
// planner counts them as the log would.
func (b *logbook) heldAirings() []playlist.Airing {
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := map[*logRow]bool{}
	var out []playlist.Airing
	for _, w := range b.held {
		if w.row != nil && !seen[w.row] {
			seen[w.row] = true
			out = append(out, w.row.a)
		}
	}
	return out
}

// LogHeld says how many airing log writes are held in memory because the
// disk is full, and since when (zero when none is).
type LogHeld struct {
	Pending int
	Since   time.Time
	Cause   string
}

func (b *logbook) state() LogHeld {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := LogHeld{Pending: len(b.held), Since: b.since}
	if b.cause != nil {
		h.Cause = b.cause.Error()
	}
	return h
}

// SetLogWrites sets what a failed write to the airing log does (see
// LogWrites); call it before the station runs.
func (s *Station) SetLogWrites(m LogWrites) { s.book.mode = m }
