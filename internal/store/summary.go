package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// AiringGroup counts the airings scheduled on one day that share their
// topics and status.
type AiringGroup struct {
	// At is the scheduled time of one of them; its day, read at the
	// offset given to Summarize, is the group's day.
	At       time.Time
	Topics   []string
	Status   playlist.Status
	Airings  int
	PlayedMS int64
}

// AiredSegment is a segment that completed at least one airing under
// these topics.
type AiredSegment struct {
	Topics    []string
	SegmentID int64
}

// AiringSummary is the log of a period summed up by the database.
type AiringSummary struct {
	Groups    []AiringGroup
	Aired     []AiredSegment
	Incidents []playlist.Airing // interrupted, missed and failed, in log order
	// Streams count the completed airings on stream outputs (listeners
	// set), per zone, day, topics and whether no cluster received them.
	Streams []StreamGroup
	// UnheardOnly lists the (topics, segment) of Aired whose every
	// completed airing was on a stream no cluster received (listeners 0).
	UnheardOnly []AiredSegment
}

// StreamGroup is a count of completed airings on stream outputs.
type StreamGroup struct {
	Zone                    string
	At                      time.Time // one of them was due then: it gives the day
	Topics                  []string
	Unheard                 bool // received by no cluster (listeners 0)
	Airings                 int
	PlayedMS                int64
	Listeners, MinListeners int // added up; the fewest
}

// unheardOnly reads the (topics, segment) pairs of [from, to) whose every
// completed airing was heard by no cluster. Only segments with such an
// airing are grouped (few: the subquery finds them by the scheduled_at
// index).
func (s *Store) unheardOnly(ctx context.Context, split func(string) []string, zone string, from, to time.Time) ([]AiredSegment, error) {
	lo, hi := from.UnixMilli(), to.UnixMilli()
	return s.aired(ctx, split, `SELECT topics, segment_id FROM airings
		WHERE scheduled_at >= ? AND scheduled_at < ? AND status = 'completed' AND `+zoneIs+` AND segment_id IN
			(SELECT segment_id FROM airings WHERE scheduled_at >= ? AND scheduled_at < ? AND status = 'completed' AND listeners = 0)
		GROUP BY topics, segment_id HAVING MAX(listeners IS NULL OR listeners > 0) = 0`, lo, hi, zone, zone, lo, hi)
}

