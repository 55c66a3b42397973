// Package report builds the periodic report of CCHC propaganda delivered on
// the commune radio, by topic against the plan's targets, from the airing log
// alone, and renders it as the Vietnamese administrative form (text and a
// printable HTML page), CSV, XLSX and JSON.
package report

import (
	"encoding/json"
	"io"
	"math"
	"sort"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/title"
)

// Header is what the administrative form prints around the figures; it comes
// from config.yaml.
type Header struct {
	Committee       string // "ỦY BAN NHÂN DÂN XÃ TÂN LẬP"
	Superior        string // line above it, "UBND HUYỆN YÊN MỸ"; may be empty
	Commune         string // "Tân Lập", for "Tân Lập, ngày … tháng … năm …"
	DocNumberSuffix string // "BC-UBND"
	Recipients      []string
	SignerTitle     string // "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"; lines split on "\n"
	SignerName      string
}

// Input is everything Build needs.
type Input struct {
	// Kind is "month", "quarter", "year" or "range"; anything else is a range.
	Kind string
	// From and To are the first and last calendar day of the period, both
	// inclusive, read in Location.
	From, To time.Time
	// Location is the station's zone; nil means From's location.
	Location *time.Location
	// Topics are the plan's topics with their monthly targets, in report order.
	Topics []playlist.Topic
	// Airings are the log rows of the period, all statuses. Build does not
	// filter them by date: the caller selects the period.
	Airings []playlist.Airing
	// Summary, when set, stands for Airings: the same log summed up by the
	// store. The report is then built without the rows, so Log is empty and
	// the XLSX airing sheet needs Airings.
	Summary *Summary
	Header  Header
	// Issued is the date printed in the header ("…, ngày … tháng … năm …").
	Issued time.Time
	// SlotTitles are the titles of the timetable's slots by name (config
	// schedule.slots[].title): the printed report names slots by title.
	SlotTitles map[string]string
	// ChainHead is the head of the log's hash chain at the period's end
	// (store.ChainHeadBefore); nil when no closed airing was due by then.
	ChainHead *ChainHead
	// Zones are the commune's zones (config zones:, in order); a topic's
	// target applies to each of them. Empty is the one zone DefaultZone.
	// An airing logged in a zone not listed gets a section of its own,
	// without targets.
	Zones []Zone
	// Only, when set, is the one zone the report covers (report --zone):
	// the caller gives that zone's airings only, and the forms name it.
	Only *Zone
}

// Zone is one loudspeaker network of the commune (vùng phát).
type Zone struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Clusters is how many IP loudspeaker clusters the zone expects on
	// its stream (zones[].clusters; 0 when not said): "cụm loa nhận".
	Clusters int `json:"-"`
	// Amplified: the zone has an output besides its streams (a sound
	// card's amplifier): an airing no cluster received was still heard
	// through it, so it stays propaganda delivered.
	Amplified bool `json:"-"`
}

// DefaultZone is the zone of a config without zones: and of every airing
// logged before zones existed (config.DefaultZone; the report does not
// read the configuration).
var DefaultZone = Zone{Code: playlist.DefaultZone, Name: "Toàn xã"}

// ChainHead is the head of the airing log's hash chain at the end of the
// period: the last link, by chain_seq, among the closed airings due before
// the period's end. Every airing the report counts is at or before it in the
// chain, so the hash, written on the signed paper, pins them: `scheduler log
// verify --head HASH` proves the log still holds it.
type ChainHead struct {
	Hash     string `json:"hash"` // the full SHA-256, hex
	AiringID int64  `json:"airing_id"`
	Seq      int64  `json:"seq"` // its chain_seq
}

// shortHashLen is how many hex digits of the hash the printed forms show:
// 64 bits, enough to tell heads apart, short enough to copy by hand.
const shortHashLen = 16

// Short is the hash's first 16 hex digits, as the printed forms show it.
func (h ChainHead) Short() string {
	if len(h.Hash) <= shortHashLen {
		return h.Hash
	}
	return h.Hash[:shortHashLen]
}

