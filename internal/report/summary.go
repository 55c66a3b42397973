package report

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// Summary is the airing log of a period summed up: all Build needs for
// every format but the XLSX airing sheet. The store computes it with GROUP
// BY queries, so that a report over a long, busy log does not read it row
// by row; Summarize computes the same from the rows.
type Summary struct {
	// Groups count the airings of one zone, one day, one set of topics and
	// one status.
	Groups []Group
	// Aired lists the distinct (topics, segment) pairs of the completed
	// airings: what the distinct-segment counts are made of.
	Aired []Aired
	// Incidents are the interrupted, missed and failed airings.
	Incidents []playlist.Airing
	// Streams count the completed airings on stream outputs (reach.go).
	Streams []StreamGroup
	// UnheardOnly lists the (zone, topics, segment) of Aired whose every
	// completed airing was on a stream no cluster received: such a segment
	// was not delivered there, and is not counted as a distinct segment.
	UnheardOnly []Aired
}

// Group is a count of airings that share a zone, a day, their topics and a
// status.
type Group struct {
	Zone string // empty is DefaultZone
	// At is when one of them was due (see airingTime); it gives the day.
	At       time.Time
	Topics   []string
	Status   playlist.Status
	Airings  int
	PlayedMS int64
}

// Aired is a segment that completed at least one airing under these topics
// in a zone.
type Aired struct {
	Zone      string
	Topics    []string
	SegmentID int64
}

// key identifies an Aired entry.
func (a Aired) key() string {
	return zoneCode(a.Zone) + "|" + strings.Join(a.Topics, ",") + "|" + strconv.FormatInt(a.SegmentID, 10)
}

// Summarize sums up airings as the store's queries do.
func Summarize(airings []playlist.Airing, loc *time.Location) Summary {
	type groupKey struct {
		zone   string
		day    civil
		topics string
		status playlist.Status
	}
	type airedKey struct {
		zone    string
		topics  string
		segment int64
	}
	type streamKey struct {
		zone    string
		day     civil
		topics  string
		unheard bool
	}
	streams := map[streamKey]*StreamGroup{}
	groups := map[groupKey]*Group{}
	aired := map[airedKey]bool{}
	heard := map[airedKey]bool{} // a completed airing not known unheard
	var s Summary
	for _, a := range airings {
		topics := strings.Join(a.Topics, ",")
		zone := zoneCode(a.Zone)
		k := groupKey{zone, civilOf(airingTime(a), loc), topics, a.Status}
		g := groups[k]
		if g == nil {
			g = &Group{Zone: zone, At: airingTime(a), Topics: a.Topics, Status: a.Status}
			groups[k] = g
		}
		g.Airings++
		g.PlayedMS += a.Played.Milliseconds()
		switch a.Status {
		case playlist.StatusCompleted:
			k := airedKey{zone, topics, a.SegmentID}
			if !aired[k] {
				aired[k] = true
				s.Aired = append(s.Aired, Aired{Zone: zone, Topics: a.Topics, SegmentID: a.SegmentID})
			}
			if a.Listeners == nil || *a.Listeners > 0 {
				heard[k] = true
			}
		case playlist.StatusInterrupted, playlist.StatusMissed, playlist.StatusFailed:
			s.Incidents = append(s.Incidents, a)
		}
		if a.Status == playlist.StatusCompleted && a.Listeners != nil {
			n := *a.Listeners
			k := streamKey{a.Zone, civilOf(airingTime(a), loc), topics, n == 0}
			g := streams[k]
			if g == nil {
				g = &StreamGroup{Zone: a.Zone, At: airingTime(a), Topics: a.Topics, Unheard: n == 0, MinListeners: n}
				streams[k] = g
			}
			g.Airings++
			g.PlayedMS += a.Played.Milliseconds()
			g.Listeners += n
			g.MinListeners = min(g.MinListeners, n)
		}
	}
	for _, g := range streams {
		s.Streams = append(s.Streams, *g)
	}
	for _, a := range s.Aired {
		if !heard[airedKey{a.Zone, strings.Join(a.Topics, ","), a.SegmentID}] {
			s.UnheardOnly = append(s.UnheardOnly, a)
		}
	}
	s.Groups = make([]Group, 0, len(groups))
	for _, g := range groups {
		s.Groups = append(s.Groups, *g)
	}
	// Map order is random; the figures do not depend on it (they are
	// integer sums), but a stable order keeps a Summary comparable.
	sort.Slice(s.Groups, func(i, j int) bool {
		a, b := s.Groups[i], s.Groups[j]
		if a.Zone != b.Zone {
			return a.Zone < b.Zone
		}
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		if ta, tb := strings.Join(a.Topics, ","), strings.Join(b.Topics, ","); ta != tb {
			return ta < tb
		}
		return a.Status < b.Status
	})
	return s
}
