-- The province tier (issue 16), station side. province_sync is one row:
-- how far the province has acknowledged this station's chain (last_seq,
-- the province's own ChainState after the last accepted batch), when that
-- was, and the last failure, for `scheduler sync` and the web app's
-- status. The province's ChainState is the truth; this is its last echo,
-- for when the province cannot be reached.
CREATE TABLE province_sync (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq      INTEGER NOT NULL DEFAULT 0,
    last_sync_at  INTEGER,          -- Unix ms of the last successful sync
    last_error    TEXT    NOT NULL DEFAULT '',
    last_error_at INTEGER
);
INSERT INTO province_sync (id) VALUES (1);

-- Bulletins the province sent down, one row per province bulletin id: the
-- level it came at, the audio's SHA-256, the segment it became and when it
-- was handled (imported; approved and pinned; or aired at once). A
-- bulletin fetched twice is found here (and its audio by its hash in the
-- library) and handled once. error holds why a bulletin could not be
-- handled; it is not retried once handled_at is set.
CREATE TABLE province_bulletins (
    bulletin_id INTEGER PRIMARY KEY,
    level       TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    segment_id  INTEGER,
    received_at INTEGER NOT NULL,
    handled_at  INTEGER,
    error       TEXT    NOT NULL DEFAULT ''
);
