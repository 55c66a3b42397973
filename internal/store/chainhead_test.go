package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/store"
)

func TestChainHeadBeforeIsTheLastLinkOfTheAiringsDueBefore(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	logSome(t, st) // ids 2, 1, 3, 4 closed in this order (seq 1–4); 5 open
	rep := mustVerify(t, st)
	links := map[int64]store.Link{}
	got, err := st.LoggedAirings(ctx, "", at(1, 0, 0), at(31, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		links[a.ID] = a.Link
	}
	tests := []struct {
		end    time.Time
		ok     bool
		id     int64
		seq    int64
		latest bool
	}{
		{at(5, 0, 0), false, 0, 0, false}, // nothing due yet
		{at(6, 0, 0), true, 2, 1, false},  // the missed airing of the 5th
		// Due before the 7th: 1, 2, 3; 3 closed last.
		{at(7, 0, 0), true, 3, 3, false},
		// Due before the 9th: the open airing 5 is not in the chain.
		{at(9, 0, 0), true, 4, 4, true},
	}
	for _, tt := range tests {
		head, ok, err := st.ChainHeadBefore(ctx, tt.end)
		if err != nil {
			t.Fatal(err)
		}
		if ok != tt.ok || head.AiringID != tt.id || head.Seq != tt.seq {
			t.Errorf("ChainHeadBefore(%s) = %+v, %v; want airing %d, seq %d, %v", tt.end, head, ok, tt.id, tt.seq, tt.ok)
			continue
		}
		if ok && head.Hash != links[tt.id].Hash {
			t.Errorf("ChainHeadBefore(%s) hash = %s, want airing %d's %s", tt.end, head.Hash, tt.id, links[tt.id].Hash)
		}
		if tt.latest && head.Hash != rep.Last.Hash {
			t.Errorf("head %s is not log verify's last hash %s", head.Hash, rep.Last.Hash)
		}
	}
}
