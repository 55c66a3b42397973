package station_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// tone describes a test WAV: a sine of freq Hz (a whole number of periods,
// so it starts and ends at a zero crossing), with digital silence before
// and after it.
type tone struct {
	name          string
	rate, bits    int
	float         bool
	channels      int
	freq, amp     float64
	lead, frames  int // frames of silence before, frames of tone
	trail         int // frames of silence after
	wantTrimStart int // frames the trim must skip
}

// writeTone writes t as a PCM (8/16/24/32-bit) or float WAV.
func writeTone(tb testing.TB, dir string, t tone) string {
	tb.Helper()
	total := t.lead + t.frames + t.trail
	bps := t.bits / 8
	var data []byte
	for i := range total {
		v := 0.0
		if i >= t.lead && i < t.lead+t.frames {
			v = t.amp * math.Sin(2*math.Pi*t.freq*float64(i-t.lead)/float64(t.rate))
		}
		for c := range t.channels {
			s := v
			if c == 1 {
				s = -v // the right side in opposite phase: channels stay apart
			}
			switch {
			case t.float:
				data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(s)))
			case t.bits == 16:
				data = binary.LittleEndian.AppendUint16(data, uint16(int16(math.Round(s*32767))))
			case t.bits == 24:
				x := int32(math.Round(s * 8388607))
				data = append(data, byte(x), byte(x>>8), byte(x>>16))
			}
		}
	}
	var h []byte
	le32 := func(v uint32) { h = binary.LittleEndian.AppendUint32(h, v) }
	le16 := func(v uint16) { h = binary.LittleEndian.AppendUint16(h, v) }
	format := uint16(1)
	if t.float {
		format = 3
	}
	h = append(h, "RIFF"...)
	le32(uint32(36 + len(data)))
	h = append(h, "WAVEfmt "...)
	le32(16)
	le16(format)
	le16(uint16(t.channels))
	le32(uint32(t.rate))
	le32(uint32(t.rate * t.channels * bps))
	le16(uint16(t.channels * bps))
	le16(uint16(t.bits))
	h = append(h, "data"...)
	le32(uint32(len(data)))
	path := filepath.Join(dir, t.name+".wav")
	if err := os.WriteFile(path, append(h, data...), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// readFloatWAV reads the file sink's output: 32-bit float stereo.
func readFloatWAV(t *testing.T, path string) []float32 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const header = 58 // RIFF, fmt (18), fact, data: as the file sink writes it
	if len(raw) < header || string(raw[50:54]) != "data" {
		t.Fatalf("%s: not the file sink's WAV layout", path)
	}
	n := int(binary.LittleEndian.Uint32(raw[header-4:])) / 4
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[header+4*i:]))
	}
	return out
}

