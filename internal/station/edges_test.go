package station_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// backClock is a virtual clock that steps backward once, the first time the
// station waits for a time at or after waitOn, as a wall clock does when
// NTP corrects it.
type backClock struct {
	*audio.VirtualClock
	mu     sync.Mutex
	waitOn time.Time
	back   time.Duration
}

func (c *backClock) Until(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	step := !c.waitOn.IsZero() && !t.Before(c.waitOn)
	if step {
		c.waitOn = time.Time{}
	}
	c.mu.Unlock()
	if step {
		c.Advance(-c.back)
		return nil // woken early, as a sleeper is when the clock steps
	}
	return c.VirtualClock.Until(ctx, t)
}

// The station's live loop (Run) on an injected clock at the calendar's and
// the clock's edges: the machine in another zone, 29 February and a month's
// end with a slot at 00:00, downtime across a month boundary, a library with
// nothing to air (empty, all expired, all unapproved), and the clock
// stepping backward. (A forward step: TestRunLogsOccurrenceSkippedByClockStepAsMissed.)
func TestRunAtTheEdges(t *testing.T) {
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }
	ny := mustLoc("America/New_York")
	midnight := func(t *testing.T) []playlist.Slot {
		return []playlist.Slot{slot(t, "dem", "0 0 * * *", 10*time.Minute)}
	}
	type row struct {
		slot   string
		at     time.Time
		status playlist.Status
		reason string
	}
	tests := []struct {
		name  string
		slots func(*testing.T) []playlist.Slot // default: 06:00 and 17:00
		start time.Time
		// handled, when set, is the station's last_handled from a run
		// before: the time in between was downtime.
		handled time.Time
		// library: "ok" approved and valid (at most one), "expired",
		// "unapproved".
		library []string
		// foreignTZ makes the machine's zone America/New_York.
		foreignTZ bool
		// back steps the clock back by this much once the station waits for
		// backAt or later.
		back   time.Duration
		backAt time.Time
		until  time.Time // Run until an airing scheduled at or after this is in the log
		want   []row     // the log
	}{
		{
			name: "machine zone New York, schedule in Hà Nội", foreignTZ: true,
			// 18:00 on 9 May in New York is 05:00 on 10 May in Hà Nội.
			start: time.Date(2024, 5, 9, 18, 0, 0, 0, ny), library: []string{"ok"},
			until: at(2024, 5, 10, 17, 0),
			want: []row{{"sang", at(2024, 5, 10, 6, 0), playlist.StatusCompleted, ""},
				{"chieu", at(2024, 5, 10, 17, 0), playlist.StatusCompleted, ""}},
		},
		{
			name: "29 February and the month's end, slot at 00:00", slots: midnight,
			start: at(2024, 2, 28, 23, 0), library: []string{"ok"},
			until: at(2024, 3, 1, 0, 0),
			want: []row{{"dem", at(2024, 2, 29, 0, 0), playlist.StatusCompleted, ""},
				{"dem", at(2024, 3, 1, 0, 0), playlist.StatusCompleted, ""}},
		},
		{
			name: "no 29 February in 2023", slots: midnight,
			start: at(2023, 2, 27, 23, 0), library: []string{"ok"},
			until: at(2023, 3, 1, 0, 0),
			want: []row{{"dem", at(2023, 2, 28, 0, 0), playlist.StatusCompleted, ""},
				{"dem", at(2023, 3, 1, 0, 0), playlist.StatusCompleted, ""}},
		},
		{
			name: "year's end at 00:00", slots: midnight,
			start: at(2024, 12, 31, 12, 0), library: []string{"ok"},
			until: at(2025, 1, 1, 0, 0),
			want:  []row{{"dem", at(2025, 1, 1, 0, 0), playlist.StatusCompleted, ""}},
		},
		{
			name:  "downtime across a month boundary",
			start: at(2024, 5, 2, 5, 0), handled: at(2024, 4, 29, 17, 0), library: []string{"ok"},
			until: at(2024, 5, 2, 6, 0),
			want: []row{{"sang", at(2024, 4, 30, 6, 0), playlist.StatusMissed, station.ReasonDown},
				{"chieu", at(2024, 4, 30, 17, 0), playlist.StatusMissed, station.ReasonDown},
				{"sang", at(2024, 5, 1, 6, 0), playlist.StatusMissed, station.ReasonDown},
				{"chieu", at(2024, 5, 1, 17, 0), playlist.StatusMissed, station.ReasonDown},
				{"sang", at(2024, 5, 2, 6, 0), playlist.StatusCompleted, ""}},
		},
		{
			name:  "empty library",
			start: at(2024, 5, 10, 5, 0),
			until: at(2024, 5, 10, 6, 0),
			want:  []row{{"sang", at(2024, 5, 10, 6, 0), playlist.StatusMissed, station.ReasonEmptyPlan}},
		},
		{
			name:  "every segment expired",
			start: at(2024, 5, 10, 5, 0), library: []string{"expired", "expired"},
			until: at(2024, 5, 10, 6, 0),
			want:  []row{{"sang", at(2024, 5, 10, 6, 0), playlist.StatusMissed, station.ReasonEmptyPlan}},
		},
		{
			name:  "every segment unapproved",
			start: at(2024, 5, 10, 5, 0), library: []string{"unapproved", "unapproved"},
			until: at(2024, 5, 10, 6, 0),
			want:  []row{{"sang", at(2024, 5, 10, 6, 0), playlist.StatusMissed, station.ReasonEmptyPlan}},
		},
		{
			name:  "clock steps back after an airing: nothing airs twice",
			start: at(2024, 5, 10, 5, 0), library: []string{"ok"},
			back: 2 * time.Hour, backAt: at(2024, 5, 10, 6, 30),
			until: at(2024, 5, 10, 17, 0),
			want: []row{{"sang", at(2024, 5, 10, 6, 0), playlist.StatusCompleted, ""},
				{"chieu", at(2024, 5, 10, 17, 0), playlist.StatusCompleted, ""}},
		},
		{
			name:  "clock steps back across midnight into the month before",
			start: at(2024, 5, 1, 5, 0), library: []string{"ok"},
			back: 12 * time.Hour, backAt: at(2024, 5, 1, 6, 30),
			until: at(2024, 5, 1, 17, 0),
			want: []row{{"sang", at(2024, 5, 1, 6, 0), playlist.StatusCompleted, ""},
				{"chieu", at(2024, 5, 1, 17, 0), playlist.StatusCompleted, ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.foreignTZ {
				t.Setenv("TZ", "America/New_York")
				local := time.Local
				time.Local = ny // TZ is read once per process: set the zone itself
				t.Cleanup(func() { time.Local = local })
			}
			ctx := context.Background()
			dir := t.TempDir()
			st, err := store.Open(ctx, filepath.Join(dir, "data"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			slots := twoSlots(t)
			if tt.slots != nil {
				slots = tt.slots(t)
			}
			vc := audio.NewVirtualClock(tt.start)
			var clock audio.Clock = vc
			if tt.back > 0 {
				clock = &backClock{VirtualClock: vc, waitOn: tt.backAt, back: tt.back}
			}
			planner := &playlist.Planner{Slots: slots, Location: hcm, ApprovalRequired: true,
				Topics: []playlist.Topic{{Code: "tthc", Name: "Thủ tục hành chính", TargetAirings: 20}}}
			stn := station.New(station.Deps{Store: st, Planner: planner, Deck: audio.NewDeck(deckRate), Clock: clock, Open: openSegment,
				Sink: audio.NewNullSink(deckRate, false, vc), MissedHorizon: 30 * 24 * time.Hour})
			e := &env{t: t, dir: dir, st: st, clock: vc, stn: stn}
			sinkCtx, stop := context.WithCancel(ctx)
			e.stop = stop
			stn.StartSink(sinkCtx)
			t.Cleanup(e.stopSink)

			for i, kind := range tt.library {
				path := filepath.Join(dir, fmt.Sprintf("s%d.wav", i))
				seg := playlist.Segment{Title: fmt.Sprintf("Bản tin %d", i), Topics: []string{"tthc"}, Path: path, SHA256: fmt.Sprintf("sha-%d", i),
					Duration: writeWAV(t, path, 16000, time.Second), SampleRate: 16000, Channels: 1, BitDepth: 16,
					Priority: playlist.PriorityNormal, ImportedAt: tt.start.AddDate(0, 0, -30)}
				if kind == "expired" {
					seg.ValidUntil = tt.start.In(hcm).AddDate(0, 0, -1).Format("2006-01-02")
				}
				id, _, err := st.AddSegment(ctx, seg)
				if err != nil {
					t.Fatal(err)
				}
				if kind != "unapproved" {
					if err := st.Approve(ctx, []int64{id}, "chu-tich", tt.start.AddDate(0, 0, -30)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if !tt.handled.IsZero() {
				if err := st.SetState(ctx, "last_handled", tt.handled.Format(time.RFC3339Nano)); err != nil {
					t.Fatal(err)
				}
			}

			if err := e.runUntil("scheduled_at >= ? AND status <> 'open'", tt.until.UnixMilli()); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if bc, ok := clock.(*backClock); ok && !bc.waitOn.IsZero() {
				t.Fatal("the clock never stepped back: the case tests nothing")
			}
			// At most one segment is approved and valid: one row per
			// occurrence, so an occurrence aired twice shows as two rows.
			var got []row
			for _, a := range e.airings() {
				got = append(got, row{a.Slot, a.ScheduledAt.Truncate(time.Minute), a.Status, a.Reason})
				if a.Status == playlist.StatusCompleted && a.StartedAt.Sub(a.ScheduledAt).Abs() > time.Millisecond {
					t.Errorf("%s %v started at %v", a.Slot, a.ScheduledAt.In(hcm), a.StartedAt.In(hcm))
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("log:\n%v\nwant:\n%v", got, tt.want)
			}
			for i := range got {
				if got[i].slot != tt.want[i].slot || !got[i].at.Equal(tt.want[i].at) || got[i].status != tt.want[i].status || got[i].reason != tt.want[i].reason {
					t.Errorf("occurrence %d: %s %s %s %q, want %s %s %s %q", i, got[i].slot, got[i].at.In(hcm).Format(time.DateTime), got[i].status, got[i].reason,
						tt.want[i].slot, tt.want[i].at.In(hcm).Format(time.DateTime), tt.want[i].status, tt.want[i].reason)
				}
			}
			for _, a := range e.airings() {
				if a.Status == playlist.StatusCompleted && a.SegmentID == 0 {
					t.Errorf("a completed row without a segment: %+v", a)
				}
			}
		})
	}
}
