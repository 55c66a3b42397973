package station_test

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// deckRate is the output rate; segments are written at other rates so that
// the (linear) conversion is on the path, as in simulate.
const deckRate = audio.Rate(48000)

var hcm = mustLoc("Asia/Ho_Chi_Minh")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func day(d, hour, minute int) time.Time {
	return time.Date(2024, 5, d, hour, minute, 0, 0, hcm)
}

var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func slot(t *testing.T, name, spec string, length time.Duration, topics ...string) playlist.Slot {
	t.Helper()
	sched, err := cronParser.Parse(spec)
	if err != nil {
		t.Fatalf("cron %q: %v", spec, err)
	}
	return playlist.Slot{Name: name, Title: "Khung " + name, Schedule: sched, Length: length, Topics: topics}
}

// twoSlots is the usual programme: 06:00 and 17:00, ten minutes each.
func twoSlots(t *testing.T) []playlist.Slot {
	return []playlist.Slot{
		slot(t, "sang", "0 6 * * *", 10*time.Minute),
		slot(t, "chieu", "0 17 * * *", 10*time.Minute),
	}
}

// writeWAV writes a 16-bit mono sine of the given length and returns its
// exact duration.
func writeWAV(t *testing.T, path string, rate int, d time.Duration) time.Duration {
	t.Helper()
	frames := audio.Rate(rate).N(d)
	data := make([]byte, 0, 44+2*frames)
	le32 := func(v uint32) { data = binary.LittleEndian.AppendUint32(data, v) }
	le16 := func(v uint16) { data = binary.LittleEndian.AppendUint16(data, v) }
	data = append(data, "RIFF"...)
	le32(uint32(36 + 2*frames))
	data = append(data, "WAVEfmt "...)
	le32(16)
	le16(1) // PCM
	le16(1) // mono
	le32(uint32(rate))
	le32(uint32(rate * 2))
	le16(2)
	le16(16)
	data = append(data, "data"...)
	le32(uint32(2 * frames))
	for i := range frames {
		v := 0.3 * math.Sin(2*math.Pi*440*float64(i)/float64(rate))
		le16(uint16(int16(v * 32767)))
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return audio.Rate(rate).D(frames)
}

func openSegment(seg playlist.Segment) (audio.Streamer, io.Closer, error) {
	d, err := audio.Open(seg.Path)
	if err != nil {
		return nil, nil, err
	}
	return audio.NewLinearResampler(audio.NewStereo(d), d.Info().SampleRate, int(deckRate)), d, nil
}

// env is a station on a temporary database and a virtual clock.
type env struct {
	t     *testing.T
	dir   string
	st    *store.Store
	clock *audio.VirtualClock
	stn   *station.Station
	stop  context.CancelFunc
}

type opts struct {
	slots         []playlist.Slot
	start         time.Time
	noSink        bool
	sink          audio.Sink                           // overrides the null sink
	sinkFor       func(*audio.VirtualClock) audio.Sink // overrides the null sink, on the env's clock
	gap           time.Duration
	missedHorizon time.Duration
	data          string // the database's folder (default: a temporary one)
	logWrites     station.LogWrites
	logger        *slog.Logger
}

func newEnv(t *testing.T, o opts) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if o.data == "" {
		o.data = filepath.Join(dir, "data")
	}
	st, err := store.Open(ctx, o.data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if o.slots == nil {
		o.slots = twoSlots(t)
	}
	if o.start.IsZero() {
		o.start = day(10, 0, 0)
	}
	clock := audio.NewVirtualClock(o.start)
	planner := &playlist.Planner{Slots: o.slots, Location: hcm, Gap: o.gap, ApprovalRequired: true,
		Topics: []playlist.Topic{{Code: "tthc", Name: "Thủ tục hành chính", TargetAirings: 20}}}
	d := station.Deps{Store: st, Planner: planner, Deck: audio.NewDeck(deckRate), Clock: clock, Open: openSegment,
		MissedHorizon: o.missedHorizon, LogWrites: o.logWrites, Logger: o.logger}
	switch {
	case o.noSink:
		d.DeadReason = station.ReasonNoDevice
	case o.sink != nil:
		d.Sink = o.sink
	case o.sinkFor != nil:
		d.Sink = o.sinkFor(clock)
	default:
		d.Sink = audio.NewNullSink(deckRate, false, clock)
	}
	e := &env{t: t, dir: dir, st: st, clock: clock, stn: station.New(d)}
	sinkCtx, stop := context.WithCancel(ctx)
	e.stop = stop
	e.stn.StartSink(sinkCtx)
	t.Cleanup(e.stopSink)
	return e
}

// stopSink stops the sink and waits for it.
func (e *env) stopSink() {
	e.stop()
	<-e.stn.SinkDone()
}

// segment writes a WAV file of length d and stores it, approved.
func (e *env) segment(name string, d time.Duration, topics ...string) playlist.Segment {
	e.t.Helper()
	path := filepath.Join(e.dir, name+".wav")
	dur := writeWAV(e.t, path, 16000, d)
	return e.store(name, path, dur, 16000, topics...)
}

func (e *env) store(name, path string, dur time.Duration, rate int, topics ...string) playlist.Segment {
	e.t.Helper()
	if len(topics) == 0 {
		topics = []string{"tthc"}
	}
	seg := playlist.Segment{Title: "Bản tin " + name, Topics: topics, Path: path, SHA256: "sha-" + name, Duration: dur,
		SampleRate: rate, Channels: 1, BitDepth: 16, Priority: playlist.PriorityNormal, ImportedAt: day(1, 8, 0)}
	ctx := context.Background()
	id, _, err := e.st.AddSegment(ctx, seg)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Approve(ctx, []int64{id}, "chu-tich", day(1, 9, 0)); err != nil {
		e.t.Fatal(err)
	}
	seg.ID, seg.Approved = id, true
	return seg
}

// airings lists the whole log.
func (e *env) airings() []playlist.Airing {
	e.t.Helper()
	as, err := e.st.Airings(context.Background(), "", time.Unix(0, 0), day(31, 0, 0).AddDate(1, 0, 0))
	if err != nil {
		e.t.Fatal(err)
	}
	return as
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.st.DB().QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// oneFrame is the tolerance on played lengths.
var oneFrame = deckRate.D(1) + time.Millisecond // + the log's millisecond rounding

func TestRunRangeAirsEveryPlannedItemOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, opts{gap: 500 * time.Millisecond})
	a := e.segment("a", 1500*time.Millisecond)
	b := e.segment("b", 2*time.Second)
	durs := map[int64]time.Duration{a.ID: a.Duration, b.ID: b.Duration}
	from, to := day(10, 0, 0), day(12, 0, 0)

	lib, err := e.st.Segments(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := e.stn.Ledger(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	plans := e.stn.Planner.Preview(from, to, lib, ledger)
	var want []playlist.Item
	var wantSlots []string
	for _, p := range plans {
		for _, it := range p.Items {
			want = append(want, it)
			wantSlots = append(wantSlots, p.Slot)
		}
	}
	if len(plans) != 4 || len(want) != 8 {
		t.Fatalf("preview: %d occurrences, %d items; want 4 and 8", len(plans), len(want))
	}

	if err := e.stn.RunRange(ctx, from, to); err != nil {
		t.Fatal(err)
	}
	got := e.airings()
	if len(got) != len(want) {
		t.Fatalf("log has %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, a := range got {
		w := want[i]
		if a.Status != playlist.StatusCompleted || a.Reason != "" {
			t.Errorf("row %d: status %s reason %q, want completed", i, a.Status, a.Reason)
		}
		if a.SegmentID != w.Segment.ID || a.Slot != wantSlots[i] || !a.ScheduledAt.Equal(w.StartsAt) {
			t.Errorf("row %d: segment %d slot %s at %v; planned segment %d slot %s at %v",
				i, a.SegmentID, a.Slot, a.ScheduledAt, w.Segment.ID, wantSlots[i], w.StartsAt)
		}
		if d := abs(a.Played - durs[a.SegmentID]); d > oneFrame {
			t.Errorf("row %d: played %v, segment lasts %v", i, a.Played, durs[a.SegmentID])
		}
		if d := abs(a.StartedAt.Sub(a.ScheduledAt)); d > time.Millisecond {
			t.Errorf("row %d: started %v, scheduled %v", i, a.StartedAt.In(hcm), a.ScheduledAt.In(hcm))
		}
		if d := abs(a.EndedAt.Sub(a.StartedAt) - a.Played); d > oneFrame {
			t.Errorf("row %d: ended %v after the start, played %v", i, a.EndedAt.Sub(a.StartedAt), a.Played)
		}
		if i > 0 && got[i-1].StartedAt.After(a.StartedAt) {
			t.Errorf("row %d started before row %d", i, i-1)
		}
	}

	if err := e.stn.RunRange(ctx, from, to); err != nil {
		t.Fatal(err)
	}
	if again := e.airings(); len(again) != len(got) {
		t.Errorf("second RunRange over the same days: %d rows, want %d", len(again), len(got))
	}
}

func TestRunRangeLogsAnEmptyOccurrenceAsMissed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, opts{slots: []playlist.Slot{
		slot(t, "sang", "0 6 * * *", 10*time.Minute),
		slot(t, "khen", "0 17 * * *", 10*time.Minute, "khen-thuong"),
	}})
	e.segment("a", time.Second)
	if err := e.stn.RunRange(ctx, day(10, 0, 0), day(11, 0, 0)); err != nil {
		t.Fatal(err)
	}
	got := e.airings()
	if len(got) != 2 {
		t.Fatalf("log has %d rows, want 2: %+v", len(got), got)
	}
	if got[0].Slot != "sang" || got[0].Status != playlist.StatusCompleted {
		t.Errorf("row 0: %s %s, want sang completed", got[0].Slot, got[0].Status)
	}
	m := got[1]
	if m.Slot != "khen" || m.Status != playlist.StatusMissed || m.Reason != station.ReasonEmptyPlan {
		t.Errorf("empty occurrence logged as %s %s %q, want khen missed %q", m.Slot, m.Status, m.Reason, station.ReasonEmptyPlan)
	}
	if m.SegmentID != 0 || !m.ScheduledAt.Equal(day(10, 17, 0)) || m.Played != 0 || m.Title != "Khung khen" {
		t.Errorf("empty occurrence row: %+v", m)
	}
}

func TestRunRangeDeletedFileFailsAndTheRestPlays(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, opts{slots: []playlist.Slot{slot(t, "sang", "0 6 * * *", 10*time.Minute)}, gap: time.Second})
	a := e.segment("a", time.Second)
	b := e.segment("b", 2*time.Second)
	c := e.segment("c", 1500*time.Millisecond)
	if err := os.Remove(b.Path); err != nil {
		t.Fatal(err)
	}
	if err := e.stn.RunRange(ctx, day(10, 0, 0), day(11, 0, 0)); err != nil {
		t.Fatal(err)
	}
	got := e.airings()
	if len(got) != 3 {
		t.Fatalf("log has %d rows, want 3: %+v", len(got), got)
	}
	for _, r := range got {
		switch r.SegmentID {
		case b.ID:
			if r.Status != playlist.StatusFailed || !strings.HasPrefix(r.Reason, station.ReasonUnreadable) || r.Played != 0 {
				t.Errorf("deleted file: %s %q played %v, want failed %q…", r.Status, r.Reason, r.Played, station.ReasonUnreadable)
			}
		case a.ID, c.ID:
			if r.Status != playlist.StatusCompleted {
				t.Errorf("segment %d: %s %q, want completed", r.SegmentID, r.Status, r.Reason)
			}
			if want := map[int64]time.Duration{a.ID: a.Duration, c.ID: c.Duration}[r.SegmentID]; abs(r.Played-want) > oneFrame {
				t.Errorf("segment %d: played %v, want %v", r.SegmentID, r.Played, want)
			}
		default:
			t.Errorf("unexpected row %+v", r)
		}
	}
}

