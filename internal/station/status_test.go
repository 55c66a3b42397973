package station_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

func TestStatusShowsWhatIsOnAirAndWhatComesNext(t *testing.T) {
	ctx := context.Background()
	clockStart := day(10, 6, 0)
	sink := &gatedSink{gate: deckRate.N(5 * time.Second), reached: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, opts{sink: sink, start: clockStart})
	sink.clock = e.clock
	path := filepath.Join(e.dir, "first.wav")
	first := e.store("first", path, writeWAV(t, path, 8000, 20*time.Second), 8000)
	second := e.segment("second", 10*time.Second)

	// Before anything airs: the next slot occurrence, as planned now.
	st, err := e.stn.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.OnAir != nil || st.NextSlot != "chieu" || !st.NextSlotAt.Equal(day(10, 17, 0)) || len(st.Next) != 2 {
		t.Fatalf("idle status: %+v", st)
	}

	changes, unsubscribe := e.stn.Subscribe()
	defer unsubscribe()
	plan := playlist.Plan{Occurrence: playlist.Occurrence{Slot: "sang", Start: clockStart, Length: 10 * time.Minute},
		Items: []playlist.Item{{Segment: first, StartsAt: clockStart}, {Segment: second, Offset: first.Duration, StartsAt: clockStart.Add(first.Duration)}}}
	done := make(chan error, 1)
	go func() { done <- e.stn.Air(ctx, plan) }()
	<-sink.reached
	<-changes
	st, err = e.stn.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.OnAir == nil || st.OnAir.SegmentID != first.ID || st.OnAir.Slot != "sang" || st.OnAir.Length != first.Duration || !st.OnAir.Started.Equal(clockStart) {
		t.Fatalf("on air: %+v", st.OnAir)
	}
	if len(st.Next) != 1 || st.Next[0].SegmentID != second.ID || st.Output != "gated" || st.Dead != "" {
		t.Fatalf("next: %+v", st)
	}
	close(sink.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, err = e.stn.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.OnAir != nil {
		t.Errorf("still on air after the plan ended: %+v", st.OnAir)
	}
	select {
	case <-changes:
	default:
		t.Error("no change notified when the plan ended")
	}
}
