package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/tinydisk"
)

// fullDisk fills the disk under st, first emptying the WAL so that any
// write must grow a file (a WAL with room left would take a few more).
func fullDisk(t *testing.T, st *store.Store, dir string) (free func()) {
	t.Helper()
	if _, err := st.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	return tinydisk.Fill(t, dir)
}

func TestWritesOnAFullDiskSayDiskFullAndChangeNothing(t *testing.T) {
	ctx := context.Background()
	dir := tinydisk.Mount(t, "4m")
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	segID := add(t, st, seg("a", "tthc"))
	open, err := st.StartAiring(ctx, playlist.Airing{SegmentID: segID, Title: "Bản tin a", Slot: "sang", ScheduledAt: at(2, 6, 0), StartedAt: at(2, 6, 0)})
	if err != nil {
		t.Fatal(err)
	}
	before, err := st.Airings(ctx, "", at(1, 0, 0), at(30, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	free := fullDisk(t, st, dir)

	writes := map[string]func() error{
		"StartAiring": func() error {
			_, err := st.StartAiring(ctx, playlist.Airing{SegmentID: segID, Slot: "sang", ScheduledAt: at(3, 6, 0), StartedAt: at(3, 6, 0)})
			return err
		},
		"CloseAiring": func() error {
			return st.CloseAiring(ctx, open, playlist.StatusCompleted, time.Time{}, at(2, 6, 2), 90*time.Second, "")
		},
		"LogClosed": func() error {
			_, err := st.LogClosed(ctx, playlist.Airing{Slot: "sang", ScheduledAt: at(4, 6, 0), Status: playlist.StatusMissed, Reason: "x"})
			return err
		},
		"CloseOpenAirings": func() error { _, err := st.CloseOpenAirings(ctx, "crash"); return err },
		"AddSegment":       func() error { _, _, err := st.AddSegment(ctx, seg("b", "tthc")); return err },
		"SetState":         func() error { return st.SetState(ctx, "last_handled", "x") },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, store.ErrDiskFull) {
			t.Errorf("%s on a full disk: got %v, want store.ErrDiskFull", name, err)
		}
	}
	after, err := st.Airings(ctx, "", at(1, 0, 0), at(30, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || after[0].Status != playlist.StatusOpen {
		t.Fatalf("the log changed on a full disk: before %+v, after %+v", before, after)
	}
	if segs, err := st.Segments(ctx, true); err != nil || len(segs) != 1 {
		t.Fatalf("segments on a full disk: %d, %v; want the 1 stored before", len(segs), err)
	}

	free()
	if err := writes["CloseAiring"](); err != nil {
		t.Fatalf("close once space returned: %v", err)
	}
	if err := writes["LogClosed"](); err != nil {
		t.Fatalf("log once space returned: %v", err)
	}
	rep, err := st.VerifyChain(ctx)
	if err != nil || rep.Break != nil || rep.Verified != 2 {
		t.Fatalf("chain after the disk was freed: %+v, %v; want 2 verified rows", rep, err)
	}
}

func TestMarkDiskFullKeepsOtherErrors(t *testing.T) {
	other := errors.New("constraint failed")
	if err := store.MarkDiskFull(other); err != other {
		t.Fatalf("MarkDiskFull changed an unrelated error: %v", err)
	}
	if store.MarkDiskFull(nil) != nil {
		t.Fatal("MarkDiskFull(nil) is not nil")
	}
}

func TestOpenOnAFullDiskSaysDiskFull(t *testing.T) {
	ctx := context.Background()
	dir := tinydisk.Mount(t, "4m")
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	add(t, st, seg("a", "tthc"))
	st.Close() // the WAL and its index go with the last connection
	free := tinydisk.Fill(t, dir)
	if _, err := store.Open(ctx, dir); !errors.Is(err, store.ErrDiskFull) {
		t.Fatalf("open on a full disk: %v, want store.ErrDiskFull", err)
	}
	free()
	st, err = store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if segs, err := st.Segments(ctx, true); err != nil || len(segs) != 1 {
		t.Fatalf("after space returned: %d segments, %v", len(segs), err)
	}
}
