package commune

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// The reads both front doors show. Each is one call through to the store
// (or the planner in force): the use-case layer is the only caller of
// either, so that what the CLI and the web app read and change has one
// door, and a second store need only satisfy Store.

// Segment is one segment of the library.
func (c *Commune) Segment(ctx context.Context, id int64) (playlist.Segment, error) {
	return c.d.Store.Segment(ctx, id)
}

// Segments is the library, with the removed segments when withRetired.
func (c *Commune) Segments(ctx context.Context, withRetired bool) ([]playlist.Segment, error) {
	return c.d.Store.Segments(ctx, withRetired)
}

// Airings is the log of [from, to) in one zone ("" for every zone).
func (c *Commune) Airings(ctx context.Context, zone string, from, to time.Time) ([]playlist.Airing, error) {
	return c.d.Store.Airings(ctx, zone, from, to)
}

// LoggedAirings is Airings with each row's link in the hash chain.
func (c *Commune) LoggedAirings(ctx context.Context, zone string, from, to time.Time) ([]store.LoggedAiring, error) {
	return c.d.Store.LoggedAirings(ctx, zone, from, to)
}

// LatestAiring is the log's newest airing (store.ErrNotFound: none yet).
func (c *Commune) LatestAiring(ctx context.Context) (playlist.Airing, error) {
	return c.d.Store.LatestAiring(ctx)
}

// CompletedAirings counts each segment's completed airings.
func (c *Commune) CompletedAirings(ctx context.Context) (map[int64]int, error) {
	return c.d.Store.CompletedAirings(ctx)
}

// Reviews are the segments' last approval or refusal.
func (c *Commune) Reviews(ctx context.Context) (map[int64]store.Review, error) {
	return c.d.Store.Reviews(ctx)
}

// Users are the web app's accounts.
func (c *Commune) Users(ctx context.Context) ([]store.User, error) {
	return c.d.Store.Users(ctx)
}

// AuditTrail is the newest limit entries of the audit trail.
func (c *Commune) AuditTrail(ctx context.Context, limit int) ([]store.AuditEntry, error) {
	return c.d.Store.AuditTrail(ctx, limit)
}

// DatabasePath names the database (for the system page, and so that a
// backup is never written over it).
func (c *Commune) DatabasePath() string { return c.d.Store.Path() }

// Slot is the slot of that name in the planner in force.
func (c *Commune) Slot(name string) (playlist.Slot, bool) { return c.d.Planner().Slot(name) }

// Slots are the slots of the planner in force.
func (c *Commune) Slots() []playlist.Slot { return c.d.Planner().Slots }

// VerifyTallies checks the daily tallies against the log.
func (c *Commune) VerifyTallies(ctx context.Context) (store.TallyCheck, error) {
	return c.d.Store.VerifyTallies(ctx)
}

// ChainVerifier is a store that checks its hash chain up to a known head
// (the SQLite store; `log verify --head`).
type ChainVerifier interface {
	VerifyChainHead(ctx context.Context, head string) (store.ChainReport, error)
}

// Backuper is a store that copies itself to a file while in use (the
// SQLite store's online backup).
type Backuper interface {
	Backup(ctx context.Context, dest string) (store.BackupInfo, error)
}

// ErrUnsupported is an operation the store in use does not offer.
var ErrUnsupported = errors.New("not offered by this store")

// VerifyChainHead checks the log's hash chain, and that it reaches head
// when head is not "".
func (c *Commune) VerifyChainHead(ctx context.Context, head string) (store.ChainReport, error) {
	v, ok := c.d.Store.(ChainVerifier)
	if !ok {
		return store.ChainReport{}, fmt.Errorf("verify the chain: %w", ErrUnsupported)
	}
	return v.VerifyChainHead(ctx, head)
}

// Backup copies the database to dest and records it in the audit trail.
func (c *Commune) Backup(ctx context.Context, who, dest string) (store.BackupInfo, error) {
	b, ok := c.d.Store.(Backuper)
	if !ok {
		return store.BackupInfo{}, fmt.Errorf("backup: %w", ErrUnsupported)
	}
	info, err := b.Backup(ctx, dest)
	if err != nil {
		return info, err
	}
	c.Record(ctx, who, store.ActionBackup, info.Path, fmt.Sprintf("%d lượt phát, %d bản tin", info.Airings, info.Segments))
	return info, nil
}

// SetSilence records a segment's measured leading and trailing silence
// (what audio.trim_silence cuts) and the audit trail.
func (c *Commune) SetSilence(ctx context.Context, who string, id int64, start, end time.Duration) error {
	if err := c.d.Store.SetSilence(ctx, id, start, end); err != nil {
		return err
	}
	c.Record(ctx, who, store.ActionSilence, c.object(ctx, id), fmt.Sprintf("lặng đầu %.3f s, lặng cuối %.3f s", start.Seconds(), end.Seconds()))
	return nil
}

// Login checks a name and password and opens a session of ttl, recorded
// in the audit trail with the client's address. store.ErrBadPassword and
// store.ErrDisabled are the person's mistakes.
func (c *Commune) Login(ctx context.Context, name, password string, ttl time.Duration, ip string) (store.Session, error) {
	u, err := c.d.Store.CheckPassword(ctx, name, password)
	if err != nil {
		return store.Session{}, err
	}
	sess, err := c.d.Store.CreateSession(ctx, u, c.d.Now(), ttl)
	if err != nil {
		return store.Session{}, err
	}
	c.Record(ctx, sess.User.Name, store.ActionLogin, "", ip)
	return sess, nil
}

// Session is the live session of token (store.ErrNotFound: none).
func (c *Commune) Session(ctx context.Context, token string) (store.Session, error) {
	return c.d.Store.SessionByToken(ctx, token, c.d.Now())
}

// Logout ends a session and records it. A failure to end it is logged:
// the person is logged out of the browser either way.
func (c *Commune) Logout(ctx context.Context, sess store.Session, ip string) {
	if err := c.d.Store.DeleteSession(ctx, sess.Token); err != nil {
		c.d.Logger.Error("logout", "err", err)
	}
	c.Record(ctx, sess.User.Name, store.ActionLogout, "", ip)
}
