package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

var hcm = mustLoc("Asia/Ho_Chi_Minh")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(day, hour, minute int) time.Time {
	return time.Date(2024, 5, day, hour, minute, 0, 0, hcm)
}

func open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func seg(sha string, topics ...string) playlist.Segment {
	return playlist.Segment{
		Title: "Bản tin " + sha, Path: "/media/" + sha + ".wav", SHA256: sha, Topics: topics,
		Duration: 90 * time.Second, SampleRate: 48000, Channels: 1, BitDepth: 16,
		LoudnessLUFS: -23, TruePeakDBTP: -1.5, ImportedAt: at(1, 8, 0),
	}
}

func add(t *testing.T, st *store.Store, s playlist.Segment) int64 {
	t.Helper()
	id, existed, err := st.AddSegment(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if existed {
		t.Fatalf("segment %s already existed", s.SHA256)
	}
	return id
}

func count(t *testing.T, st *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenMigratesAndReopens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	// Every migration file is applied: user_version is the highest number.
	files, _ := filepath.Glob("migrations/*.sql")
	latest := 0
	for _, f := range files {
		n, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s: name must start with its number: %v", f, err)
		}
		latest = max(latest, n)
	}
	if len(files) < 3 {
		t.Fatalf("found %d migrations", len(files))
	}
	if got := count(t, st, "PRAGMA user_version"); got != latest {
		t.Errorf("user_version = %d, want %d", got, latest)
	}
	id := add(t, st, seg("aa", "tthc"))
	if err := st.SetState(ctx, "handled_until", "x"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		st, err = store.Open(ctx, dir)
		if err != nil {
			t.Fatalf("re-open %d: %v", i, err)
		}
		if got := count(t, st, "PRAGMA user_version"); got != latest {
			t.Errorf("re-open %d: user_version = %d, want %d", i, got, latest)
		}
		if _, err := st.Segment(ctx, id); err != nil {
			t.Errorf("re-open %d: segment lost: %v", i, err)
		}
		if v, err := st.State(ctx, "handled_until"); err != nil || v != "x" {
			t.Errorf("re-open %d: state = %q, %v", i, v, err)
		}
		st.Close()
	}
}

