package pgstore_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

var ict = time.FixedZone("ICT", 7*3600)

func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, ict)
}

func segment(sha string) playlist.Segment {
	return playlist.Segment{Title: "Bản tin " + sha, Path: "/media/" + sha + ".wav", SHA256: sha, Topics: []string{"tthc"},
		Duration: 90 * time.Second, SampleRate: 48000, Channels: 1, BitDepth: 16, ImportedAt: at(5, 1, 8, 0)}
}

// A store scoped to one commune never sees or changes another's rows.
func TestCommuneStoresAreApart(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	a, b := db.Commune("A"), db.Commune("B")

	segA, existed, err := a.AddSegment(ctx, segment("same"))
	if err != nil || existed {
		t.Fatalf("add to A: %d, %v, %v", segA, existed, err)
	}
	segB, existed, err := b.AddSegment(ctx, segment("same"))
	if err != nil || existed || segB == segA {
		t.Fatalf("the same recording in B = %d, existed %v, %v; want a segment of B's own", segB, existed, err)
	}
	if _, err := b.Segment(ctx, segA); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("B reads A's segment: %v", err)
	}
	if err := b.Approve(ctx, []int64{segA}, "x", at(5, 2, 9, 0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("B approves A's segment: %v", err)
	}
	if err := b.Retire(ctx, []int64{segA}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("B retires A's segment: %v", err)
	}
	if err := b.Pin(ctx, segA, "2026-05-02", "sang", at(5, 1, 9, 0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("B pins A's segment: %v", err)
	}
	if s, _ := a.Segment(ctx, segA); s.Approved || s.Retired || len(s.Pins) != 0 {
		t.Errorf("A's segment changed through B: %+v", s)
	}
	if segs, _ := b.Segments(ctx, true); len(segs) != 1 || segs[0].ID != segB {
		t.Errorf("B's library %v, want only %d", segs, segB)
	}

	// Airing ids and chains are each commune's own.
	idA, err := a.LogClosed(ctx, playlist.Airing{SegmentID: segA, Title: "a", Slot: "sang", ScheduledAt: at(5, 3, 6, 0), Status: playlist.StatusMissed})
	if err != nil {
		t.Fatal(err)
	}
	idB, err := b.StartAiring(ctx, playlist.Airing{SegmentID: segB, Title: "b", Slot: "sang", ScheduledAt: at(5, 3, 6, 0), StartedAt: at(5, 3, 6, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if idA != 1 || idB != 1 {
		t.Errorf("first airing ids %d (A), %d (B); want 1 each", idA, idB)
	}
	if err := b.CloseAiring(ctx, idB, playlist.StatusCompleted, time.Time{}, at(5, 3, 6, 2), 90*time.Second, ""); err != nil {
		t.Fatal(err)
	}
	if air, _ := a.Airing(ctx, 1); air.Status != playlist.StatusMissed || air.Title != "a" {
		t.Errorf("A's airing 1 after B closed its own: %+v", air)
	}
	if n, err := a.CloseOpenAirings(ctx, "restart"); err != nil || n != 0 {
		t.Errorf("A closed %d airings, %v; want none (B's are not A's)", n, err)
	}
	for name, st := range map[string]*pgstore.Store{"A": a, "B": b} {
		got, _ := st.Airings(ctx, "", at(5, 1, 0, 0), at(6, 1, 0, 0))
		rep, err := st.VerifyChain(ctx)
		if len(got) != 1 || err != nil || rep.Break != nil || rep.Verified != 1 {
			t.Errorf("%s: %d airings, chain %+v, %v; want its one airing, chained alone", name, len(got), rep, err)
		}
	}

	// Accounts, sessions, audit and state.
	now := at(5, 4, 9, 0)
	ua, err := a.AddUser(ctx, "lan", store.RoleOperator, "mật-khẩu-a", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddUser(ctx, "lan", store.RoleViewer, "mật-khẩu-b", now); err != nil {
		t.Errorf("the same name in another commune: %v", err)
	}
	if _, err := b.CheckPassword(ctx, "lan", "mật-khẩu-a"); !errors.Is(err, store.ErrBadPassword) {
		t.Errorf("A's password logs in to B: %v", err)
	}
	sess, err := a.CreateSession(ctx, ua, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.SessionByToken(ctx, sess.Token, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("A's session is valid in B: %v", err)
	}
	if _, err := b.CreateSession(ctx, ua, now, time.Hour); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("B opens a session for A's user: %v", err)
	}
	if err := b.SetDisabled(ctx, "lan", true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SessionByToken(ctx, sess.Token, now); err != nil {
		t.Errorf("disabling B's lan ended A's lan's session: %v", err)
	}
	if err := a.Audit(ctx, store.AuditEntry{At: now, User: "lan", Action: store.ActionLoad}); err != nil {
		t.Fatal(err)
	}
	if trail, _ := b.AuditTrail(ctx, 10); len(trail) != 0 {
		t.Errorf("B's audit trail shows A's: %+v", trail)
	}
	if err := a.SetState(ctx, "k", "A"); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.State(ctx, "k"); v != "" {
		t.Errorf("B reads A's state %q", v)
	}
}

// stationLog writes a small log in a real SQLite station store and returns
// its closed airings in chain order, as the station ships them.
func stationLog(t *testing.T, n int) []store.LoggedAiring {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i := range n {
		sched := at(5, 1, 6, 0).Add(time.Duration(i) * 6 * time.Hour)
		a := playlist.Airing{SegmentID: int64(i%3 + 1), Title: "Bản tin số " + string(rune('A'+i%26)), Topics: []string{"tthc", "chi-so"}[:i%2+1],
			Slot: "sang", ScheduledAt: sched, StartedAt: sched, Duration: 90 * time.Second}
		if i%5 == 0 {
			a.Zone = "dong" // a zone other than chung: its code is hashed too
		}
		switch i % 4 {
		case 3:
			a.Status, a.StartedAt, a.Reason = playlist.StatusMissed, time.Time{}, "mất điện"
			if _, err := st.LogClosed(ctx, a); err != nil {
				t.Fatal(err)
			}
		default:
			id, err := st.StartAiring(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			status := []playlist.Status{playlist.StatusCompleted, playlist.StatusInterrupted, playlist.StatusCompleted}[i%4]
			if err := st.CloseAiring(ctx, id, status, sched.Add(130*time.Millisecond), sched.Add(91*time.Second), 90*time.Second+130*time.Millisecond, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	logged, err := st.LoggedAirings(ctx, "", at(1, 1, 0, 0), at(12, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(logged, func(i, j int) bool { return logged[i].Link.Seq < logged[j].Link.Seq })
	rep, err := st.VerifyChain(ctx)
	if err != nil || rep.Break != nil || rep.Verified != n {
		t.Fatalf("the station's own chain: %+v, %v", rep, err)
	}
	return logged
}

func count(t *testing.T, db *pgstore.DB, commune string) int {
	t.Helper()
	got, err := db.Commune(commune).Airings(context.Background(), "", at(1, 1, 0, 0), at(12, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return len(got)
}

func chainError(t *testing.T, err error, id int64, problem pgstore.ChainProblem) {
	t.Helper()
	var ce *pgstore.ChainError
	if !errors.As(err, &ce) || !errors.Is(err, pgstore.ErrChainBroken) {
		t.Fatalf("err = %v; want a ChainError", err)
	}
	if ce.AiringID != id || ce.Problem != problem {
		t.Errorf("refused airing %d for %q (%v); want airing %d for %q", ce.AiringID, ce.Problem, err, id, problem)
	}
}

// Airings a SQLite station logged reach the province with their hashes,
// checked; a tampered batch is refused naming its row; a batch sent twice
// counts once; shipping resumes where the province's chain stands.
func TestIngestChecksTheChain(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	clock := at(5, 10, 12, 0)
	db.SetClock(func() time.Time { return clock })
	if _, err := db.AddCommune(ctx, "25252", "Xã Nghĩa Trụ", clock); err != nil {
		t.Fatal(err)
	}
	log := stationLog(t, 12)
	if _, err := db.IngestAirings(ctx, "99999", log[:1]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unregistered commune: %v, want ErrNotFound", err)
	}

	res, err := db.IngestAirings(ctx, "25252", log[:5])
	if err != nil {
		t.Fatal(err)
	}
	if res.Received != 5 || res.Added != 5 || res.Duplicates != 0 || res.Head.Seq != 5 || res.Head.Hash != log[4].Link.Hash || res.Head.AiringID != log[4].ID {
		t.Errorf("first batch: %+v; want 5 added, head at the 5th link", res)
	}
	// The same batch again (the answer was lost): counted once.
	res, err = db.IngestAirings(ctx, "25252", log[:5])
	if err != nil || res.Added != 0 || res.Duplicates != 5 || res.Head.Seq != 5 {
		t.Errorf("the batch again: %+v, %v; want 5 duplicates, nothing added", res, err)
	}
	if n := count(t, db, "25252"); n != 5 {
		t.Errorf("%d airings held, want 5", n)
	}

	// A tampered row (played length raised after closing) is refused by
	// its id; nothing of the batch is stored, the last sync stays.
	clock = clock.Add(time.Hour)
	tampered := append([]store.LoggedAiring(nil), log[5:9]...)
	tampered[2].Played += time.Minute
	_, err = db.IngestAirings(ctx, "25252", tampered)
	chainError(t, err, log[7].ID, pgstore.ProblemContent)
	if n := count(t, db, "25252"); n != 5 {
		t.Errorf("after a refused batch %d airings held, want 5", n)
	}
	if c, _ := db.CommuneInfo(ctx, "25252"); !c.LastSync.Equal(at(5, 10, 12, 0)) {
		t.Errorf("a refused batch stamped the last sync: %v", c.LastSync)
	}

	// A missing row, a relinked row, a rewritten held row.
	_, err = db.IngestAirings(ctx, "25252", log[6:8])
	chainError(t, err, log[6].ID, pgstore.ProblemGap)
	relinked := append([]store.LoggedAiring(nil), log[5:7]...)
	relinked[1].Link.PrevHash = log[3].Link.Hash
	_, err = db.IngestAirings(ctx, "25252", relinked)
	chainError(t, err, log[6].ID, pgstore.ProblemLink)
	rewritten := append([]store.LoggedAiring(nil), log[3:6]...)
	rewritten[0].Reason, rewritten[0].Link.Hash = "sửa", "0123"
	_, err = db.IngestAirings(ctx, "25252", rewritten)
	chainError(t, err, log[3].ID, pgstore.ProblemConflict)
	open := log[5]
	open.Status = playlist.StatusOpen
	_, err = db.IngestAirings(ctx, "25252", []store.LoggedAiring{open})
	chainError(t, err, log[5].ID, pgstore.ProblemOpen)

	// Resume: the station asks where the chain stands and ships the rest,
	// overlapping what was sent (in any order).
	head, err := db.ChainHead(ctx, "25252")
	if err != nil || head.Seq != 5 {
		t.Fatalf("ChainHead = %+v, %v; want seq 5", head, err)
	}
	rest := append([]store.LoggedAiring(nil), log[head.Seq-2:]...)
	rest[0], rest[len(rest)-1] = rest[len(rest)-1], rest[0]
	res, err = db.IngestAirings(ctx, "25252", rest)
	if err != nil || res.Added != 7 || res.Duplicates != 2 || res.Head.Seq != 12 || res.Head.Hash != log[11].Link.Hash {
		t.Fatalf("resume: %+v, %v; want 7 added, 2 duplicates, head at 12", res, err)
	}
	c, err := db.CommuneInfo(ctx, "25252")
	if err != nil || !c.LastSync.Equal(clock) || c.Head != res.Head {
		t.Errorf("commune after the sync: %+v, %v; want last sync %v, head %+v", c, err, clock, res.Head)
	}
	// The province's copy is the station's log, and its chain holds.
	st := db.Commune("25252")
	rep, err := st.VerifyChain(ctx)
	if err != nil || rep.Break != nil || rep.Verified != 12 || rep.Last.Hash != log[11].Link.Hash {
		t.Errorf("the province's copy of the chain: %+v, %v", rep, err)
	}
	held, err := st.LoggedAirings(ctx, "", at(1, 1, 0, 0), at(12, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]store.LoggedAiring{}
	for _, la := range log {
		byID[la.ID] = la
	}
	for _, h := range held {
		want := byID[h.ID]
		if !h.ScheduledAt.Equal(want.ScheduledAt) || !h.StartedAt.Equal(want.StartedAt) || !h.EndedAt.Equal(want.EndedAt) ||
			h.Played != want.Played || h.Title != want.Title || !reflect.DeepEqual(h.Topics, want.Topics) || h.Status != want.Status || h.Zone != want.Zone || h.Link != want.Link {
			t.Errorf("airing %d held as %+v, shipped as %+v", h.ID, h, want)
		}
	}
}

func TestCommuneTokens(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	now := at(5, 1, 8, 0)
	tokA, err := db.AddCommune(ctx, "25252", "Xã Nghĩa Trụ", now)
	if err != nil {
		t.Fatal(err)
	}
	tokB, err := db.AddCommune(ctx, "12345", "Xã Văn Giang", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(tokA) != 64 || tokA == tokB {
		t.Errorf("tokens %q, %q; want two different 256-bit tokens in hex", tokA, tokB)
	}
	if _, err := db.AddCommune(ctx, "25252", "lại", now); !errors.Is(err, store.ErrExists) {
		t.Errorf("a taken code: %v, want ErrExists", err)
	}
	if _, err := db.AddCommune(ctx, "25 252", "x", now); err == nil {
		t.Error("a code with a space was accepted")
	}
	if c, err := db.CommuneByToken(ctx, tokB); err != nil || c.Code != "12345" || c.Name != "Xã Văn Giang" || !c.LastSync.IsZero() || c.Head.Hash != store.Genesis {
		t.Errorf("CommuneByToken(B) = %+v, %v", c, err)
	}
	if _, err := db.CommuneByToken(ctx, tokA[:63]+"0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a wrong token: %v, want ErrNotFound", err)
	}
	var stored int
	if err := db.Pool().QueryRow(ctx, "SELECT count(*) FROM communes WHERE token_hash = $1 OR token_hash = $2", tokA, tokB).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("a token is stored as it is (%d rows, %v)", stored, err)
	}
	newA, err := db.ResetToken(ctx, "25252")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CommuneByToken(ctx, tokA); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old token after a reset: %v, want ErrNotFound", err)
	}
	if c, err := db.CommuneByToken(ctx, newA); err != nil || c.Code != "25252" {
		t.Errorf("the new token: %+v, %v", c, err)
	}
	cs, err := db.Communes(ctx)
	if err != nil || len(cs) != 2 || cs[0].Code != "12345" || cs[1].Code != "25252" {
		t.Errorf("Communes = %+v, %v", cs, err)
	}
}

func TestBulletins(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	now := at(5, 1, 8, 0)
	for _, c := range []string{"A", "B", "C"} {
		if _, err := db.AddCommune(ctx, c, "Xã "+c, now); err != nil {
			t.Fatal(err)
		}
	}
	audio := []byte("RIFF....WAVEfmt bản tin khẩn")
	if _, err := db.AddBulletin(ctx, pgstore.Bulletin{Level: "urgent", Title: "x", Communes: []string{"A"}}, audio); err == nil {
		t.Error("an unknown level was accepted")
	}
	if _, err := db.AddBulletin(ctx, pgstore.Bulletin{Level: playlist.PriorityNormal, Title: "x", Communes: []string{"A", "Z"}}, audio); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unregistered target: %v, want ErrNotFound", err)
	}
	if _, err := db.AddBulletin(ctx, pgstore.Bulletin{Level: playlist.PriorityNormal, Title: "x", Communes: []string{"A"}, SHA256: "00"}, audio); err == nil {
		t.Error("a wrong SHA-256 was accepted")
	}
	if bs, _ := db.Bulletins(ctx, 10); len(bs) != 0 {
		t.Errorf("refused bulletins were stored: %+v", bs)
	}

	// A station waiting for its bulletins wakes when one is added for it.
	type result struct {
		bs  []pgstore.Bulletin
		err error
	}
	waited := make(chan result, 1)
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	go func() {
		bs, err := db.WaitBulletins(waitCtx, "B", 0, 10)
		waited <- result{bs, err}
	}()
	b1, err := db.AddBulletin(ctx, pgstore.Bulletin{Level: playlist.PriorityEmergency, Title: "Bão số 3", Topics: []string{"thien-tai"},
		Communes: []string{"C", "B", "B"}, CreatedBy: "so-tt", CreatedAt: now}, audio)
	if err != nil {
		t.Fatal(err)
	}
	if b1.ID == 0 || b1.Size != int64(len(audio)) || len(b1.SHA256) != 64 || !reflect.DeepEqual(b1.Communes, []string{"B", "C"}) {
		t.Errorf("stored bulletin %+v", b1)
	}
	r := <-waited
	if r.err != nil || len(r.bs) != 1 || r.bs[0].ID != b1.ID || r.bs[0].Level != playlist.PriorityEmergency || r.bs[0].Title != "Bão số 3" ||
		!reflect.DeepEqual(r.bs[0].Topics, []string{"thien-tai"}) || r.bs[0].SHA256 != b1.SHA256 || !r.bs[0].CreatedAt.Equal(now) {
		t.Errorf("WaitBulletins(B) = %+v, %v; want bulletin %d", r.bs, r.err, b1.ID)
	}
	b2, err := db.AddBulletin(ctx, pgstore.Bulletin{Level: playlist.PriorityNormal, Title: "Lịch tiêm chủng", Communes: []string{"B"}}, []byte("khác"))
	if err != nil {
		t.Fatal(err)
	}
	if bs, err := db.BulletinsFor(ctx, "B", b1.ID, 10); err != nil || len(bs) != 1 || bs[0].ID != b2.ID {
		t.Errorf("B's bulletins after %d: %+v, %v; want only %d", b1.ID, bs, err, b2.ID)
	}
	if bs, _ := db.BulletinsFor(ctx, "A", 0, 10); len(bs) != 0 {
		t.Errorf("A got bulletins not sent to it: %+v", bs)
	}
	got, meta, err := db.BulletinAudio(ctx, "C", b1.ID)
	if err != nil || string(got) != string(audio) || meta.ID != b1.ID {
		t.Errorf("C's audio of %d: %q, %+v, %v", b1.ID, got, meta, err)
	}
	if _, _, err := db.BulletinAudio(ctx, "A", b1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("A fetches a bulletin not sent to it: %v, want ErrNotFound", err)
	}
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	if _, err := db.WaitBulletins(short, "A", 0, 10); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitBulletins with none for A: %v, want the context's deadline", err)
	}
}

// The report's one GROUP BY gives the totals a plain count over each
// commune's airings gives.
func TestReportEqualsACount(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	topics := [][]string{nil, {"tthc"}, {"tthc", "chi-so"}, {"an-ninh"}}
	statuses := []playlist.Status{playlist.StatusCompleted, playlist.StatusInterrupted, playlist.StatusFailed, playlist.StatusMissed, playlist.StatusCompleted}
	communes := []string{"A", "B", "C"}
	for ci, c := range communes {
		st := db.Commune(c)
		for i := range 40 + 7*ci {
			// Across April, May and June: the report is of May.
			sched := at(4, 25, 6, 0).Add(time.Duration(i*(ci+2)) * 17 * time.Hour)
			a := playlist.Airing{SegmentID: int64(i % 5), Title: "t", Topics: topics[(i+ci)%len(topics)], Slot: "sang", ScheduledAt: sched,
				StartedAt: sched, EndedAt: sched.Add(time.Minute), Played: time.Duration(i+1) * time.Second, Status: statuses[(i*7+ci)%len(statuses)]}
			if _, err := st.LogClosed(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		// An open airing is not counted.
		if _, err := st.StartAiring(ctx, playlist.Airing{SegmentID: 1, Title: "t", Topics: []string{"tthc"}, Slot: "toi", ScheduledAt: at(5, 20, 19, 0), StartedAt: at(5, 20, 19, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	from, to := at(5, 1, 0, 0), at(6, 1, 0, 0)
	rep, err := db.Report(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}

	add := func(c *pgstore.Counts, a playlist.Airing) {
		switch a.Status {
		case playlist.StatusCompleted:
			c.Completed++
		case playlist.StatusInterrupted:
			c.Interrupted++
		case playlist.StatusFailed:
			c.Failed++
		case playlist.StatusMissed:
			c.Missed++
		}
		c.PlayedMS += a.Played.Milliseconds()
	}
	want := pgstore.ProvinceReport{From: from, To: to}
	provTopics := map[string]*pgstore.Counts{}
	for _, c := range communes {
		airings, err := db.Commune(c).Airings(ctx, "", from, to)
		if err != nil {
			t.Fatal(err)
		}
		cc := pgstore.CommuneCounts{Commune: c}
		byTopic := map[string]*pgstore.Counts{}
		for _, a := range airings {
			if a.Status == playlist.StatusOpen {
				continue
			}
			add(&cc.Totals, a)
			add(&want.Totals, a)
			ts := a.Topics
			if len(ts) == 0 {
				ts = []string{""}
			}
			for _, tp := range ts {
				for _, m := range []map[string]*pgstore.Counts{byTopic, provTopics} {
					if m[tp] == nil {
						m[tp] = &pgstore.Counts{}
					}
					add(m[tp], a)
				}
			}
		}
		cc.Topics = sortedTopics(byTopic)
		want.Communes = append(want.Communes, cc)
	}
	want.Topics = sortedTopics(provTopics)
	if want.Totals.Airings() < 30 {
		t.Fatalf("the test's log has only %d airings in May", want.Totals.Airings())
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report\n%+v\nwant (a count over the airings)\n%+v", rep, want)
	}
}

func sortedTopics(m map[string]*pgstore.Counts) []pgstore.TopicCounts {
	var out []pgstore.TopicCounts
	for tp, c := range m {
		out = append(out, pgstore.TopicCounts{Topic: tp, Counts: *c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	return out
}

// The same batch sent twice at once (a retry racing the first try) is
// stored once: the commune's lock puts one after the other.
func TestIngestTwiceAtOnce(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if _, err := db.AddCommune(ctx, "25252", "Xã Nghĩa Trụ", at(5, 1, 8, 0)); err != nil {
		t.Fatal(err)
	}
	log := stationLog(t, 8)
	results := make(chan pgstore.IngestResult, 2)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			res, err := db.IngestAirings(ctx, "25252", log)
			results <- res
			errs <- err
		}()
	}
	added, dups := 0, 0
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		res := <-results
		added += res.Added
		dups += res.Duplicates
	}
	if added != 8 || dups != 8 || count(t, db, "25252") != 8 {
		t.Errorf("two tries at once: %d added, %d duplicates, %d held; want 8, 8, 8", added, dups, count(t, db, "25252"))
	}
}
