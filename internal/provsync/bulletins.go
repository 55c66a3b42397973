package provsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/store"
)

// BulletinStore is the station's bookkeeping of the bulletins the province
// sent down. The SQLite store satisfies it.
type BulletinStore interface {
	ProvinceBulletinByID(ctx context.Context, id int64) (store.ProvinceBulletin, error)
	RecordProvinceBulletin(ctx context.Context, b store.ProvinceBulletin) error
	LastProvinceBulletin(ctx context.Context) (int64, error)
}

var _ BulletinStore = (*store.Store)(nil)

// Station is what the station does with a bulletin, through its use cases
// (internal/commune), so that each step is audited with the province as
// the actor.
type Station interface {
	// Import imports the audio at path for bulletin b (by its content
	// hash: a file the library has is not imported twice), approved when
	// b's level approves it, and returns the segment's id.
	Import(ctx context.Context, path string, b provinceapi.Bulletin) (segmentID int64, err error)
	// PlanFirst puts the segment first in the commune's next slot that
	// takes it (ưu tiên).
	PlanFirst(ctx context.Context, segmentID int64) error
	// AirNow plays the segment at once in the zones (all when empty),
	// cutting what plays: the station's emergency path (khẩn cấp).
	AirNow(ctx context.Context, segmentID int64, zones []string) error
}

// DefaultEmergencyMaxAge is how late an emergency may still air at once.
const DefaultEmergencyMaxAge = 2 * time.Hour

// PermanentError: the bulletin cannot be handled as sent (an audio file the
// station refuses, a topic it does not know). It is recorded with the
// reason and not tried again.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Receiver fetches the province's bulletins and hands them to the station.
type Receiver struct {
	Store   BulletinStore
	Client  *Client
	Station Station
	// Dir is where audio is downloaded before import (the data folder's
	// province/ folder).
	Dir  string
	Wait time.Duration // long-poll wait; 0 means 30 s
	// EmergencyMaxAge: an emergency received longer than this after the
	// province sent it (a station back from a long outage, or registered
	// after it was sent) is imported and approved but not aired at once:
	// the operator decides. 0 means DefaultEmergencyMaxAge.
	EmergencyMaxAge time.Duration
	Now             func() time.Time
	Logger          *slog.Logger
}

