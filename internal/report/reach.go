package report

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// StreamGroup counts the completed airings on stream outputs (the log's
// listeners is set, migration 0009) of one zone, day and set of topics,
// heard by at least one cluster or (Unheard) by none.
type StreamGroup struct {
	Zone     string
	At       time.Time
	Topics   []string
	Unheard  bool
	Airings  int
	PlayedMS int64
	// Listeners is the listeners of the airings added up; MinListeners the
	// fewest one airing had.
	Listeners, MinListeners int
}

// Reach is "cụm loa nhận" for one zone: who heard its completed airings on
// stream outputs. Airings heard by no cluster (Unheard) are not counted as
// propaganda delivered: the coverage table, the totals and the days leave
// them out.
type Reach struct {
	Zone           string  `json:"zone"`
	Name           string  `json:"name"`
	Clusters       int     `json:"clusters"` // expected (zones[].clusters)
	Airings        int     `json:"airings"`  // completed airings with a listener count
	ListenersAvg   float64 `json:"listeners_avg"`
	ListenersMin   int     `json:"listeners_min"`
	Unheard        int     `json:"unheard"`
	UnheardMinutes float64 `json:"unheard_minutes"`
	// Amplified: the zone has a sound card too (Zone.Amplified), whose
	// amplifier delivered what no cluster received: those airings count.
	Amplified bool `json:"amplified,omitempty"`
}

// reach sums the stream groups up per zone, in zone order.
func reach(groups []StreamGroup, list []Zone) []Reach {
	zones := make(map[string]Zone, len(list))
	for _, z := range list {
		zones[z.Code] = z
	}
	by := map[string]*Reach{}
	sums := map[string]int{}
	unheardMS := map[string]int64{}
	for _, g := range groups {
		r := by[g.Zone]
		if r == nil {
			r = &Reach{Zone: g.Zone, Name: g.Zone, ListenersMin: g.MinListeners}
			if z, ok := zones[g.Zone]; ok {
				r.Name, r.Clusters, r.Amplified = z.Name, z.Clusters, z.Amplified
			}
			by[g.Zone] = r
		}
		r.Airings += g.Airings
		sums[g.Zone] += g.Listeners
		r.ListenersMin = min(r.ListenersMin, g.MinListeners)
		if g.Unheard {
			r.Unheard += g.Airings
			unheardMS[g.Zone] += g.PlayedMS
		}
	}
	out := make([]Reach, 0, len(by))
	for z, r := range by {
		if r.Airings > 0 {
			r.ListenersAvg = round1(float64(sums[z]) / float64(r.Airings))
		}
		r.UnheardMinutes = round1(float64(unheardMS[z]) / 60000)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Zone < out[j].Zone })
	return out
}

// reachLines renders the "cụm loa nhận" section of the text report.
func (r Report) reachLines(lang string) []string {
	if len(r.Reach) == 0 {
		return nil
	}
	vi := lang != "en"
	pick := func(v, e string) string {
		if vi {
			return v
		}
		return e
	}
	lines := []string{pick("V. CỤM LOA NHẬN (phát qua máy chủ phát trực tuyến)", "V. CLUSTERS THAT RECEIVED IT (streamed through the streaming server)")}
	for _, z := range r.Reach {
		expected := "?"
		if z.Clusters > 0 {
			expected = strconv.Itoa(z.Clusters)
		}
		avg := strconv.FormatFloat(z.ListenersAvg, 'f', 1, 64)
		if vi {
			avg = commaDecimal(avg)
		}
		format := pick("- %s: %d lượt phát; cụm loa nhận trung bình %s/%s, ít nhất %d; %d lượt không cụm loa nào nhận (không tính là đã tuyên truyền).",
			"- %s: %d airings; clusters receiving on average %s/%s, at least %d; %d airings received by no cluster (not counted as delivered).")
		if z.Amplified {
			format = pick("- %s: %d lượt phát; cụm loa nhận trung bình %s/%s, ít nhất %d; %d lượt không cụm loa nào nhận (vẫn tính là đã tuyên truyền: bộ khuếch đại của vùng đã phát).",
				"- %s: %d airings; clusters receiving on average %s/%s, at least %d; %d airings received by no cluster (still counted as delivered: the zone's amplifier played them).")
		}
		lines = append(lines, fmt.Sprintf(format, z.Name, z.Airings, avg, expected, z.ListenersMin, z.Unheard))
	}
	return lines
}

func commaDecimal(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '.' {
			b[i] = ','
		}
	}
	return string(b)
}
