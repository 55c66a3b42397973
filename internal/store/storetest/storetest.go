// Package storetest is the conformance suite every store of the station
// must pass: the SQLite store today (internal/store runs it), a PostgreSQL
// store for the province tomorrow. It speaks only through the store's
// methods — no SQL — so that it holds for any engine: segments added once
// by their SHA-256, approved, rejected, retired; airings opened and closed
// once, closed rows final, sealed in the hash chain and counted in the
// running totals; pins; users, sessions and the audit trail.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// Store is everything the station asks of a store: what the station's
// runtime, the importer and the use-case layer declare they use, and the
// checks of the log.
type Store interface {
	station.Log
	library.SegmentStore
	commune.Store
	Airing(ctx context.Context, id int64) (playlist.Airing, error)
	LoggedAirings(ctx context.Context, zone string, from, to time.Time) ([]store.LoggedAiring, error)
	VerifyChain(ctx context.Context) (store.ChainReport, error)
	VerifyTallies(ctx context.Context) (store.TallyCheck, error)
	ChainHeadBefore(ctx context.Context, end time.Time) (store.PeriodHead, bool, error)
	CheckPassword(ctx context.Context, name, password string) (store.User, error)
	CreateSession(ctx context.Context, u store.User, now time.Time, ttl time.Duration) (store.Session, error)
	SessionByToken(ctx context.Context, token string, now time.Time) (store.Session, error)
	DeleteSession(ctx context.Context, token string) error
	Users(ctx context.Context) ([]store.User, error)
}

