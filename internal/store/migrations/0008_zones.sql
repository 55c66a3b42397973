-- Zones: a commune's loudspeaker network in parts that each play their own
-- programme at the same time. Every airing belongs to one zone; the rows
-- logged before zones existed belong to the one zone of those days, chung.
-- The hash chain covers the zone (store/chain.go): a row of zone chung
-- hashes as before, so every chain of today still verifies.
ALTER TABLE airings ADD COLUMN zone TEXT NOT NULL DEFAULT 'chung';

-- A slot occurrence is aired once per zone: HasScheduled asks by zone.
CREATE INDEX airings_by_zone ON airings (zone, scheduled_at);

-- The running totals (0006) are kept per zone: a monthly target applies to
-- each zone, and reports give each zone's figures beside the commune's.
DROP TRIGGER airings_tally_inserted;
DROP TRIGGER airings_tally_closed;

CREATE TABLE tally_days_zoned (
    day       INTEGER NOT NULL,
    zone      TEXT    NOT NULL,
    topics    TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    airings   INTEGER NOT NULL,
    played_ms INTEGER NOT NULL,
    PRIMARY KEY (day, zone, topics, status)
) WITHOUT ROWID;
INSERT INTO tally_days_zoned (day, zone, topics, status, airings, played_ms)
SELECT day, 'chung', topics, status, airings, played_ms FROM tally_days;
DROP TABLE tally_days;
ALTER TABLE tally_days_zoned RENAME TO tally_days;

CREATE TABLE tally_segments_zoned (
    month      INTEGER NOT NULL,
    zone       TEXT    NOT NULL,
    topics     TEXT    NOT NULL,
    segment_id INTEGER NOT NULL,
    PRIMARY KEY (month, zone, topics, segment_id)
) WITHOUT ROWID;
INSERT INTO tally_segments_zoned (month, zone, topics, segment_id)
SELECT month, 'chung', topics, segment_id FROM tally_segments;
DROP TABLE tally_segments;
ALTER TABLE tally_segments_zoned RENAME TO tally_segments;

CREATE TRIGGER airings_tally_inserted AFTER INSERT ON airings
WHEN NEW.status <> 'open'
BEGIN
    INSERT INTO tally_days (day, zone, topics, status, airings, played_ms)
    VALUES ((NEW.scheduled_at + (SELECT offset_ms FROM tally_zone)) / 86400000, NEW.zone, NEW.topics, NEW.status, 1, NEW.played_ms)
    ON CONFLICT (day, zone, topics, status) DO UPDATE SET airings = airings + 1, played_ms = played_ms + excluded.played_ms;
    INSERT OR IGNORE INTO tally_segments (month, zone, topics, segment_id)
    SELECT CAST(strftime('%Y%m', (NEW.scheduled_at + offset_ms) / 1000, 'unixepoch') AS INTEGER), NEW.zone, NEW.topics, NEW.segment_id
    FROM tally_zone WHERE NEW.status = 'completed';
END;

CREATE TRIGGER airings_tally_closed AFTER UPDATE OF status ON airings
WHEN OLD.status = 'open' AND NEW.status <> 'open'
BEGIN
    INSERT INTO tally_days (day, zone, topics, status, airings, played_ms)
    VALUES ((NEW.scheduled_at + (SELECT offset_ms FROM tally_zone)) / 86400000, NEW.zone, NEW.topics, NEW.status, 1, NEW.played_ms)
    ON CONFLICT (day, zone, topics, status) DO UPDATE SET airings = airings + 1, played_ms = played_ms + excluded.played_ms;
    INSERT OR IGNORE INTO tally_segments (month, zone, topics, segment_id)
    SELECT CAST(strftime('%Y%m', (NEW.scheduled_at + offset_ms) / 1000, 'unixepoch') AS INTEGER), NEW.zone, NEW.topics, NEW.segment_id
    FROM tally_zone WHERE NEW.status = 'completed';
END;

-- The incidents a report lists, with their zone.
DROP INDEX airings_incidents;
CREATE INDEX airings_incidents ON airings
    (scheduled_at, id, segment_id, title, topics, slot, started_at, ended_at, played_ms, duration_ms, status, reason, zone)
    WHERE status IN ('interrupted', 'missed', 'failed');