func (r *Receiver) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Receiver) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// Poll asks once for the bulletins after the last handled one, waiting up to
// wait for a new one, and handles them in order. It returns how many it
// handled; it stops at the first that fails for a reason worth retrying.
func (r *Receiver) Poll(ctx context.Context, wait time.Duration) (int, error) {
	after, err := r.Store.LastProvinceBulletin(ctx)
	if err != nil {
		return 0, err
	}
	list, err := r.Client.Bulletins(ctx, after, wait)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range list {
		if b.ID <= after {
			continue
		}
		if err := r.Handle(ctx, b); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Handle handles one bulletin exactly once: a bulletin already handled is
// left alone.
func (r *Receiver) Handle(ctx context.Context, b provinceapi.Bulletin) error {
	log := r.logger().With("bulletin", b.ID, "level", b.Level, "title", b.Title)
	prev, err := r.Store.ProvinceBulletinByID(ctx, b.ID)
	switch {
	case err == nil && !prev.HandledAt.IsZero():
		return nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	rec := store.ProvinceBulletin{BulletinID: b.ID, Level: b.Level, Title: b.Title, SHA256: b.SHA256, ReceivedAt: r.now()}
	if !prev.ReceivedAt.IsZero() {
		rec.ReceivedAt, rec.SegmentID = prev.ReceivedAt, prev.SegmentID
	}
	segID, err := r.handle(ctx, b, &rec)
	if err != nil {
		var perm *PermanentError
		if !errors.As(err, &perm) {
			rec.Error = err.Error()
			if rerr := r.Store.RecordProvinceBulletin(context.WithoutCancel(ctx), rec); rerr != nil {
				log.Error("recording the bulletin", "err", rerr)
			}
			return err
		}
		log.Error("bulletin refused", "err", err)
		rec.Error, rec.HandledAt = err.Error(), r.now()
		return r.Store.RecordProvinceBulletin(ctx, rec)
	}
	rec.SegmentID, rec.HandledAt, rec.Error = segID, r.now(), ""
	log.Info("bulletin from the province handled", "segment", segID)
	return r.Store.RecordProvinceBulletin(ctx, rec)
}

func (r *Receiver) handle(ctx context.Context, b provinceapi.Bulletin, rec *store.ProvinceBulletin) (int64, error) {
	switch b.Level {
	case provinceapi.LevelNormal, provinceapi.LevelPriority, provinceapi.LevelEmergency:
	default:
		return 0, &PermanentError{fmt.Errorf("bulletin %d: unknown level %q", b.ID, b.Level)}
	}
	segID := rec.SegmentID
	if segID == 0 {
		if err := os.MkdirAll(r.Dir, 0o750); err != nil {
			return 0, err
		}
		ext := strings.ToLower(filepath.Ext(b.FileName))
		if ext == "" || len(ext) > 6 {
			ext = ".wav"
		}
		path := filepath.Join(r.Dir, fmt.Sprintf("bulletin-%d%s", b.ID, ext))
		if err := r.Client.DownloadAudio(ctx, b.ID, path); err != nil {
			var refused *RefusedError
			if errors.As(err, &refused) { // listed but not ours to fetch: asking again will not help
				return 0, &PermanentError{fmt.Errorf("bulletin %d: %w", b.ID, err)}
			}
			return 0, err
		}
		if b.SHA256 != "" {
			if sum, err := fileSHA256(path); err != nil {
				return 0, err
			} else if sum != b.SHA256 {
				os.Remove(path)
				return 0, &UnreachableError{fmt.Errorf("bulletin %d: audio arrived with SHA-256 %.12s…, the province announced %.12s…", b.ID, sum, b.SHA256)}
			}
		}
		id, err := r.Station.Import(ctx, path, b)
		if err != nil {
			return 0, err
		}
		segID = id
		// Remember the segment before acting on it: a crash after an
		// emergency aired must not air it again.
		rec.SegmentID = segID
		if err := r.Store.RecordProvinceBulletin(ctx, *rec); err != nil {
			return segID, err
		}
	}
	switch b.Level {
	case provinceapi.LevelPriority:
		if err := r.Station.PlanFirst(ctx, segID); err != nil {
			return segID, err
		}
	case provinceapi.LevelEmergency:
		if !b.ValidTo.IsZero() && r.now().After(b.ValidTo) {
			return segID, &PermanentError{fmt.Errorf("bulletin %d: emergency valid until %s, received after it: imported, not aired", b.ID, b.ValidTo.Format(time.RFC3339))}
		}
		maxAge := r.EmergencyMaxAge
		if maxAge <= 0 {
			maxAge = DefaultEmergencyMaxAge
		}
		if late := r.now().Sub(b.CreatedAt); !b.CreatedAt.IsZero() && late > maxAge {
			return segID, &PermanentError{fmt.Errorf("bulletin %d: emergency sent %s ago: imported and approved, not aired at once (the operator decides)", b.ID, late.Round(time.Minute))}
		}
		// Mark it handled before airing: the airing itself is logged by
		// the station; a retry must never air it twice.
		rec.SegmentID, rec.HandledAt = segID, r.now()
		if err := r.Store.RecordProvinceBulletin(ctx, *rec); err != nil {
			return segID, err
		}
		if err := r.Station.AirNow(ctx, segID, b.Zones); err != nil {
			return segID, &PermanentError{fmt.Errorf("bulletin %d: emergency not aired: %w", b.ID, err)}
		}
	}
	return segID, nil
}

// Run long-polls for bulletins until ctx ends, backing off after failures.
func (r *Receiver) Run(ctx context.Context) {
	wait := r.Wait
	if wait <= 0 {
		wait = 30 * time.Second
	}
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		_, err := r.Poll(ctx, wait)
		if err == nil {
			backoff = 0
			continue
		}
		if ctx.Err() != nil {
			return
		}
		backoff = min(max(2*backoff, 2*time.Second), 30*time.Second)
		r.logger().Warn("province bulletins: poll failed; retrying", "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
