package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// An airing on a stream output keeps how many listeners heard it; the
// others keep none (NULL), and their hashes are those of the canonical line
// without the field, so rows closed before migration 0009 still verify.
// Editing the count breaks the chain at that row.
func TestListenersAreKeptAndCoveredByTheChain(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	logSome(t, st) // rows without listeners, as before 0009
	id, err := st.StartAiring(ctx, airing(6, "sang", at(9, 6, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CloseStreamAiring(ctx, id, playlist.StatusCompleted, at(9, 6, 0), at(9, 6, 2), 2000*1e6, "", 3); err != nil {
		t.Fatal(err)
	}
	zero, _ := st.StartAiring(ctx, airing(7, "sang", at(9, 6, 5)))
	if err := st.CloseStreamAiring(ctx, zero, playlist.StatusCompleted, at(9, 6, 5), at(9, 6, 7), 2000*1e6, "", 0); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseStreamAiring(ctx, zero+1, playlist.StatusCompleted, at(9, 6, 5), at(9, 6, 7), 0, "", -1); err == nil {
		t.Error("a negative listener count was accepted")
	}
	rep := mustVerify(t, st)
	if rep.Break != nil || rep.Verified != 6 {
		t.Fatalf("chain: %+v (break %+v), want 6 verified rows and no break", rep, rep.Break)
	}
	got, err := st.LoggedAirings(ctx, "", at(1, 0, 0), at(31, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int64]*int{}
	for _, a := range got {
		counts[a.ID] = a.Listeners
	}
	if n := counts[id]; n == nil || *n != 3 {
		t.Errorf("airing %d: listeners %v, want 3", id, n)
	}
	if n := counts[zero]; n == nil || *n != 0 {
		t.Errorf("airing %d: listeners %v, want 0 (heard by no cluster, not unknown)", zero, n)
	}
	for aid, n := range counts {
		if aid != id && aid != zero && n != nil {
			t.Errorf("airing %d (not on a stream) has listeners %d, want none", aid, *n)
		}
	}
	// Tampering: raise the count of the closed row (the trigger that keeps
	// closed rows final is lifted, as an attacker with the file would).
	db := st.DB()
	if _, err := db.ExecContext(ctx, "DROP TRIGGER airings_closed_are_final"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "UPDATE airings SET listeners = 9 WHERE id = ?", zero); err != nil {
		t.Fatal(err)
	}
	rep = mustVerify(t, st)
	if rep.Break == nil || rep.Break.ID != zero {
		t.Fatalf("listeners edited on airing %d: chain break %+v, want a content break there", zero, rep.Break)
	}
}

// The report's "cụm loa nhận" reads the completed airings on streams from
// the store, summed up per zone, day, topics and whether no cluster heard
// them.
func TestSummarizeCountsTheStreams(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	for i, n := range []int{3, 0, 1} {
		a := airing(int64(i+1), "sang", at(9, 6, i))
		a.Zone = "thon-dong"
		id, err := st.StartAiring(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CloseStreamAiring(ctx, id, playlist.StatusCompleted, at(9, 6, i), at(9, 6, i+1), time.Minute, "", n); err != nil {
			t.Fatal(err)
		}
	}
	plain, _ := st.StartAiring(ctx, airing(9, "sang", at(9, 7, 0)))
	st.CloseAiring(ctx, plain, playlist.StatusCompleted, at(9, 7, 0), at(9, 7, 1), time.Minute, "")
	loc := at(9, 0, 0).Location()
	from := time.Date(at(9, 0, 0).Year(), at(9, 0, 0).Month(), 1, 0, 0, 0, 0, loc)
	_, off := from.Zone()
	for _, to := range []time.Time{from.AddDate(0, 1, 0), from.AddDate(0, 0, 20)} { // the tallies' path, the rows' path
		sum, err := st.Summarize(ctx, "", from, to, time.Duration(off)*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		heard, unheard := 0, 0
		for _, g := range sum.Streams {
			if g.Zone != "thon-dong" {
				t.Errorf("stream group of zone %q", g.Zone)
			}
			if g.Unheard {
				unheard += g.Airings
			} else {
				heard += g.Airings
				if g.Listeners != 4 || g.MinListeners != 1 {
					t.Errorf("heard group %+v, want 4 listeners in all, at least 1", g)
				}
			}
		}
		if heard != 2 || unheard != 1 {
			t.Errorf("to %s: %d heard and %d unheard stream airings, want 2 and 1 (the sound card's airing is not a stream)", to.Format("2006-01-02"), heard, unheard)
		}
	}
}
