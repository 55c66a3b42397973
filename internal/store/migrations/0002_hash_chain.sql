-- The tamper-evident log: every airing gets, when it is closed, its place in
-- the chain (chain_seq: 1, 2, 3… in the order rows were closed), the hash of
-- the row closed before it (prev_hash; 64 zeros for the first) and its own
-- hash = hex(SHA-256(prev_hash || "\n" || canonical line of the row)); see
-- store/chain.go for the canonical line. Open rows have none of the three.
ALTER TABLE airings ADD COLUMN chain_seq INTEGER;
ALTER TABLE airings ADD COLUMN prev_hash TEXT;
ALTER TABLE airings ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX airings_chain ON airings (chain_seq);

-- Rows closed before this migration are chained in id order by a Go step
-- run at the marker below, inside this migration's transaction. The update
-- trigger is lifted for that step only and re-created unchanged after it, so
-- closed rows stay strictly immutable.
DROP TRIGGER airings_closed_are_final;
-- step: chain-closed-rows
CREATE TRIGGER airings_closed_are_final BEFORE UPDATE ON airings
WHEN OLD.status <> 'open'
BEGIN
    SELECT RAISE(ABORT, 'closed airing log rows are never updated');
END;
