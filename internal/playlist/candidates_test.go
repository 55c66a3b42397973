package playlist

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// The indexed planner gives, plan for plan, what the plain rescan of the
// library gave (referenceFill), over random libraries mixing everything the
// rules look at: topics (none, one, two, repeated), slots restricted to some
// topics, validity windows, approval, retirement, emergencies, priorities,
// pins, zero lengths, duplicate ids and a log with history.
func TestCandidatesMatchReference(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	parser := cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	mustSlot := func(name, spec string, length time.Duration, topics ...string) Slot {
		s, err := parser.Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		return Slot{Name: name, Schedule: s, Length: length, Topics: topics}
	}
	codes := []string{"a", "b", "c", "d", "e"}
	from := time.Date(2024, 2, 20, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 20) // across 29 February and the month's end
	seen := map[string]int{}
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			day := func(offset int) string { return from.AddDate(0, 0, offset).Format("2006-01-02") }
			p := &Planner{Location: loc, Gap: time.Duration(rng.IntN(3)) * time.Second,
				NoRepeat: []time.Duration{0, 20 * time.Hour, 24 * time.Hour, 72 * time.Hour}[rng.IntN(4)], ApprovalRequired: rng.IntN(2) == 0,
				Slots: []Slot{mustSlot("sang", "0 6 * * *", time.Duration(5+rng.IntN(20))*time.Minute),
					mustSlot("trua", "30 11 * * 1-5", time.Duration(3+rng.IntN(8))*time.Minute, "a", "c"),
					mustSlot("chieu", "0 17 * * *", time.Duration(5+rng.IntN(20))*time.Minute, codes[rng.IntN(5)])}}
			for _, c := range codes {
				p.Topics = append(p.Topics, Topic{Code: c, TargetAirings: rng.IntN(40), TargetMinutes: float64(rng.IntN(3) * 30)})
			}
			var lib []Segment
			n := 5 + rng.IntN(120)
			for i := 1; i <= n; i++ {
				s := Segment{ID: int64(i), Title: fmt.Sprint(i), Duration: time.Duration(20+rng.IntN(400)) * time.Second,
					Priority: PriorityNormal, Approved: rng.IntN(5) > 0}
				if rng.IntN(12) == 0 {
					s.ID = int64(1 + rng.IntN(i)) // duplicate id
				}
				k := 1 + rng.IntN(3) // repeats allowed
				if rng.IntN(15) == 0 {
					k = 0
				}
				for range k {
					s.Topics = append(s.Topics, codes[rng.IntN(len(codes))])
				}
				switch rng.IntN(15) {
				case 0:
					s.Priority = PriorityPriority
				case 1:
					s.Priority = PriorityEmergency
				case 2:
					s.Retired = true
				case 3:
					s.Duration = 0
				}
				if rng.IntN(4) == 0 {
					s.ValidFrom = day(rng.IntN(20) - 5)
				}
				if rng.IntN(4) == 0 || seed%8 == 3 { // some libraries all expire
					s.ValidUntil = day(rng.IntN(20))
				}
				for range rng.IntN(3) {
					if rng.IntN(4) == 0 {
						s.Pins = append(s.Pins, Pin{Day: day(rng.IntN(20)), Slot: p.Slots[rng.IntN(3)].Name})
					}
				}
				lib = append(lib, s)
			}
			ledger := NewLedger(loc)
			for range rng.IntN(60) {
				at := from.Add(-time.Duration(rng.IntN(40*24)) * time.Hour)
				s := lib[rng.IntN(len(lib))]
				st := []Status{StatusCompleted, StatusInterrupted, StatusMissed}[rng.IntN(3)]
				ledger.Record(Airing{SegmentID: s.ID, Topics: s.Topics, ScheduledAt: at, StartedAt: at, Played: s.Duration, Status: st})
			}
			want := p.referencePreview(from, to, lib, ledger)
			got := p.Preview(from, to, lib, ledger)
			if len(got) != len(want) {
				t.Fatalf("%d plans, want %d", len(got), len(want))
			}
			for i := range want {
				for _, it := range want[i].Items {
					seen["items"]++
					if it.Segment.Priority == PriorityPriority {
						seen["priority"]++
					}
					if it.Segment.PinnedTo(it.StartsAt.In(loc).Format("2006-01-02"), want[i].Slot) {
						seen["pinned"]++
					}
				}
				if want[i].Shortfall != nil {
					seen[string(want[i].Shortfall.Reason)]++
				}
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("plan %d (%s %s) differs:\ngot  %v %+v\nwant %v %+v", i, want[i].Slot, want[i].Start,
						itemIDs(got[i].Items), got[i].Shortfall, itemIDs(want[i].Items), want[i].Shortfall)
				}
			}
			// One occurrence on its own, from the same ledger.
			occ := Occurrences(p.Slots, to, to.AddDate(0, 0, 2))[0]
			if got, want := p.Fill(occ, lib, ledger), p.referenceFill(occ, lib, ledger); !reflect.DeepEqual(got, want) {
				t.Fatalf("Fill %s: got %v %+v, want %v %+v", occ.Start, itemIDs(got.Items), got.Shortfall, itemIDs(want.Items), want.Shortfall)
			}
		})
	}
	// The cases above must have reached every rule.
	for _, k := range []string{"items", "priority", "pinned", string(ShortEmptyLibrary), string(ShortNoneEligible), string(ShortAllRecent), string(ShortTooLong)} {
		if seen[k] == 0 {
			t.Errorf("no plan had %s: the random libraries miss a case", k)
		}
	}
	t.Logf("reached: %v", seen)
}

func itemIDs(items []Item) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.Segment.ID)
	}
	return out
}

// One planner plans for the station and for a web preview at once: the
// month's pace cache is shared, and each gets the plan it would get alone.
func TestPreviewConcurrently(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := cron.ParseStandard("0 6,17 * * *")
	if err != nil {
		t.Fatal(err)
	}
	newPlanner := func() *Planner {
		return &Planner{Location: loc, Slots: []Slot{{Name: "s", Schedule: sched, Length: 3 * time.Minute}},
			Topics: []Topic{{Code: "a", TargetAirings: 30}, {Code: "b", TargetAirings: 10}}}
	}
	var lib []Segment
	for i := 1; i <= 40; i++ {
		lib = append(lib, Segment{ID: int64(i), Topics: []string{[]string{"a", "b"}[i%2]}, Duration: time.Duration(30+i) * time.Second, Approved: true, Priority: PriorityNormal})
	}
	from := time.Date(2024, 1, 25, 0, 0, 0, 0, loc)
	want := newPlanner().Preview(from, from.AddDate(0, 2, 0), lib, NewLedger(loc))
	p := newPlanner()
	got := make([][]Plan, 4)
	done := make(chan struct{})
	for g := range got {
		go func() {
			defer func() { done <- struct{}{} }()
			got[g] = p.Preview(from.AddDate(0, 0, 0), from.AddDate(0, 2, 0), lib, NewLedger(loc))
		}()
	}
	for range got {
		<-done
	}
	for g := range got {
		if !reflect.DeepEqual(got[g], want) {
			t.Errorf("preview %d run alongside others differs from one run alone", g)
		}
	}
}
