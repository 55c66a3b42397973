package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mattn/go-sqlite3"
)

// BackupInfo describes a backup just written.
type BackupInfo struct {
	Path     string
	Bytes    int64
	Airings  int64
	Segments int64
	Last     Link // the end of the copy's chain
}

// Backup writes a consistent copy of the database to dest with SQLite's
// online backup API, while other connections (a running station) may keep
// writing: the copy is the database as of one instant. The copy is written
// next to dest, checked (PRAGMA quick_check), made a single self-contained
// file (rollback journal mode; the station switches it back to WAL when it
// opens it) and then renamed over dest, which is replaced if it exists.
func (s *Store) Backup(ctx context.Context, dest string) (BackupInfo, error) {
	info := BackupInfo{Path: dest}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".partial-*")
	if err != nil {
		return info, fmt.Errorf("backup to %s: %w", dest, err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpPath)
			os.Remove(tmpPath + "-journal")
		}
	}()
	if err := s.backupTo(ctx, tmpPath, &info); err != nil {
		return info, fmt.Errorf("backup to %s: %w", dest, err)
	}
	if err := os.Rename(tmpPath, dest); err != nil {
		return info, fmt.Errorf("backup to %s: %w", dest, err)
	}
	done = true
	if d, err := os.Open(filepath.Dir(dest)); err == nil {
		d.Sync() // the rename itself reaches the disk
		d.Close()
	}
	if st, err := os.Stat(dest); err == nil {
		info.Bytes = st.Size()
	}
	return info, nil
}

func (s *Store) backupTo(ctx context.Context, path string, info *BackupInfo) error {
	dst, err := sql.Open("sqlite3", "file:"+path+"?_synchronous=FULL&_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer dst.Close()
	dconn, err := dst.Conn(ctx)
	if err != nil {
		return err
	}
	defer dconn.Close()
	sconn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	err = dconn.Raw(func(d any) error {
		return sconn.Raw(func(src any) error {
			dc, ok1 := d.(*sqlite3.SQLiteConn)
			sc, ok2 := src.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("not a go-sqlite3 connection")
			}
			b, err := dc.Backup("main", sc, "main")
			if err != nil {
				return err
			}
			// One step copies every page under one read transaction: a
			// snapshot, which in WAL mode does not hold up the station.
			finished, err := b.Step(-1)
			if ferr := b.Finish(); err == nil {
				err = ferr
			}
			if err == nil && !finished {
				err = errors.New("backup stopped before the last page")
			}
			return err
		})
	})
	sconn.Close() // give the store its one connection back
	if err != nil {
		return err
	}
	var mode, check string
	if err := dconn.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil {
		return err
	}
	if err := dconn.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		return err
	}
	if check != "ok" {
		return fmt.Errorf("the copy fails its integrity check: %s", check)
	}
	q := dconn.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM airings), (SELECT COUNT(*) FROM segments)")
	if err := q.Scan(&info.Airings, &info.Segments); err != nil {
		return err
	}
	var prev, hash sql.NullString
	err = dconn.QueryRowContext(ctx, "SELECT chain_seq, prev_hash, hash FROM airings WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1").
		Scan(&info.Last.Seq, &prev, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	info.Last.PrevHash, info.Last.Hash = prev.String, hash.String
	return nil
}
