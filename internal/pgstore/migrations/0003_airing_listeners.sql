-- The stream listeners counted for an airing (the station's migration
-- 0009): NULL for an airing on sound cards only. Hashed, when not NULL,
-- after the zone (store/chain.go).
ALTER TABLE airings ADD COLUMN listeners integer CHECK (listeners >= 0);
