package station_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/tinydisk"
)

// waitFor polls cond (not a timing assertion: the guard only stops a hung
// test).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	guard := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(guard) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestFullDiskKeepsTheTimetableAndWritesTheLogWhenSpaceReturns(t *testing.T) {
	data := tinydisk.Mount(t, "8m")
	e := newEnv(t, opts{start: day(10, 5, 0), data: data, logWrites: station.HoldWhenFull})
	a := e.segment("a", 2*time.Second)
	b := e.segment("b", 3*time.Second)
	if _, err := e.st.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	free := tinydisk.Fill(t, data)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.stn.Run(ctx) }()
	// Both slots of the 10th air on a full disk: the station goes on.
	waitFor(t, "the clock passes the 17:00 slot on a full disk", func() bool {
		select {
		case err := <-done:
			t.Fatalf("Run stopped on a full disk: %v", err)
		default:
		}
		return e.clock.Now().After(day(10, 17, 15))
	})
	held := e.stn.LogHeld()
	if held.Pending < 4 || held.Since.IsZero() || held.Cause == "" {
		t.Fatalf("held on a full disk: %+v; want the rows of two slots of two items", held)
	}
	if n := e.count("SELECT COUNT(*) FROM airings"); n != 0 {
		t.Fatalf("%d rows written on a full disk", n)
	}

	free()
	waitFor(t, "the held rows are written once space returns", func() bool {
		return e.stn.LogHeld().Pending == 0 && e.count("SELECT COUNT(*) FROM airings WHERE slot = 'chieu' AND status = 'completed'") >= 2
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}

	rows := e.airings()
	want := map[int64]time.Duration{a.ID: a.Duration, b.ID: b.Duration}
	for _, r := range rows {
		if r.Status == playlist.StatusOpen {
			t.Errorf("row %d left open", r.ID)
			continue
		}
		if r.ScheduledAt.After(day(10, 17, 15)) {
			continue // aired after space returned
		}
		if r.Status != playlist.StatusCompleted || abs(r.Played-want[r.SegmentID]) > oneFrame || r.StartedAt.IsZero() || r.EndedAt.IsZero() {
			t.Errorf("row %d (%s %s, segment %d) held on the full disk: %s played %v; want completed, %v",
				r.ID, r.Slot, r.ScheduledAt.Format(time.DateTime), r.SegmentID, r.Status, r.Played, want[r.SegmentID])
		}
	}
	for _, sl := range []string{"sang", "chieu"} {
		if n := e.count("SELECT COUNT(*) FROM airings WHERE slot = ? AND scheduled_at >= ? AND scheduled_at < ?", sl, day(10, 0, 0).UnixMilli(), day(11, 0, 0).UnixMilli()); n != 2 {
			t.Errorf("slot %s of the 10th: %d rows, want its 2 items", sl, n)
		}
	}
	rep, err := e.st.VerifyChain(context.Background())
	if err != nil || rep.Break != nil || rep.Open != 0 || rep.Verified != len(rows) {
		t.Fatalf("chain: %+v, %v; want all %d rows verified", rep, err, len(rows))
	}
	// The timetable was kept: the held occurrence is not aired again, and
	// last_handled reached the disk.
	if v, err := e.st.State(context.Background(), "last_handled"); err != nil || v == "" {
		t.Fatalf("last_handled = %q, %v", v, err)
	}
}

// syncBuffer is a log destination safe for the station's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestStoppedOnAFullDiskSaysHowManyWritesAreLost(t *testing.T) {
	data := tinydisk.Mount(t, "8m")
	var logs syncBuffer
	e := newEnv(t, opts{start: day(10, 5, 0), data: data, logWrites: station.HoldWhenFull,
		logger: slog.New(slog.NewTextHandler(&logs, nil))})
	e.segment("a", 2*time.Second)
	if _, err := e.st.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	tinydisk.Fill(t, data) // never freed: the writes cannot be made
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.stn.Run(ctx) }()
	waitFor(t, "the 06:00 slot airs on a full disk", func() bool { return e.clock.Now().After(day(10, 6, 5)) })
	held := e.stn.LogHeld().Pending
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	out := logs.String()
	if held < 2 || !strings.Contains(out, "DISK FULL at shutdown") || !strings.Contains(out, "airing log write lost (disk full)") ||
		!strings.Contains(out, `title="Bản tin a"`) || !strings.Contains(out, "level=ERROR") {
		t.Fatalf("stopped with %d writes held; the log says:\n%s", held, out)
	}
}
