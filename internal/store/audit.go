package store

import (
	"context"
	"fmt"
	"time"
)

// Audit actions.
const (
	ActionLoad    = "load"
	ActionApprove = "approve"
	ActionPin     = "pin"
	ActionUnpin   = "unpin"
	ActionPlay    = "play"
	ActionUrgent  = "emergency"
	ActionRetire  = "retire"
	ActionLogin   = "login"
	ActionLogout  = "logout"
	ActionReject  = "reject"
	ActionEdit    = "edit"
	ActionControl = "control"
	ActionUser    = "user"
	ActionConfig  = "config"
	ActionSilence = "silence" // segments analyze measured a segment's silence
	ActionBackup  = "backup"
)

// AuditEntry is one row of the audit trail.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Action string    `json:"action"`
	Object string    `json:"object"`
	Detail string    `json:"detail"`
}

// Audit records what a person did. Rows are never changed or deleted.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	_, err := s.db.ExecContext(ctx, "INSERT INTO audit (at, user_name, action, object, detail) VALUES (?, ?, ?, ?, ?)",
		e.At.UnixMilli(), e.User, e.Action, e.Object, e.Detail)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", e.Action, e.Object, MarkDiskFull(err))
	}
	return nil
}

// AuditTrail returns the latest entries, newest first (at most limit).
func (s *Store) AuditTrail(ctx context.Context, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id, at, user_name, action, object, detail FROM audit ORDER BY id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.User, &e.Action, &e.Object, &e.Detail); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
