package commune_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

var hcm = time.FixedZone("ICT", 7*3600)

func setup(t *testing.T, trim bool) (*commune.Commune, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sched, err := config.ParseCron("0 6 * * *")
	if err != nil {
		t.Fatal(err)
	}
	p := &playlist.Planner{Location: hcm, TrimSilence: trim, Topics: []playlist.Topic{{Code: "tthc", Name: "Thủ tục hành chính", TargetAirings: 30}},
		Slots: []playlist.Slot{{Name: "sang", Title: "Buổi sáng", Schedule: sched, Length: 10 * time.Minute}}}
	now := time.Date(2024, 5, 2, 5, 0, 0, 0, hcm)
	c := commune.New(commune.Deps{Store: st, Planner: func() *playlist.Planner { return p }, Location: hcm, Now: func() time.Time { return now }})
	return c, st
}

func addSegment(t *testing.T, st *store.Store, sha string) int64 {
	t.Helper()
	ctx := context.Background()
	id, _, err := st.AddSegment(ctx, playlist.Segment{Title: "Bản tin " + sha, Path: "/media/" + sha + ".wav", SHA256: sha, Topics: []string{"tthc"},
		Duration: 90 * time.Second, SampleRate: 48000, Channels: 1, BitDepth: 16, Approved: true, ImportedAt: time.Date(2024, 5, 1, 8, 0, 0, 0, hcm)})
	if err != nil {
		t.Fatal(err)
	}
	// 2 s of silence before, 3 s after.
	if err := st.SetSilence(ctx, id, 2*time.Second, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPlanCountsTheLibraryAsItAirs: with audio.trim_silence on, the plan
// every front door shows (CLI preview and check, the web's programme)
// counts each segment without its silences, as the station airs it.
func TestPlanCountsTheLibraryAsItAirs(t *testing.T) {
	for _, tt := range []struct {
		trim bool
		want time.Duration
	}{{false, 90 * time.Second}, {true, 85 * time.Second}} {
		c, st := setup(t, tt.trim)
		id := addSegment(t, st, "a")
		day := time.Date(2024, 5, 2, 0, 0, 0, 0, hcm)
		plans, err := c.Plan(context.Background(), day, day.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(plans) != 1 || len(plans[0].Items) != 1 || plans[0].Items[0].Segment.ID != id {
			t.Fatalf("trim %v: plans %+v, want one slot airing segment %d", tt.trim, plans, id)
		}
		if got := plans[0].Items[0].Segment.Duration; got != tt.want {
			t.Errorf("trim %v: planned length %v, want %v", tt.trim, got, tt.want)
		}
		at, ok, err := c.FirstAiring(context.Background(), id, day, 14, day)
		if err != nil || !ok || !at.Equal(time.Date(2024, 5, 2, 6, 0, 0, 0, hcm)) {
			t.Errorf("FirstAiring = %v, %v, %v; want 02/05 06:00", at, ok, err)
		}
	}
}

// TestEveryChangeIsAudited: each use case that changes the state leaves one
// entry naming who did it; a refused one leaves none.
func TestEveryChangeIsAudited(t *testing.T) {
	ctx := context.Background()
	c, st := setup(t, false)
	a := addSegment(t, st, "a")
	b := addSegment(t, st, "b")
	day := time.Date(2024, 5, 2, 0, 0, 0, 0, hcm)
	steps := []struct {
		do     func() error
		action string
	}{
		{func() error { return c.Approve(ctx, "cli:lan", "lan", []int64{a}) }, store.ActionApprove},
		{func() error { return c.Pin(ctx, "cli:lan", a, day, "sang") }, store.ActionPin},
		{func() error { return c.Unpin(ctx, "cli:lan", a, day, "sang") }, store.ActionUnpin},
		{func() error { return c.Retire(ctx, "cli:lan", []int64{b}) }, store.ActionRetire},
		{func() error { return c.AddUser(ctx, "cli:lan", "binh", store.RoleViewer, "mật-khẩu-bình", "", "") }, store.ActionUser},
		{func() error { return c.SetDisabled(ctx, "cli:lan", "binh", true) }, store.ActionUser},
		{func() error { return c.SetSilence(ctx, "cli:lan", a, time.Second, 4*time.Second) }, store.ActionSilence},
		{func() error { _, err := c.Backup(ctx, "cli:lan", filepath.Join(t.TempDir(), "copy.db")); return err }, store.ActionBackup},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
	}
	if err := c.Pin(ctx, "cli:lan", a, day, "trua"); !errors.Is(err, commune.ErrNoSlot) {
		t.Errorf("pin to an unknown slot err = %v, want ErrNoSlot", err)
	}
	if err := c.Approve(ctx, "cli:lan", "lan", []int64{999}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("approve of an unknown segment err = %v, want ErrNotFound", err)
	}
	trail, err := st.AuditTrail(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != len(steps) {
		t.Fatalf("trail has %d entries, want %d: %+v", len(trail), len(steps), trail)
	}
	for i, s := range steps {
		e := trail[len(trail)-1-i]
		if e.Action != s.action || e.User != "cli:lan" {
			t.Errorf("entry %d = %+v, want %s by cli:lan", i, e, s.action)
		}
	}
	if trail[len(trail)-1].Object != "#1 «Bản tin a»" {
		t.Errorf("approve object %q, want the segment's number and title", trail[len(trail)-1].Object)
	}
	if seg, err := c.Segment(ctx, a); err != nil || seg.SilenceStart != time.Second || seg.SilenceEnd != 4*time.Second {
		t.Errorf("after SetSilence: %+v, %v; want 1 s and 4 s of silence", seg, err)
	}
}

// TestSessionsAreUseCases: logging in opens a session the token finds and
// is recorded with the client's address; a wrong password opens none and
// records nothing; logging out ends the session and is recorded.
func TestSessionsAreUseCases(t *testing.T) {
	ctx := context.Background()
	c, st := setup(t, false)
	st.SetHashCost(4)
	if err := c.AddUser(ctx, "cli:lan", "binh", store.RoleViewer, "mật-khẩu-bình", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(ctx, "binh", "sai", time.Hour, "10.0.0.9"); !errors.Is(err, store.ErrBadPassword) {
		t.Fatalf("wrong password: err = %v, want ErrBadPassword", err)
	}
	sess, err := c.Login(ctx, "binh", "mật-khẩu-bình", time.Hour, "10.0.0.9")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Session(ctx, sess.Token); err != nil || got.User.Name != "binh" {
		t.Fatalf("Session = %+v, %v; want binh's", got, err)
	}
	c.Logout(ctx, sess, "10.0.0.9")
	if _, err := c.Session(ctx, sess.Token); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after logout: err = %v, want ErrNotFound", err)
	}
	trail, err := c.AuditTrail(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{store.ActionLogout, store.ActionLogin, store.ActionUser}
	if len(trail) != len(want) {
		t.Fatalf("trail %+v, want %v", trail, want)
	}
	for i, a := range want {
		if trail[i].Action != a || i < 2 && (trail[i].User != "binh" || trail[i].Detail != "10.0.0.9") {
			t.Errorf("entry %d = %+v, want %s by binh from 10.0.0.9", i, trail[i], a)
		}
	}
}

// TestEachZoneIsPlannedFromItsOwnAirings: two zones share a slot; what one
// zone aired counts for that zone's rotation and monthly targets only.
func TestEachZoneIsPlannedFromItsOwnAirings(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sang, _ := config.ParseCron("0 6 * * *")
	chieu, _ := config.ParseCron("0 17 * * *")
	p := &playlist.Planner{Location: hcm, NoRepeat: 20 * time.Hour, Topics: []playlist.Topic{{Code: "tthc", Name: "Thủ tục hành chính", TargetAirings: 8}},
		Slots: []playlist.Slot{
			{Name: "sang", Schedule: sang, Length: 10 * time.Minute},
			{Name: "chieu", Schedule: chieu, Length: 10 * time.Minute, Zones: []string{"tay"}},
		}}
	cfg := config.Config{Zones: []config.Zone{{Code: "dong", Name: "Thôn Đông", Outputs: []string{"null"}}, {Code: "tay", Name: "Thôn Tây", Outputs: []string{"null"}}}}
	c := commune.New(commune.Deps{Store: st, Planner: func() *playlist.Planner { return p }, Config: func() config.Config { return cfg },
		Location: hcm, Now: time.Now})
	id := addSegment(t, st, "a")
	// Zone dong aired the one segment this morning, three times this month.
	for _, day := range []int{1, 2, 3} {
		at := time.Date(2024, 5, day, 6, 0, 0, 0, hcm)
		if _, err := st.LogClosed(ctx, playlist.Airing{SegmentID: id, Title: "a", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at, StartedAt: at,
			EndedAt: at.Add(90 * time.Second), Played: 90 * time.Second, Duration: 90 * time.Second, Status: playlist.StatusCompleted, Zone: "dong"}); err != nil {
			t.Fatal(err)
		}
	}
	from := time.Date(2024, 5, 3, 12, 0, 0, 0, hcm)
	plans, err := c.Plan(ctx, from, time.Date(2024, 5, 4, 5, 0, 0, 0, hcm))
	if err != nil {
		t.Fatal(err)
	}
	// Only tay has an evening slot, and it may air the segment: dong's
	// morning airing is not tay's.
	if len(plans) != 1 || plans[0].Zone != "tay" || plans[0].Slot != "chieu" || len(plans[0].Items) != 1 {
		t.Fatalf("plans = %+v, want tay's evening slot with the segment", plans)
	}
	// Next morning, 24 h after dong's airing: both zones air their
	// morning slot, each planned on its own.
	plans, err = c.Plan(ctx, time.Date(2024, 5, 4, 5, 0, 0, 0, hcm), time.Date(2024, 5, 4, 7, 0, 0, 0, hcm))
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 2 || plans[0].Zone != "dong" || plans[1].Zone != "tay" {
		t.Fatalf("morning plans = %+v, want dong's and tay's", plans)
	}
	// The commune-wide outlook is the weakest zone's: tay's.
	if out, err := c.Outlook(ctx, from); err != nil || len(out) != 1 || out[0].DeliveredAirings != 0 {
		t.Errorf("commune outlook %+v, %v; want tay's (none delivered)", out, err)
	}
	// The month's target is each zone's: dong has delivered 3, tay none.
	for zone, want := range map[string]int{"dong": 3, "tay": 0} {
		out, err := c.OutlookZone(ctx, zone, from)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 1 || out[0].DeliveredAirings != want {
			t.Errorf("zone %s outlook %+v, want %d delivered", zone, out, want)
		}
	}
}
