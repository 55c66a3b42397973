package station_test

import (
	"context"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
)

// runUntil runs the live loop in the background until the log holds a row
// matching cond (a WHERE clause), then stops it and returns Run's error.
func (e *env) runUntil(cond string, args ...any) error {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.stn.Run(ctx) }()
	// A poll of the database, not a timing assertion: the virtual clock
	// makes Run proceed at once; the guard only stops a hung test.
	guard := time.Now().Add(time.Minute)
	for e.count("SELECT COUNT(*) FROM airings WHERE "+cond, args...) == 0 {
		select {
		case err := <-done:
			e.t.Fatalf("Run returned before the log held %q: %v", cond, err)
		default:
		}
		if time.Now().After(guard) {
			e.t.Fatalf("the log never held a row with %s", cond)
		}
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	return <-done
}

func TestRunLogsDowntimeAsMissedThenAirs(t *testing.T) {
	ctx := context.Background()
	start := day(10, 5, 0)
	e := newEnv(t, opts{start: start, missedHorizon: 30 * 24 * time.Hour, gap: 500 * time.Millisecond})
	a := e.segment("a", time.Second)
	b := e.segment("b", 2*time.Second)
	down := start.Add(-48 * time.Hour)
	if err := e.st.SetState(ctx, "last_handled", down.Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
	if err := e.runUntil("status = 'completed' AND scheduled_at >= ?", start.UnixMilli()); err != nil {
		t.Fatalf("Run: %v", err)
	}

	missed, err := e.st.Airings(ctx, "", down, start)
	if err != nil {
		t.Fatal(err)
	}
	occurrences := map[int64]map[int64]bool{} // by start, Unix ms
	for _, r := range missed {
		if r.Status != playlist.StatusMissed || r.Reason != station.ReasonDown || r.Played != 0 {
			t.Errorf("downtime row %+v: want missed %q", r, station.ReasonDown)
		}
		occ := r.ScheduledAt.Truncate(time.Minute).UnixMilli()
		if occurrences[occ] == nil {
			occurrences[occ] = map[int64]bool{}
		}
		occurrences[occ][r.SegmentID] = true
	}
	for _, at := range []time.Time{day(8, 6, 0), day(8, 17, 0), day(9, 6, 0), day(9, 17, 0)} {
		if segs := occurrences[at.UnixMilli()]; !segs[a.ID] || !segs[b.ID] {
			t.Errorf("occurrence %v during the downtime: missed segments %v, want %d and %d", at, segs, a.ID, b.ID)
		}
	}
	if len(occurrences) != 4 || len(missed) != 8 {
		t.Errorf("downtime: %d rows in %d occurrences, want 8 in 4", len(missed), len(occurrences))
	}

	after, err := e.st.Airings(ctx, "", start, start.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(after) == 0 || after[0].Status != playlist.StatusCompleted || !after[0].ScheduledAt.Equal(day(10, 6, 0)) {
		t.Errorf("first airing after the restart: %+v, want completed at 06:00", after)
	}
	for _, r := range after {
		if r.Status == playlist.StatusMissed {
			t.Errorf("missed after the restart: %+v", r)
		}
	}
	if n := e.count("SELECT COUNT(*) FROM airings WHERE status = 'open'"); n != 0 {
		t.Errorf("%d rows left open after Run stopped", n)
	}
	// Running again over the same span logs nothing twice.
	before := len(e.airings())
	if err := e.stn.RunRange(ctx, down, day(10, 6, 1)); err != nil {
		t.Fatal(err)
	}
	if n := len(e.airings()); n != before {
		t.Errorf("RunRange over logged occurrences added %d rows", n-before)
	}
}

func TestRunOnFreshDatabaseLogsNothingMissed(t *testing.T) {
	ctx := context.Background()
	start := day(10, 5, 0)
	e := newEnv(t, opts{start: start, missedHorizon: 30 * 24 * time.Hour})
	e.segment("a", time.Second)
	if err := e.runUntil("status = 'completed'"); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := e.airings()
	for _, r := range got {
		if r.Status == playlist.StatusMissed {
			t.Errorf("fresh station logged a missed airing: %+v", r)
		}
	}
	if !got[0].ScheduledAt.Equal(day(10, 6, 0)) || got[0].Status != playlist.StatusCompleted {
		t.Errorf("first row %+v, want completed at 06:00 on the first day", got[0])
	}
	v, err := e.st.State(ctx, "last_handled")
	if err != nil {
		t.Fatal(err)
	}
	if at, err := time.Parse(time.RFC3339Nano, v); err != nil || at.Before(day(10, 6, 0)) {
		t.Errorf("last_handled = %q (%v), want at least the first aired occurrence", v, err)
	}
}
