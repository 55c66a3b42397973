package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles of the web app's users.
const (
	RoleOperator = "operator" // loads, schedules, plays
	RoleApprover = "approver" // approves segments
	RoleViewer   = "viewer"   // reads logs and reports
)

// ErrExists is returned when adding a user whose name is taken.
var ErrExists = errors.New("already exists")

// ErrBadPassword is returned for a wrong name or password (never saying which).
var ErrBadPassword = errors.New("wrong name or password")

// BcryptCost is the work factor of stored password hashes (SetHashCost
// lowers it for tests).
const BcryptCost = 12

// SetHashCost sets the bcrypt work factor of passwords set from now on
// (tests use bcrypt.MinCost); 0 restores BcryptCost.
func (s *Store) SetHashCost(cost int) { s.hashCost = cost }

func (s *Store) cost() int {
	if s.hashCost == 0 {
		return BcryptCost
	}
	return s.hashCost
}

// User is an account of the web app.
type User struct {
	ID      int64
	Name    string
	Role    string
	Created time.Time
	// Disabled accounts cannot log in; FullName and JobTitle are shown
	// beside what the user approved ("" when not given).
	Disabled           bool
	FullName, JobTitle string
}

// ErrDisabled is returned when a disabled account tries to log in.
var ErrDisabled = errors.New("account disabled")

// ValidRole reports whether r is one of the roles.
func ValidRole(r string) bool {
	return r == RoleOperator || r == RoleApprover || r == RoleViewer
}

// ValidUserName reports whether a name is usable as a login: 1–64
// characters, no spaces or control characters.
func ValidUserName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, r := range n {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// AddUser stores a new user with a bcrypt hash of the password.
func (s *Store) AddUser(ctx context.Context, name, role, password string, at time.Time) (User, error) {
	if !ValidRole(role) {
		return User{}, fmt.Errorf("role %q: want operator, approver or viewer", role)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost())
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	res, err := s.db.ExecContext(ctx, "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
		name, role, string(hash), at.UnixMilli())
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return User{}, fmt.Errorf("user %q: %w", name, ErrExists)
		}
		return User{}, fmt.Errorf("add user %q: %w", name, MarkDiskFull(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return User{}, err
	}
	return User{ID: id, Name: name, Role: role, Created: at}, nil
}

// SetPassword replaces a user's password and ends every session of the
// user, so that whoever knew the old one is logged out.
func (s *Store) SetPassword(ctx context.Context, name, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost())
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.updateUserEndingSessions(ctx, name, "UPDATE users SET password_hash = ? WHERE name = ?", string(hash), name)
}

// SetDisabled disables (or enables again) an account. Disabling ends every
// session of the user at once.
func (s *Store) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return s.updateUserEndingSessions(ctx, name, "UPDATE users SET disabled = ? WHERE name = ?", disabled, name)
}

// SetProfile sets the full name and job title shown for a user.
func (s *Store) SetProfile(ctx context.Context, name, fullName, jobTitle string) error {
	res, err := s.db.ExecContext(ctx, "UPDATE users SET full_name = ?, job_title = ? WHERE name = ?", fullName, jobTitle, name)
	if err != nil {
		return fmt.Errorf("set profile of %q: %w", name, MarkDiskFull(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	return nil
}

// updateUserEndingSessions runs stmt on a user and deletes the user's
// sessions, in one transaction.
func (s *Store) updateUserEndingSessions(ctx context.Context, name, stmt string, args ...any) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, stmt, args...)
		if err != nil {
			return fmt.Errorf("update user %q: %w", name, MarkDiskFull(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %q: %w", name, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)", name); err != nil {
			return fmt.Errorf("end sessions of %q: %w", name, MarkDiskFull(err))
		}
		return nil
	})
}

// dummyHash is compared against when the name is unknown, so that a wrong
// name takes as long as a wrong password.
// It is a bcrypt hash of a string no one uses, at BcryptCost.
const dummyHash = "$2a$12$CNGXFvAWpf9XdGd9vKnaceuRqldDczDlNhbmoQddhQNzAxpLOl33u"

// CheckPassword returns the user when name and password match, else
// ErrBadPassword; ErrDisabled when they match a disabled account.
func (s *Store) CheckPassword(ctx context.Context, name, password string) (User, error) {
	var u User
	var hash string
	var created int64
	err := s.db.QueryRowContext(ctx, "SELECT id, name, role, password_hash, created_at, disabled, full_name, job_title FROM users WHERE name = ?", name).
		Scan(&u.ID, &u.Name, &u.Role, &hash, &created, &u.Disabled, &u.FullName, &u.JobTitle)
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(password))
		return User{}, ErrBadPassword
	}
	if err != nil {
		return User{}, fmt.Errorf("look up user %q: %w", name, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return User{}, ErrBadPassword
	}
	if u.Disabled {
		return User{}, ErrDisabled
	}
	u.Created = time.UnixMilli(created)
	return u, nil
}

// Users lists the accounts by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, name, role, created_at, disabled, full_name, job_title FROM users ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var created int64
		if err := rows.Scan(&u.ID, &u.Name, &u.Role, &created, &u.Disabled, &u.FullName, &u.JobTitle); err != nil {
			return nil, err
		}
		u.Created = time.UnixMilli(created)
		out = append(out, u)
	}
	return out, rows.Err()
}
