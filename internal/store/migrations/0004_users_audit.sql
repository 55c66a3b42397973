-- Accounts of the web app, their sessions, and the audit trail of what each
-- person did. Times are Unix milliseconds (UTC).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL CHECK (role IN ('operator', 'approver', 'viewer')),
    password_hash TEXT    NOT NULL, -- bcrypt
    created_at    INTEGER NOT NULL
);

-- A session's token is given to the browser once, in a cookie; only its
-- SHA-256 is stored, so a copy of the database logs nobody in.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Who loaded, approved, pinned, played or retired what, and when.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    user_name TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    object    TEXT    NOT NULL DEFAULT '',
    detail    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_at ON audit (at);

CREATE TRIGGER audit_never_changed BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit rows are never changed');
END;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit rows are never deleted');
END;
