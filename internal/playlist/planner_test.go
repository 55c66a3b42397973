package playlist_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/truyenthanh/cchc/internal/playlist"
)

var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func hcm(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func slot(t testing.TB, name, spec string, length time.Duration, topics ...string) playlist.Slot {
	t.Helper()
	sched, err := cronParser.Parse(spec)
	if err != nil {
		t.Fatalf("cron %q: %v", spec, err)
	}
	return playlist.Slot{Name: name, Schedule: sched, Length: length, Topics: topics}
}

// seg is an approved normal segment of the given minutes (fractions allowed).
func seg(id int64, dur time.Duration, topics ...string) playlist.Segment {
	return playlist.Segment{ID: id, Title: fmt.Sprintf("s%d", id), Topics: topics, Duration: dur,
		Priority: playlist.PriorityNormal, Approved: true}
}

func ids(items []playlist.Item) []int64 {
	out := []int64{}
	for _, it := range items {
		out = append(out, it.Segment.ID)
	}
	return out
}

type occ struct {
	slot string
	at   string // "2006-01-02 15:04" in Asia/Ho_Chi_Minh
}

func TestOccurrences(t *testing.T) {
	loc := hcm(t)
	d := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name     string
		slots    []playlist.Slot
		from, to string
		want     []occ
	}{
		{
			name:  "two slots across 29 Feb and the month end",
			slots: []playlist.Slot{slot(t, "chieu", "15 17 * * *", 10*time.Minute), slot(t, "sang", "0 6 * * *", 10*time.Minute)},
			from:  "2024-02-28 12:00", to: "2024-03-01 17:15",
			want: []occ{{"chieu", "2024-02-28 17:15"}, {"sang", "2024-02-29 06:00"}, {"chieu", "2024-02-29 17:15"},
				{"sang", "2024-03-01 06:00"}},
		},
		{
			name:  "from inclusive, to exclusive",
			slots: []playlist.Slot{slot(t, "sang", "0 6 * * *", 10*time.Minute)},
			from:  "2024-05-01 06:00", to: "2024-05-03 06:00",
			want: []occ{{"sang", "2024-05-01 06:00"}, {"sang", "2024-05-02 06:00"}},
		},
		{
			name:  "Monday to Saturday skips Sunday",
			slots: []playlist.Slot{slot(t, "sang", "0 6 * * 1-6", 10*time.Minute)},
			from:  "2024-05-04 00:00", to: "2024-05-07 00:00", // Sat, Sun, Mon
			want: []occ{{"sang", "2024-05-04 06:00"}, {"sang", "2024-05-06 06:00"}},
		},
		{
			name:  "29 February only in the leap year",
			slots: []playlist.Slot{slot(t, "nhuan", "0 6 29 2 *", time.Minute)},
			from:  "2023-01-01 00:00", to: "2025-12-31 00:00",
			want: []occ{{"nhuan", "2024-02-29 06:00"}},
		},
		{
			name:  "day 31 skips short months",
			slots: []playlist.Slot{slot(t, "cuoi", "30 18 31 * *", time.Minute)},
			from:  "2024-01-01 00:00", to: "2024-06-01 00:00",
			want: []occ{{"cuoi", "2024-01-31 18:30"}, {"cuoi", "2024-03-31 18:30"}, {"cuoi", "2024-05-31 18:30"}},
		},
		{
			name:  "same start ordered by the slots' order",
			slots: []playlist.Slot{slot(t, "b", "0 6 * * *", time.Minute), slot(t, "a", "0 6 * * *", time.Minute)},
			from:  "2024-05-01 00:00", to: "2024-05-02 00:00",
			want: []occ{{"b", "2024-05-01 06:00"}, {"a", "2024-05-01 06:00"}},
		},
		{
			name:  "seconds field",
			slots: []playlist.Slot{slot(t, "s", "30 0 6 * * *", time.Minute)},
			from:  "2024-05-01 00:00", to: "2024-05-02 00:00",
			want: []occ{{"s", "2024-05-01 06:00"}},
		},
		{
			name:  "empty range",
			slots: []playlist.Slot{slot(t, "sang", "0 6 * * *", time.Minute)},
			from:  "2024-05-01 07:00", to: "2024-05-02 05:59",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := playlist.Occurrences(tt.slots, d(tt.from), d(tt.to))
			var gotOcc []occ
			for _, o := range got {
				gotOcc = append(gotOcc, occ{o.Slot, o.Start.In(loc).Format("2006-01-02 15:04")})
				if o.Start.Location() != loc {
					t.Errorf("%s: location %v, want from's", o.Slot, o.Start.Location())
				}
			}
			if !reflect.DeepEqual(gotOcc, tt.want) {
				t.Errorf("got %v\nwant %v", gotOcc, tt.want)
			}
		})
	}
	// The seconds field is kept.
	o := playlist.Occurrences([]playlist.Slot{slot(t, "s", "30 0 6 * * *", time.Minute)}, d("2024-05-01 00:00"), d("2024-05-02 00:00"))
	if len(o) != 1 || o[0].Start.Second() != 30 || o[0].End().Sub(o[0].Start) != time.Minute {
		t.Errorf("seconds slot: %+v", o)
	}
}

