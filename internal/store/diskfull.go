package store

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

// ErrDiskFull is returned, wrapped around the cause, when a write failed
// because the disk holding the database (or a file beside it) is full:
// SQLite's SQLITE_FULL ("database or disk is full") or the system's ENOSPC
// (also when opening the database cannot create its WAL index).
// SQLite rolls the transaction back, so nothing stored has changed; the
// same write can be made again once space is freed.
var ErrDiskFull = errors.New("disk full")

// MarkDiskFull wraps err with ErrDiskFull when it says the disk is full, and
// returns it unchanged otherwise (nil stays nil). Callers branch on
// errors.Is(err, ErrDiskFull).
func MarkDiskFull(err error) error {
	if err == nil || errors.Is(err, ErrDiskFull) {
		return err
	}
	var se sqlite3.Error
	// SQLite says SQLITE_FULL when a write finds no room, and an I/O error
	// carrying ENOSPC when it cannot even create its WAL index (an open).
	if (errors.As(err, &se) && (se.Code == sqlite3.ErrFull || se.SystemErrno == syscall.ENOSPC)) || errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}
