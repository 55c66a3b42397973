package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/title"
)

// The three levels of Circular 39/2020/TT-BTTTT are the segments'
// priorities: playlist.PriorityNormal (thông thường: the commune approves
// it first), playlist.PriorityPriority (ưu tiên: planned first in the next
// slot) and playlist.PriorityEmergency (khẩn cấp: plays at once).

// Bulletin is a recording the province sends down to communes.
type Bulletin struct {
	ID        int64
	Level     playlist.Priority
	Title     string
	Topics    []string
	SHA256    string // of the audio, hex
	Size      int64  // audio bytes
	Communes  []string
	CreatedAt time.Time
	CreatedBy string
}

// bulletinChannel is the NOTIFY channel of new bulletins.
const bulletinChannel = "cchc_bulletins"

// AddBulletin stores a bulletin and its audio for the target communes
// (b.Communes, each registered) and wakes the stations waiting for one.
// b.SHA256, when given, must be the audio's. It returns the bulletin as
// stored (ID, SHA256, Size, CreatedAt set).
func (db *DB) AddBulletin(ctx context.Context, b Bulletin, audio []byte) (Bulletin, error) {
	switch b.Level {
	case playlist.PriorityNormal, playlist.PriorityPriority, playlist.PriorityEmergency:
	default:
		return b, fmt.Errorf("bulletin level %q: want normal (thông thường), priority (ưu tiên) or emergency (khẩn cấp)", b.Level)
	}
	b.Title = title.Clean(b.Title)
	if b.Title == "" {
		return b, errors.New("bulletin: a title is required")
	}
	if len(audio) == 0 {
		return b, fmt.Errorf("bulletin %q: the audio is empty", b.Title)
	}
	sum := sha256.Sum256(audio)
	sha := hex.EncodeToString(sum[:])
	if b.SHA256 != "" && b.SHA256 != sha {
		return b, fmt.Errorf("bulletin %q: the audio's SHA-256 is %s, not the %s given", b.Title, sha, b.SHA256)
	}
	b.SHA256, b.Size = sha, int64(len(audio))
	if len(b.Communes) == 0 {
		return b, fmt.Errorf("bulletin %q: no target commune", b.Title)
	}
	b.Communes = sortedUnique(b.Communes)
	if b.Topics == nil {
		b.Topics = []string{}
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = db.clock()
	}
	b.CreatedAt = time.UnixMilli(b.CreatedAt.UnixMilli())
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var unknown []string
		rows, err := tx.Query(ctx, "SELECT code FROM unnest($1::text[]) code WHERE code NOT IN (SELECT code FROM communes) ORDER BY 1", b.Communes)
		if err != nil {
			return err
		}
		if unknown, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		if len(unknown) > 0 {
			return fmt.Errorf("bulletin %q: commune %s is not registered: %w", b.Title, unknown[0], store.ErrNotFound)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO bulletins (level, title, topics, sha256, audio, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			string(b.Level), b.Title, b.Topics, b.SHA256, audio, b.CreatedAt.UnixMilli(), b.CreatedBy).Scan(&b.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO bulletin_targets (commune, bulletin_id) SELECT unnest($1::text[]), $2", b.Communes, b.ID); err != nil {
			return err
		}
		// Delivered at commit.
		_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", bulletinChannel, strconv.FormatInt(b.ID, 10))
		return err
	})
	if err != nil {
		return b, fmt.Errorf("add bulletin: %w", err)
	}
	return b, nil
}

func sortedUnique(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	n := 0
	for i, s := range out {
		if i == 0 || s != out[n-1] {
			out[n] = s
			n++
		}
	}
	return out[:n]
}

const bulletinColumns = `b.id, b.level, b.title, b.topics, b.sha256, octet_length(b.audio), b.created_at, b.created_by,
	ARRAY(SELECT commune FROM bulletin_targets WHERE bulletin_id = b.id ORDER BY commune)`

func scanBulletin(row pgx.CollectableRow) (Bulletin, error) {
	var b Bulletin
	var level string
	var created int64
	err := row.Scan(&b.ID, &level, &b.Title, &b.Topics, &b.SHA256, &b.Size, &created, &b.CreatedBy, &b.Communes)
	b.Level, b.CreatedAt = playlist.Priority(level), time.UnixMilli(created)
	return b, err
}

