package playlist

import "time"

// Tally is what a topic has had delivered in a month.
type Tally struct {
	Airings int
	Played  time.Duration
}

// Ledger is what the planner knows of the past: when each segment last aired
// and what each topic received in each month. It is built from the airing log
// and, while previewing, extended with what the plan assumes will air.
type Ledger struct {
	loc       *time.Location
	lastAired map[int64]time.Time
	months    map[string]map[string]Tally // "2006-01" → topic → tally
}

// NewLedger returns an empty ledger whose months are counted in loc.
func NewLedger(loc *time.Location) *Ledger {
	return &Ledger{loc: loc, lastAired: map[int64]time.Time{}, months: map[string]map[string]Tally{}}
}

// Clone returns an independent copy.
func (l *Ledger) Clone() *Ledger {
	c := NewLedger(l.loc)
	for k, v := range l.lastAired {
		c.lastAired[k] = v
	}
	for m, topics := range l.months {
		cm := make(map[string]Tally, len(topics))
		for k, v := range topics {
			cm[k] = v
		}
		c.months[m] = cm
	}
	return c
}

// Record takes one airing of the log into account. Any airing that started
// counts for rotation; only completed airings count towards targets.
func (l *Ledger) Record(a Airing) {
	if a.SegmentID == 0 {
		return
	}
	switch a.Status {
	case StatusCompleted, StatusInterrupted, StatusOpen:
		at := a.ScheduledAt
		if at.IsZero() {
			at = a.StartedAt
		}
		if at.After(l.lastAired[a.SegmentID]) {
			l.lastAired[a.SegmentID] = at
		}
	}
	if a.Status != StatusCompleted {
		return
	}
	at := a.StartedAt
	if at.IsZero() {
		at = a.ScheduledAt
	}
	month := at.In(l.loc).Format("2006-01")
	m := l.months[month]
	if m == nil {
		m = map[string]Tally{}
		l.months[month] = m
	}
	for _, t := range a.Topics {
		tally := m[t]
		tally.Airings++
		tally.Played += a.Played
		m[t] = tally
	}
}

// LastAired is when the segment last aired (zero if never).
func (l *Ledger) LastAired(id int64) time.Time { return l.lastAired[id] }

// Delivered is what topic received in the month containing t.
func (l *Ledger) Delivered(topic string, t time.Time) Tally {
	return l.months[t.In(l.loc).Format("2006-01")][topic]
}

// lastKey is LastAired as UnixNano, or never.
func (l *Ledger) lastKey(id int64) int64 {
	t, ok := l.lastAired[id]
	if !ok || t.IsZero() {
		return never
	}
	return t.UnixNano()
}

// month is what each topic received in the month containing t (nil when
// nothing); callers must not modify it.
func (l *Ledger) month(t time.Time) map[string]Tally {
	return l.months[t.In(l.loc).Format("2006-01")]
}
