package pgstore

import (
	"context"
	"fmt"
	"time"
)

// Counts are a group's closed airings by status, and the time they played.
type Counts struct {
	Completed, Interrupted, Failed, Missed int64
	// PlayedMS is the time played, in milliseconds, over every status
	// (an interrupted airing played part of its length).
	PlayedMS int64
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
// (each airing once).
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

// reportQuery is the one GROUP BY of the report. Each airing is unnested
// into one row per topic, numbered; the (commune, topic) and (topic) sets
// count every row, the (commune, first) and (first) sets only each
// airing's first (HAVING drops their first = false groups), so totals
// count an airing once however many topics it has. The airings_report
// index holds every column it reads.
const reportQuery = `SELECT a.commune, t.topic, t.n = 1 AS first, GROUPING(a.commune) AS all_communes, GROUPING(t.topic) AS all_topics,
	count(*) FILTER (WHERE a.status = 'completed'),
	count(*) FILTER (WHERE a.status = 'interrupted'),
	count(*) FILTER (WHERE a.status = 'failed'),
	count(*) FILTER (WHERE a.status = 'missed'),
	COALESCE(sum(a.played_ms), 0)
FROM airings a
CROSS JOIN LATERAL unnest(CASE WHEN a.topics = '' THEN ARRAY[''] ELSE string_to_array(a.topics, ',') END) WITH ORDINALITY AS t(topic, n)
WHERE a.scheduled_at >= $1 AND a.scheduled_at < $2 AND a.status <> 'open'
GROUP BY GROUPING SETS ((a.commune, t.topic), (t.topic), (a.commune, t.n = 1), (t.n = 1))
HAVING GROUPING(t.topic) = 0 OR t.n = 1
ORDER BY a.commune NULLS LAST, t.topic NULLS LAST`

// Report is the province report of the airings scheduled in [from, to):
// per commune and topic, per commune, per topic and for the province, in
// one GROUP BY.
func (db *DB) Report(ctx context.Context, from, to time.Time) (ProvinceReport, error) {
	rep := ProvinceReport{From: from, To: to}
	rows, err := db.pool.Query(ctx, reportQuery, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return rep, fmt.Errorf("province report: %w", err)
	}
	defer rows.Close()
	index := map[string]int{}
	for rows.Next() {
		var commune, topic *string
		var first *bool
		var allCommunes, allTopics int
		var c Counts
		if err := rows.Scan(&commune, &topic, &first, &allCommunes, &allTopics, &c.Completed, &c.Interrupted, &c.Failed, &c.Missed, &c.PlayedMS); err != nil {
			return rep, fmt.Errorf("province report: %w", err)
		}
		if allCommunes == 1 {
			if allTopics == 1 {
				rep.Totals = c
			} else {
				rep.Topics = append(rep.Topics, TopicCounts{Topic: *topic, Counts: c})
			}
			continue
		}
		i, ok := index[*commune]
		if !ok {
			i = len(rep.Communes)
			index[*commune] = i
			rep.Communes = append(rep.Communes, CommuneCounts{Commune: *commune})
		}
		if allTopics == 1 {
			rep.Communes[i].Totals = c
		} else {
			rep.Communes[i].Topics = append(rep.Communes[i].Topics, TopicCounts{Topic: *topic, Counts: c})
		}
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("province report: %w", err)
	}
	return rep, nil
}