func TestAddSegmentDeduplicates(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	id1 := add(t, st, seg("same", "tthc"))
	other := seg("same", "chi-so")
	other.Title, other.Path = "Khác", "/elsewhere.wav"
	id2, existed, err := st.AddSegment(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if !existed || id2 != id1 {
		t.Errorf("second add: id %d existed %v, want id %d existed true", id2, existed, id1)
	}
	if n := count(t, st, "SELECT COUNT(*) FROM segments"); n != 1 {
		t.Errorf("segments rows = %d, want 1", n)
	}
	got, err := st.Segment(ctx, id1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Bản tin same" || !reflect.DeepEqual(got.Topics, []string{"tthc"}) {
		t.Errorf("first segment changed: %q %v", got.Title, got.Topics)
	}
}

func TestAddSegmentBringsBackRetired(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	id := add(t, st, seg("r", "tthc"))
	if err := st.Retire(ctx, []int64{id}); err != nil {
		t.Fatal(err)
	}
	id2, existed, err := st.AddSegment(ctx, seg("r", "tthc"))
	if err != nil || !existed || id2 != id {
		t.Fatalf("re-add: %d %v %v", id2, existed, err)
	}
	got, _ := st.Segment(ctx, id)
	if got.Retired {
		t.Error("re-imported segment is still retired")
	}
}

func TestSegmentRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	in := seg("rt", "tthc", "chi-so", "bo-may", "tthc")
	in.Priority = playlist.PriorityPriority
	in.ValidFrom, in.ValidUntil = "2024-05-01", "2024-05-31"
	id := add(t, st, in)
	segs, err := st.Segments(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 1 {
		t.Fatalf("segments = %d, want 1", len(segs))
	}
	got := segs[0]
	if got.ID != id {
		t.Errorf("id = %d, want %d", got.ID, id)
	}
	if want := []string{"bo-may", "chi-so", "tthc"}; !reflect.DeepEqual(got.Topics, want) {
		t.Errorf("topics = %v, want %v", got.Topics, want)
	}
	if got.Duration != in.Duration || got.Priority != in.Priority || got.ValidFrom != in.ValidFrom || got.ValidUntil != in.ValidUntil ||
		got.LoudnessLUFS != -23 || got.TruePeakDBTP != -1.5 || got.Approved || !got.ImportedAt.Equal(in.ImportedAt) {
		t.Errorf("round trip: got %+v", got)
	}
}

func TestApproveAndRetire(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	a := add(t, st, seg("a", "tthc"))
	b := add(t, st, seg("b", "tthc"))
	when := at(2, 9, 0)

	err := st.Approve(ctx, []int64{a, 999}, "chu-tich", when)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("approve with unknown id: err = %v, want ErrNotFound", err)
	}
	if got, _ := st.Segment(ctx, a); got.Approved || got.ApprovedBy != "" {
		t.Errorf("failed approve changed segment %d: approved %v by %q", a, got.Approved, got.ApprovedBy)
	}

	if err := st.Approve(ctx, []int64{a}, "chu-tich", when); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Segment(ctx, a)
	if !got.Approved || got.ApprovedBy != "chu-tich" || !got.ApprovedAt.Equal(when) {
		t.Errorf("approved segment: %v %q %v", got.Approved, got.ApprovedBy, got.ApprovedAt)
	}
	if got, _ := st.Segment(ctx, b); got.Approved {
		t.Error("segment b approved too")
	}

	if err := st.Retire(ctx, []int64{b, 12345}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("retire with unknown id: err = %v, want ErrNotFound", err)
	}
	if err := st.Retire(ctx, []int64{b}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		withRetired bool
		want        []int64
	}{{false, []int64{a}}, {true, []int64{a, b}}}
	for _, tt := range tests {
		segs, err := st.Segments(ctx, tt.withRetired)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, s := range segs {
			ids = append(ids, s.ID)
		}
		if !reflect.DeepEqual(ids, tt.want) {
			t.Errorf("Segments(%v) = %v, want %v", tt.withRetired, ids, tt.want)
		}
	}
	if got, err := st.Segment(ctx, b); err != nil || !got.Retired {
		t.Errorf("retired segment by id: %+v %v", got.Retired, err)
	}
	if _, err := st.Segment(ctx, 4242); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Segment(unknown) err = %v, want ErrNotFound", err)
	}
}

func airing(segID int64, slot string, sched time.Time) playlist.Airing {
	return playlist.Airing{SegmentID: segID, Title: "t", Topics: []string{"tthc", "chi-so"}, Slot: slot,
		ScheduledAt: sched, StartedAt: sched, Duration: 90 * time.Second}
}

