-- Who heard a stream: for an airing on a stream output (an Icecast mount
-- feeding IP loudspeaker clusters), how many listeners the server counted
-- on the mount, the lower of its counts at the start and at the end of the
-- airing. NULL for every other output (a sound card, a file), for rows
-- written before this migration, and when the count could not be read.
-- It is written in the transaction that closes the row and is covered by
-- the row's hash when it is not NULL (store/chain.go), so that the hashes
-- of the rows closed before keep verifying.
ALTER TABLE airings ADD COLUMN listeners INTEGER;

-- The incidents index holds whole rows (reports read them from it alone):
-- it gains the new column.
DROP INDEX airings_incidents;
CREATE INDEX airings_incidents ON airings
    (scheduled_at, id, segment_id, title, topics, slot, started_at, ended_at, played_ms, duration_ms, status, reason, zone, listeners)
    WHERE status IN ('interrupted', 'missed', 'failed');
