-- Running totals of the closed airings, kept by the database itself, so
-- that a report over a long, busy log reads a few thousand rows instead of
-- every airing of its period. They are written by triggers in the very
-- transaction that closes an airing (closed rows never change afterwards,
-- so the totals never go stale), and filled here from the rows already
-- closed. Reports still read the airings themselves for the incidents they
-- list and the XLSX airing sheet.
--
-- Days are the station's calendar days: (scheduled_at + offset) / 1 day,
-- with the zone's offset from UTC in tally_zone (+07:00, Asia/Ho_Chi_Minh,
-- which has no daylight saving time). A station configured in another
-- zone gets its reports from the airings directly (store/summary.go).
CREATE TABLE tally_zone (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    offset_ms INTEGER NOT NULL
);
INSERT INTO tally_zone (id, offset_ms) VALUES (1, 25200000);

-- Airings and played time per day, set of topics (as stored) and status.
CREATE TABLE tally_days (
    day       INTEGER NOT NULL,
    topics    TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    airings   INTEGER NOT NULL,
    played_ms INTEGER NOT NULL,
    PRIMARY KEY (day, topics, status)
) WITHOUT ROWID;

-- The segments that completed an airing, per month (YYYYMM, in the same
-- zone) and set of topics: what the distinct-segment counts of month,
-- quarter and year reports are made of. (An ad-hoc period that is not
-- whole months counts its segments from the airings.)
CREATE TABLE tally_segments (
    month      INTEGER NOT NULL,
    topics     TEXT    NOT NULL,
    segment_id INTEGER NOT NULL,
    PRIMARY KEY (month, topics, segment_id)
) WITHOUT ROWID;

CREATE TRIGGER airings_tally_inserted AFTER INSERT ON airings
WHEN NEW.status <> 'open'
BEGIN
    INSERT INTO tally_days (day, topics, status, airings, played_ms)
    VALUES ((NEW.scheduled_at + (SELECT offset_ms FROM tally_zone)) / 86400000, NEW.topics, NEW.status, 1, NEW.played_ms)
    ON CONFLICT (day, topics, status) DO UPDATE SET airings = airings + 1, played_ms = played_ms + excluded.played_ms;
    INSERT OR IGNORE INTO tally_segments (month, topics, segment_id)
    SELECT CAST(strftime('%Y%m', (NEW.scheduled_at + offset_ms) / 1000, 'unixepoch') AS INTEGER), NEW.topics, NEW.segment_id
    FROM tally_zone WHERE NEW.status = 'completed';
END;

CREATE TRIGGER airings_tally_closed AFTER UPDATE OF status ON airings
WHEN OLD.status = 'open' AND NEW.status <> 'open'
BEGIN
    INSERT INTO tally_days (day, topics, status, airings, played_ms)
    VALUES ((NEW.scheduled_at + (SELECT offset_ms FROM tally_zone)) / 86400000, NEW.topics, NEW.status, 1, NEW.played_ms)
    ON CONFLICT (day, topics, status) DO UPDATE SET airings = airings + 1, played_ms = played_ms + excluded.played_ms;
    INSERT OR IGNORE INTO tally_segments (month, topics, segment_id)
    SELECT CAST(strftime('%Y%m', (NEW.scheduled_at + offset_ms) / 1000, 'unixepoch') AS INTEGER), NEW.topics, NEW.segment_id
    FROM tally_zone WHERE NEW.status = 'completed';
END;

INSERT INTO tally_days (day, topics, status, airings, played_ms)
SELECT (scheduled_at + 25200000) / 86400000, topics, status, COUNT(*), SUM(played_ms)
FROM airings WHERE status <> 'open' GROUP BY 1, 2, 3;
INSERT INTO tally_segments (month, topics, segment_id)
SELECT DISTINCT CAST(strftime('%Y%m', (scheduled_at + 25200000) / 1000, 'unixepoch') AS INTEGER), topics, segment_id
FROM airings WHERE status = 'completed';

-- The incidents a report lists (interrupted, missed, failed) are a few
-- percent of the log: this index holds them whole, in time order, so a
-- report reads them from a few pages instead of one page per row.
CREATE INDEX airings_incidents ON airings
    (scheduled_at, id, segment_id, title, topics, slot, started_at, ended_at, played_ms, duration_ms, status, reason)
    WHERE status IN ('interrupted', 'missed', 'failed');