func TestAiringLifecycle(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	start := at(3, 6, 0)
	id, err := st.StartAiring(ctx, airing(7, "sang", start))
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.Airing(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != playlist.StatusOpen || !a.EndedAt.IsZero() {
		t.Errorf("opened airing: status %q ended %v", a.Status, a.EndedAt)
	}
	heard := start.Add(120 * time.Millisecond)
	end := heard.Add(90 * time.Second)
	if err := st.CloseAiring(ctx, id, playlist.StatusCompleted, heard, end, 90*time.Second, ""); err != nil {
		t.Fatal(err)
	}
	a, _ = st.Airing(ctx, id)
	if a.Status != playlist.StatusCompleted || !a.StartedAt.Equal(heard) || !a.EndedAt.Equal(end) || a.Played != 90*time.Second {
		t.Errorf("closed airing: %+v", a)
	}
	if !reflect.DeepEqual(a.Topics, []string{"tthc", "chi-so"}) || a.Slot != "sang" || !a.ScheduledAt.Equal(start) {
		t.Errorf("closed airing fields: %+v", a)
	}

	err = st.CloseAiring(ctx, id, playlist.StatusInterrupted, time.Time{}, end, time.Second, "again")
	if !errors.Is(err, store.ErrClosed) {
		t.Fatalf("second close: err = %v, want ErrClosed", err)
	}
	if a2, _ := st.Airing(ctx, id); a2.Status != playlist.StatusCompleted || a2.Reason != "" {
		t.Errorf("second close changed the row: %+v", a2)
	}
	if err := st.CloseAiring(ctx, id, playlist.StatusOpen, time.Time{}, end, 0, ""); err == nil {
		t.Error("closing with status open: want an error")
	}
	if _, err := st.StartAiring(ctx, playlist.Airing{SegmentID: 1, Slot: "sang", ScheduledAt: start}); err == nil {
		t.Error("StartAiring without started_at: want an error")
	}
	if _, err := st.Airing(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Airing(unknown) err = %v, want ErrNotFound", err)
	}
}

func TestClosedAiringsAreFinalInTheDatabase(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	closed, err := st.LogClosed(ctx, playlist.Airing{SegmentID: 1, Title: "t", Slot: "sang", ScheduledAt: at(3, 6, 0), Status: playlist.StatusMissed, Reason: "down"})
	if err != nil {
		t.Fatal(err)
	}
	openID, err := st.StartAiring(ctx, airing(2, "chieu", at(3, 17, 15)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		sql     string
		args    []any
		refused bool
	}{
		{"update closed", "UPDATE airings SET status = 'completed' WHERE id = ?", []any{closed}, true},
		{"update closed played", "UPDATE airings SET played_ms = 5 WHERE id = ?", []any{closed}, true},
		{"delete closed", "DELETE FROM airings WHERE id = ?", []any{closed}, true},
		{"delete open", "DELETE FROM airings WHERE id = ?", []any{openID}, true},
		{"update open", "UPDATE airings SET played_ms = 5 WHERE id = ?", []any{openID}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.DB().ExecContext(ctx, tt.sql, tt.args...)
			if !tt.refused {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "never") {
				t.Fatalf("err = %v, want the database to refuse with \"never\"", err)
			}
		})
	}
	a, _ := st.Airing(ctx, closed)
	if a.Status != playlist.StatusMissed || a.Played != 0 {
		t.Errorf("closed row changed: %+v", a)
	}
	if n := count(t, st, "SELECT COUNT(*) FROM airings"); n != 2 {
		t.Errorf("rows = %d, want 2", n)
	}
}

func TestCloseOpenAirings(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	s1, s2 := at(4, 6, 0), at(4, 6, 2)
	id1, _ := st.StartAiring(ctx, airing(1, "sang", s1))
	id2, _ := st.StartAiring(ctx, airing(2, "sang", s2))
	id3, _ := st.StartAiring(ctx, airing(3, "sang", at(4, 6, 4)))
	if err := st.CloseAiring(ctx, id3, playlist.StatusCompleted, time.Time{}, at(4, 6, 5), time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.Progress(ctx, id1, 42*time.Second); err != nil {
		t.Fatal(err)
	}
	// Progress on a closed row changes nothing (and is not refused).
	if err := st.Progress(ctx, id3, time.Second); err != nil {
		t.Fatal(err)
	}

	n, err := st.CloseOpenAirings(ctx, "crash")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("closed %d, want 2", n)
	}
	tests := []struct {
		id     int64
		status playlist.Status
		played time.Duration
		ended  time.Time
		reason string
	}{
		{id1, playlist.StatusInterrupted, 42 * time.Second, s1.Add(42 * time.Second), "crash"},
		{id2, playlist.StatusInterrupted, 0, s2, "crash"},
		{id3, playlist.StatusCompleted, time.Minute, at(4, 6, 5), ""},
	}
	for _, tt := range tests {
		a, err := st.Airing(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != tt.status || a.Played != tt.played || !a.EndedAt.Equal(tt.ended) || a.Reason != tt.reason {
			t.Errorf("airing %d: status %q played %v ended %v reason %q; want %q %v %v %q",
				tt.id, a.Status, a.Played, a.EndedAt, a.Reason, tt.status, tt.played, tt.ended, tt.reason)
		}
	}
	if n, err := st.CloseOpenAirings(ctx, "again"); err != nil || n != 0 {
		t.Errorf("second CloseOpenAirings = %d, %v; want 0", n, err)
	}
}

func TestHasScheduled(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	occ := at(5, 6, 0)
	if _, err := st.LogClosed(ctx, playlist.Airing{SegmentID: 0, Title: "", Slot: "sang", ScheduledAt: occ, Status: playlist.StatusMissed}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		slot       string
		start, end time.Time
		want       bool
	}{
		{"covers", "sang", occ, occ.Add(10 * time.Minute), true},
		{"start inclusive", "sang", occ, occ.Add(time.Millisecond), true},
		{"end exclusive", "sang", occ.Add(-time.Minute), occ, false},
		{"after", "sang", occ.Add(time.Millisecond), occ.Add(time.Hour), false},
		{"other slot", "chieu", occ, occ.Add(10 * time.Minute), false},
		{"empty range at the instant", "sang", occ, occ, true},
		{"next day", "sang", occ.AddDate(0, 0, 1), occ.AddDate(0, 0, 1).Add(10 * time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.HasScheduled(ctx, "", tt.slot, tt.start, tt.end)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("HasScheduled = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLastAired(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	log := func(segID int64, sched time.Time, status playlist.Status) {
		t.Helper()
		a := airing(segID, "sang", sched)
		var err error
		if status == playlist.StatusOpen {
			_, err = st.StartAiring(ctx, a)
		} else {
			a.Status = status
			if status == playlist.StatusMissed {
				a.StartedAt = time.Time{}
			}
			_, err = st.LogClosed(ctx, a)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	log(1, at(1, 6, 0), playlist.StatusCompleted)
	log(1, at(2, 6, 0), playlist.StatusMissed)
	log(1, at(3, 6, 0), playlist.StatusFailed)
	log(2, at(2, 6, 0), playlist.StatusInterrupted)
	log(2, at(4, 6, 0), playlist.StatusCompleted) // after the cut-off
	log(3, at(2, 6, 0), playlist.StatusMissed)
	log(4, at(2, 17, 15), playlist.StatusOpen)
	log(0, at(2, 6, 0), playlist.StatusCompleted) // no segment

	got, err := st.LastAired(ctx, "", at(4, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]time.Time{1: at(1, 6, 0), 2: at(2, 6, 0), 4: at(2, 17, 15)}
	if len(got) != len(want) {
		t.Errorf("LastAired = %v, want %v", got, want)
	}
	for id, w := range want {
		if !got[id].Equal(w) {
			t.Errorf("segment %d: last aired %v, want %v", id, got[id], w)
		}
	}
}

func TestAiringsRange(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	times := []time.Time{at(1, 0, 0).Add(-time.Millisecond), at(1, 0, 0), at(15, 6, 0), at(31, 23, 59), at(31, 0, 0).AddDate(0, 0, 1)}
	for i, tm := range times {
		a := airing(int64(i+1), "sang", tm)
		a.Status = playlist.StatusCompleted
		if _, err := st.LogClosed(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Airings(ctx, "", at(1, 0, 0), at(31, 0, 0).AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, a := range got {
		ids = append(ids, a.SegmentID)
	}
	if want := []int64{2, 3, 4}; !reflect.DeepEqual(ids, want) {
		t.Errorf("airings in May = segments %v, want %v", ids, want)
	}
	if len(got) > 0 && !got[0].EndedAt.Equal(got[0].StartedAt) {
		t.Errorf("LogClosed without ended_at: ended %v, want started %v", got[0].EndedAt, got[0].StartedAt)
	}
}

func TestPinsTravelWithTheSegments(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id := add(t, st, seg("p1", "tthc"))
	other := add(t, st, seg("p2", "tthc"))
	if err := st.Pin(ctx, id, "2024-05-02", "sang", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.Pin(ctx, id, "2024-05-02", "sang", time.Now()); err != nil {
		t.Fatalf("pinning twice: %v", err)
	}
	if err := st.Pin(ctx, 999, "2024-05-02", "sang", time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pin of an unknown segment: %v, want ErrNotFound", err)
	}
	segs, err := st.Segments(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range segs {
		switch s.ID {
		case id:
			if len(s.Pins) != 1 || !s.PinnedTo("2024-05-02", "sang") || s.PinnedTo("2024-05-02", "chieu") {
				t.Fatalf("pins of %d: %+v", id, s.Pins)
			}
		case other:
			if len(s.Pins) != 0 {
				t.Fatalf("segment %d has pins %+v", other, s.Pins)
			}
		}
	}
	if err := st.Unpin(ctx, id, "2024-05-02", "sang"); err != nil {
		t.Fatal(err)
	}
	if err := st.Unpin(ctx, id, "2024-05-02", "sang"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unpinning twice: %v, want ErrNotFound", err)
	}
}
