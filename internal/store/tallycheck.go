package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// The running totals (tally_days, tally_segments; migration 0006) are what
// month, quarter and year reports print, but the hash chain covers only the
// airings. VerifyTallies closes that gap: it sums the closed airings again,
// as the triggers do, and lists every total that differs. With the chain
// intact and the totals matching, a printed report is the chained log's.

// TallyDiff is a running total that the closed airings do not give.
type TallyDiff struct {
	// Table is "tally_days" or "tally_segments".
	Table string
	// Day is the station's calendar day (tally_days) as YYYY-MM-DD; Month
	// is YYYY-MM (tally_segments).
	Day, Month string
	// Zone is the zone of the airings.
	Zone string
	// Topics are the stored topic codes, comma-joined ("tthc,chi-so"); ""
	// for an airing without topics.
	Topics string
	// Status is the airings' status (tally_days).
	Status string
	// SegmentID is the segment (tally_segments).
	SegmentID int64
	// Log and Tally are the figures from the airings and from the table.
	// For tally_segments Airings is 1 when the (month, topics, segment) is
	// there and 0 when not; PlayedMS is unused.
	Log, Tally TallyFigures
}

// TallyFigures are the two sums a tally_days row keeps.
type TallyFigures struct {
	Airings  int64
	PlayedMS int64
}

// TallyCheck is the outcome of VerifyTallies.
type TallyCheck struct {
	Days     int // tally_days rows expected from the airings
	Segments int // tally_segments rows expected
	// Diffs lists the totals that differ, by table, day or month, topics,
	// status or segment.
	Diffs []TallyDiff
}

// VerifyTallies recomputes the running totals from the closed airings, in
// one read transaction so that an airing closing meanwhile is on both sides
// or neither, and compares them with the stored ones.
func (s *Store) VerifyTallies(ctx context.Context) (TallyCheck, error) {
	var c TallyCheck
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return c, fmt.Errorf("verify the totals: %w", err)
	}
	defer tx.Rollback()
	var zone int64
	if err := tx.QueryRowContext(ctx, "SELECT offset_ms FROM tally_zone").Scan(&zone); err != nil {
		return c, fmt.Errorf("verify the totals: read tally_zone: %w", err)
	}
	type dayKey struct {
		day                  int64
		zone, topics, status string
	}
	read := func(query string, args ...any) (map[dayKey]TallyFigures, error) {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[dayKey]TallyFigures{}
		for rows.Next() {
			var k dayKey
			var f TallyFigures
			if err := rows.Scan(&k.day, &k.zone, &k.topics, &k.status, &f.Airings, &f.PlayedMS); err != nil {
				return nil, err
			}
			out[k] = f
		}
		return out, rows.Err()
	}
	// The triggers' own expression for the day, so that both sides agree
	// on where a day starts.
	want, err := read(`SELECT (scheduled_at + ?) / 86400000, zone, topics, status, COUNT(*), SUM(played_ms)
		FROM airings WHERE status <> 'open' GROUP BY 1, 2, 3, 4`, zone)
	if err != nil {
		return c, fmt.Errorf("verify the totals: sum the airings: %w", err)
	}
	got, err := read("SELECT day, zone, topics, status, airings, played_ms FROM tally_days")
	if err != nil {
		return c, fmt.Errorf("verify the totals: read tally_days: %w", err)
	}
	c.Days = len(want)
	dayOf := func(d int64) string { return time.UnixMilli(d * day).UTC().Format(time.DateOnly) }
	for k, w := range want {
		if g := got[k]; g != w {
			c.Diffs = append(c.Diffs, TallyDiff{Table: "tally_days", Day: dayOf(k.day), Zone: k.zone, Topics: k.topics, Status: k.status, Log: w, Tally: g})
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			c.Diffs = append(c.Diffs, TallyDiff{Table: "tally_days", Day: dayOf(k.day), Zone: k.zone, Topics: k.topics, Status: k.status, Tally: g})
		}
	}

	type segKey struct {
		month        int64
		zone, topics string
		seg          int64
	}
	readSegs := func(query string, args ...any) (map[segKey]bool, error) {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[segKey]bool{}
		for rows.Next() {
			var k segKey
			if err := rows.Scan(&k.month, &k.zone, &k.topics, &k.seg); err != nil {
				return nil, err
			}
			out[k] = true
		}
		return out, rows.Err()
	}
	wantSegs, err := readSegs(`SELECT DISTINCT CAST(strftime('%Y%m', (scheduled_at + ?) / 1000, 'unixepoch') AS INTEGER), zone, topics, segment_id
		FROM airings WHERE status = 'completed'`, zone)
	if err != nil {
		return c, fmt.Errorf("verify the totals: list the aired segments: %w", err)
	}
	gotSegs, err := readSegs("SELECT month, zone, topics, segment_id FROM tally_segments")
	if err != nil {
		return c, fmt.Errorf("verify the totals: read tally_segments: %w", err)
	}
	c.Segments = len(wantSegs)
	monthOf := func(m int64) string { return fmt.Sprintf("%04d-%02d", m/100, m%100) }
	for k := range wantSegs {
		if !gotSegs[k] {
			c.Diffs = append(c.Diffs, TallyDiff{Table: "tally_segments", Month: monthOf(k.month), Zone: k.zone, Topics: k.topics, SegmentID: k.seg, Log: TallyFigures{Airings: 1}})
		}
	}
	for k := range gotSegs {
		if !wantSegs[k] {
			c.Diffs = append(c.Diffs, TallyDiff{Table: "tally_segments", Month: monthOf(k.month), Zone: k.zone, Topics: k.topics, SegmentID: k.seg, Tally: TallyFigures{Airings: 1}})
		}
	}
	sort.Slice(c.Diffs, func(i, j int) bool {
		a, b := c.Diffs[i], c.Diffs[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		if a.Day+a.Month != b.Day+b.Month {
			return a.Day+a.Month < b.Day+b.Month
		}
		if a.Zone != b.Zone {
			return a.Zone < b.Zone
		}
		if a.Topics != b.Topics {
			return a.Topics < b.Topics
		}
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		return a.SegmentID < b.SegmentID
	})
	return c, nil
}
