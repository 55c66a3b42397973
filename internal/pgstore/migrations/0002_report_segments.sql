-- The province report counts, like the station's report, the distinct
-- segments of the completed airings: the report's index covers segment_id
-- too, so that the report stays an index-only scan.
DROP INDEX airings_report;
CREATE INDEX airings_report ON airings (scheduled_at) INCLUDE (commune, status, played_ms, topics, segment_id) WHERE status <> 'open';