// Run runs the suite; open returns a new, empty store, closed by the test's
// cleanup.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("Segments", func(t *testing.T) { segments(t, open(t)) })
	t.Run("Review", func(t *testing.T) { review(t, open(t)) })
	t.Run("Airings", func(t *testing.T) { airings(t, open(t)) })
	t.Run("ChainAndTallies", func(t *testing.T) { chainAndTallies(t, open(t)) })
	t.Run("Zones", func(t *testing.T) { zones(t, open(t)) })
	t.Run("Pins", func(t *testing.T) { pins(t, open(t)) })
	t.Run("UsersAndSessions", func(t *testing.T) { usersAndSessions(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { audit(t, open(t)) })
	t.Run("State", func(t *testing.T) { state(t, open(t)) })
}

var zone = time.FixedZone("ICT", 7*3600)

func at(day, hour, minute int) time.Time { return time.Date(2024, 5, day, hour, minute, 0, 0, zone) }

func seg(sha string, topics ...string) playlist.Segment {
	return playlist.Segment{
		Title: "Bản tin " + sha, Path: "/media/" + sha + ".wav", SHA256: sha, Topics: topics,
		Duration: 90 * time.Second, SampleRate: 48000, Channels: 1, BitDepth: 16,
		LoudnessLUFS: -23, TruePeakDBTP: -1.5, ImportedAt: at(1, 8, 0), Priority: playlist.PriorityNormal,
	}
}

func add(t *testing.T, st Store, s playlist.Segment) int64 {
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

func ids(segs []playlist.Segment) []int64 {
	var out []int64
	for _, s := range segs {
		out = append(out, s.ID)
	}
	return out
}

func segments(t *testing.T, st Store) {
	ctx := context.Background()
	a := add(t, st, seg("aa", "tthc", "chi-so", "tthc"))
	b := add(t, st, seg("bb", "tthc"))
	if a == b || a <= 0 || b <= 0 {
		t.Fatalf("ids %d, %d", a, b)
	}
	// The same recording twice is one segment.
	again, existed, err := st.AddSegment(ctx, seg("aa", "tthc"))
	if err != nil || !existed || again != a {
		t.Fatalf("adding aa again = %d, %v, %v; want %d, existed", again, existed, err, a)
	}
	got, err := st.Segment(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	want := seg("aa")
	if got.ID != a || got.Title != want.Title || got.Path != want.Path || got.SHA256 != "aa" || got.Duration != want.Duration ||
		got.SampleRate != 48000 || got.Channels != 1 || !got.ImportedAt.Equal(want.ImportedAt) || got.Approved || got.Retired {
		t.Errorf("segment read back %+v", got)
	}
	if !reflect.DeepEqual(got.Topics, []string{"chi-so", "tthc"}) {
		t.Errorf("topics %v, want [chi-so tthc]: each once, sorted", got.Topics)
	}
	if bySHA, err := st.SegmentBySHA(ctx, "bb"); err != nil || bySHA.ID != b {
		t.Errorf("SegmentBySHA(bb) = %d, %v; want %d", bySHA.ID, err, b)
	}
	if _, err := st.SegmentBySHA(ctx, "zz"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SegmentBySHA(unknown) err = %v, want ErrNotFound", err)
	}
	if _, err := st.Segment(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Segment(unknown) err = %v, want ErrNotFound", err)
	}

	if err := st.Approve(ctx, []int64{a}, "chu-tich", at(2, 9, 0)); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Segment(ctx, a); !s.Approved || s.ApprovedBy != "chu-tich" {
		t.Errorf("approved segment %+v", s)
	}
	// One unknown id approves none.
	if err := st.Approve(ctx, []int64{b, 9999}, "x", at(2, 9, 0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Approve with an unknown id err = %v, want ErrNotFound", err)
	}
	if s, _ := st.Segment(ctx, b); s.Approved {
		t.Error("a failed Approve approved a segment")
	}

	if err := st.Retire(ctx, []int64{b}); err != nil {
		t.Fatal(err)
	}
	live, err := st.Segments(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.Segments(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids(live), []int64{a}) || len(all) != 2 {
		t.Errorf("after retiring %d: live %v, all %v", b, ids(live), ids(all))
	}
	if err := st.Retire(ctx, []int64{9999}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Retire(unknown) err = %v, want ErrNotFound", err)
	}
	// Importing a retired recording again brings it back.
	back, existed, err := st.AddSegment(ctx, seg("bb", "tthc"))
	if err != nil || back != b {
		t.Fatalf("re-adding bb = %d, %v, %v", back, existed, err)
	}
	if s, _ := st.Segment(ctx, b); s.Retired {
		t.Error("a retired segment imported again stays retired")
	}
}

func review(t *testing.T, st Store) {
	ctx := context.Background()
	a := add(t, st, seg("r1", "tthc"))
	b := add(t, st, seg("r2", "tthc"))
	edit := store.SegmentEdit{Title: "Sửa", Topics: []string{"chi-so"}, ValidFrom: "2024-05-01", ValidUntil: "2024-05-31", Priority: playlist.PriorityPriority}
	if err := st.EditSegment(ctx, a, edit); err != nil {
		t.Fatal(err)
	}
	s, _ := st.Segment(ctx, a)
	if s.Title != "Sửa" || !reflect.DeepEqual(s.Topics, []string{"chi-so"}) || s.ValidFrom != "2024-05-01" || s.ValidUntil != "2024-05-31" || s.Priority != playlist.PriorityPriority {
		t.Errorf("edited segment %+v", s)
	}
	if err := st.EditSegment(ctx, 9999, edit); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EditSegment(unknown) err = %v, want ErrNotFound", err)
	}
	if err := st.Reject(ctx, b, "chu-tich", "sai số liệu", at(2, 10, 0)); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Segment(ctx, b); !s.Retired || s.Approved {
		t.Errorf("a rejected segment airs: %+v", s)
	}
	if err := st.Approve(ctx, []int64{a}, "chu-tich", at(2, 11, 0)); err != nil {
		t.Fatal(err)
	}
	// What was approved is what airs.
	if err := st.EditSegment(ctx, a, edit); !errors.Is(err, store.ErrApproved) {
		t.Errorf("editing an approved segment err = %v, want ErrApproved", err)
	}
	if err := st.Reject(ctx, a, "chu-tich", "muộn", at(2, 12, 0)); !errors.Is(err, store.ErrApproved) {
		t.Errorf("rejecting an approved segment err = %v, want ErrApproved", err)
	}
	if err := st.SetUploader(ctx, a, "lan"); err != nil {
		t.Errorf("SetUploader: %v", err)
	}
}

func airing(segID int64, slot string, sched time.Time) playlist.Airing {
	return playlist.Airing{SegmentID: segID, Title: "t", Topics: []string{"tthc", "chi-so"}, Slot: slot,
		ScheduledAt: sched, StartedAt: sched, Duration: 90 * time.Second}
}

func airings(t *testing.T, st Store) {
	ctx := context.Background()
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
	if err := st.Progress(ctx, id, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if done, err := st.HasScheduled(ctx, "", "sang", start, start.Add(10*time.Minute)); err != nil || !done {
		t.Errorf("HasScheduled(sang) = %v, %v; want true", done, err)
	}
	if done, _ := st.HasScheduled(ctx, "", "chieu", start, start.Add(10*time.Minute)); done {
		t.Error("HasScheduled(chieu) = true for another slot")
	}
	heard := start.Add(120 * time.Millisecond)
	end := heard.Add(90 * time.Second)
	if err := st.CloseAiring(ctx, id, playlist.StatusCompleted, heard, end, 90*time.Second, ""); err != nil {
		t.Fatal(err)
	}
	a, _ = st.Airing(ctx, id)
	if a.Status != playlist.StatusCompleted || !a.StartedAt.Equal(heard) || !a.EndedAt.Equal(end) || a.Played != 90*time.Second ||
		!reflect.DeepEqual(a.Topics, []string{"tthc", "chi-so"}) || a.Slot != "sang" || !a.ScheduledAt.Equal(start) {
		t.Errorf("closed airing %+v", a)
	}
	// A closed row is final.
	if err := st.CloseAiring(ctx, id, playlist.StatusInterrupted, time.Time{}, end, time.Second, "again"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("second close err = %v, want ErrClosed", err)
	}
	if err := st.Progress(ctx, id, time.Second); err == nil {
		if a2, _ := st.Airing(ctx, id); a2.Played != 90*time.Second {
			t.Errorf("progress changed a closed row: played %v", a2.Played)
		}
	}
	if a2, _ := st.Airing(ctx, id); a2.Status != playlist.StatusCompleted || a2.Reason != "" {
		t.Errorf("closed row changed: %+v", a2)
	}
	if err := st.CloseAiring(ctx, id, playlist.StatusOpen, time.Time{}, end, 0, ""); err == nil {
		t.Error("closing with status open: want an error")
	}
	if _, err := st.Airing(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Airing(unknown) err = %v, want ErrNotFound", err)
	}

	// A missed airing is logged closed; open rows are closed at a restart.
	if _, err := st.LogClosed(ctx, playlist.Airing{SegmentID: 8, Title: "m", Slot: "chieu", ScheduledAt: at(3, 17, 0), Status: playlist.StatusMissed, Reason: "down"}); err != nil {
		t.Fatal(err)
	}
	open, err := st.StartAiring(ctx, airing(8, "toi", at(3, 20, 0)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.CloseOpenAirings(ctx, "restart")
	if err != nil || n != 1 {
		t.Fatalf("CloseOpenAirings = %d, %v; want 1", n, err)
	}
	if a, _ := st.Airing(ctx, open); a.Status == playlist.StatusOpen || a.Reason != "restart" {
		t.Errorf("an open airing left open at restart: %+v", a)
	}
	got, err := st.Airings(ctx, "", at(3, 0, 0), at(4, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var slots []string
	for _, a := range got {
		slots = append(slots, a.Slot)
	}
	if !reflect.DeepEqual(slots, []string{"sang", "chieu", "toi"}) {
		t.Errorf("Airings of the 3rd: slots %v, want sang chieu toi in time order", slots)
	}
	if got, _ := st.Airings(ctx, "", at(4, 0, 0), at(5, 0, 0)); len(got) != 0 {
		t.Errorf("Airings of the 4th: %d rows, want none", len(got))
	}
	last, err := st.LastAired(ctx, "", at(4, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !last[7].Equal(start) {
		t.Errorf("LastAired[7] = %v, want %v", last[7], start)
	}
	if _, ok := last[8]; ok && last[8].Equal(at(3, 17, 0)) {
		t.Error("a missed airing counts as aired")
	}
}

// logSome writes airings closed in an order other than their ids': 2, 1,
// 3, 4; 5 stays open.
func logSome(t *testing.T, st Store) {
	t.Helper()
	ctx := context.Background()
	id1, err := st.StartAiring(ctx, airing(1, "sang", at(6, 6, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LogClosed(ctx, playlist.Airing{SegmentID: 2, Title: "m", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at(5, 6, 0), Status: playlist.StatusMissed, Reason: "down"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseAiring(ctx, id1, playlist.StatusCompleted, at(6, 6, 0), at(6, 6, 0).Add(90*time.Second), 90*time.Second, ""); err != nil {
		t.Fatal(err)
	}
	id3, err := st.StartAiring(ctx, airing(1, "chieu", at(6, 17, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CloseAiring(ctx, id3, playlist.StatusFailed, at(6, 17, 0), at(6, 17, 0), 0, "no device"); err != nil {
		t.Fatal(err)
	}
	id4, err := st.StartAiring(ctx, airing(1, "sang", at(8, 6, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CloseAiring(ctx, id4, playlist.StatusInterrupted, at(8, 6, 0), at(8, 6, 1), time.Minute, "emergency"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartAiring(ctx, airing(1, "chieu", at(8, 17, 0))); err != nil {
		t.Fatal(err)
	}
}

func chainAndTallies(t *testing.T, st Store) {
	ctx := context.Background()
	if rep, err := st.VerifyChain(ctx); err != nil || rep.Break != nil || rep.Verified != 0 {
		t.Fatalf("empty log: %+v, %v", rep, err)
	}
	if _, ok, err := st.ChainHeadBefore(ctx, at(30, 0, 0)); err != nil || ok {
		t.Fatalf("ChainHeadBefore on an empty log = %v, %v; want none", ok, err)
	}
	logSome(t, st)
	rep, err := st.VerifyChain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Break != nil || rep.Verified != 4 || rep.Open != 1 || rep.Last.Seq != 4 {
		t.Fatalf("VerifyChain = %+v; want 4 verified, 1 open, last seq 4, no break", rep)
	}
	logged, err := st.LoggedAirings(ctx, "", at(1, 0, 0), at(31, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(logged) != 5 {
		t.Fatalf("LoggedAirings: %d rows, want 5", len(logged))
	}
	// Each closed row's link names the previous one's hash, in the order
	// they closed.
	bySeq := map[int64]store.Link{}
	links := map[int64]store.Link{}
	for _, a := range logged {
		links[a.ID] = a.Link
		if a.Status == playlist.StatusOpen {
			if a.Link.Hash != "" {
				t.Errorf("open airing %d is chained: %+v", a.ID, a.Link)
			}
			continue
		}
		if a.Link.Hash == "" {
			t.Errorf("closed airing %d is not chained", a.ID)
		}
		bySeq[a.Link.Seq] = a.Link
	}
	for seq := int64(2); seq <= 4; seq++ {
		if bySeq[seq].PrevHash != bySeq[seq-1].Hash {
			t.Errorf("link %d prev %q, want link %d's hash %q", seq, bySeq[seq].PrevHash, seq-1, bySeq[seq-1].Hash)
		}
	}
	if rep.Last.Hash != bySeq[4].Hash {
		t.Errorf("VerifyChain last %q, want %q", rep.Last.Hash, bySeq[4].Hash)
	}
	for _, tt := range []struct {
		end time.Time
		ok  bool
		seq int64
	}{
		{at(5, 0, 0), false, 0},
		{at(6, 0, 0), true, 1},
		{at(7, 0, 0), true, 3},
		{at(9, 0, 0), true, 4},
	} {
		head, ok, err := st.ChainHeadBefore(ctx, tt.end)
		if err != nil {
			t.Fatal(err)
		}
		if ok != tt.ok || head.Seq != tt.seq || ok && head.Hash != links[head.AiringID].Hash {
			t.Errorf("ChainHeadBefore(%s) = %+v, %v; want seq %d, %v", tt.end, head, ok, tt.seq, tt.ok)
		}
	}
	c, err := st.VerifyTallies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Diffs) != 0 || c.Days != 4 || c.Segments != 1 {
		t.Errorf("VerifyTallies = %+v; want 4 day totals, 1 segment total, no difference", c)
	}
}

func pins(t *testing.T, st Store) {
	ctx := context.Background()
	id := add(t, st, seg("p1", "tthc"))
	other := add(t, st, seg("p2", "tthc"))
	if err := st.Pin(ctx, id, "2024-05-02", "sang", at(1, 9, 0)); err != nil {
		t.Fatal(err)
	}
	if err := st.Pin(ctx, id, "2024-05-02", "sang", at(1, 9, 0)); err != nil {
		t.Fatalf("pinning twice: %v", err)
	}
	if err := st.Pin(ctx, 9999, "2024-05-02", "sang", at(1, 9, 0)); !errors.Is(err, store.ErrNotFound) {
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
				t.Errorf("pins of %d: %+v", id, s.Pins)
			}
		case other:
			if len(s.Pins) != 0 {
				t.Errorf("segment %d has pins %+v", other, s.Pins)
			}
		}
	}
	if err := st.Unpin(ctx, id, "2024-05-02", "sang"); err != nil {
		t.Fatal(err)
	}
	if err := st.Unpin(ctx, id, "2024-05-02", "sang"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unpinning twice: %v, want ErrNotFound", err)
	}
}

func usersAndSessions(t *testing.T, st Store) {
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	u, err := st.AddUser(ctx, "lan", store.RoleOperator, "mật-khẩu-cũ", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddUser(ctx, "lan", store.RoleViewer, "khác-hẳn", now); !errors.Is(err, store.ErrExists) {
		t.Errorf("adding lan twice err = %v, want ErrExists", err)
	}
	other, err := st.AddUser(ctx, "binh", store.RoleApprover, "mật-khẩu-bình", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetProfile(ctx, "binh", "Trần Văn Bình", "Chủ tịch UBND xã"); err != nil {
		t.Fatal(err)
	}
	users, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]store.User{}
	for _, x := range users {
		found[x.Name] = x
	}
	if len(users) != 2 || found["lan"].Role != store.RoleOperator || found["binh"].FullName != "Trần Văn Bình" || found["binh"].JobTitle != "Chủ tịch UBND xã" {
		t.Errorf("users %+v", users)
	}
	if _, err := st.CheckPassword(ctx, "lan", "sai"); !errors.Is(err, store.ErrBadPassword) {
		t.Errorf("wrong password err = %v, want ErrBadPassword", err)
	}
	if _, err := st.CheckPassword(ctx, "ai", "sai"); !errors.Is(err, store.ErrBadPassword) {
		t.Errorf("unknown user err = %v, want ErrBadPassword", err)
	}
	s1, err := st.CreateSession(ctx, u, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := st.CreateSession(ctx, other, now, time.Hour)
	if got, err := st.SessionByToken(ctx, s1.Token, now.Add(time.Minute)); err != nil || got.User.Name != "lan" || got.CSRF == "" {
		t.Errorf("SessionByToken = %+v, %v", got, err)
	}
	if _, err := st.SessionByToken(ctx, s1.Token, now.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired session err = %v, want ErrNotFound", err)
	}
	// A new password ends the user's sessions, not others'.
	if err := st.SetPassword(ctx, "lan", "mật-khẩu-mới"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByToken(ctx, s1.Token, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the session survived a password change: %v", err)
	}
	if _, err := st.SessionByToken(ctx, s2.Token, now); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	if _, err := st.CheckPassword(ctx, "lan", "mật-khẩu-mới"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	if err := st.SetPassword(ctx, "ai", "mật-khẩu-mới"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetPassword(unknown) err = %v, want ErrNotFound", err)
	}
	// Disabling ends the sessions and refuses the login.
	s3, _ := st.CreateSession(ctx, u, now, time.Hour)
	if err := st.SetDisabled(ctx, "lan", true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByToken(ctx, s3.Token, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the session survived disabling: %v", err)
	}
	if _, err := st.CheckPassword(ctx, "lan", "mật-khẩu-mới"); !errors.Is(err, store.ErrDisabled) {
		t.Errorf("a disabled account logs in: %v", err)
	}
	if err := st.SetDisabled(ctx, "lan", false); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteSession(ctx, s2.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByToken(ctx, s2.Token, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a logged-out session err = %v, want ErrNotFound", err)
	}
}

func audit(t *testing.T, st Store) {
	ctx := context.Background()
	for i, a := range []string{store.ActionLoad, store.ActionApprove, store.ActionPlay} {
		e := store.AuditEntry{At: at(3, 8, i), User: "cli:root", Action: a, Object: fmt.Sprintf("#%d", i+1), Detail: "chi tiết"}
		if err := st.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	trail, err := st.AuditTrail(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].Action != store.ActionPlay || trail[1].Action != store.ActionApprove ||
		!trail[0].At.Equal(at(3, 8, 2)) || trail[0].User != "cli:root" || trail[0].Object != "#3" || trail[0].Detail != "chi tiết" {
		t.Fatalf("trail (newest first, 2) = %+v", trail)
	}
	if all, _ := st.AuditTrail(ctx, 100); len(all) != 3 {
		t.Errorf("whole trail: %d entries, want 3", len(all))
	}
}

func state(t *testing.T, st Store) {
	ctx := context.Background()
	if v, err := st.State(ctx, "last_handled"); err != nil || v != "" {
		t.Errorf("unset state = %q, %v; want \"\"", v, err)
	}
	if err := st.SetState(ctx, "last_handled", "2024-05-03T06:00:00+07:00"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetState(ctx, "last_handled", "2024-05-03T17:15:00+07:00"); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.State(ctx, "last_handled"); v != "2024-05-03T17:15:00+07:00" {
		t.Errorf("state = %q, want the last value", v)
	}
}

// zones: every airing is of one zone (the default, chung, when none is
// given); the log's queries filter by zone, "" meaning every zone; the
// chain and the totals hold over several zones.
func zones(t *testing.T, st Store) {
	ctx := context.Background()
	start := at(10, 6, 0)
	inZone := func(a playlist.Airing, zone string) playlist.Airing { a.Zone = zone; return a }
	dong, err := st.StartAiring(ctx, inZone(airing(7, "sang", start), "dong"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CloseAiring(ctx, dong, playlist.StatusCompleted, start, start.Add(90*time.Second), 90*time.Second, ""); err != nil {
		t.Fatal(err)
	}
	// The same occurrence in another zone, missed there.
	tay, err := st.LogClosed(ctx, playlist.Airing{SegmentID: 7, Title: "t", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: start,
		Status: playlist.StatusMissed, Reason: "down", Zone: "tay"})
	if err != nil {
		t.Fatal(err)
	}
	// No zone given: the default zone.
	chung, err := st.StartAiring(ctx, airing(8, "chieu", at(10, 17, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CloseAiring(ctx, chung, playlist.StatusCompleted, at(10, 17, 0), at(10, 17, 2), 90*time.Second, ""); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{dong: "dong", tay: "tay", chung: playlist.DefaultZone} {
		if a, err := st.Airing(ctx, id); err != nil || a.Zone != want {
			t.Errorf("airing %d zone = %q, %v; want %q", id, a.Zone, err, want)
		}
	}
	for _, tt := range []struct {
		zone string
		want bool
	}{{"dong", true}, {"tay", true}, {"", true}, {"bac", false}, {playlist.DefaultZone, false}} {
		if done, err := st.HasScheduled(ctx, tt.zone, "sang", start, start.Add(10*time.Minute)); err != nil || done != tt.want {
			t.Errorf("HasScheduled(%q, sang) = %v, %v; want %v", tt.zone, done, err, tt.want)
		}
	}
	day := func(zone string) []int64 {
		got, err := st.Airings(ctx, zone, at(10, 0, 0), at(11, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, a := range got {
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := day(""); len(got) != 3 {
		t.Errorf("Airings of every zone: %v, want 3 rows", got)
	}
	if got := day("dong"); !reflect.DeepEqual(got, []int64{dong}) {
		t.Errorf("Airings of dong: %v, want [%d]", got, dong)
	}
	if got := day(playlist.DefaultZone); !reflect.DeepEqual(got, []int64{chung}) {
		t.Errorf("Airings of chung: %v, want [%d]", got, chung)
	}
	logged, err := st.LoggedAirings(ctx, "tay", at(10, 0, 0), at(11, 0, 0))
	if err != nil || len(logged) != 1 || logged[0].ID != tay || logged[0].Zone != "tay" || logged[0].Link.Hash == "" {
		t.Errorf("LoggedAirings(tay) = %+v, %v; want the missed row, chained", logged, err)
	}
	if last, err := st.LastAired(ctx, "tay", at(11, 0, 0)); err != nil || len(last) != 0 {
		t.Errorf("LastAired(tay) = %v, %v; want nothing (it was missed there)", last, err)
	}
	if last, err := st.LastAired(ctx, "dong", at(11, 0, 0)); err != nil || !last[7].Equal(start) || len(last) != 1 {
		t.Errorf("LastAired(dong) = %v, %v; want segment 7 at %v", last, err, start)
	}
	if last, err := st.LastAired(ctx, "", at(11, 0, 0)); err != nil || len(last) != 2 {
		t.Errorf("LastAired(every zone) = %v, %v; want segments 7 and 8", last, err)
	}
	// The month's summary, per zone and added up.
	count := func(zone string) (airings int, aired int, incidents int) {
		s, err := st.Summarize(ctx, zone, at(1, 0, 0), time.Date(2024, 6, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600)), 7*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range s.Groups {
			airings += g.Airings
		}
		return airings, len(s.Aired), len(s.Incidents)
	}
	for _, tt := range []struct {
		zone                      string
		airings, aired, incidents int
	}{{"", 3, 2, 1}, {"dong", 1, 1, 0}, {"tay", 1, 0, 1}, {playlist.DefaultZone, 1, 1, 0}, {"bac", 0, 0, 0}} {
		if a, s, i := count(tt.zone); a != tt.airings || s != tt.aired || i != tt.incidents {
			t.Errorf("Summarize(%q): %d airings, %d aired segments, %d incidents; want %d, %d, %d", tt.zone, a, s, i, tt.airings, tt.aired, tt.incidents)
		}
	}
	if rep, err := st.VerifyChain(ctx); err != nil || rep.Break != nil || rep.Verified != 3 {
		t.Errorf("VerifyChain over zones = %+v, %v", rep, err)
	}
	if c, err := st.VerifyTallies(ctx); err != nil || len(c.Diffs) != 0 || c.Days != 3 {
		t.Errorf("VerifyTallies over zones = %+v, %v; want 3 day totals (one per zone), no diff", c, err)
	}
}
