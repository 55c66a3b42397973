-- Segments: the library. Times are Unix milliseconds (UTC).
CREATE TABLE segments (
    id             INTEGER PRIMARY KEY,
    title          TEXT    NOT NULL,
    path           TEXT    NOT NULL,
    sha256         TEXT    NOT NULL UNIQUE,
    duration_ms    INTEGER NOT NULL CHECK (duration_ms > 0),
    sample_rate    INTEGER NOT NULL,
    channels       INTEGER NOT NULL,
    bit_depth      INTEGER NOT NULL,
    loudness_lufs  REAL,
    true_peak_dbtp REAL,
    priority       TEXT    NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'priority', 'emergency')),
    valid_from     TEXT    NOT NULL DEFAULT '',
    valid_until    TEXT    NOT NULL DEFAULT '',
    approved       INTEGER NOT NULL DEFAULT 0,
    approved_by    TEXT    NOT NULL DEFAULT '',
    approved_at    INTEGER,
    retired        INTEGER NOT NULL DEFAULT 0,
    imported_at    INTEGER NOT NULL
);

CREATE TABLE segment_topics (
    segment_id INTEGER NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    topic      TEXT    NOT NULL,
    PRIMARY KEY (segment_id, topic)
);

-- The airing log. A row is inserted as 'open' before the first sample plays
-- and closed exactly once; closed rows are never updated or deleted.
-- segment_id carries no foreign key: the log outlives the library.
CREATE TABLE airings (
    id           INTEGER PRIMARY KEY,
    segment_id   INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    topics       TEXT    NOT NULL, -- comma-separated topic codes
    slot         TEXT    NOT NULL,
    scheduled_at INTEGER NOT NULL,
    started_at   INTEGER,
    ended_at     INTEGER,
    played_ms    INTEGER NOT NULL DEFAULT 0,
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL CHECK (status IN ('open', 'completed', 'interrupted', 'missed', 'failed')),
    reason       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX airings_by_scheduled ON airings (scheduled_at);
CREATE INDEX airings_open ON airings (status) WHERE status = 'open';

CREATE TRIGGER airings_never_deleted BEFORE DELETE ON airings
BEGIN
    SELECT RAISE(ABORT, 'airing log rows are never deleted');
END;

CREATE TRIGGER airings_closed_are_final BEFORE UPDATE ON airings
WHEN OLD.status <> 'open'
BEGIN
    SELECT RAISE(ABORT, 'closed airing log rows are never updated');
END;

CREATE TRIGGER airings_insert_open_or_final BEFORE INSERT ON airings
WHEN NEW.status = 'open' AND NEW.started_at IS NULL
BEGIN
    SELECT RAISE(ABORT, 'an open airing needs started_at');
END;

-- Small station state: e.g. up to when the timetable has been handled.
CREATE TABLE station_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