// render plays one file through the same path as the station's Open, on
// its own: the reference each stretch of the output must equal.
func render(t *testing.T, seg playlist.Segment) []float32 {
	t.Helper()
	s, _, c, err := audio.OpenStreamTrimmed(seg.Path, int(deckRate), audio.Trim{Start: seg.TrimStart, End: seg.TrimEnd})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out []float32
	buf := make([]float32, 1000*audio.Channels)
	for {
		n, err := s.Stream(buf)
		out = append(out, buf[:n*audio.Channels]...)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func jingleOf(t *testing.T, path string) *playlist.Jingle {
	t.Helper()
	a, err := audio.Analyze(path)
	if err != nil {
		t.Fatal(err)
	}
	return &playlist.Jingle{Path: path, Duration: a.Info.Duration(), LoudnessLUFS: a.LoudnessLUFS, TruePeakDBTP: a.TruePeakDBTP, Channels: a.Info.Channels}
}

// TestSequenceIsFrameExact plays a slot — the intro jingle, three segments
// of different rates and formats (one with silence to trim), the outro —
// to the file output, and checks the recording frame by frame: each part
// is exactly its own rendering, at the frame count computed from its
// length and rates, in order, with exactly the configured gap between
// parts, and no jump at a join larger than the signals' own steps.
func TestSequenceIsFrameExact(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tones := []tone{
		// 441 Hz at 22.05 kHz: 50 samples a period; 442 periods.
		{name: "a", rate: 22050, bits: 16, channels: 1, freq: 441, amp: 0.5, frames: 22100},
		// 882 Hz at 44.1 kHz, 24-bit stereo, 0.3 s of silence before, 0.25 s after.
		{name: "b", rate: 44100, bits: 24, channels: 2, freq: 882, amp: 0.4, lead: 13230, frames: 66150, trail: 11025, wantTrimStart: 13230},
		// 480 Hz at 48 kHz, 32-bit float stereo.
		{name: "c", rate: 48000, bits: 32, float: true, channels: 2, freq: 480, amp: 0.3, frames: 38400},
	}
	var paths []string
	for _, tn := range tones {
		paths = append(paths, writeTone(t, dir, tn))
	}

	st, err := store.Open(ctx, filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	im := &library.Importer{Store: st, Topics: map[string]bool{"tthc": true}}
	for _, p := range paths { // one by one: ids in this order
		res, err := im.Import(ctx, []string{p}, library.Options{Topics: []string{"tthc"}, ApprovedBy: "chu-tich"}, nil)
		if err != nil || res[0].Err != nil {
			t.Fatalf("import %s: %v %v", p, err, res)
		}
		if !res[0].Segment.SilenceKnown {
			t.Fatalf("import %s: silence not measured", p)
		}
	}

	const gap = 700 * time.Millisecond
	sl := slot(t, "sang", "0 6 * * *", time.Minute)
	sl.Intro = jingleOf(t, "../../media/jingles/intro.wav")
	sl.Outro = jingleOf(t, "../../media/jingles/outro.wav")
	planner := &playlist.Planner{Slots: []playlist.Slot{sl}, Location: hcm, Gap: gap, ApprovalRequired: true, TrimSilence: true,
		Topics: []playlist.Topic{{Code: "tthc", Name: "Thủ tục hành chính", TargetAirings: 20}}}
	clock := audio.NewVirtualClock(day(10, 5, 59))
	out := filepath.Join(dir, "out.wav")
	sink := audio.NewFileSink(out, deckRate, false, clock)
	open := func(seg playlist.Segment) (audio.Streamer, io.Closer, error) {
		s, _, c, err := audio.OpenStreamTrimmed(seg.Path, int(deckRate), audio.Trim{Start: seg.TrimStart, End: seg.TrimEnd})
		return s, c, err
	}
	stn := station.New(station.Deps{Store: st, Planner: planner, Deck: audio.NewDeck(deckRate), Sink: sink, Clock: clock, Open: open})
	sinkCtx, stopSink := context.WithCancel(ctx)
	stn.StartSink(sinkCtx)

	// The plan: items start after the intro and the gap.
	lib, err := st.Segments(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	lib = planner.AsAired(lib)
	plan := planner.Fill(playlist.Occurrence{Slot: "sang", Start: day(10, 6, 0), Length: time.Minute}, lib, playlist.NewLedger(hcm))
	if len(plan.Items) != 3 {
		t.Fatalf("plan has %d items, want 3", len(plan.Items))
	}
	if want := sl.Intro.Duration + gap; plan.Items[0].Offset != want {
		t.Errorf("first item at +%v, want +%v (intro and gap)", plan.Items[0].Offset, want)
	}

	if err := stn.RunRange(ctx, day(10, 5, 59), day(10, 6, 1)); err != nil {
		t.Fatal(err)
	}
	stopSink()
	<-stn.SinkDone()
	got := readFloatWAV(t, out)

	// The expected layout, in deck frames.
	intro := render(t, playlist.Segment{Path: sl.Intro.Path})
	outro := render(t, playlist.Segment{Path: sl.Outro.Path})
	var parts [][]float32
	parts = append(parts, intro)
	for i, tn := range tones {
		seg := plan.Items[i].Segment
		if seg.Title != tn.name {
			t.Fatalf("item %d is %q, want %q", i, seg.Title, tn.name)
		}
		ref := render(t, seg)
		if skip, _ := (audio.Trim{Start: seg.TrimStart, End: seg.TrimEnd}).Frames(audio.Rate(tn.rate), int64(tn.lead+tn.frames+tn.trail)); skip != int64(tn.wantTrimStart) {
			t.Errorf("%s: trim skips %d frames, want %d", tn.name, skip, tn.wantTrimStart)
		}
		// Trimmed to the tone alone, resampled: ceil(frames × 48000 / rate).
		if want := audio.ResampledFrames(int64(tn.frames), tn.rate, int(deckRate)); int64(len(ref)/2) != want {
			t.Errorf("%s: %d frames at 48 kHz, want %d", tn.name, len(ref)/2, want)
		}
		parts = append(parts, ref)
	}
	parts = append(parts, outro)
	if want := audio.ResampledFrames(33600, 16000, int(deckRate)); int64(len(intro)/2) != want {
		t.Errorf("intro: %d frames, want %d", len(intro)/2, want)
	}
	gapFrames := int(deckRate.N(gap))
	var joins []int
	want := 0
	for i, p := range parts {
		if i > 0 {
			want += gapFrames
		}
		want += len(p) / 2
	}
	if len(got)/2 != want {
		t.Fatalf("output has %d frames, want %d (parts and gaps)", len(got)/2, want)
	}
	pos := 0
	var starts []int
	for i, p := range parts {
		if i > 0 {
			for k := pos * 2; k < (pos+gapFrames)*2; k++ {
				if got[k] != 0 {
					t.Fatalf("gap %d: sample at frame %d is %g, want digital silence", i, k/2, got[k])
				}
			}
			joins = append(joins, pos)
			pos += gapFrames
			joins = append(joins, pos)
		}
		starts = append(starts, pos)
		for k := range p {
			if got[pos*2+k] != p[k] {
				t.Fatalf("part %d differs from its own rendering at its frame %d: %g, want %g", i, k/2, got[pos*2+k], p[k])
			}
		}
		pos += len(p) / 2
	}

	// No click: at each join, the jump from the part into the gap (or from
	// the gap into the part) is no larger than the largest step between two
	// samples inside that part.
	maxStep := func(p []float32) float64 {
		var m float64
		for k := 2; k < len(p); k++ {
			m = math.Max(m, math.Abs(float64(p[k]-p[k-2])))
		}
		return m
	}
	for i, j := range joins {
		part := parts[(i+1)/2] // joins alternate: end of part n, start of part n+1
		for c := range 2 {
			if jump, limit := math.Abs(float64(got[j*2+c]-got[(j-1)*2+c])), maxStep(part); jump > limit {
				t.Errorf("join at frame %d: jump %g, larger than any step inside the part (%g)", j, jump, limit)
			}
		}
	}

	// The log: three completed airings, each starting when its first
	// sample went out, with its exact played length. No row for jingles.
	rows, err := st.Airings(ctx, "", day(10, 0, 0), day(11, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("log has %d rows, want 3 (jingles have none): %+v", len(rows), rows)
	}
	for i, r := range rows {
		frames := len(parts[i+1]) / 2
		at := day(10, 6, 0).Add(deckRate.D(int64(starts[i+1])))
		if r.Status != playlist.StatusCompleted || abs(r.StartedAt.Sub(at)) > time.Millisecond ||
			abs(r.Played-deckRate.D(int64(frames))) > time.Millisecond {
			t.Errorf("row %d: %s from %v played %v; want completed from %v played %v", i, r.Status, r.StartedAt, r.Played, at, deckRate.D(int64(frames)))
		}
		if !r.ScheduledAt.Equal(plan.Items[i].StartsAt) {
			t.Errorf("row %d scheduled at %v, want the plan's %v", i, r.ScheduledAt, plan.Items[i].StartsAt)
		}
	}
}
