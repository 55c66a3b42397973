package playlist

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

func TestDaysOffRemoveOccurrences(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow).Parse("0 6 * * *")
	if err != nil {
		t.Fatal(err)
	}
	slot := Slot{Name: "sang", Schedule: sched, Length: 10 * time.Minute,
		DaysOff: []DateRange{{From: "2027-02-05", To: "2027-02-10"}, {From: "2027-02-14", To: "2027-02-14"}}}
	from := time.Date(2027, 2, 1, 0, 0, 0, 0, loc)
	occ := Occurrences([]Slot{slot}, from, from.AddDate(0, 0, 28))
	if len(occ) != 28-7 {
		t.Fatalf("%d occurrences in February 2027, want 21 (7 days off)", len(occ))
	}
	for _, o := range occ {
		day := o.Start.Format("2006-01-02")
		if (day >= "2027-02-05" && day <= "2027-02-10") || day == "2027-02-14" {
			t.Fatalf("an occurrence on a day off: %s", o.Start)
		}
	}
	// Days off count for nothing in the month's pace either.
	p := &Planner{Slots: []Slot{slot}, Location: loc}
	if got := p.pace(time.Date(2027, 2, 28, 6, 0, 0, 0, loc)); got != 1 {
		t.Fatalf("pace at the month's last occurrence: %v, want 1", got)
	}
	if got := p.pace(time.Date(2027, 2, 4, 6, 0, 0, 0, loc)); got != 4.0/21 {
		t.Fatalf("pace at the 4th occurrence: %v, want 4/21", got)
	}
}

func TestPinnedSegmentsGoFirstAndBeatTheNoRepeatWindowOnly(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow).Parse("0 6 * * *")
	if err != nil {
		t.Fatal(err)
	}
	p := &Planner{Slots: []Slot{{Name: "sang", Schedule: sched, Length: 3 * time.Minute}}, Location: loc,
		NoRepeat: 72 * time.Hour, ApprovalRequired: true,
		Topics: []Topic{{Code: "a", TargetAirings: 100}, {Code: "b"}}}
	pin := []Pin{{Day: "2024-05-02", Slot: "sang"}}
	lib := []Segment{
		{ID: 1, Topics: []string{"a"}, Duration: time.Minute, Approved: true, Priority: PriorityPriority},
		{ID: 2, Topics: []string{"b"}, Duration: time.Minute, Approved: true, Pins: pin},
		{ID: 3, Topics: []string{"b"}, Duration: time.Minute, Approved: false, Pins: pin},
	}
	ledger := NewLedger(loc)
	// Segment 2 aired yesterday, inside the no-repeat window.
	ledger.Record(Airing{SegmentID: 2, Topics: []string{"b"}, ScheduledAt: time.Date(2024, 5, 1, 6, 0, 0, 0, loc), Status: StatusCompleted})
	plan := p.Fill(Occurrence{Slot: "sang", Start: time.Date(2024, 5, 2, 6, 0, 0, 0, loc), Length: 3 * time.Minute}, lib, ledger)
	var ids []int64
	for _, it := range plan.Items {
		ids = append(ids, it.Segment.ID)
	}
	if len(ids) != 2 || ids[0] != 2 || ids[1] != 1 {
		t.Fatalf("planned %v, want the pinned 2 first (despite no-repeat), then the priority 1; never the unapproved 3", ids)
	}
	// On another day the pin does not apply and the window holds.
	plan = p.Fill(Occurrence{Slot: "sang", Start: time.Date(2024, 5, 3, 6, 0, 0, 0, loc), Length: 3 * time.Minute}, lib, ledger)
	for _, it := range plan.Items {
		if it.Segment.ID != 1 {
			t.Fatalf("without its pin, segment %d aired inside the no-repeat window", it.Segment.ID)
		}
	}
}