// streams reads the stream groups of [from, to) (few rows: the airings on
// stream outputs of the period, found by the scheduled_at index).
func (s *Store) streams(ctx context.Context, split func(string) []string, zone string, from, to time.Time, offset time.Duration) ([]StreamGroup, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT zone, MIN(scheduled_at), topics, listeners = 0, COUNT(*), SUM(played_ms), SUM(listeners), MIN(listeners)
		FROM airings WHERE scheduled_at >= ? AND scheduled_at < ? AND status = 'completed' AND listeners IS NOT NULL AND `+zoneIs+`
		GROUP BY zone, (scheduled_at + ?) / 86400000, topics, listeners = 0`,
		from.UnixMilli(), to.UnixMilli(), zone, zone, offset.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("summarize streams: %w", err)
	}
	defer rows.Close()
	var out []StreamGroup
	for rows.Next() {
		var g StreamGroup
		var at int64
		var topics string
		if err := rows.Scan(&g.Zone, &at, &topics, &g.Unheard, &g.Airings, &g.PlayedMS, &g.Listeners, &g.MinListeners); err != nil {
			return nil, fmt.Errorf("summarize streams: %w", err)
		}
		g.At, g.Topics = time.UnixMilli(at), split(topics)
		out = append(out, g)
	}
	return out, rows.Err()
}

// Summarize sums up the airings of the zone ("" for every zone, added up)
// scheduled in [from, to). Days are counted
// at a fixed offset from UTC (the station's zone has no daylight saving
// time; the caller checks that its offset holds over the period). When the
// period is whole months at the offset the tallies are kept at (tally_zone),
// the totals come from the tallies the database keeps as airings close;
// otherwise from GROUP BY queries over the airings.
func (s *Store) Summarize(ctx context.Context, zone string, from, to time.Time, offset time.Duration) (AiringSummary, error) {
	var tallyOffset int64
	if err := s.db.QueryRowContext(ctx, "SELECT offset_ms FROM tally_zone").Scan(&tallyOffset); err != nil {
		return AiringSummary{}, fmt.Errorf("summarize airings: %w", err)
	}
	off := offset.Milliseconds()
	lo, hi := from.UnixMilli()+off, to.UnixMilli()+off
	if off != tallyOffset || lo < 0 || !firstOfMonth(from, offset) || !firstOfMonth(to, offset) {
		return s.summarizeRows(ctx, zone, from, to, offset)
	}
	sum := AiringSummary{}
	split := topicSplitter()
	rows, err := s.db.QueryContext(ctx, `SELECT day, topics, status, SUM(airings), SUM(played_ms) FROM tally_days
		WHERE day >= ? AND day < ? AND `+zoneIs+` GROUP BY day, topics, status`, lo/day, hi/day, zone, zone)
	if err != nil {
		return sum, fmt.Errorf("summarize airings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g AiringGroup
		var d int64
		var topics, status string
		if err := rows.Scan(&d, &topics, &status, &g.Airings, &g.PlayedMS); err != nil {
			return sum, fmt.Errorf("summarize airings: %w", err)
		}
		g.At, g.Topics, g.Status = time.UnixMilli(d*day-off), split(topics), playlist.Status(status)
		sum.Groups = append(sum.Groups, g)
	}
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("summarize airings: %w", err)
	}
	rows.Close()
	if sum.Aired, err = s.aired(ctx, split, "SELECT DISTINCT topics, segment_id FROM tally_segments WHERE month >= ? AND month < ? AND "+zoneIs,
		monthKey(from, offset), monthKey(to, offset), zone, zone); err != nil {
		return sum, err
	}
	sum.Incidents, err = s.incidents(ctx, zone, from, to)
	if err != nil {
		return sum, err
	}
	if sum.Streams, err = s.streams(ctx, split, zone, from, to, offset); err != nil {
		return sum, err
	}
	sum.UnheardOnly, err = s.unheardOnly(ctx, split, zone, from, to)
	return sum, err
}

// day is a day in milliseconds.
const day = 86400000

// atOffset reads t in the zone of the tallies.
func atOffset(t time.Time, offset time.Duration) time.Time {
	return t.In(time.FixedZone("", int(offset.Seconds())))
}

// firstOfMonth says whether t is the first instant of a month at offset.
func firstOfMonth(t time.Time, offset time.Duration) bool {
	l := atOffset(t, offset)
	return l.Day() == 1 && l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 && l.Nanosecond() == 0
}

// monthKey is the month of t at offset as tally_segments keys it: YYYYMM.
func monthKey(t time.Time, offset time.Duration) int {
	l := atOffset(t, offset)
	return l.Year()*100 + int(l.Month())
}

// topicSplitter splits stored topic lists ("tthc,chi-so"), each distinct
// list once: a log has a few dozen.
func topicSplitter() func(string) []string {
	seen := map[string][]string{}
	return func(t string) []string {
		if v, ok := seen[t]; ok {
			return v
		}
		var v []string
		if t != "" {
			v = strings.Split(t, ",")
		}
		seen[t] = v
		return v
	}
}

// aired runs a query of (topics, segment_id) pairs.
func (s *Store) aired(ctx context.Context, split func(string) []string, query string, args ...any) ([]AiredSegment, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("summarize airings: %w", err)
	}
	defer rows.Close()
	var out []AiredSegment
	for rows.Next() {
		var a AiredSegment
		var topics string
		if err := rows.Scan(&topics, &a.SegmentID); err != nil {
			return nil, fmt.Errorf("summarize airings: %w", err)
		}
		a.Topics = split(topics)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("summarize airings: %w", err)
	}
	return out, nil
}

// incidents lists the interrupted, missed and failed airings of the zone
// ("" for every zone) scheduled in [from, to), in log order (the
// airings_incidents index finds them).
func (s *Store) incidents(ctx context.Context, zone string, from, to time.Time) ([]playlist.Airing, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+rowColumns+` FROM airings
		WHERE status IN ('interrupted', 'missed', 'failed') AND scheduled_at >= ? AND scheduled_at < ? AND `+zoneIs+` ORDER BY scheduled_at, id`,
		from.UnixMilli(), to.UnixMilli(), zone, zone)
	if err != nil {
		return nil, fmt.Errorf("summarize airings: %w", err)
	}
	defer rows.Close()
	var out []playlist.Airing
	for rows.Next() {
		a, err := scanAiring(rows)
		if err != nil {
			return nil, fmt.Errorf("summarize airings: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("summarize airings: %w", err)
	}
	return out, nil
}

// summarizeRows is Summarize by GROUP BY queries over the airings.
func (s *Store) summarizeRows(ctx context.Context, zone string, from, to time.Time, offset time.Duration) (AiringSummary, error) {
	var sum AiringSummary
	lo, hi := from.UnixMilli(), to.UnixMilli()
	split := topicSplitter()
	// The day of a row is (scheduled_at + offset) / 1 day, in integer
	// division: right for every time after 1970, which all airings are.
	rows, err := s.db.QueryContext(ctx, `SELECT MIN(scheduled_at), topics, status, COUNT(*), SUM(played_ms)
		FROM airings WHERE scheduled_at >= ? AND scheduled_at < ? AND status <> 'open' AND `+zoneIs+`
		GROUP BY (scheduled_at + ?) / 86400000, topics, status`,
		lo, hi, zone, zone, offset.Milliseconds())
	if err != nil {
		return sum, fmt.Errorf("summarize airings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g AiringGroup
		var at int64
		var topics, status string
		if err := rows.Scan(&at, &topics, &status, &g.Airings, &g.PlayedMS); err != nil {
			return sum, fmt.Errorf("summarize airings: %w", err)
		}
		g.At, g.Topics, g.Status = time.UnixMilli(at), split(topics), playlist.Status(status)
		sum.Groups = append(sum.Groups, g)
	}
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("summarize airings: %w", err)
	}
	rows.Close()
	if sum.Aired, err = s.aired(ctx, split, `SELECT topics, segment_id FROM airings
		WHERE scheduled_at >= ? AND scheduled_at < ? AND status = 'completed' AND `+zoneIs+` GROUP BY topics, segment_id`, lo, hi, zone, zone); err != nil {
		return sum, err
	}
	sum.Incidents, err = s.incidents(ctx, zone, from, to)
	if err != nil {
		return sum, err
	}
	if sum.Streams, err = s.streams(ctx, split, zone, from, to, offset); err != nil {
		return sum, err
	}
	sum.UnheardOnly, err = s.unheardOnly(ctx, split, zone, from, to)
	return sum, err
}
