package pgstore

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Counts are a group's closed airings by status, the time the completed
// ones played and the distinct segments they aired: the figures of the
// station's report (internal/report), which counts delivered minutes and
// segments over completed airings only.
type Counts struct {
	Completed, Interrupted, Failed, Missed int64
	// CompletedMS is the time the completed airings played, in
	// milliseconds (the partial play of an interrupted airing is not
	// delivered time).
	CompletedMS int64
	// Segments is how many distinct segments completed an airing.
	Segments int64
}

// Airings is how many airings the counts hold.
func (c Counts) Airings() int64 { return c.Completed + c.Interrupted + c.Failed + c.Missed }

// TopicCounts are the counts of the airings of one topic ("" for airings
// without topics). An airing of two topics counts under each.
type TopicCounts struct {
	Topic string
	Counts
}

// CommuneCounts are one commune's counts, by topic (sorted) and in total
// (each airing and each segment once).
type CommuneCounts struct {
	Commune string
	Topics  []TopicCounts
	Totals  Counts
}

// ProvinceReport sums up the closed airings scheduled in [From, To) of
// every commune. Communes without airings in the period are not in it
// (db.Communes lists them all, with their last sync).
type ProvinceReport struct {
	From, To time.Time
	Communes []CommuneCounts // by code
	Topics   []TopicCounts   // the province's, by topic
	Totals   Counts          // the province's, each airing once
}

// ReportQuery is the report's one query, a GROUPING SETS over the
// airings ($1, $2: the period's bounds in Unix ms; exported for the
// benchmark that runs it in psql). Each airing is unnested into one row per
// topic ("" when it has none), numbered. The sets are (commune, topic),
// a commune's topic rows, and (commune), its totals row (topic NULL). A
// topic row reads the all_* columns (every row of the topic); a totals row
// the first_* columns (each airing's first topic only: each airing once,
// however many topics it has). Distinct segments are counted per set, so a
// segment aired under two topics is one segment in the commune's totals.
// The province's figures are the sums of the communes' (segment ids are
// each station's own). The airings_report index holds every column it
// reads (an index-only scan), and one sort by (commune, topic) serves both
// sets; codes are compared bytewise (COLLATE "C": the order Go sorts in,
// and much cheaper than a language's collation).
const ReportQuery = `SELECT a.commune COLLATE "C", t.topic COLLATE "C",
	count(*) FILTER (WHERE a.status = 'completed') AS all_completed,
	count(*) FILTER (WHERE a.status = 'interrupted') AS all_interrupted,
	count(*) FILTER (WHERE a.status = 'failed') AS all_failed,
	count(*) FILTER (WHERE a.status = 'missed') AS all_missed,
	COALESCE(sum(a.played_ms) FILTER (WHERE a.status = 'completed'), 0) AS all_completed_ms,
	count(*) FILTER (WHERE t.n = 1 AND a.status = 'completed') AS first_completed,
	count(*) FILTER (WHERE t.n = 1 AND a.status = 'interrupted') AS first_interrupted,
	count(*) FILTER (WHERE t.n = 1 AND a.status = 'failed') AS first_failed,
	count(*) FILTER (WHERE t.n = 1 AND a.status = 'missed') AS first_missed,
	COALESCE(sum(a.played_ms) FILTER (WHERE t.n = 1 AND a.status = 'completed'), 0) AS first_completed_ms,
	count(DISTINCT a.segment_id) FILTER (WHERE a.status = 'completed') AS segments
FROM airings a
CROSS JOIN LATERAL unnest(CASE WHEN a.topics = '' THEN ARRAY[''] ELSE string_to_array(a.topics, ',') END) WITH ORDINALITY AS t(topic, n)
WHERE a.scheduled_at >= $1 AND a.scheduled_at < $2 AND a.status <> 'open'
GROUP BY GROUPING SETS ((a.commune COLLATE "C", t.topic COLLATE "C"), (a.commune COLLATE "C"))
ORDER BY 1, 2 NULLS FIRST`

// Report is the province report of the airings scheduled in [from, to):
// per commune and topic, per commune, per topic and for the province, from
// one query (ReportQuery).
func (db *DB) Report(ctx context.Context, from, to time.Time) (ProvinceReport, error) {
	rep := ProvinceReport{From: from, To: to}
	rows, err := db.pool.Query(ctx, ReportQuery, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return rep, fmt.Errorf("province report: %w", err)
	}
	defer rows.Close()
	provTopics := map[string]*Counts{}
	for rows.Next() {
		var commune string
		var topic *string
		var all, first Counts
		if err := rows.Scan(&commune, &topic, &all.Completed, &all.Interrupted, &all.Failed, &all.Missed, &all.CompletedMS,
			&first.Completed, &first.Interrupted, &first.Failed, &first.Missed, &first.CompletedMS, &all.Segments); err != nil {
			return rep, fmt.Errorf("province report: %w", err)
		}
		// A commune's totals row comes first (topic NULL), then its topics.
		if n := len(rep.Communes); n == 0 || rep.Communes[n-1].Commune != commune {
			rep.Communes = append(rep.Communes, CommuneCounts{Commune: commune})
		}
		cc := &rep.Communes[len(rep.Communes)-1]
		if topic == nil {
			first.Segments = all.Segments
			cc.Totals = first
			rep.Totals.add(first)
			continue
		}
		cc.Topics = append(cc.Topics, TopicCounts{Topic: *topic, Counts: all})
		if provTopics[*topic] == nil {
			provTopics[*topic] = &Counts{}
		}
		provTopics[*topic].add(all)
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("province report: %w", err)
	}
	for topic, c := range provTopics {
		rep.Topics = append(rep.Topics, TopicCounts{Topic: topic, Counts: *c})
	}
	sort.Slice(rep.Topics, func(i, j int) bool { return rep.Topics[i].Topic < rep.Topics[j].Topic })
	return rep, nil
}

func (c *Counts) add(o Counts) {
	c.Completed += o.Completed
	c.Interrupted += o.Interrupted
	c.Failed += o.Failed
	c.Missed += o.Missed
	c.CompletedMS += o.CompletedMS
	c.Segments += o.Segments
}
