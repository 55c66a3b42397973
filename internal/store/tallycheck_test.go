package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/truyenthanh/cchc/internal/store"
)

func mustVerifyTallies(t *testing.T, st *store.Store) store.TallyCheck {
	t.Helper()
	c, err := st.VerifyTallies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerifyTalliesNamesTheTotalThatWasChanged(t *testing.T) {
	type diff = store.TallyDiff
	type fig = store.TallyFigures
	tests := []struct {
		name string
		sql  string
		want diff
	}{
		{"airings raised", "UPDATE tally_days SET airings = airings + 50 WHERE topics = 'tthc'",
			diff{Table: "tally_days", Zone: "chung", Day: "2024-05-05", Topics: "tthc", Status: "missed", Log: fig{1, 0}, Tally: fig{51, 0}}},
		{"played time raised", "UPDATE tally_days SET played_ms = played_ms + 60000 WHERE status = 'completed'",
			diff{Table: "tally_days", Zone: "chung", Day: "2024-05-06", Topics: "tthc,chi-so", Status: "completed", Log: fig{1, 90000}, Tally: fig{1, 150000}}},
		{"row deleted", "DELETE FROM tally_days WHERE status = 'failed'",
			diff{Table: "tally_days", Zone: "chung", Day: "2024-05-07", Topics: "tthc,chi-so", Status: "failed", Log: fig{1, 0}}},
		{"bogus row inserted", "INSERT INTO tally_days (day, zone, topics, status, airings, played_ms) VALUES (19875, 'chung', 'tthc', 'completed', 50, 9000000)",
			diff{Table: "tally_days", Zone: "chung", Day: "2024-06-01", Topics: "tthc", Status: "completed", Tally: fig{50, 9000000}}},
		{"aired segment deleted", "DELETE FROM tally_segments",
			diff{Table: "tally_segments", Zone: "chung", Month: "2024-05", Topics: "tthc,chi-so", SegmentID: 1, Log: fig{1, 0}}},
		{"aired segment inserted", "INSERT INTO tally_segments (month, zone, topics, segment_id) VALUES (202405, 'chung', 'tthc', 9)",
			diff{Table: "tally_segments", Zone: "chung", Month: "2024-05", Topics: "tthc", SegmentID: 9, Tally: fig{1, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			logSome(t, st)
			if c := mustVerifyTallies(t, st); len(c.Diffs) != 0 || c.Days != 4 || c.Segments != 1 {
				t.Fatalf("before tampering: %+v", c)
			}
			tamper(t, st, tt.sql)
			c := mustVerifyTallies(t, st)
			if len(c.Diffs) != 1 || c.Diffs[0] != tt.want {
				t.Fatalf("diffs = %+v, want %+v", c.Diffs, tt.want)
			}
			// The chain does not cover the totals: only this check sees it.
			if rep := mustVerify(t, st); rep.Break != nil {
				t.Errorf("chain broken by a change to the totals: %+v", rep.Break)
			}
		})
	}
}

func TestVerifyChainHeadFindsThePrintedHead(t *testing.T) {
	st := open(t)
	openID := logSome(t, st)
	rep := mustVerify(t, st)
	// The head a report printed: the second row of the chain (airing #1).
	all, err := st.LoggedAirings(context.Background(), "", at(1, 0, 0), at(31, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var head store.Link
	var headID int64
	for _, a := range all {
		if a.Link.Seq == 2 {
			head, headID = a.Link, a.ID
		}
	}
	if head.Hash == "" {
		t.Fatal("no chain_seq 2 in the log")
	}
	for _, prefix := range []string{head.Hash, head.Hash[:16], head.Hash[:12]} {
		got, err := st.VerifyChainHead(context.Background(), prefix)
		if err != nil {
			t.Fatal(err)
		}
		if got.Break != nil || got.Head == nil || got.Head.ID != headID || got.Head.Seq != 2 || got.Head.Hash != head.Hash || got.Head.After != int(rep.Last.Seq)-2 {
			t.Fatalf("head %s: %+v (head %+v), want #%d at chain_seq 2 with %d after", prefix, got, got.Head, headID, rep.Last.Seq-2)
		}
	}
	if got, _ := st.VerifyChainHead(context.Background(), strings.Repeat("0", 16)); got.Head != nil {
		t.Errorf("a head never written was found: %+v", got.Head)
	}

	t.Run("newest rows deleted", func(t *testing.T) {
		// Airings #1 (the head) and later closed ones removed from the
		// end of the chain: the chain that is left verifies, the head is gone.
		tamper(t, st, "DROP TRIGGER airings_never_deleted", "DELETE FROM airings WHERE chain_seq >= 2 OR id = "+strconv.FormatInt(openID, 10))
		got, err := st.VerifyChainHead(context.Background(), head.Hash[:16])
		if err != nil {
			t.Fatal(err)
		}
		if got.Head != nil {
			t.Fatalf("head still found after its row was deleted: %+v", got.Head)
		}
	})
}

func TestVerifyChainHeadIsNotProvenPastAnEdit(t *testing.T) {
	st := open(t)
	logSome(t, st)
	rep := mustVerify(t, st)
	last := rep.Last.Hash
	// The first row of the chain (#2) edited: the head at the end is
	// still stored, but no longer reached by a chain that holds.
	tamper(t, st, "DROP TRIGGER airings_closed_are_final", "UPDATE airings SET reason = 'x' WHERE id = 2")
	got, err := st.VerifyChainHead(context.Background(), last[:16])
	if err != nil {
		t.Fatal(err)
	}
	if got.Break == nil || got.Break.ID != 2 || got.Head != nil {
		t.Fatalf("break %+v head %+v, want a break at #2 and no head", got.Break, got.Head)
	}
}