func TestPreviewInStationZoneWhateverTZ(t *testing.T) {
	t.Setenv("TZ", "America/New_York")
	loc := hcm(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	p := &playlist.Planner{Slots: []playlist.Slot{slot(t, "sang", "0 6 * * *", 10*time.Minute)}, Location: loc}
	// 2024-05-05 12:00 in New York is 23:00 in Hà Nội.
	from := time.Date(2024, 5, 5, 12, 0, 0, 0, ny)
	plans := p.Preview(from, from.Add(48*time.Hour), nil, playlist.NewLedger(loc))
	var got []string
	for _, pl := range plans {
		got = append(got, pl.Start.Format("2006-01-02 15:04 -07:00"))
	}
	want := []string{"2024-05-06 06:00 +07:00", "2024-05-07 06:00 +07:00"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("preview starts %v, want %v", got, want)
	}
	occs := playlist.Occurrences(p.Slots, from.In(loc), from.Add(24*time.Hour).In(loc))
	if len(occs) != 1 || occs[0].Start.Format("15:04 -07:00") != "06:00 +07:00" {
		t.Errorf("occurrences %v, want one at 06:00 +07:00", occs)
	}
}

func TestFillNeverOverruns(t *testing.T) {
	loc := hcm(t)
	rng := rand.New(rand.NewPCG(2024, 5))
	start := time.Date(2024, 5, 15, 6, 0, 0, 0, loc)
	topics := []string{"tthc", "chi-so", "bo-may"}
	for iter := 0; iter < 500; iter++ {
		length := time.Duration(10+rng.IntN(1800)) * time.Second
		gap := time.Duration(rng.IntN(4000)) * time.Millisecond
		p := &playlist.Planner{
			Slots:    []playlist.Slot{slot(t, "sang", "0 6 * * *", length)},
			Topics:   []playlist.Topic{{Code: "tthc", TargetAirings: 10}, {Code: "chi-so", TargetMinutes: 30}, {Code: "bo-may"}},
			Location: loc, Gap: gap, NoRepeat: 20 * time.Hour,
		}
		var lib []playlist.Segment
		for i := range rng.IntN(20) {
			lib = append(lib, seg(int64(i+1), time.Duration(1+rng.IntN(600_000))*time.Millisecond, topics[rng.IntN(len(topics))]))
		}
		o := playlist.Occurrence{Slot: "sang", Start: start, Length: length}
		plan := p.Fill(o, lib, playlist.NewLedger(loc))

		end := time.Duration(0)
		seen := map[int64]bool{}
		for i, it := range plan.Items {
			want := end
			if i > 0 {
				want += gap
			}
			if it.Offset != want || !it.StartsAt.Equal(start.Add(it.Offset)) {
				t.Fatalf("iter %d item %d: offset %v starts %v, want offset %v (gap %v)", iter, i, it.Offset, it.StartsAt, want, gap)
			}
			if seen[it.Segment.ID] {
				t.Fatalf("iter %d: segment %d planned twice", iter, it.Segment.ID)
			}
			seen[it.Segment.ID] = true
			end = it.Offset + it.Segment.Duration
		}
		if end > length {
			t.Fatalf("iter %d: plan ends at %v, past the length %v (items %v)", iter, end, length, ids(plan.Items))
		}
		switch {
		case end < length && (plan.Shortfall == nil || plan.Shortfall.Unfilled != length-end):
			t.Fatalf("iter %d: used %v of %v, shortfall %+v", iter, end, length, plan.Shortfall)
		case end == length && plan.Shortfall != nil:
			t.Fatalf("iter %d: full plan has shortfall %+v", iter, plan.Shortfall)
		}
		// Nothing left out would still have fitted.
		room := length - end - gap
		if len(plan.Items) == 0 {
			room = length
		}
		for _, s := range lib {
			if !seen[s.ID] && s.Duration <= room {
				t.Fatalf("iter %d: segment %d (%v) fits the %v left but was not planned", iter, s.ID, s.Duration, room)
			}
		}
	}
}

func TestFillEligibility(t *testing.T) {
	loc := hcm(t)
	start := time.Date(2024, 5, 15, 6, 0, 0, 0, loc)
	o := playlist.Occurrence{Slot: "sang", Start: start, Length: 10 * time.Minute}
	mod := func(id int64, f func(*playlist.Segment)) playlist.Segment {
		s := seg(id, time.Minute, "tthc")
		f(s2p(&s))
		return s
	}
	tests := []struct {
		name     string
		seg      playlist.Segment
		approval bool
		slotOnly []string
		want     bool
	}{
		{"approved", seg(1, time.Minute, "tthc"), true, nil, true},
		{"unapproved, approval required", mod(1, func(s *playlist.Segment) { s.Approved = false }), true, nil, false},
		{"unapproved, approval not required", mod(1, func(s *playlist.Segment) { s.Approved = false }), false, nil, true},
		{"valid from today (inclusive)", mod(1, func(s *playlist.Segment) { s.ValidFrom = "2024-05-15" }), true, nil, true},
		{"valid from tomorrow", mod(1, func(s *playlist.Segment) { s.ValidFrom = "2024-05-16" }), true, nil, false},
		{"valid until today (inclusive)", mod(1, func(s *playlist.Segment) { s.ValidUntil = "2024-05-15" }), true, nil, true},
		{"expired yesterday", mod(1, func(s *playlist.Segment) { s.ValidUntil = "2024-05-14" }), true, nil, false},
		{"emergency never planned", mod(1, func(s *playlist.Segment) { s.Priority = playlist.PriorityEmergency }), true, nil, false},
		{"emergency never planned, no approval", mod(1, func(s *playlist.Segment) { s.Priority = playlist.PriorityEmergency }), false, nil, false},
		{"retired", mod(1, func(s *playlist.Segment) { s.Retired = true }), true, nil, false},
		{"zero duration", mod(1, func(s *playlist.Segment) { s.Duration = 0 }), true, nil, false},
		{"topic allowed by slot", seg(1, time.Minute, "tthc", "chi-so"), true, []string{"chi-so"}, true},
		{"topic not allowed by slot", seg(1, time.Minute, "tthc"), true, []string{"chi-so"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &playlist.Planner{Slots: []playlist.Slot{slot(t, "sang", "0 6 * * *", o.Length, tt.slotOnly...)},
				Location: loc, ApprovalRequired: tt.approval, Gap: time.Second}
			plan := p.Fill(o, []playlist.Segment{tt.seg}, playlist.NewLedger(loc))
			if got := len(plan.Items) == 1; got != tt.want {
				t.Errorf("planned = %v, want %v (items %v, shortfall %+v)", got, tt.want, ids(plan.Items), plan.Shortfall)
			}
		})
	}
}

func s2p(s *playlist.Segment) *playlist.Segment { return s }

func TestFillOrder(t *testing.T) {
	loc := hcm(t)
	start := time.Date(2024, 5, 15, 6, 0, 0, 0, loc)
	o := playlist.Occurrence{Slot: "sang", Start: start, Length: 10 * time.Minute}
	topics := []playlist.Topic{{Code: "tthc", TargetAirings: 10}, {Code: "chi-so", TargetAirings: 10}, {Code: "free"}}
	completed := func(segID int64, topic string, at time.Time) playlist.Airing {
		return playlist.Airing{SegmentID: segID, Topics: []string{topic}, Slot: "sang", ScheduledAt: at, StartedAt: at,
			Played: time.Minute, Status: playlist.StatusCompleted}
	}
	may := func(day int) time.Time { return time.Date(2024, 5, day, 6, 0, 0, 0, loc) }
	big := 9 * time.Minute // one per occurrence
	tests := []struct {
		name string
		lib  []playlist.Segment
		log  []playlist.Airing
		want []int64
	}{
		{
			name: "priority first",
			lib: []playlist.Segment{seg(1, 4*time.Minute, "tthc"), func() playlist.Segment {
				s := seg(2, 4*time.Minute, "free")
				s.Priority = playlist.PriorityPriority
				return s
			}()},
			want: []int64{2, 1},
		},
		{
			name: "topic behind pace before one ahead (behind has the higher id)",
			lib:  []playlist.Segment{seg(1, big, "chi-so"), seg(2, big, "tthc")},
			log:  []playlist.Airing{completed(90, "chi-so", may(2)), completed(91, "chi-so", may(3)), completed(92, "chi-so", may(6)), completed(93, "chi-so", may(7)), completed(94, "chi-so", may(8)), completed(95, "chi-so", may(9))},
			want: []int64{2},
		},
		{
			name: "topic behind pace before one ahead (behind has the lower id)",
			lib:  []playlist.Segment{seg(1, big, "chi-so"), seg(2, big, "tthc")},
			log:  []playlist.Airing{completed(90, "tthc", may(2)), completed(91, "tthc", may(3)), completed(92, "tthc", may(6)), completed(93, "tthc", may(7)), completed(94, "tthc", may(8)), completed(95, "tthc", may(9))},
			want: []int64{1},
		},
		{
			name: "only completed airings count towards the target",
			lib:  []playlist.Segment{seg(1, big, "tthc"), seg(2, big, "chi-so")},
			log: []playlist.Airing{
				{SegmentID: 90, Topics: []string{"chi-so"}, ScheduledAt: may(2), StartedAt: may(2), Status: playlist.StatusInterrupted},
				{SegmentID: 91, Topics: []string{"chi-so"}, ScheduledAt: may(3), Status: playlist.StatusMissed},
				{SegmentID: 92, Topics: []string{"chi-so"}, ScheduledAt: may(6), StartedAt: may(6), Status: playlist.StatusFailed},
				completed(93, "tthc", may(7)),
			},
			want: []int64{2},
		},
		{
			name: "last month's airings do not count",
			lib:  []playlist.Segment{seg(1, big, "tthc"), seg(2, big, "chi-so")},
			log:  []playlist.Airing{completed(90, "chi-so", time.Date(2024, 4, 30, 17, 0, 0, 0, loc)), completed(91, "tthc", may(1))},
			want: []int64{2},
		},
		{
			name: "least recently aired first",
			lib:  []playlist.Segment{seg(1, big, "free"), seg(2, big, "free"), seg(3, big, "free")},
			log:  []playlist.Airing{completed(1, "free", may(10)), completed(2, "free", may(5)), completed(3, "free", may(12))},
			want: []int64{2},
		},
		{
			name: "never aired before aired",
			lib:  []playlist.Segment{seg(1, big, "free"), seg(2, big, "free"), seg(3, big, "free")},
			log:  []playlist.Airing{completed(1, "free", may(10)), completed(2, "free", may(5))},
			want: []int64{3},
		},
		{
			name: "interrupted airing counts for rotation",
			lib:  []playlist.Segment{seg(1, big, "free"), seg(2, big, "free")},
			log: []playlist.Airing{completed(1, "free", may(5)),
				{SegmentID: 2, Topics: []string{"free"}, ScheduledAt: may(10), StartedAt: may(10), Status: playlist.StatusInterrupted}},
			want: []int64{1},
		},
		{
			name: "missed airing does not count for rotation",
			lib:  []playlist.Segment{seg(1, big, "free"), seg(2, big, "free")},
			log: []playlist.Airing{completed(1, "free", may(5)),
				{SegmentID: 2, Topics: []string{"free"}, ScheduledAt: may(10), Status: playlist.StatusMissed}},
			want: []int64{2},
		},
		{
			name: "no-repeat window: aired 12h45m before is skipped",
			lib:  []playlist.Segment{seg(1, big, "free")},
			log:  []playlist.Airing{completed(1, "free", time.Date(2024, 5, 14, 17, 15, 0, 0, loc))},
			want: []int64{},
		},
		{
			name: "no-repeat window: aired exactly 20h before may air",
			lib:  []playlist.Segment{seg(1, big, "free")},
			log:  []playlist.Airing{completed(1, "free", start.Add(-20*time.Hour))},
			want: []int64{1},
		},
		{
			name: "ties broken by lower id",
			lib:  []playlist.Segment{seg(3, 3*time.Minute, "free"), seg(1, 3*time.Minute, "free"), seg(2, 3*time.Minute, "free")},
			want: []int64{1, 2, 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &playlist.Planner{Slots: []playlist.Slot{slot(t, "sang", "0 6 * * 1-6", o.Length)}, Topics: topics,
				Location: loc, NoRepeat: 20 * time.Hour, Gap: time.Second, ApprovalRequired: true}
			l := playlist.NewLedger(loc)
			for _, a := range tt.log {
				l.Record(a)
			}
			plan := p.Fill(o, tt.lib, l)
			if got := ids(plan.Items); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("planned %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFillShortfall(t *testing.T) {
	loc := hcm(t)
	start := time.Date(2024, 5, 15, 6, 0, 0, 0, loc)
	length := 10 * time.Minute
	o := playlist.Occurrence{Slot: "sang", Start: start, Length: length}
	unapproved := seg(1, time.Minute, "tthc")
	unapproved.Approved = false
	recent := playlist.NewLedger(loc)
	recent.Record(playlist.Airing{SegmentID: 1, Topics: []string{"tthc"}, ScheduledAt: start.Add(-time.Hour), StartedAt: start.Add(-time.Hour), Status: playlist.StatusCompleted})
	tests := []struct {
		name     string
		lib      []playlist.Segment
		ledger   *playlist.Ledger
		gap      time.Duration
		want     playlist.ShortfallReason // "" = no shortfall
		unfilled time.Duration
	}{
		{"empty library", nil, nil, time.Second, playlist.ShortEmptyLibrary, length},
		{"only topics the slot does not allow", []playlist.Segment{seg(1, time.Minute, "khen-thuong")}, nil, time.Second, playlist.ShortEmptyLibrary, length},
		{"none approved", []playlist.Segment{unapproved}, nil, time.Second, playlist.ShortNoneEligible, length},
		{"all aired recently", []playlist.Segment{seg(1, time.Minute, "tthc")}, recent, time.Second, playlist.ShortAllRecent, length},
		{"all used up", []playlist.Segment{seg(1, time.Minute, "tthc"), seg(2, 2*time.Minute, "tthc")}, nil, time.Second, playlist.ShortAllRecent, length - 3*time.Minute - time.Second},
		{"too long", []playlist.Segment{seg(1, 11*time.Minute, "tthc")}, nil, time.Second, playlist.ShortTooLong, length},
		{"left over too long", []playlist.Segment{seg(1, 6*time.Minute, "tthc"), seg(2, 5*time.Minute, "tthc")}, nil, time.Second, playlist.ShortTooLong, 4 * time.Minute},
		{"filled exactly", []playlist.Segment{seg(1, 5*time.Minute, "tthc"), seg(2, 5*time.Minute, "tthc")}, nil, 0, "", 0},
		{"filled exactly with gap", []playlist.Segment{seg(1, 5*time.Minute, "tthc"), seg(2, 5*time.Minute-time.Second, "tthc")}, nil, time.Second, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &playlist.Planner{Slots: []playlist.Slot{slot(t, "sang", "0 6 * * *", length, "tthc", "chi-so")},
				Topics:   []playlist.Topic{{Code: "tthc", TargetAirings: 8}, {Code: "chi-so"}, {Code: "khen-thuong"}},
				Location: loc, NoRepeat: 20 * time.Hour, Gap: tt.gap, ApprovalRequired: true}
			l := tt.ledger
			if l == nil {
				l = playlist.NewLedger(loc)
			}
			plan := p.Fill(o, tt.lib, l)
			if tt.want == "" {
				if plan.Shortfall != nil {
					t.Fatalf("shortfall %+v, want none (items %v)", plan.Shortfall, ids(plan.Items))
				}
				return
			}
			if plan.Shortfall == nil {
				t.Fatalf("no shortfall, want %s (items %v)", tt.want, ids(plan.Items))
			}
			if plan.Shortfall.Reason != tt.want || plan.Shortfall.Unfilled != tt.unfilled {
				t.Errorf("shortfall %+v, want %s unfilled %v", *plan.Shortfall, tt.want, tt.unfilled)
			}
		})
	}
}

func TestFillGapOffsets(t *testing.T) {
	loc := hcm(t)
	start := time.Date(2024, 5, 15, 17, 15, 0, 0, loc)
	o := playlist.Occurrence{Slot: "chieu", Start: start, Length: 10 * time.Minute}
	p := &playlist.Planner{Slots: []playlist.Slot{slot(t, "chieu", "15 17 * * *", o.Length)}, Location: loc, Gap: 2 * time.Second}
	lib := []playlist.Segment{seg(1, 90*time.Second, "a"), seg(2, 30*time.Second, "a"), seg(3, 45*time.Second, "a")}
	plan := p.Fill(o, lib, playlist.NewLedger(loc))
	want := []time.Duration{0, 92 * time.Second, 124 * time.Second}
	var got []time.Duration
	for _, it := range plan.Items {
		got = append(got, it.Offset)
		if !it.StartsAt.Equal(start.Add(it.Offset)) {
			t.Errorf("item %d starts %v, want %v", it.Segment.ID, it.StartsAt, start.Add(it.Offset))
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("offsets %v, want %v", got, want)
	}
	if plan.Shortfall == nil || plan.Shortfall.Unfilled != 10*time.Minute-169*time.Second {
		t.Errorf("shortfall %+v, want %v unfilled", plan.Shortfall, 10*time.Minute-169*time.Second)
	}
}

func TestPreviewDeterministicAndPure(t *testing.T) {
	loc := hcm(t)
	newPlanner := func() *playlist.Planner {
		return &playlist.Planner{
			Slots: []playlist.Slot{slot(t, "sang", "0 6 * * 1-6", 10*time.Minute), slot(t, "chieu", "15 17 * * 1-6", 10*time.Minute)},
			Topics: []playlist.Topic{{Code: "tthc", TargetAirings: 16}, {Code: "chi-so", TargetAirings: 4},
				{Code: "the-che", TargetMinutes: 20}, {Code: "khen-thuong"}},
			Location: loc, NoRepeat: 20 * time.Hour, Gap: time.Second, ApprovalRequired: true,
		}
	}
	codes := []string{"tthc", "chi-so", "the-che", "khen-thuong"}
	var lib []playlist.Segment
	for i := range 12 {
		lib = append(lib, seg(int64(i+1), time.Duration(60+37*i)*time.Second, codes[i%len(codes)]))
	}
	ledger := playlist.NewLedger(loc)
	aired := time.Date(2024, 5, 2, 6, 0, 0, 0, loc)
	ledger.Record(playlist.Airing{SegmentID: 3, Topics: []string{"the-che"}, ScheduledAt: aired, StartedAt: aired,
		Played: 3 * time.Minute, Status: playlist.StatusCompleted})
	before := ledger.Clone()

	from := time.Date(2024, 5, 6, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 7)
	p := newPlanner()
	first := p.Preview(from, to, lib, ledger)
	second := p.Preview(from, to, lib, ledger)
	third := newPlanner().Preview(from, to, lib, ledger)
	if !reflect.DeepEqual(first, second) || !reflect.DeepEqual(first, third) {
		t.Fatal("two previews of the same state differ")
	}
	if len(first) != 12 { // six days × two slots
		t.Fatalf("plans = %d, want 12", len(first))
	}
	if !reflect.DeepEqual(ledger, before) {
		t.Error("Preview modified the ledger passed in")
	}
	if ledger.LastAired(1) != (time.Time{}) || ledger.Delivered("tthc", from).Airings != 0 {
		t.Error("Preview recorded its items in the caller's ledger")
	}
	// What the preview assumes aired respects the no-repeat window.
	last := map[int64]time.Time{}
	for _, pl := range first {
		if len(pl.Items) == 0 {
			t.Errorf("%s %v: nothing planned (%+v)", pl.Slot, pl.Start, pl.Shortfall)
		}
		for _, it := range pl.Items {
			if prev, ok := last[it.Segment.ID]; ok && pl.Start.Sub(prev) < 20*time.Hour {
				t.Errorf("segment %d planned at %v and again at %v", it.Segment.ID, prev, pl.Start)
			}
			last[it.Segment.ID] = pl.Start
		}
	}
}

func TestLedger(t *testing.T) {
	loc := hcm(t)
	l := playlist.NewLedger(loc)
	// 2024-05-31 20:00 UTC is 2024-06-01 03:00 in Hà Nội: a June airing.
	edge := time.Date(2024, 5, 31, 20, 0, 0, 0, time.UTC)
	may := time.Date(2024, 5, 10, 6, 0, 0, 0, loc)
	for _, a := range []playlist.Airing{
		{SegmentID: 1, Topics: []string{"tthc", "chi-so"}, ScheduledAt: may, StartedAt: may, Played: 2 * time.Minute, Status: playlist.StatusCompleted},
		{SegmentID: 1, Topics: []string{"tthc"}, ScheduledAt: may.Add(time.Hour), StartedAt: may.Add(time.Hour), Played: time.Minute, Status: playlist.StatusInterrupted},
		{SegmentID: 2, Topics: []string{"tthc"}, ScheduledAt: edge, StartedAt: edge, Played: time.Minute, Status: playlist.StatusCompleted},
		{SegmentID: 3, Topics: []string{"tthc"}, ScheduledAt: may.AddDate(0, 0, 1), Status: playlist.StatusMissed},
		{SegmentID: 0, Topics: []string{"tthc"}, ScheduledAt: may, StartedAt: may, Played: time.Minute, Status: playlist.StatusCompleted},
	} {
		l.Record(a)
	}
	tests := []struct {
		topic string
		month time.Time
		want  playlist.Tally
	}{
		{"tthc", may, playlist.Tally{Airings: 1, Played: 2 * time.Minute}},
		{"chi-so", may, playlist.Tally{Airings: 1, Played: 2 * time.Minute}},
		{"tthc", time.Date(2024, 6, 15, 0, 0, 0, 0, loc), playlist.Tally{Airings: 1, Played: time.Minute}},
		{"bo-may", may, playlist.Tally{}},
	}
	for _, tt := range tests {
		if got := l.Delivered(tt.topic, tt.month); got != tt.want {
			t.Errorf("Delivered(%s, %s) = %+v, want %+v", tt.topic, tt.month.Format("2006-01"), got, tt.want)
		}
	}
	if got := l.LastAired(1); !got.Equal(may.Add(time.Hour)) {
		t.Errorf("LastAired(1) = %v, want the interrupted airing %v", got, may.Add(time.Hour))
	}
	if got := l.LastAired(3); !got.IsZero() {
		t.Errorf("LastAired(3) = %v, want zero (missed)", got)
	}
	c := l.Clone()
	c.Record(playlist.Airing{SegmentID: 9, Topics: []string{"tthc"}, ScheduledAt: may, StartedAt: may, Status: playlist.StatusCompleted})
	if l.Delivered("tthc", may).Airings != 1 || !l.LastAired(9).IsZero() {
		t.Error("recording in a clone changed the original")
	}
}

func TestSegmentHelpers(t *testing.T) {
	valid := []struct {
		from, until, date string
		want              bool
	}{
		{"", "", "2024-05-15", true},
		{"2024-05-15", "2024-05-15", "2024-05-15", true},
		{"2024-05-16", "", "2024-05-15", false},
		{"", "2024-05-14", "2024-05-15", false},
		{"2024-02-29", "2024-03-01", "2024-02-29", true},
	}
	for _, tt := range valid {
		s := playlist.Segment{ValidFrom: tt.from, ValidUntil: tt.until}
		if got := s.ValidOn(tt.date); got != tt.want {
			t.Errorf("ValidOn(%s) with [%q, %q] = %v, want %v", tt.date, tt.from, tt.until, got, tt.want)
		}
	}
	prio := []struct {
		in   string
		want playlist.Priority
		ok   bool
	}{
		{"", playlist.PriorityNormal, true}, {"ưu tiên", playlist.PriorityPriority, true},
		{"khan-cap", playlist.PriorityEmergency, true}, {"urgent", "", false},
	}
	for _, tt := range prio {
		got, err := playlist.ParsePriority(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParsePriority(%q) = %q, %v", tt.in, got, err)
		}
	}
	sl := playlist.Slot{Topics: []string{"tthc"}}
	if !sl.Allows([]string{"chi-so", "tthc"}) || sl.Allows([]string{"chi-so"}) || sl.Allows(nil) || !(playlist.Slot{}).Allows(nil) {
		t.Error("Slot.Allows")
	}
}