// Report is the built report. Its JSON form is the contract of
// `scheduler report --format json`.
type Report struct {
	Period    Period     `json:"period"`
	Topics    []TopicRow `json:"topics"`
	Totals    Totals     `json:"totals"`
	Incidents []Incident `json:"incidents"`
	// Days is the calendar: one entry per day of the period, in order.
	Days []Day `json:"days"`
	// ChainHead is the log's hash chain head at the period's end; null
	// when no closed airing was due by then.
	ChainHead *ChainHead `json:"chain_head"`
	// Zones is each zone's coverage, in config order: Topics and Totals
	// above add them up. One entry for a commune of one zone.
	Zones []ZoneReport `json:"zones"`
	// Zone is the code of the one zone the report covers (report
	// --zone); empty for the whole commune.
	Zone string `json:"zone,omitempty"`
	// Reach is "cụm loa nhận": per zone, who received its airings on
	// stream outputs (absent when none streamed).
	Reach []Reach `json:"reach,omitempty"`

	Header Header    `json:"-"`
	Issued time.Time `json:"-"`
	// Log is every airing given to Build, ordered by time then id, for the
	// XLSX airing log.
	Log        []playlist.Airing `json:"-"`
	location   *time.Location
	slotTitles map[string]string
}

// ZoneReport is one zone's coverage: its topics against the target (the
// monthly target applies to each zone) and its totals.
type ZoneReport struct {
	Code   string     `json:"code"`
	Name   string     `json:"name"`
	Topics []TopicRow `json:"topics"`
	Totals Totals     `json:"totals"`
	// Unlisted marks a zone found in the log but not in the configuration:
	// it has no targets.
	Unlisted bool `json:"unlisted,omitempty"`
	// Reach is the zone's "cụm loa nhận" (the entry of Report.Reach for
	// it); absent when the zone had no airing on a stream output.
	Reach *Reach `json:"reach,omitempty"`
}

// zoneReach gives each zone its entry of r.Reach.
func (r *Report) zoneReach() {
	for i := range r.Zones {
		for j := range r.Reach {
			if zoneCode(r.Reach[j].Zone) == r.Zones[i].Code {
				z := r.Reach[j]
				r.Zones[i].Reach = &z
			}
		}
	}
}

// MultiZone says whether the report has a per-zone section: more than one
// zone, and not a report of one zone.
func (r Report) MultiZone() bool { return len(r.Zones) > 1 && r.Zone == "" }

// Day is one day of the calendar. Airings and Minutes count completed
// airings; a day's airing is the day it was scheduled (started, for a
// manual one) in the station's zone.
type Day struct {
	Date        string  `json:"date"` // YYYY-MM-DD
	Airings     int     `json:"airings"`
	Minutes     float64 `json:"minutes"`
	Interrupted int     `json:"interrupted"`
	Missed      int     `json:"missed"`
	Failed      int     `json:"failed"`

	exactMinutes float64 // unrounded, for sums
}

// Period is the reported span.
type Period struct {
	From  string `json:"from"` // YYYY-MM-DD
	To    string `json:"to"`   // YYYY-MM-DD
	Kind  string `json:"kind"`
	Label string `json:"label"` // Vietnamese: "tháng 5 năm 2024"
}

// TopicRow is one row of the coverage table.
type TopicRow struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	PlanItem string `json:"plan_item,omitempty"`
	// Targets scaled to the period; zero means none.
	TargetAirings int     `json:"target_airings"`
	TargetMinutes float64 `json:"target_minutes"`
	// Delivered: completed airings only.
	Airings  int     `json:"airings"`
	Minutes  float64 `json:"minutes"`
	Segments int     `json:"segments"`
	// AchievedPct is nil when the topic has no target.
	AchievedPct *float64 `json:"achieved_pct"`
	BelowTarget bool     `json:"below_target"`
	Reasons     []Reason `json:"reasons"`
	// Non-completed airings tagged with the topic.
	Interrupted int `json:"interrupted"`
	Missed      int `json:"missed"`
	Failed      int `json:"failed"`
	// Unplanned marks a row made for a topic code found in the log but not
	// in the plan.
	Unplanned bool `json:"unplanned,omitempty"`
}

