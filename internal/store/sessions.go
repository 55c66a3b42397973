package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Session is a logged-in browser. Token is only known when the session is
// created: the database keeps its SHA-256.
type Session struct {
	Token   string
	CSRF    string
	User    User
	Expires time.Time
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateSession opens a session for the user, valid for ttl from now, and
// clears expired sessions.
func (s *Store) CreateSession(ctx context.Context, u User, now time.Time, ttl time.Duration) (Session, error) {
	token, err := randomToken()
	if err != nil {
		return Session{}, fmt.Errorf("session token: %w", err)
	}
	csrf, err := randomToken()
	if err != nil {
		return Session{}, fmt.Errorf("csrf token: %w", err)
	}
	exp := now.Add(ttl)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", now.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			tokenHash(token), u.ID, csrf, now.UnixMilli(), exp.UnixMilli())
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("create session for %q: %w", u.Name, err)
	}
	return Session{Token: token, CSRF: csrf, User: u, Expires: exp}, nil
}

// SessionByToken returns the live session of a token, or ErrNotFound when
// there is none or it has expired.
func (s *Store) SessionByToken(ctx context.Context, token string, now time.Time) (Session, error) {
	var sess Session
	var exp, created int64
	err := s.db.QueryRowContext(ctx, `SELECT s.csrf, s.expires_at, u.id, u.name, u.role, u.created_at, u.full_name, u.job_title
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`,
		tokenHash(token), now.UnixMilli()).Scan(&sess.CSRF, &exp, &sess.User.ID, &sess.User.Name, &sess.User.Role, &created,
		&sess.User.FullName, &sess.User.JobTitle)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("look up session: %w", err)
	}
	sess.Token = token
	sess.Expires = time.UnixMilli(exp)
	sess.User.Created = time.UnixMilli(created)
	return sess, nil
}

// DeleteSession ends a session (logging out). An unknown token is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash(token))
	if err != nil {
		return fmt.Errorf("delete session: %w", MarkDiskFull(err))
	}
	return nil
}
