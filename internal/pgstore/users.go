package pgstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/truyenthanh/cchc/internal/store"
)

func (s *Store) cost() int {
	if s.db.hashCost == 0 {
		return store.BcryptCost
	}
	return s.db.hashCost
}

// AddUser stores a new user of the commune with a bcrypt hash of the
// password.
func (s *Store) AddUser(ctx context.Context, name, role, password string, at time.Time) (store.User, error) {
	if !store.ValidRole(role) {
		return store.User{}, fmt.Errorf("role %q: want operator, approver or viewer", role)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost())
	if err != nil {
		return store.User{}, fmt.Errorf("hash password: %w", err)
	}
	var id int64
	err = s.db.pool.QueryRow(ctx, "INSERT INTO users (commune, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		s.commune, name, role, string(hash), at.UnixMilli()).Scan(&id)
	if isUnique(err) {
		return store.User{}, fmt.Errorf("user %q: %w", name, store.ErrExists)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("add user %q: %w", name, err)
	}
	return store.User{ID: id, Name: name, Role: role, Created: at}, nil
}

// SetPassword replaces a user's password and ends the user's sessions.
func (s *Store) SetPassword(ctx context.Context, name, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost())
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.updateUserEndingSessions(ctx, name, "UPDATE users SET password_hash = $3 WHERE commune = $1 AND name = $2", string(hash))
}

// SetDisabled disables (or enables again) an account; disabling ends its
// sessions.
func (s *Store) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return s.updateUserEndingSessions(ctx, name, "UPDATE users SET disabled = $3 WHERE commune = $1 AND name = $2", disabled)
}

// SetProfile sets the full name and job title shown for a user.
func (s *Store) SetProfile(ctx context.Context, name, fullName, jobTitle string) error {
	tag, err := s.db.pool.Exec(ctx, "UPDATE users SET full_name = $3, job_title = $4 WHERE commune = $1 AND name = $2", s.commune, name, fullName, jobTitle)
	if err != nil {
		return fmt.Errorf("set profile of %q: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("user %q: %w", name, store.ErrNotFound)
	}
	return nil
}

func (s *Store) updateUserEndingSessions(ctx context.Context, name, stmt string, arg any) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, stmt, s.commune, name, arg)
		if err != nil {
			return fmt.Errorf("update user %q: %w", name, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("user %q: %w", name, store.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE commune = $1 AND name = $2)", s.commune, name); err != nil {
			return fmt.Errorf("end sessions of %q: %w", name, err)
		}
		return nil
	})
}

// dummyHash is compared against for an unknown name, so that it takes as
// long as a wrong password (a bcrypt hash at BcryptCost of a string no one
// uses; the same as the SQLite store's).
const dummyHash = "$2a$12$CNGXFvAWpf9XdGd9vKnaceuRqldDczDlNhbmoQddhQNzAxpLOl33u"

// CheckPassword returns the commune's user when name and password match,
// else ErrBadPassword; ErrDisabled for a disabled account.
func (s *Store) CheckPassword(ctx context.Context, name, password string) (store.User, error) {
	var u store.User
	var hash string
	var created int64
	err := s.db.pool.QueryRow(ctx, "SELECT id, name, role, password_hash, created_at, disabled, full_name, job_title FROM users WHERE commune = $1 AND name = $2",
		s.commune, name).Scan(&u.ID, &u.Name, &u.Role, &hash, &created, &u.Disabled, &u.FullName, &u.JobTitle)
	if errors.Is(err, pgx.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(password))
		return store.User{}, store.ErrBadPassword
	}
	if err != nil {
		return store.User{}, fmt.Errorf("look up user %q: %w", name, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return store.User{}, store.ErrBadPassword
	}
	if u.Disabled {
		return store.User{}, store.ErrDisabled
	}
	u.Created = time.UnixMilli(created)
	return u, nil
}

// Users lists the commune's accounts by name.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.db.pool.Query(ctx, "SELECT id, name, role, created_at, disabled, full_name, job_title FROM users WHERE commune = $1 ORDER BY name", s.commune)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		var u store.User
		var created int64
		if err := rows.Scan(&u.ID, &u.Name, &u.Role, &created, &u.Disabled, &u.FullName, &u.JobTitle); err != nil {
			return nil, err
		}
		u.Created = time.UnixMilli(created)
		out = append(out, u)
	}
	return out, rows.Err()
}

// randomToken is 32 random bytes in hex.
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

// CreateSession opens a session for a user of the commune, valid for ttl,
// and clears the commune's expired sessions.
func (s *Store) CreateSession(ctx context.Context, u store.User, now time.Time, ttl time.Duration) (store.Session, error) {
	token, err := randomToken()
	if err != nil {
		return store.Session{}, fmt.Errorf("session token: %w", err)
	}
	csrf, err := randomToken()
	if err != nil {
		return store.Session{}, fmt.Errorf("csrf token: %w", err)
	}
	exp := now.Add(ttl)
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE commune = $1 AND expires_at <= $2", s.commune, now.UnixMilli()); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, commune, user_id, csrf, created_at, expires_at)
			SELECT $1, commune, id, $4, $5, $6 FROM users WHERE commune = $2 AND id = $3`,
			tokenHash(token), s.commune, u.ID, csrf, now.UnixMilli(), exp.UnixMilli())
		if err == nil && tag.RowsAffected() == 0 {
			err = fmt.Errorf("user %d: %w", u.ID, store.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return store.Session{}, fmt.Errorf("create session for %q: %w", u.Name, err)
	}
	return store.Session{Token: token, CSRF: csrf, User: u, Expires: exp}, nil
}

// SessionByToken returns the live session of a token in this commune, or
// ErrNotFound.
func (s *Store) SessionByToken(ctx context.Context, token string, now time.Time) (store.Session, error) {
	var sess store.Session
	var exp, created int64
	err := s.db.pool.QueryRow(ctx, `SELECT s.csrf, s.expires_at, u.id, u.name, u.role, u.created_at, u.full_name, u.job_title
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.commune = $2 AND s.expires_at > $3 AND NOT u.disabled`,
		tokenHash(token), s.commune, now.UnixMilli()).Scan(&sess.CSRF, &exp, &sess.User.ID, &sess.User.Name, &sess.User.Role, &created,
		&sess.User.FullName, &sess.User.JobTitle)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Session{}, fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("look up session: %w", err)
	}
	sess.Token = token
	sess.Expires = time.UnixMilli(exp)
	sess.User.Created = time.UnixMilli(created)
	return sess, nil
}

// DeleteSession ends a session of the commune; an unknown token is not an
// error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.db.pool.Exec(ctx, "DELETE FROM sessions WHERE token_hash = $1 AND commune = $2", tokenHash(token), s.commune); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Audit records what a person did in the commune (or the province).
func (s *Store) Audit(ctx context.Context, e store.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	_, err := s.db.pool.Exec(ctx, "INSERT INTO audit (commune, at, user_name, action, object, detail) VALUES ($1, $2, $3, $4, $5, $6)",
		s.commune, e.At.UnixMilli(), e.User, e.Action, e.Object, e.Detail)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", e.Action, e.Object, err)
	}
	return nil
}

// AuditTrail returns the commune's latest entries, newest first.
func (s *Store) AuditTrail(ctx context.Context, limit int) ([]store.AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.pool.Query(ctx, "SELECT id, at, user_name, action, object, detail FROM audit WHERE commune = $1 ORDER BY id DESC LIMIT $2", s.commune, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.User, &e.Action, &e.Object, &e.Detail); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
