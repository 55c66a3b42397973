package playlist

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// BenchmarkPreviewMonth plans a 31-day month of 10 slots a day from a
// library of 5,000 segments (issue 4's scale goal: ≤ 50 ms).
func BenchmarkPreviewMonth(b *testing.B) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		b.Fatal(err)
	}
	parser := cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	codes := []string{"tong-quan", "chu-truong", "the-che", "tthc", "bo-may", "cong-vu", "tai-chinh-cong", "chinh-quyen-so", "chi-so", "khen-thuong"}
	var topics []Topic
	for i, c := range codes {
		topics = append(topics, Topic{Code: c, Name: c, TargetAirings: 20 + 10*i})
	}
	p := &Planner{Topics: topics, Location: loc, NoRepeat: 20 * time.Hour, Gap: time.Second, ApprovalRequired: true}
	for h := 6; h < 21; h += 3 {
		for _, m := range []int{0, 30} {
			sched, err := parser.Parse(fmt.Sprintf("%d %d * * *", m, h))
			if err != nil {
				b.Fatal(err)
			}
			p.Slots = append(p.Slots, Slot{Name: fmt.Sprintf("s%02d%02d", h, m), Schedule: sched, Length: 15 * time.Minute})
		}
	}
	rng := rand.New(rand.NewSource(1))
	var lib []Segment
	for i := 1; i <= 5000; i++ {
		s := Segment{ID: int64(i), Title: fmt.Sprint(i), Topics: []string{codes[rng.Intn(len(codes))]},
			Duration: time.Duration(60+rng.Intn(240)) * time.Second, Priority: PriorityNormal, Approved: rng.Intn(10) > 0}
		if rng.Intn(5) == 0 {
			s.Topics = append(s.Topics, codes[rng.Intn(len(codes))])
		}
		if rng.Intn(50) == 0 {
			s.Priority = PriorityPriority
		}
		lib = append(lib, s)
	}
	from := time.Date(2024, 5, 1, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 31)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		plans := p.Preview(from, to, lib, NewLedger(loc))
		if len(plans) != 310 {
			b.Fatalf("%d occurrences, want 310", len(plans))
		}
	}
}