// Reason kinds, why a topic is below target.
const (
	ReasonNoneCompleted = "none_completed"
	ReasonMissed        = "missed"
	ReasonInterrupted   = "interrupted"
	ReasonFailed        = "failed"
	ReasonShortAirings  = "short_airings"
	ReasonShortMinutes  = "short_minutes"
)

// Reason is one explanation of a shortfall. Text is Vietnamese; use
// TextIn for another language.
type Reason struct {
	Kind    string  `json:"kind"`
	Count   int     `json:"count,omitempty"`   // airings (missed, interrupted, failed, short_airings)
	Minutes float64 `json:"minutes,omitempty"` // short_minutes
	Text    string  `json:"text"`
}

// Totals counts each airing once, whatever its number of topics.
type Totals struct {
	Airings     int     `json:"airings"`
	Minutes     float64 `json:"minutes"`
	Segments    int     `json:"segments"`
	Interrupted int     `json:"interrupted"`
	Missed      int     `json:"missed"`
	Failed      int     `json:"failed"`
	// Unheard: completed airings on a stream that no cluster received
	// (reach.go), left out of Airings and Minutes.
	Unheard int `json:"unheard,omitempty"`
}

// Incident is a non-completed airing (interrupted, missed or failed).
type Incident struct {
	ID          int64     `json:"id"`
	SegmentID   int64     `json:"segment_id"`
	Title       string    `json:"title"`
	Topics      []string  `json:"topics"`
	Slot        string    `json:"slot"`
	Zone        string    `json:"zone"`
	SlotTitle   string    `json:"slot_title"`   // Vietnamese, as printed
	ScheduledAt time.Time `json:"scheduled_at"` // StartedAt for manual airings
	Status      string    `json:"status"`
	Reason      string    `json:"reason"`
	PlayedMS    int64     `json:"played_ms"`
	DurationMS  int64     `json:"duration_ms"`
}

type tally struct {
	airings                     int
	playedMS                    int64 // completed airings only
	segments                    map[int64]struct{}
	interrupted, missed, failed int
}

func (t *tally) add(g Group) {
	switch g.Status {
	case playlist.StatusCompleted:
		t.airings += g.Airings
		t.playedMS += g.PlayedMS
	case playlist.StatusInterrupted:
		t.interrupted += g.Airings
	case playlist.StatusMissed:
		t.missed += g.Airings
	case playlist.StatusFailed:
		t.failed += g.Airings
	}
}

func (t *tally) addSegment(id int64) {
	if t.segments == nil {
		t.segments = map[int64]struct{}{}
	}
	t.segments[id] = struct{}{}
}

// minutes is the played time of the completed airings. Sums are kept in
// whole milliseconds, so they do not depend on the order airings come in.
func (t *tally) minutes() float64 { return float64(t.playedMS) / 60000 }

// topicTally is the tallies of one zone, or of the whole commune, by topic.
type topicTally struct {
	byCode    map[string]*tally
	unplanned []string // codes found in the log but not in the plan
	total     tally
}

func newTopicTally(topics []playlist.Topic) *topicTally {
	t := &topicTally{byCode: make(map[string]*tally, len(topics))}
	for _, tp := range topics {
		t.byCode[tp.Code] = &tally{}
	}
	return t
}

func (t *topicTally) of(code string) *tally {
	x, ok := t.byCode[code]
	if !ok {
		x = &tally{}
		t.byCode[code] = x
		t.unplanned = append(t.unplanned, code)
	}
	return x
}

