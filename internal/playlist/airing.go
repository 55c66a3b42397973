package playlist

import "time"

// Status is how an airing ended. Only StatusCompleted counts as delivered.
type Status string

const (
	StatusOpen        Status = "open" // written before the first sample; not yet closed
	StatusCompleted   Status = "completed"
	StatusInterrupted Status = "interrupted"
	StatusMissed      Status = "missed"
	StatusFailed      Status = "failed"
)

// Airing is one row of the airing log (nhật ký phát).
type Airing struct {
	ID          int64
	SegmentID   int64
	Title       string
	Topics      []string
	Slot        string // slot name; "manual" for play-now airings
	ScheduledAt time.Time
	StartedAt   time.Time // zero for missed airings
	EndedAt     time.Time // zero while open
	Played      time.Duration
	Duration    time.Duration // the segment's full length
	Status      Status
	Reason      string
	// Zone is the code of the zone the airing played in; "" is
	// DefaultZone.
	Zone string
	// Listeners is, for an airing on a stream output, how many listeners
	// (IP loudspeaker clusters) the server counted on its mount: the lower
	// of its counts at the start and at the end. nil for other outputs, and
	// when the count could not be read.
	Listeners *int
}

// DefaultZone is the zone of a station without zones, and of every
// airing logged before zones existed.
const DefaultZone = "chung"
