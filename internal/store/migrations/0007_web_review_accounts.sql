-- The web app's review of segments and its account management.
--
-- segment_review: who loaded each segment through the web app, and an
-- approver's refusal ("Từ chối") with the reason the operator reads. A
-- refused segment is also retired (it never airs); loading the same file
-- again brings it back as pending, and the refusal stays on record.
CREATE TABLE segment_review (
    segment_id    INTEGER PRIMARY KEY REFERENCES segments (id) ON DELETE CASCADE,
    uploaded_by   TEXT    NOT NULL DEFAULT '',
    rejected_by   TEXT    NOT NULL DEFAULT '',
    rejected_at   INTEGER,
    reject_reason TEXT    NOT NULL DEFAULT ''
);

-- Accounts: a disabled account cannot log in and has no session; the full
-- name and job title are shown beside what the user approved.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