func TestRunRangeTruncatedFileIsInterrupted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, opts{slots: []playlist.Slot{slot(t, "sang", "0 6 * * *", 10*time.Minute)}})
	path := filepath.Join(e.dir, "cut.wav")
	full := writeWAV(t, path, 16000, 2*time.Second)
	seg := e.store("cut", path, full, 16000)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 44+(fi.Size()-44)/2); err != nil {
		t.Fatal(err)
	}
	if err := e.stn.RunRange(ctx, day(10, 0, 0), day(11, 0, 0)); err != nil {
		t.Fatal(err)
	}
	got := e.airings()
	if len(got) != 1 {
		t.Fatalf("log has %d rows, want 1: %+v", len(got), got)
	}
	r := got[0]
	if r.SegmentID != seg.ID || r.Status != playlist.StatusInterrupted {
		t.Errorf("truncated file logged %s (segment %d), want interrupted", r.Status, r.SegmentID)
	}
	if !strings.Contains(strings.ToLower(r.Reason), "truncat") {
		t.Errorf("reason %q does not say the file is truncated", r.Reason)
	}
	if half := full / 2; abs(r.Played-half) > 10*time.Millisecond {
		t.Errorf("played %v, want about %v", r.Played, half)
	}
	if r.Duration != full {
		t.Errorf("duration %v, want the stored %v", r.Duration, full)
	}
}

