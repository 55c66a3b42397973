package playlist

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

func TestOutlookSaysWhichTopicsFallShortAndWhy(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow).Parse("0 6 * * *")
	if err != nil {
		t.Fatal(err)
	}
	p := &Planner{Slots: []Slot{{Name: "sang", Schedule: sched, Length: 5 * time.Minute}}, Location: loc,
		NoRepeat: 24 * time.Hour, ApprovalRequired: true,
		Topics: []Topic{
			{Code: "ok", TargetAirings: 10},
			{Code: "few", TargetAirings: 100},
			{Code: "none"},
			{Code: "missing", TargetAirings: 4},
			{Code: "expired", TargetAirings: 4},
			{Code: "unapproved", TargetMinutes: 3},
		}}
	lib := []Segment{
		{ID: 1, Topics: []string{"ok"}, Duration: time.Minute, Approved: true},
		{ID: 2, Topics: []string{"few"}, Duration: time.Minute, Approved: true},
		{ID: 3, Topics: []string{"expired"}, Duration: time.Minute, Approved: true, ValidUntil: "2024-04-30"},
		{ID: 4, Topics: []string{"unapproved"}, Duration: time.Minute},
	}
	out := p.Outlook(time.Date(2024, 5, 1, 0, 0, 0, 0, loc), lib, NewLedger(loc))
	want := map[string]OutlookReason{"ok": "", "few": OutlookTooFew, "none": "", "missing": OutlookNoSegment,
		"expired": OutlookNoneValid, "unapproved": OutlookNoneValid}
	for _, o := range out {
		if o.Reason != want[o.Topic.Code] || o.Short != (want[o.Topic.Code] != "") {
			t.Errorf("%s: short=%v reason=%q, want reason %q", o.Topic.Code, o.Short, o.Reason, want[o.Topic.Code])
		}
		if o.Topic.Code == "ok" && o.PlannedAirings != 31 {
			t.Errorf("ok: %d planned airings in May, want 31 (one a day)", o.PlannedAirings)
		}
	}
}
