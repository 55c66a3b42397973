-- A bulletin's file name as uploaded, the zones of the target communes it
-- plays in (empty: every zone) and when it is valid (NULL: open-ended).
ALTER TABLE bulletins ADD COLUMN file_name  text   NOT NULL DEFAULT '';
ALTER TABLE bulletins ADD COLUMN zones      text[] NOT NULL DEFAULT '{}';
ALTER TABLE bulletins ADD COLUMN valid_from bigint;
ALTER TABLE bulletins ADD COLUMN valid_to   bigint;
ALTER TABLE bulletins ADD CONSTRAINT bulletins_validity CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to);
