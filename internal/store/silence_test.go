package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/store"
)

func TestSegmentSilenceIsStoredOrKnownToBeUnknown(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	measured := seg("aa", "tthc")
	measured.SilenceStart, measured.SilenceEnd, measured.SilenceKnown = 1234567*time.Microsecond, 250*time.Millisecond, true
	a := add(t, st, measured)
	b := add(t, st, seg("bb", "tthc")) // as imported before migration 0005
	got, err := st.Segment(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	// Whole milliseconds, rounded down: a trim never cuts into the sound.
	if !got.SilenceKnown || got.SilenceStart != 1234*time.Millisecond || got.SilenceEnd != 250*time.Millisecond {
		t.Errorf("measured segment: known %v, %v and %v; want 1.234s and 250ms", got.SilenceKnown, got.SilenceStart, got.SilenceEnd)
	}
	if got, _ := st.Segment(ctx, b); got.SilenceKnown {
		t.Errorf("a segment never measured reads as measured: %+v", got)
	}
	if err := st.SetSilence(ctx, b, 2*time.Second, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Segment(ctx, b); !got.SilenceKnown || got.SilenceStart != 2*time.Second || got.SilenceEnd != 0 {
		t.Errorf("after SetSilence: %+v", got)
	}
	if err := st.SetSilence(ctx, 999, 0, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetSilence of no segment: %v, want ErrNotFound", err)
	}
}
