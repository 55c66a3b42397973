package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// logSome writes a small log: closed, missed, failed, a crash-closed and an
// open airing. It returns the open one's id.
func logSome(t *testing.T, st *store.Store) int64 {
	t.Helper()
	ctx := context.Background()
	a1, err := st.StartAiring(ctx, airing(1, "sang", at(6, 6, 0)))
	if err != nil {
		t.Fatal(err)
	}
	missed := playlist.Airing{SegmentID: 2, Title: "Một cửa", Topics: []string{"tthc"}, Slot: "sang", ScheduledAt: at(5, 6, 0),
		Status: playlist.StatusMissed, Reason: "station was not running"}
	if _, err := st.LogClosed(ctx, missed); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseAiring(ctx, a1, playlist.StatusCompleted, at(6, 6, 0).Add(80*time.Millisecond), at(6, 7, 30), 90*time.Second, ""); err != nil {
		t.Fatal(err)
	}
	crashed, _ := st.StartAiring(ctx, airing(3, "chieu", at(6, 17, 15)))
	st.Progress(ctx, crashed, 20*time.Second)
	if _, err := st.CloseOpenAirings(ctx, "station restarted after a crash"); err != nil {
		t.Fatal(err)
	}
	failed := airing(4, "chieu", at(7, 17, 15))
	failed.Status, failed.Reason = playlist.StatusFailed, "no audio device"
	if _, err := st.LogClosed(ctx, failed); err != nil {
		t.Fatal(err)
	}
	open, err := st.StartAiring(ctx, airing(5, "sang", at(8, 6, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return open
}

func mustVerify(t *testing.T, st *store.Store) store.ChainReport {
	t.Helper()
	rep, err := st.VerifyChain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestEveryClosedAiringIsChainedWhenItCloses(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	openID := logSome(t, st)
	rep := mustVerify(t, st)
	if rep.Break != nil || rep.Verified != 4 || rep.Open != 1 || rep.Last.Seq != 4 {
		t.Fatalf("report = %+v (break %+v), want 4 verified, 1 open, last seq 4", rep, rep.Break)
	}
	// Chain order is closing order, not id order: row 2 (missed) was closed
	// before row 1 (completed later).
	got, err := st.LoggedAirings(ctx, "", at(1, 0, 0), at(31, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	seqOf := map[int64]store.Link{}
	for _, a := range got {
		seqOf[a.ID] = a.Link
	}
	if seqOf[2].Seq != 1 || seqOf[1].Seq != 2 || seqOf[3].Seq != 3 || seqOf[4].Seq != 4 {
		t.Errorf("chain order = %+v, want ids 2, 1, 3, 4", seqOf)
	}
	if seqOf[2].PrevHash != store.Genesis || seqOf[1].PrevHash != seqOf[2].Hash || seqOf[4].PrevHash != seqOf[3].Hash {
		t.Errorf("links do not follow each other: %+v", seqOf)
	}
	if l := seqOf[openID]; l != (store.Link{}) {
		t.Errorf("open airing has a link: %+v", l)
	}
	if rep.Last.Hash != seqOf[4].Hash || rep.LastID != 4 {
		t.Errorf("last = %+v (row %d), want row 4's hash", rep.Last, rep.LastID)
	}
	// The documented canonical line, computed here by hand for row 2.
	line := strings.Join([]string{"2", "2", "Một cửa", "tthc", "sang", "1714863600000", "", "", "0", "0", "missed", "station was not running"}, "\x1f")
	sum := sha256.Sum256([]byte(store.Genesis + "\n" + line))
	if want := hex.EncodeToString(sum[:]); seqOf[2].Hash != want {
		t.Errorf("row 2 hash = %s, want %s (the documented canonical line)", seqOf[2].Hash, want)
	}
	// Closing the open row extends the chain.
	if err := st.CloseAiring(ctx, openID, playlist.StatusInterrupted, time.Time{}, at(8, 6, 1), time.Minute, "station stopped"); err != nil {
		t.Fatal(err)
	}
	if rep := mustVerify(t, st); rep.Break != nil || rep.Verified != 5 || rep.Open != 0 || rep.LastID != openID {
		t.Fatalf("after closing the last: %+v", rep)
	}
}

// tamper changes the database behind the store's back, as someone with the
// sqlite3 CLI would: triggers dropped first.
func tamper(t *testing.T, st *store.Store, sqls ...string) {
	t.Helper()
	for _, q := range sqls {
		if _, err := st.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestVerifyChainNamesTheFirstBrokenRow(t *testing.T) {
	tests := []struct {
		name   string
		sql    []string
		kind   store.BreakKind
		id     int64
		noHole bool
	}{
		{"played length edited", []string{"DROP TRIGGER airings_closed_are_final", "UPDATE airings SET played_ms = played_ms + 1000 WHERE id = 3"}, store.BreakContent, 3, true},
		{"status edited", []string{"DROP TRIGGER airings_closed_are_final", "UPDATE airings SET status = 'completed', reason = '' WHERE id = 3"}, store.BreakContent, 3, true},
		{"zone edited", []string{"DROP TRIGGER airings_closed_are_final", "UPDATE airings SET zone = 'tay' WHERE id = 3"}, store.BreakContent, 3, true},
		{"rehashed row", []string{"DROP TRIGGER airings_closed_are_final", "UPDATE airings SET hash = '" + strings.Repeat("ab", 32) + "' WHERE id = 2"}, store.BreakContent, 2, true},
		{"closed row deleted", []string{"DROP TRIGGER airings_never_deleted", "DELETE FROM airings WHERE id = 3"}, store.BreakGap, 4, false},
		{"first row deleted", []string{"DROP TRIGGER airings_never_deleted", "DELETE FROM airings WHERE id = 2"}, store.BreakGap, 1, false},
		{"rows swapped in the chain", []string{"DROP TRIGGER airings_closed_are_final", "DROP INDEX airings_chain",
			"UPDATE airings SET chain_seq = 7 - chain_seq WHERE id IN (3, 4)"}, store.BreakLink, 4, true},
		{"closed row inserted without hash", []string{"INSERT INTO airings (id, segment_id, title, topics, slot, scheduled_at, status) VALUES (6, 1, 't', '', 'sang', 0, 'missed')"},
			store.BreakUnchained, 6, true},
		{"open row given a link", []string{"UPDATE airings SET chain_seq = 5, prev_hash = 'x', hash = 'y' WHERE id = 5"}, store.BreakOpenChained, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			logSome(t, st)
			tamper(t, st, tt.sql...)
			rep := mustVerify(t, st)
			if rep.Break == nil {
				t.Fatalf("tampering not caught: %+v", rep)
			}
			if rep.Break.Kind != tt.kind || rep.Break.ID != tt.id {
				t.Fatalf("break = %+v, want %s at row %d", rep.Break, tt.kind, tt.id)
			}
			if tt.noHole != (len(rep.Break.MissingIDs) == 0) {
				t.Errorf("missing ids = %v", rep.Break.MissingIDs)
			}
		})
	}
}

func TestVerifyChainNamesTheDeletedRow(t *testing.T) {
	st := open(t)
	logSome(t, st)
	tamper(t, st, "DROP TRIGGER airings_never_deleted", "DELETE FROM airings WHERE id = 3")
	rep := mustVerify(t, st)
	if rep.Break == nil || !slices.Equal(rep.Break.MissingIDs, []int64{3}) || rep.Break.Want != "3" || rep.Break.Got != "4" {
		t.Fatalf("break = %+v, want chain_seq 3 missing and id 3 named", rep.Break)
	}
}

func TestVerifyChainFindsADeletedOpenRow(t *testing.T) {
	st := open(t)
	logSome(t, st)
	if _, err := st.LogClosed(context.Background(), playlist.Airing{Slot: "sang", ScheduledAt: at(9, 6, 0), Status: playlist.StatusMissed}); err != nil {
		t.Fatal(err)
	}
	// The open row 5 was never in the chain: only the hole in the ids shows.
	tamper(t, st, "DROP TRIGGER airings_never_deleted", "DELETE FROM airings WHERE id = 5")
	if rep := mustVerify(t, st); rep.Break == nil || rep.Break.Kind != store.BreakMissingID || rep.Break.ID != 5 {
		t.Fatalf("break = %+v, want missing id 5", rep.Break)
	}
}

// TestMigrationChainsOlderRows opens a database made by the first version
// (migration 0001 only), with closed and open rows.
func TestMigrationChainsOlderRows(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	init, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{string(init), "PRAGMA user_version = 1",
		`INSERT INTO airings (segment_id, title, topics, slot, scheduled_at, started_at, ended_at, played_ms, duration_ms, status, reason) VALUES
			(1, 'a', 'tthc', 'sang', 1000, 1000, 91000, 90000, 90000, 'completed', ''),
			(2, 'b', 'tthc,chi-so', 'sang', 2000, 2000, NULL, 5000, 90000, 'open', ''),
			(0, 'c', '', 'chieu', 3000, NULL, NULL, 0, 0, 'missed', 'station was not running')`}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep := mustVerify(t, st)
	if rep.Break != nil || rep.Verified != 2 || rep.Open != 1 || rep.LastID != 3 {
		t.Fatalf("after migration: %+v (break %+v), want rows 1 and 3 chained in id order, 1 open", rep, rep.Break)
	}
	// Migration 0008 put the old rows in the default zone, and its totals
	// are the log's.
	if a, err := st.Airing(ctx, 1); err != nil || a.Zone != "chung" {
		t.Fatalf("old row's zone = %q, %v; want chung", a.Zone, err)
	}
	if c, err := st.VerifyTallies(ctx); err != nil || len(c.Diffs) != 0 || c.Days != 2 {
		t.Fatalf("totals after migration: %+v, %v", c, err)
	}
	// The update trigger is back, unchanged.
	if _, err := st.DB().Exec("UPDATE airings SET played_ms = 1 WHERE id = 1"); err == nil || !strings.Contains(err.Error(), "never updated") {
		t.Fatalf("update of a closed row after migration: err = %v", err)
	}
	if _, err := st.CloseOpenAirings(ctx, "station restarted after a crash"); err != nil {
		t.Fatal(err)
	}
	if rep := mustVerify(t, st); rep.Break != nil || rep.Verified != 3 || rep.LastID != 2 {
		t.Fatalf("after closing the open row: %+v", rep)
	}
}

// TestChainHoldsWithTwoWriters closes airings from two stores on the same
// database at once, as the station and `scheduler play` do from two
// processes: each close reads the end of the chain and writes its link in
// one transaction, so no two rows share a place.
func TestChainHoldsWithTwoWriters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var stores []*store.Store
	for range 2 {
		st, err := store.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		stores = append(stores, st)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for w, st := range stores {
		wg.Go(func() {
			for i := range 40 {
				sched := at(10, 6, 0).Add(time.Duration(w*1000+i) * time.Minute)
				id, err := st.StartAiring(ctx, airing(int64(w+1), "sang", sched))
				if err == nil {
					err = st.CloseAiring(ctx, id, playlist.StatusCompleted, time.Time{}, sched.Add(time.Minute), time.Minute, "")
				}
				if err == nil && i%3 == 0 {
					m := airing(int64(w+1), "chieu", sched)
					m.Status = playlist.StatusMissed
					_, err = st.LogClosed(ctx, m)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if rep := mustVerify(t, stores[0]); rep.Break != nil || rep.Verified != 2*(40+14) {
		t.Fatalf("report = %+v (break %+v), want %d rows verified", rep, rep.Break, 2*(40+14))
	}
}

func TestBackupIsAConsistentCopyThatVerifies(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	logSome(t, st)
	add(t, st, seg("bk", "tthc"))
	dest := filepath.Join(t.TempDir(), "backup.db")
	info, err := st.Backup(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	if info.Airings != 5 || info.Segments != 1 || info.Last.Seq != 4 || info.Bytes == 0 {
		t.Fatalf("backup info = %+v", info)
	}
	// The store keeps working after lending its connection.
	if _, err := st.StartAiring(ctx, airing(9, "sang", at(9, 6, 0))); err != nil {
		t.Fatal(err)
	}
	// Restore: the file alone, as data/cchc.db of another folder.
	restored := t.TempDir()
	raw, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, store.FileName), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	rs, err := store.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	rep := mustVerify(t, rs)
	if rep.Break != nil || rep.Verified != 4 || rep.Open != 1 || rep.Last != info.Last {
		t.Fatalf("restored copy: %+v (break %+v), want the backup's chain %+v", rep, rep.Break, info.Last)
	}
	// Writing over an existing file replaces it (the CLI asks for --force).
	if _, err := st.Backup(ctx, dest); err != nil {
		t.Fatalf("second backup over the first: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), "*partial*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