// BulletinsFor lists the bulletins sent to a commune with an id above
// afterID, oldest first, at most limit (100 when limit <= 0), without
// their audio.
func (db *DB) BulletinsFor(ctx context.Context, commune string, afterID int64, limit int) ([]Bulletin, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.pool.Query(ctx, "SELECT "+bulletinColumns+` FROM bulletins b JOIN bulletin_targets t ON t.bulletin_id = b.id
		WHERE t.commune = $1 AND b.id > $2 ORDER BY b.id LIMIT $3`, commune, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("bulletins of commune %s: %w", commune, err)
	}
	out, err := pgx.CollectRows(rows, scanBulletin)
	if err != nil {
		return nil, fmt.Errorf("bulletins of commune %s: %w", commune, err)
	}
	return out, nil
}

// Bulletins lists the province's bulletins, newest first, at most limit
// (100 when limit <= 0), without their audio.
func (db *DB) Bulletins(ctx context.Context, limit int) ([]Bulletin, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.pool.Query(ctx, "SELECT "+bulletinColumns+" FROM bulletins b ORDER BY b.id DESC LIMIT $1", limit)
	if err != nil {
		return nil, fmt.Errorf("list bulletins: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanBulletin)
	if err != nil {
		return nil, fmt.Errorf("list bulletins: %w", err)
	}
	return out, nil
}

// BulletinAudio is a bulletin's audio, for a commune it was sent to;
// store.ErrNotFound otherwise (a station fetches only its own).
func (db *DB) BulletinAudio(ctx context.Context, commune string, id int64) ([]byte, Bulletin, error) {
	var audio []byte
	var b Bulletin
	rows, err := db.pool.Query(ctx, "SELECT "+bulletinColumns+`, b.audio FROM bulletins b JOIN bulletin_targets t ON t.bulletin_id = b.id
		WHERE t.commune = $1 AND b.id = $2`, commune, id)
	if err != nil {
		return nil, b, fmt.Errorf("bulletin %d: %w", id, err)
	}
	b, err = pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (Bulletin, error) {
		var level string
		var created int64
		err := r.Scan(&b.ID, &level, &b.Title, &b.Topics, &b.SHA256, &b.Size, &created, &b.CreatedBy, &b.Communes, &audio)
		b.Level, b.CreatedAt = playlist.Priority(level), time.UnixMilli(created)
		return b, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Bulletin{}, fmt.Errorf("bulletin %d for commune %s: %w", id, commune, store.ErrNotFound)
	}
	if err != nil {
		return nil, Bulletin{}, fmt.Errorf("bulletin %d: %w", id, err)
	}
	return audio, b, nil
}

// WaitBulletins is BulletinsFor that, when there is none yet, waits until
// one comes for the commune or ctx ends (then it returns ctx's error): the
// long-poll of the stations. All waiters share one listening connection.
func (db *DB) WaitBulletins(ctx context.Context, commune string, afterID int64, limit int) ([]Bulletin, error) {
	l := db.bulletinListener()
	if l == nil {
		return nil, errors.New("wait for bulletins: the database is closed")
	}
	for {
		changed := l.changed()
		bs, err := db.BulletinsFor(ctx, commune, afterID, limit)
		if err != nil || len(bs) > 0 {
			return bs, err
		}
		select {
		case <-changed:
		case <-time.After(time.Minute): // a notification lost with a dropped connection
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// listener holds one connection LISTENing for new bulletins and wakes the
// waiters at each notification (and whenever it reconnects).
type listener struct {
	mu     sync.Mutex
	ch     chan struct{} // closed and replaced at each wake-up
	cancel context.CancelFunc
	done   chan struct{}
}

func (db *DB) bulletinListener() *listener {
	db.listenOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		l := &listener{ch: make(chan struct{}), cancel: cancel, done: make(chan struct{})}
		db.listen = l
		go l.run(ctx, db)
	})
	return db.listen
}

func (l *listener) changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ch
}

func (l *listener) wake() {
	l.mu.Lock()
	close(l.ch)
	l.ch = make(chan struct{})
	l.mu.Unlock()
}

func (l *listener) stop() {
	l.cancel()
	<-l.done
}

func (l *listener) run(ctx context.Context, db *DB) {
	defer close(l.done)
	for ctx.Err() == nil {
		err := l.listen(ctx, db)
		if ctx.Err() != nil {
			return
		}
		db.log().Warn("bulletin listener lost its connection; reconnecting", "err", err)
		l.wake()
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (l *listener) listen(ctx context.Context, db *DB) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+bulletinChannel); err != nil {
		return err
	}
	l.wake() // bulletins added before LISTEN took effect
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		l.wake()
	}
}