// rows is the coverage table of the tallies: the plan's topics with their
// targets scaled by scale and multiplied by mult (the number of zones the
// target applies to), then the unplanned codes.
func (t *topicTally) rows(topics []playlist.Topic, scale float64, mult int) []TopicRow {
	sort.Strings(t.unplanned)
	out := make([]TopicRow, 0, len(topics)+len(t.unplanned))
	seen := map[string]bool{}
	for _, tp := range topics {
		if seen[tp.Code] { // a duplicated code in the plan gets one row
			continue
		}
		seen[tp.Code] = true
		row := TopicRow{
			Code:          tp.Code,
			Name:          tp.Name,
			PlanItem:      tp.PlanItem,
			TargetAirings: int(math.Round(float64(tp.TargetAirings)*scale)) * mult,
			TargetMinutes: round1(tp.TargetMinutes*scale) * float64(mult),
		}
		out = append(out, fill(row, t.byCode[tp.Code]))
	}
	for _, code := range t.unplanned {
		out = append(out, fill(TopicRow{Code: code, Name: code, Unplanned: true}, t.byCode[code]))
	}
	return out
}

func (t *topicTally) totals() Totals {
	return Totals{
		Airings:     t.total.airings,
		Minutes:     round1(t.total.minutes()),
		Segments:    len(t.total.segments),
		Interrupted: t.total.interrupted,
		Missed:      t.total.missed,
		Failed:      t.total.failed,
	}
}

// zoneCode is the zone of a logged airing: rows logged before zones
// existed have none and belong to DefaultZone.
func zoneCode(code string) string {
	if code == "" {
		return DefaultZone.Code
	}
	return code
}

