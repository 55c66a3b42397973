-- Leading and trailing silence of each segment (below -60 dBFS), measured at
-- import, so that audio.trim_silence can cut them and the planner count the
-- length that airs. NULL: not measured (imported before this migration);
-- such a segment plays whole until `segments analyze` measures it.
ALTER TABLE segments ADD COLUMN silence_start_ms INTEGER;
ALTER TABLE segments ADD COLUMN silence_end_ms INTEGER;
