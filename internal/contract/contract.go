// Package contract is the JSON shape of the CLI/API contract (DESIGN.md):
// snake_case fields, durations in milliseconds, times RFC 3339 with offset.
package contract

import (
	"math"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/words"
)

// Segment is a library segment.
type Segment struct {
	ID           int64    `json:"id"`
	Title        string   `json:"title"`
	Topics       []string `json:"topics"`
	Path         string   `json:"path"`
	SHA256       string   `json:"sha256"`
	DurationMS   int64    `json:"duration_ms"`
	SampleRate   int      `json:"sample_rate"`
	Channels     int      `json:"channels"`
	BitDepth     int      `json:"bit_depth"`
	LoudnessLUFS *float64 `json:"loudness_lufs"`
	TruePeakDBTP *float64 `json:"true_peak_dbtp"`
	Priority     string   `json:"priority"`
	ValidFrom    *string  `json:"valid_from"`
	ValidUntil   *string  `json:"valid_until"`
	Approved     bool     `json:"approved"`
	ApprovedBy   string   `json:"approved_by,omitempty"`
	ApprovedAt   *string  `json:"approved_at,omitempty"`
	Retired      bool     `json:"retired,omitempty"`
}

// Airing is a row of the airing log.
type Airing struct {
	ID        int64    `json:"id"`
	SegmentID int64    `json:"segment_id"`
	Title     string   `json:"title"`
	Topics    []string `json:"topics"`
	Slot      string   `json:"slot"`
	// Zone is the code of the zone the airing played in ("chung" for a
	// station without zones).
	Zone        string  `json:"zone"`
	ScheduledAt string  `json:"scheduled_at"`
	StartedAt   *string `json:"started_at"`
	EndedAt     *string `json:"ended_at"`
	PlayedMS    int64   `json:"played_ms"`
	DurationMS  int64   `json:"duration_ms"`
	Status      string  `json:"status"`
	Reason      string  `json:"reason"`
	// Listeners is, for an airing on a stream output, how many listeners
	// (IP loudspeaker clusters) the server counted on its mount (the lower
	// of its counts at the start and the end); absent for other outputs.
	Listeners *int `json:"listeners,omitempty"`
	// PrevHash and Hash are the row's link in the log's hash chain (see
	// store/chain.go); null while the airing is open.
	PrevHash *string `json:"prev_hash"`
	Hash     *string `json:"hash"`
}

// Occurrence is one planned slot occurrence of a preview.
type Occurrence struct {
	// Zone is the code of the zone the occurrence airs in.
	Zone      string     `json:"zone"`
	Slot      string     `json:"slot"`
	StartsAt  string     `json:"starts_at"`
	LengthMS  int64      `json:"length_ms"`
	Items     []Item     `json:"items"`
	Shortfall *Shortfall `json:"shortfall"`
}

// Item is one segment planned in an occurrence.
type Item struct {
	SegmentID  int64    `json:"segment_id"`
	Title      string   `json:"title"`
	Topics     []string `json:"topics"`
	StartsAt   string   `json:"starts_at"`
	DurationMS int64    `json:"duration_ms"`
}

// Shortfall is what an occurrence could not fill, and why.
type Shortfall struct {
	UnfilledMS int64  `json:"unfilled_ms"`
	Reason     string `json:"reason"`
	Message    string `json:"message"`
}

// Analysis is the result of analyze.
type Analysis struct {
	Path           string   `json:"path"`
	Format         string   `json:"format"`
	SampleRate     int      `json:"sample_rate"`
	Channels       int      `json:"channels"`
	BitDepth       int      `json:"bit_depth"`
	DurationMS     int64    `json:"duration_ms"`
	LoudnessLUFS   *float64 `json:"loudness_lufs"`
	LoudnessRange  *float64 `json:"loudness_range_lu"`
	TruePeakDBTP   *float64 `json:"true_peak_dbtp"`
	SilenceStartMS int64    `json:"silence_start_ms"`
	SilenceEndMS   int64    `json:"silence_end_ms"`
}