// Build computes the report. Only completed airings count as delivered; an
// airing tagged with several topics counts once for each of them, and once
// in the totals.
//
// With several zones, each zone has its rows against the full target (the
// target applies to each zone), and the commune-wide rows add the zones
// up: their targets are the sum of the zones' targets, their delivered
// figures the sum of the zones', and their achievement is the lowest
// zone's — a topic is achieved in the commune only when every zone heard
// it as planned.
func Build(in Input) Report {
	loc := in.Location
	if loc == nil {
		loc = in.From.Location()
	}
	kind := normKind(in.Kind)
	from, to := civilOf(in.From, loc), civilOf(in.To, loc)
	scale := targetScale(kind, from, to)

	zones := in.Zones
	if in.Only != nil {
		zones = []Zone{*in.Only}
	}
	if len(zones) == 0 {
		zones = []Zone{DefaultZone}
	}
	listed := len(zones)
	byZone := make(map[string]*topicTally, len(zones))
	for _, z := range zones {
		byZone[z.Code] = newTopicTally(in.Topics)
	}
	zoneOf := func(code string) *topicTally {
		code = zoneCode(code)
		t, ok := byZone[code]
		if !ok {
			t = newTopicTally(in.Topics)
			byZone[code] = t
			zones = append(zones, Zone{Code: code, Name: code})
		}
		return t
	}

	commune := newTopicTally(in.Topics)
	nDays := daysInclusive(from, to)
	days := make([]tally, nDays)
	sum := in.Summary
	if sum == nil {
		s := Summarize(in.Airings, loc)
		sum = &s
	}
	for _, g := range sum.Groups {
		zt := zoneOf(g.Zone)
		commune.total.add(g)
		zt.total.add(g)
		if i := daysInclusive(from, civilOf(g.At, loc)) - 1; i >= 0 && i < nDays {
			days[i].add(g)
		}
		for _, code := range uniq(g.Topics) {
			commune.of(code).add(g)
			zt.of(code).add(g)
		}
	}
	// Completed airings on a stream that no cluster received are not
	// propaganda delivered: out of the coverage, totals and days — in a
	// zone whose outputs are all streams. Where a sound card plays too,
	// its amplifier delivered them.
	amplified := map[string]bool{}
	for _, z := range in.Zones {
		amplified[z.Code] = z.Amplified
	}
	unheard := 0
	unheardIn := map[string]int{}
	for _, g := range sum.Streams {
		if !g.Unheard || amplified[g.Zone] {
			continue
		}
		unheard += g.Airings
		neg := Group{At: g.At, Topics: g.Topics, Status: playlist.StatusCompleted, Airings: -g.Airings, PlayedMS: -g.PlayedMS}
		zt := zoneOf(g.Zone)
		commune.total.add(neg)
		zt.total.add(neg)
		unheardIn[g.Zone] += g.Airings
		if i := daysInclusive(from, civilOf(g.At, loc)) - 1; i >= 0 && i < nDays {
			days[i].add(neg)
		}
		for _, code := range uniq(g.Topics) {
			commune.of(code).add(neg)
			zt.of(code).add(neg)
		}
	}
	// A segment no cluster received wherever it completed in a zone is not
	// a distinct segment delivered there — in the zones whose unheard
	// airings were left out above.
	subtracted := map[string]bool{}
	for z, n := range unheardIn {
		if n > 0 {
			subtracted[zoneCode(z)] = true
		}
	}
	unheardOnly := map[string]bool{}
	for _, a := range sum.UnheardOnly {
		if subtracted[zoneCode(a.Zone)] {
			unheardOnly[a.key()] = true
		}
	}
	for _, a := range sum.Aired {
		if unheardOnly[a.key()] {
			continue
		}
		zt := zoneOf(a.Zone)
		commune.total.addSegment(a.SegmentID)
		zt.total.addSegment(a.SegmentID)
		for _, code := range uniq(a.Topics) {
			commune.of(code).addSegment(a.SegmentID)
			zt.of(code).addSegment(a.SegmentID)
		}
	}
	incidents := make([]Incident, 0, len(sum.Incidents))
	for _, a := range sum.Incidents {
		zoneOf(a.Zone)
		incidents = append(incidents, incidentOf(a, loc))
	}
	sort.SliceStable(incidents, func(i, j int) bool {
		if !incidents[i].ScheduledAt.Equal(incidents[j].ScheduledAt) {
			return incidents[i].ScheduledAt.Before(incidents[j].ScheduledAt)
		}
		return incidents[i].ID < incidents[j].ID
	})
	// Every zone's table has the same rows: a topic found outside the plan
	// in one zone gets a row (of zeros) in the others.
	for _, code := range commune.unplanned {
		for _, zt := range byZone {
			zt.of(code)
		}
	}
	// Zones found only in the log come after the listed ones, by code.
	sort.SliceStable(zones[listed:], func(i, j int) bool { return zones[listed+i].Code < zones[listed+j].Code })

	r := Report{
		Period: Period{
			From:  from.String(),
			To:    to.String(),
			Kind:  kind,
			Label: periodLabel(kind, from, to, "vi"),
		},
		Incidents: incidents,
		Header:    in.Header,
		Issued:    in.Issued,
		ChainHead: in.ChainHead,
		Totals:    commune.totals(),
		Reach:     reach(sum.Streams, in.Zones),
	}
	r.Totals.Unheard = unheard
	if in.Only != nil {
		r.Zone = in.Only.Code
	}
	r.Zones = make([]ZoneReport, len(zones))
	for i, z := range zones {
		mult := 1
		if i >= listed {
			mult = 0 // a zone the configuration no longer lists has no target
		}
		zt := byZone[z.Code]
		r.Zones[i] = ZoneReport{Code: z.Code, Name: z.Name, Topics: zt.rows(in.Topics, scale, mult), Totals: zt.totals(), Unlisted: i >= listed}
		r.Zones[i].Totals.Unheard = unheardIn[z.Code]
	}
	r.zoneReach()
	if len(r.Zones) == 1 {
		// One zone: the commune is that zone (today's report, unchanged).
		r.Topics = commune.rows(in.Topics, scale, 1)
	} else {
		r.Topics = commune.rows(in.Topics, scale, listed)
		for i := range r.Topics {
			r.Topics[i] = r.lowestZone(r.Topics[i], commune.byCode[r.Topics[i].Code], listed)
		}
	}
	if r.Incidents == nil {
		r.Incidents = []Incident{}
	}
	r.Days = make([]Day, nDays)
	for i, d := range days {
		r.Days[i] = Day{
			Date:         from.addDays(i).String(),
			Airings:      d.airings,
			Minutes:      round1(d.minutes()),
			Interrupted:  d.interrupted,
			exactMinutes: d.minutes(),
			Missed:       d.missed,
			Failed:       d.failed,
		}
	}
	// The log for the XLSX sheet, in time order. The store already returns
	// it so: copy and sort only when it is not.
	byTime := func(l []playlist.Airing) func(i, j int) bool {
		return func(i, j int) bool {
			ti, tj := airingTime(l[i]), airingTime(l[j])
			if !ti.Equal(tj) {
				return ti.Before(tj)
			}
			return l[i].ID < l[j].ID
		}
	}
	// Titles are cleaned where they enter the store; rows logged before
	// that may still hold line breaks or escapes, which would break the
	// printed form, so the report cleans them again (on its own copy).
	r.Log = make([]playlist.Airing, len(in.Airings))
	for i, a := range in.Airings {
		a.Title = title.Clean(a.Title)
		r.Log[i] = a
	}
	if !sort.SliceIsSorted(r.Log, byTime(r.Log)) {
		sort.SliceStable(r.Log, byTime(r.Log))
	}
	r.location = loc
	r.slotTitles = in.SlotTitles
	for i := range r.Incidents {
		r.Incidents[i].SlotTitle = r.slotName(vi, r.Incidents[i].Slot)
		r.Incidents[i].Title = title.Clean(r.Incidents[i].Title)
	}
	return r
}

