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
