-- The province's database: every station table of internal/store, with the
-- commune's code on every row, and the province's own tables (communes,
-- bulletins). Times are Unix milliseconds (UTC), as in the stations'
-- SQLite, so that a shipped airing's canonical line (store/chain.go) is
-- the same here.

CREATE TABLE segments (
    id               bigserial PRIMARY KEY,
    commune          text    NOT NULL,
    title            text    NOT NULL,
    path             text    NOT NULL,
    sha256           text    NOT NULL,
    duration_ms      bigint  NOT NULL CHECK (duration_ms > 0),
    sample_rate      integer NOT NULL,
    channels         integer NOT NULL,
    bit_depth        integer NOT NULL,
    loudness_lufs    double precision,
    true_peak_dbtp   double precision,
    priority         text    NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'priority', 'emergency')),
    valid_from       text    NOT NULL DEFAULT '',
    valid_until      text    NOT NULL DEFAULT '',
    approved         boolean NOT NULL DEFAULT false,
    approved_by      text    NOT NULL DEFAULT '',
    approved_at      bigint,
    retired          boolean NOT NULL DEFAULT false,
    imported_at      bigint  NOT NULL,
    silence_start_ms bigint,
    silence_end_ms   bigint,
    UNIQUE (commune, sha256)
);
CREATE INDEX segments_by_commune ON segments (commune, id);

CREATE TABLE segment_topics (
    commune    text   NOT NULL,
    segment_id bigint NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    topic      text   NOT NULL,
    PRIMARY KEY (segment_id, topic)
);

CREATE TABLE segment_review (
    commune       text   NOT NULL,
    segment_id    bigint PRIMARY KEY REFERENCES segments (id) ON DELETE CASCADE,
    uploaded_by   text   NOT NULL DEFAULT '',
    rejected_by   text   NOT NULL DEFAULT '',
    rejected_at   bigint,
    reject_reason text   NOT NULL DEFAULT ''
);

-- The airing log of every commune: the rows a commune's Store writes, and
-- the closed rows stations ship (IngestAirings), with the ids, links and
-- hashes they have at the station. A row is closed exactly once; closed
-- rows are never updated or deleted.
CREATE TABLE airings (
    commune      text   NOT NULL,
    id           bigint NOT NULL,
    segment_id   bigint NOT NULL,
    title        text   NOT NULL,
    topics       text   NOT NULL, -- comma-separated topic codes, as hashed
    zone         text   NOT NULL DEFAULT 'chung',
    slot         text   NOT NULL,
    scheduled_at bigint NOT NULL,
    started_at   bigint,
    ended_at     bigint,
    played_ms    bigint NOT NULL DEFAULT 0,
    duration_ms  bigint NOT NULL DEFAULT 0,
    status       text   NOT NULL CHECK (status IN ('open', 'completed', 'interrupted', 'missed', 'failed')),
    reason       text   NOT NULL DEFAULT '',
    chain_seq    bigint,
    prev_hash    text,
    hash         text,
    PRIMARY KEY (commune, id),
    CHECK ((status = 'open') = (chain_seq IS NULL)),
    CHECK (status <> 'open' OR started_at IS NOT NULL)
);
CREATE UNIQUE INDEX airings_chain ON airings (commune, chain_seq);
CREATE INDEX airings_by_scheduled ON airings (commune, scheduled_at);
CREATE INDEX airings_open ON airings (commune) WHERE status = 'open';
-- The province report: one month of every commune, read from the index
-- alone (an index-only scan once the table is vacuumed).
CREATE INDEX airings_report ON airings (scheduled_at) INCLUDE (commune, status, played_ms, topics) WHERE status <> 'open';

CREATE FUNCTION airings_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'airing log rows are never deleted (commune %, airing %)', OLD.commune, OLD.id;
    END IF;
    IF OLD.status <> 'open' THEN
        RAISE EXCEPTION 'closed airing log rows are never updated (commune %, airing %)', OLD.commune, OLD.id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER airings_guard BEFORE UPDATE OR DELETE ON airings
    FOR EACH ROW EXECUTE FUNCTION airings_guard();

CREATE TABLE station_state (
    commune text NOT NULL,
    key     text NOT NULL,
    value   text NOT NULL,
    PRIMARY KEY (commune, key)
);

CREATE TABLE pins (
    commune    text   NOT NULL,
    segment_id bigint NOT NULL REFERENCES segments (id),
    day        text   NOT NULL,
    slot       text   NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (commune, segment_id, day, slot)
);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    commune       text    NOT NULL,
    name          text    NOT NULL,
    role          text    NOT NULL,
    password_hash text    NOT NULL, -- bcrypt
    created_at    bigint  NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    full_name     text    NOT NULL DEFAULT '',
    job_title     text    NOT NULL DEFAULT '',
    UNIQUE (commune, name)
);

CREATE TABLE sessions (
    token_hash text   PRIMARY KEY, -- SHA-256 of the cookie's token
    commune    text   NOT NULL,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       text   NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (commune, expires_at);

CREATE TABLE audit (
    id        bigserial PRIMARY KEY,
    commune   text   NOT NULL,
    at        bigint NOT NULL,
    user_name text   NOT NULL,
    action    text   NOT NULL,
    object    text   NOT NULL DEFAULT '',
    detail    text   NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_commune ON audit (commune, id);

CREATE FUNCTION audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are never changed or deleted';
END $$;
CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_guard();

-- The province's communes. A station authenticates with a 256-bit random
-- token; only its SHA-256 is kept.
CREATE TABLE communes (
    code         text   PRIMARY KEY CHECK (code <> ''),
    name         text   NOT NULL,
    token_hash   text   NOT NULL UNIQUE,
    created_at   bigint NOT NULL,
    last_sync_at bigint
);

-- Bulletins the province sends down, at the three levels of Circular
-- 39/2020/TT-BTTTT: normal (thông thường), priority (ưu tiên), emergency
-- (khẩn cấp); the audio is kept in the database, addressed by its SHA-256.
CREATE TABLE bulletins (
    id         bigserial PRIMARY KEY,
    level      text   NOT NULL CHECK (level IN ('normal', 'priority', 'emergency')),
    title      text   NOT NULL,
    topics     text[] NOT NULL DEFAULT '{}',
    sha256     text   NOT NULL,
    audio      bytea  NOT NULL,
    created_at bigint NOT NULL,
    created_by text   NOT NULL DEFAULT ''
);

CREATE TABLE bulletin_targets (
    commune     text   NOT NULL REFERENCES communes (code),
    bulletin_id bigint NOT NULL REFERENCES bulletins (id) ON DELETE CASCADE,
    PRIMARY KEY (commune, bulletin_id)
);