// lowestZone sets a commune-wide row's achievement from its zones' rows
// (the first listed of r.Zones): the lowest zone's percentage; below
// target when any zone is; the reasons are the commune's incidents and
// the zones' shortfalls added up.
func (r Report) lowestZone(row TopicRow, t *tally, listed int) TopicRow {
	row.AchievedPct, row.BelowTarget, row.Reasons = nil, false, []Reason{}
	var shortAirings int
	var shortMinutes float64
	for _, z := range r.Zones[:listed] {
		for _, zr := range z.Topics {
			if zr.Code != row.Code || zr.AchievedPct == nil {
				continue
			}
			if row.AchievedPct == nil || *zr.AchievedPct < *row.AchievedPct {
				p := *zr.AchievedPct
				row.AchievedPct = &p
			}
			row.BelowTarget = row.BelowTarget || zr.BelowTarget
			for _, rs := range zr.Reasons {
				switch rs.Kind {
				case ReasonShortAirings:
					shortAirings += rs.Count
				case ReasonShortMinutes:
					shortMinutes += rs.Minutes
				}
			}
		}
	}
	if !row.BelowTarget {
		return row
	}
	add := func(r Reason) {
		r.Text = r.TextIn("vi")
		row.Reasons = append(row.Reasons, r)
	}
	if t.airings == 0 {
		add(Reason{Kind: ReasonNoneCompleted})
	}
	if t.missed > 0 {
		add(Reason{Kind: ReasonMissed, Count: t.missed})
	}
	if t.interrupted > 0 {
		add(Reason{Kind: ReasonInterrupted, Count: t.interrupted})
	}
	if t.failed > 0 {
		add(Reason{Kind: ReasonFailed, Count: t.failed})
	}
	if shortAirings > 0 {
		add(Reason{Kind: ReasonShortAirings, Count: shortAirings})
	}
	if shortMinutes = round1(shortMinutes); shortMinutes > 0 {
		add(Reason{Kind: ReasonShortMinutes, Minutes: shortMinutes})
	}
	return row
}

