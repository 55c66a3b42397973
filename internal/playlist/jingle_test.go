package playlist_test

import (
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

func TestFillLeavesRoomForTheJinglesAndGaps(t *testing.T) {
	loc := hcm(t)
	sl := slot(t, "sang", "0 6 * * *", 20*time.Second)
	sl.Intro = &playlist.Jingle{Path: "intro.wav", Duration: 3 * time.Second}
	sl.Outro = &playlist.Jingle{Path: "outro.wav", Duration: 2 * time.Second}
	p := &playlist.Planner{Slots: []playlist.Slot{sl}, Location: loc, Gap: time.Second}
	occ := playlist.Occurrence{Slot: "sang", Start: time.Date(2024, 5, 2, 6, 0, 0, 0, loc), Length: 20 * time.Second}
	// Room for items: 20 s - (3 s intro + 1 s gap) - (1 s gap + 2 s outro) = 13 s.
	plan := p.Fill(occ, []playlist.Segment{seg(1, 6*time.Second, "x"), seg(2, 6*time.Second, "x"), seg(3, time.Second+time.Millisecond, "x")}, playlist.NewLedger(loc))
	if got := ids(plan.Items); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("items %v, want [1 2] (6 + 1 + 6 = 13 s; a third does not fit)", got)
	}
	if plan.Items[0].Offset != 4*time.Second || plan.Items[1].Offset != 11*time.Second {
		t.Errorf("offsets %v, %v; want 4s (after the intro and gap) and 11s", plan.Items[0].Offset, plan.Items[1].Offset)
	}
	if plan.Shortfall != nil {
		t.Errorf("shortfall %+v, want none (the room is full)", plan.Shortfall)
	}
	// Without jingles the same segments fill 20 s: all three.
	sl.Intro, sl.Outro = nil, nil
	p = &playlist.Planner{Slots: []playlist.Slot{sl}, Location: loc, Gap: time.Second}
	if got := ids(p.Fill(occ, []playlist.Segment{seg(1, 6*time.Second, "x"), seg(2, 6*time.Second, "x"), seg(3, time.Second, "x")}, playlist.NewLedger(loc)).Items); len(got) != 3 {
		t.Errorf("without jingles: items %v, want 3", got)
	}
}

func TestTrimmedSegmentsArePlannedAtTheirTrimmedLength(t *testing.T) {
	loc := hcm(t)
	sl := slot(t, "sang", "0 6 * * *", 10*time.Second)
	occ := playlist.Occurrence{Slot: "sang", Start: time.Date(2024, 5, 2, 6, 0, 0, 0, loc), Length: 10 * time.Second}
	padded := seg(1, 11*time.Second, "x")
	padded.SilenceStart, padded.SilenceEnd, padded.SilenceKnown = 1500*time.Millisecond, 800*time.Millisecond, true
	unknown := seg(2, 11*time.Second, "x") // imported before silence was measured
	unknown.SilenceStart, unknown.SilenceEnd = 3*time.Second, 3*time.Second
	for _, trim := range []bool{false, true} {
		p := &playlist.Planner{Slots: []playlist.Slot{sl}, Location: loc, TrimSilence: trim}
		lib := p.AsAired([]playlist.Segment{padded, unknown})
		plan := p.Fill(occ, lib, playlist.NewLedger(loc))
		if trim {
			if got := ids(plan.Items); len(got) != 1 || got[0] != 1 {
				t.Fatalf("trimmed: items %v, want [1]", got)
			}
			it := plan.Items[0].Segment
			if it.Duration != 8700*time.Millisecond || it.TrimStart != 1500*time.Millisecond || it.TrimEnd != 800*time.Millisecond {
				t.Errorf("trimmed item: %v long, cuts %v and %v; want 8.7s, 1.5s, 0.8s", it.Duration, it.TrimStart, it.TrimEnd)
			}
			if lib[1].Duration != 11*time.Second || lib[1].TrimStart != 0 {
				t.Errorf("a segment never measured is trimmed on a guess: %+v", lib[1])
			}
		} else if len(plan.Items) != 0 {
			t.Errorf("untrimmed: items %v, want none (11 s does not fit in 10 s)", ids(plan.Items))
		}
	}
	// Trimming twice cuts once; a silent file is left whole.
	once := padded.Trimmed()
	if twice := once.Trimmed(); twice.Duration != once.Duration || twice.TrimStart != once.TrimStart {
		t.Errorf("trimmed twice: %+v", twice)
	}
	silent := seg(3, time.Second, "x")
	silent.SilenceStart, silent.SilenceEnd, silent.SilenceKnown = time.Second, time.Second, true
	if s := silent.Trimmed(); s.Duration != time.Second {
		t.Errorf("a silent segment trimmed to %v", s.Duration)
	}
}