func TestRunRangeWithoutDeviceFailsEveryItem(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, opts{noSink: true})
	e.segment("a", time.Second)
	e.segment("b", 2*time.Second)
	if err := e.stn.RunRange(ctx, day(10, 0, 0), day(11, 0, 0)); err != nil {
		t.Fatal(err)
	}
	got := e.airings()
	if len(got) != 4 {
		t.Fatalf("log has %d rows, want 4 (2 occurrences × 2 items): %+v", len(got), got)
	}
	for i, r := range got {
		if r.Status != playlist.StatusFailed || r.Reason != station.ReasonNoDevice || r.Played != 0 || r.SegmentID == 0 {
			t.Errorf("row %d: segment %d %s %q played %v, want failed %q played 0",
				i, r.SegmentID, r.Status, r.Reason, r.Played, station.ReasonNoDevice)
		}
	}
}

func TestRecoverClosesOpenAiringAsInterrupted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, opts{})
	seg := e.segment("a", 3*time.Second)
	started := day(10, 6, 0)
	id, err := e.st.StartAiring(ctx, playlist.Airing{SegmentID: seg.ID, Title: seg.Title, Topics: seg.Topics, Slot: "sang",
		ScheduledAt: started, StartedAt: started, Duration: seg.Duration})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.Progress(ctx, id, 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := e.stn.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := e.st.Airing(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != playlist.StatusInterrupted || a.Reason != station.ReasonCrash || a.Played != 1500*time.Millisecond {
		t.Errorf("recovered row: %s %q played %v, want interrupted %q played 1.5s", a.Status, a.Reason, a.Played, station.ReasonCrash)
	}
	if !a.EndedAt.Equal(started.Add(1500 * time.Millisecond)) {
		t.Errorf("ended %v, want %v", a.EndedAt, started.Add(1500*time.Millisecond))
	}
	if n := e.count("SELECT COUNT(*) FROM airings WHERE status = 'open'"); n != 0 {
		t.Errorf("%d rows still open", n)
	}
	// A second recovery finds nothing to do and changes nothing.
	if err := e.stn.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _ := e.st.Airing(ctx, id); !reflect.DeepEqual(a, b) {
		t.Errorf("second Recover changed the row: %+v → %+v", a, b)
	}
}

// gatedSink is the unpaced null sink with a stop: once it has handed out
// gate frames it waits (outside the deck's lock) until released, so that a
// test can act while an airing is certainly half-played.
type gatedSink struct {
	clock   *audio.VirtualClock
	gate    int64
	reached chan struct{}
	release chan struct{}
	played  atomic.Int64
}

func (s *gatedSink) Name() string  { return "gated" }
func (s *gatedSink) Played() int64 { return s.played.Load() }

func (s *gatedSink) Run(ctx context.Context, d *audio.Deck) error {
	buf := make([]float32, 4096*audio.Channels)
	var frames int64
	gated := false
	for ctx.Err() == nil {
		if err := d.WaitBusy(ctx); err != nil {
			return nil
		}
		n := d.Pull(buf, s.clock.Now(), false)
		s.clock.Advance(deckRate.D(int64(n)))
		frames += int64(n)
		s.played.Store(frames)
		if !gated && frames >= s.gate {
			gated = true
			close(s.reached)
			select {
			case <-s.release:
			case <-ctx.Done():
				return nil
			}
		}
	}
	return nil
}

func TestAirStoppedByShutdownIsInterrupted(t *testing.T) {
	ctx := context.Background()
	clockStart := day(10, 6, 0)
	sink := &gatedSink{gate: deckRate.N(10 * time.Second), reached: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, opts{sink: sink, start: clockStart})
	sink.clock = e.clock
	defer close(sink.release)
	path := filepath.Join(e.dir, "long.wav")
	full := writeWAV(t, path, 8000, 60*time.Second)
	seg := e.store("long", path, full, 8000)
	plan := playlist.Plan{Occurrence: playlist.Occurrence{Slot: "sang", Start: clockStart, Length: 10 * time.Minute},
		Items: []playlist.Item{{Segment: seg, StartsAt: clockStart}}}

	airCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.stn.Air(airCtx, plan) }()
	<-sink.reached
	if n := e.count("SELECT COUNT(*) FROM airings WHERE status = 'open'"); n != 1 {
		t.Fatalf("%d open rows while the segment plays, want 1", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Air after shutdown: %v", err)
	}
	got := e.airings()
	if len(got) != 1 {
		t.Fatalf("log has %d rows, want 1: %+v", len(got), got)
	}
	r := got[0]
	if r.Status != playlist.StatusInterrupted || r.Reason != station.ReasonShutdown {
		t.Errorf("stopped airing: %s %q, want interrupted %q", r.Status, r.Reason, station.ReasonShutdown)
	}
	heard := deckRate.D(sink.Played())
	if r.Played <= 0 || r.Played >= full || abs(r.Played-heard) > time.Millisecond {
		t.Errorf("played %v, want what the sink played (%v), between 0 and %v", r.Played, heard, full)
	}
	if !r.StartedAt.Equal(clockStart) || abs(r.EndedAt.Sub(r.StartedAt)-r.Played) > time.Millisecond {
		t.Errorf("started %v ended %v played %v", r.StartedAt.In(hcm), r.EndedAt.In(hcm), r.Played)
	}
}