// fill adds the delivered figures, the achievement and the reasons to a row
// whose targets are set.
func fill(row TopicRow, t *tally) TopicRow {
	row.Airings = t.airings
	row.Minutes = round1(t.minutes())
	row.Segments = len(t.segments)
	row.Interrupted, row.Missed, row.Failed = t.interrupted, t.missed, t.failed
	row.Reasons = []Reason{}

	// The lower of the ratios the topic has a target for.
	pct, has := math.Inf(1), false
	if row.TargetAirings > 0 {
		pct, has = math.Min(pct, float64(t.airings)/float64(row.TargetAirings)*100), true
	}
	if row.TargetMinutes > 0 {
		pct, has = math.Min(pct, t.minutes()/row.TargetMinutes*100), true
	}
	if !has {
		return row
	}
	p := round1(pct)
	if pct < 100 && p >= 100 {
		p = 99.9 // never print 100 % for a topic that is short
	}
	row.AchievedPct = &p
	row.BelowTarget = pct < 100
	if !row.BelowTarget {
		return row
	}
	add := func(r Reason) {
		r.Text = r.TextIn("vi")
		row.Reasons = append(row.Reasons, r)
	}
	if t.airings == 0 {
		add(Reason{Kind: ReasonNoneCompleted})
	}
	if t.missed > 0 {
		add(Reason{Kind: ReasonMissed, Count: t.missed})
	}
	if t.interrupted > 0 {
		add(Reason{Kind: ReasonInterrupted, Count: t.interrupted})
	}
	if t.failed > 0 {
		add(Reason{Kind: ReasonFailed, Count: t.failed})
	}
	if row.TargetAirings > 0 && t.airings < row.TargetAirings {
		add(Reason{Kind: ReasonShortAirings, Count: row.TargetAirings - t.airings})
	}
	if row.TargetMinutes > 0 && t.minutes() < row.TargetMinutes {
		if short := round1(row.TargetMinutes - t.minutes()); short > 0 {
			add(Reason{Kind: ReasonShortMinutes, Minutes: short})
		}
	}
	return row
}

// airingTime is when an airing was due: its scheduled time, or its start
// for a manual airing.
func airingTime(a playlist.Airing) time.Time {
	if a.ScheduledAt.IsZero() {
		return a.StartedAt
	}
	return a.ScheduledAt
}

func incidentOf(a playlist.Airing, loc *time.Location) Incident {
	at := airingTime(a)
	topics := append([]string{}, a.Topics...)
	return Incident{
		ID:          a.ID,
		SegmentID:   a.SegmentID,
		Title:       a.Title,
		Topics:      topics,
		Slot:        a.Slot,
		Zone:        zoneCode(a.Zone),
		ScheduledAt: at.In(loc),
		Status:      string(a.Status),
		Reason:      a.Reason,
		PlayedMS:    a.Played.Milliseconds(),
		DurationMS:  a.Duration.Milliseconds(),
	}
}

// slotName is what the printed report calls a slot: its title from the
// config, the words for a play-now or an emergency airing, else its name.
func (r Report) slotName(wd words, slot string) string {
	if t := r.slotTitles[slot]; t != "" {
		return t
	}
	switch slot {
	case "manual":
		return wd.manual
	case "emergency":
		return wd.emergency
	}
	return slot
}

// uniq drops repeated codes and empty ones, keeping the order.
func uniq(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if c == "" {
			continue
		}
		dup := false
		for _, o := range out {
			if o == c {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// WriteJSON writes the report as indented JSON (the contract form).
func (r Report) WriteJSON(w io.Writer) error { return r.writeJSON(w, "  ") }

// WriteCompactJSON writes the same JSON on one line: for files and pipes,
// where indentation only costs time (a busy month lists thousands of
// incidents).
func (r Report) WriteCompactJSON(w io.Writer) error { return r.writeJSON(w, "") }

func (r Report) writeJSON(w io.Writer, indent string) error {
	enc := json.NewEncoder(w)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
