package pgstore

import (
	"context"
	"fmt"
	"sort"
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

// ReportQuery is the one GROUP BY of the report ($1, $2: the period's
// bounds in Unix ms; exported for the benchmark that runs it in psql). Each
// airing is unnested into one row per topic ("" when it has none),
// numbered; the groups are (commune, topic, first) where first says the row
// is its airing's first topic. A commune's topic counts are its groups of
// that topic; its totals, its groups with first (each airing once,
// however many topics it has); the province's are the sums of the
// communes'. The airings_report index holds every column it reads (an
// index-only scan).
const ReportQuery = `SELECT a.commune, t.topic, t.n = 1 AS first,
	count(*) FILTER (WHERE a.status = 'completed'),
	count(*) FILTER (WHERE a.status = 'interrupted'),
	count(*) FILTER (WHERE a.status = 'failed'),
	count(*) FILTER (WHERE a.status = 'missed'),
	sum(a.played_ms)
FROM airings a
CROSS JOIN LATERAL unnest(CASE WHEN a.topics = '' THEN ARRAY[''] ELSE string_to_array(a.topics, ',') END) WITH ORDINALITY AS t(topic, n)
WHERE a.scheduled_at >= $1 AND a.scheduled_at < $2 AND a.status <> 'open'
GROUP BY a.commune, t.topic, t.n = 1
ORDER BY a.commune, t.topic, first`

// Report is the province report of the airings scheduled in [from, to):
// per commune and topic, per commune, per topic and for the province, from
// one GROUP BY.
func (db *DB) Report(ctx context.Context, from, to time.Time) (ProvinceReport, error) {
	rep := ProvinceReport{From: from, To: to}
	rows, err := db.pool.Query(ctx, ReportQuery, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return rep, fmt.Errorf("province report: %w", err)
	}
	defer rows.Close()
	provTopics := map[string]*Counts{}
	var cc *CommuneCounts
	for rows.Next() {
		var commune, topic string
		var first bool
		var c Counts
		if err := rows.Scan(&commune, &topic, &first, &c.Completed, &c.Interrupted, &c.Failed, &c.Missed, &c.PlayedMS); err != nil {
			return rep, fmt.Errorf("province report: %w", err)
		}
		if cc == nil || cc.Commune != commune {
			rep.Communes = append(rep.Communes, CommuneCounts{Commune: commune})
			cc = &rep.Communes[len(rep.Communes)-1]
		}
		// Rows come by topic, the first-topic group after the other.
		if n := len(cc.Topics); n > 0 && cc.Topics[n-1].Topic == topic {
			cc.Topics[n-1].add(c)
		} else {
			cc.Topics = append(cc.Topics, TopicCounts{Topic: topic, Counts: c})
		}
		if first {
			cc.Totals.add(c)
			rep.Totals.add(c)
		}
		if provTopics[topic] == nil {
			provTopics[topic] = &Counts{}
		}
		provTopics[topic].add(c)
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
	c.PlayedMS += o.PlayedMS
}
