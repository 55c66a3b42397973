package station_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
)

// TestGroupRunsEachZoneOnItsOwn: two zones on one log, each with its own
// clock, deck and output; tay's output is dead. Run side by side, dong's
// airings complete and tay's fail, each row carries its zone, each zone
// keeps its own place in the timetable, and the group routes control by
// zone.
func TestGroupRunsEachZoneOnItsOwn(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, opts{start: day(10, 5, 0)})
	e.segment("a", time.Second)
	zoneStation := func(zone string, dead bool) *station.Station {
		clock := audio.NewVirtualClock(day(10, 5, 0))
		planner := &playlist.Planner{Slots: twoSlots(t), Location: hcm, ApprovalRequired: true,
			Topics: []playlist.Topic{{Code: "tthc", Name: "Thủ tục hành chính", TargetAirings: 20}}}
		d := station.Deps{Zone: zone, Store: e.st, Planner: planner, Deck: audio.NewDeck(deckRate), Clock: clock, Open: openSegment}
		if dead {
			d.DeadReason = station.ReasonNoDevice
		} else {
			d.Sink = audio.NewNullSink(deckRate, false, clock)
		}
		s := station.New(d)
		sinkCtx, stop := context.WithCancel(ctx)
		t.Cleanup(stop)
		s.StartSink(sinkCtx)
		return s
	}
	g := station.NewGroup(zoneStation("dong", false), zoneStation("tay", true))
	if err := g.Control(ctx, []string{"bac"}, station.ActionStop); !errors.Is(err, station.ErrUnknownZone) {
		t.Errorf("control of an unknown zone: %v, want ErrUnknownZone", err)
	}
	if err := g.Emergency(ctx, []string{"dong", "bac"}, nil); !errors.Is(err, station.ErrUnknownZone) {
		t.Errorf("emergency to an unknown zone: %v, want ErrUnknownZone", err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- g.Run(runCtx) }()
	guard := time.Now().Add(time.Minute)
	for e.count("SELECT COUNT(*) FROM airings WHERE zone = 'dong' AND status = 'completed'") == 0 ||
		e.count("SELECT COUNT(*) FROM airings WHERE zone = 'tay' AND status = 'failed'") == 0 {
		if time.Now().After(guard) {
			t.Fatal("the two zones did not both air within a minute")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := g.Control(ctx, nil, station.ActionResume); err == nil {
		t.Error("resume with nothing paused in any zone: want a refusal")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Group.Run: %v", err)
	}
	if n := e.count("SELECT COUNT(*) FROM airings WHERE zone = 'dong' AND status <> 'completed'"); n != 0 {
		t.Errorf("%d of dong's rows are not completed; only tay's output is dead", n)
	}
	if n := e.count("SELECT COUNT(*) FROM airings WHERE zone = 'tay' AND status = 'completed'"); n != 0 {
		t.Errorf("%d of tay's rows say completed with a dead output", n)
	}
	if n := e.count("SELECT COUNT(*) FROM airings WHERE zone NOT IN ('dong', 'tay')"); n != 0 {
		t.Errorf("%d rows of no zone of the group", n)
	}
	for _, zone := range []string{"dong", "tay"} {
		if v, err := e.st.State(ctx, "last_handled:"+zone); err != nil || v == "" {
			t.Errorf("zone %s keeps no place in the timetable: %q, %v", zone, v, err)
		}
	}
	if st, err := g.Status(ctx); err != nil || len(st.Zones) != 2 || st.Zones[1].Zone != "tay" || st.Zones[1].Dead == "" || st.Zones[0].Dead != "" {
		t.Errorf("group status = %+v, %v; want both zones, tay's output dead", st, err)
	}
}
