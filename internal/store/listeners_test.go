package store_test

import (
	"context"
	"testing"

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
