-- Pins: the operator puts a segment in a given slot on a given day; it airs
-- first in that occurrence (approval and validity still apply).
CREATE TABLE pins (
    segment_id INTEGER NOT NULL REFERENCES segments (id),
    day        TEXT    NOT NULL, -- YYYY-MM-DD in the station's zone
    slot       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (segment_id, day, slot)
);
CREATE INDEX pins_by_day ON pins (day, slot);
