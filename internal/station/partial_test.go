package station_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/words"
)

// partialSink is a zone of several outputs (the edge: output.Fanout) whose
// programme plays through the null sink while one output, named gone,
// missed the deck frames [from, to) (audio.PartialReporter).
type partialSink struct {
	*audio.StreamSink
	gone     string
	from, to int64
	err      error
}

func (s partialSink) Missed(from, to int64) []audio.OutputGap {
	g := audio.OutputGap{Output: s.gone, From: max(from, s.from), To: min(to, s.to), Err: s.err}
	if g.From >= g.To {
		return nil
	}
	return []audio.OutputGap{g}
}

// An airing one output of the zone missed while another played it is
// logged completed (the working output earned it) with a reason that names
// the output that missed it, for how long and why; in Vietnamese for the
// operator. One whose outputs missed none of it has no such reason.
func TestAiringMissedByOneOutputIsCompletedAndNamesIt(t *testing.T) {
	const name = "icecast://source@127.0.0.1:8000/dong"
	lostErr := fmt.Errorf("%w: %s: EOF", audio.ErrServerLost, name)
	cases := []struct {
		name     string
		from, to time.Duration // of the deck's timeline
		want     string
	}{
		{"part", 2 * time.Second, 14 * time.Second,
			station.ReasonMissedByStream + ": " + name + " (12 s): " + station.ReasonServerLost + ": EOF"},
		{"none", 10 * time.Hour, 11 * time.Hour, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, opts{start: day(10, 5, 0), slots: []playlist.Slot{slot(t, "a", "0 6 * * *", time.Minute)},
				sinkFor: func(clock *audio.VirtualClock) audio.Sink {
					return partialSink{StreamSink: audio.NewNullSink(deckRate, false, clock), gone: name,
						from: deckRate.N(c.from), to: deckRate.N(c.to), err: lostErr}
				}})
			seg := e.segment("a", 20*time.Second)
			if err := e.runUntil("slot = 'a' AND status != 'open'"); err != nil {
				t.Fatalf("Run: %v", err)
			}
			got := e.airings()
			if len(got) != 1 {
				t.Fatalf("log %+v, want one airing", got)
			}
			a := got[0]
			if a.Status != playlist.StatusCompleted || a.Played < seg.Duration-oneFrame {
				t.Errorf("airing %s played %v, want completed, %v", a.Status, a.Played, seg.Duration)
			}
			if a.Reason != c.want {
				t.Errorf("reason %q, want %q", a.Reason, c.want)
			}
			if c.want != "" {
				vi := words.Reason("vi", a.Reason)
				if !strings.HasPrefix(vi, "không phát tới cụm loa IP ("+name+") trong 12 giây: mất kết nối") {
					t.Errorf("the operator reads %q", vi)
				}
			}
		})
	}
}