// Time formats t in loc as RFC 3339 with offset.
func Time(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(time.RFC3339)
}

func optTime(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	s := Time(t, loc)
	return &s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Number rounds f to 0.1 and maps ±Inf and NaN (silence) to null.
func Number(f float64) *float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil
	}
	r := math.Round(f*10) / 10
	return &r
}

func topics(t []string) []string {
	if t == nil {
		return []string{}
	}
	return t
}

// FromSegment converts a segment.
func FromSegment(s playlist.Segment, loc *time.Location) Segment {
	return Segment{ID: s.ID, Title: s.Title, Topics: topics(s.Topics), Path: s.Path, SHA256: s.SHA256,
		DurationMS: s.Duration.Milliseconds(), SampleRate: s.SampleRate, Channels: s.Channels, BitDepth: s.BitDepth,
		LoudnessLUFS: Number(s.LoudnessLUFS), TruePeakDBTP: Number(s.TruePeakDBTP), Priority: string(s.Priority),
		ValidFrom: optString(s.ValidFrom), ValidUntil: optString(s.ValidUntil), Approved: s.Approved,
		ApprovedBy: s.ApprovedBy, ApprovedAt: optTime(s.ApprovedAt, loc), Retired: s.Retired}
}

// FromAiring converts an airing.
func FromAiring(a playlist.Airing, loc *time.Location) Airing {
	if a.Zone == "" {
		a.Zone = playlist.DefaultZone
	}
	return Airing{ID: a.ID, SegmentID: a.SegmentID, Title: a.Title, Topics: topics(a.Topics), Slot: a.Slot,
		ScheduledAt: Time(a.ScheduledAt, loc), StartedAt: optTime(a.StartedAt, loc), EndedAt: optTime(a.EndedAt, loc),
		PlayedMS: a.Played.Milliseconds(), DurationMS: a.Duration.Milliseconds(), Status: string(a.Status), Reason: a.Reason,
		Listeners: a.Listeners, Zone: zoneOf(a.Zone)}
}

// zoneOf is an airing's zone: rows from before zones have none.
func zoneOf(code string) string {
	if code == "" {
		return playlist.DefaultZone
	}
	return code
}

// Chained returns a with its link in the hash chain ("" for none).
func (a Airing) Chained(prevHash, hash string) Airing {
	a.PrevHash, a.Hash = optString(prevHash), optString(hash)
	return a
}

// FromPlan converts a planned occurrence; lang chooses the shortfall message.
func FromPlan(p playlist.Plan, loc *time.Location, lang string) Occurrence {
	o := Occurrence{Zone: zoneOf(p.Zone), Slot: p.Slot, StartsAt: Time(p.Start, loc), LengthMS: p.Length.Milliseconds(), Items: []Item{}}
	for _, it := range p.Items {
		o.Items = append(o.Items, Item{SegmentID: it.Segment.ID, Title: it.Segment.Title, Topics: topics(it.Segment.Topics),
			StartsAt: Time(it.StartsAt, loc), DurationMS: it.Segment.Duration.Milliseconds()})
	}
	if p.Shortfall != nil {
		o.Shortfall = &Shortfall{UnfilledMS: p.Shortfall.Unfilled.Milliseconds(), Reason: string(p.Shortfall.Reason),
			Message: words.Shortfall(lang, p.Shortfall.Reason)}
	}
	return o
}

// FromAnalysis converts an analysis.
func FromAnalysis(a audio.Analysis) Analysis {
	return Analysis{Path: a.Info.Path, Format: a.Info.Format, SampleRate: a.Info.SampleRate, Channels: a.Info.Channels,
		BitDepth: a.Info.BitDepth, DurationMS: a.Info.Duration().Milliseconds(), LoudnessLUFS: Number(a.LoudnessLUFS),
		LoudnessRange: Number(a.LoudnessRangeLU), TruePeakDBTP: Number(a.TruePeakDBTP),
		SilenceStartMS: a.SilenceStart.Milliseconds(), SilenceEndMS: a.SilenceEnd.Milliseconds()}
}
