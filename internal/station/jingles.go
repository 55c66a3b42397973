package station

import (
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// jingleTag tags a jingle's cue on the deck ("intro" or "outro").
type jingleTag string

// jingles are a slot's intro and outro as one airing plays them: the intro
// at the occurrence's start, the gap, the items, the gap, the outro — all
// back to back through the same deck. A jingle is not a segment: it has no
// row in the log (it is not propaganda and counts for no topic), but the
// items' rows start when their first sample is heard, after the intro.
type jingles struct {
	plan         playlist.Plan
	intro, outro *playlist.Jingle
	introQueued  bool
	outroQueued  bool
	items        int // items put on the deck
	onDeck       int // jingles queued and not yet over
}

// newJingles finds the slot's jingles; withIntro is false for the rest of a
// slot resumed after an emergency (its intro has been heard).
func (s *Station) newJingles(plan playlist.Plan, withIntro bool) *jingles {
	j := &jingles{plan: plan}
	if plan.Slot == manualSlot || plan.Slot == emergencySlot || len(plan.Items) == 0 {
		return j
	}
	sl, ok := s.planner().Slot(plan.Slot)
	if !ok {
		return j
	}
	j.outro = sl.Outro
	if withIntro {
		j.intro = sl.Intro
	}
	return j
}

// slotTail is the time a slot keeps after its last item for the outro.
func (s *Station) slotTail(slot string) time.Duration {
	sl, ok := s.planner().Slot(slot)
	if !ok {
		return 0
	}
	return sl.Tail(s.gap())
}

func (s *Station) openJingle(name string, jg *playlist.Jingle) (*audio.Cue, bool) {
	src, closer, err := s.Open(playlist.Segment{Title: name, Path: jg.Path, Duration: jg.Duration,
		LoudnessLUFS: jg.LoudnessLUFS, TruePeakDBTP: jg.TruePeakDBTP, Channels: jg.Channels})
	if err != nil {
		s.Logger.Error("jingle left out: it cannot be read", "jingle", name, "path", jg.Path, "err", err)
		return nil, false
	}
	return audio.NewCue(name, jingleTag(name), src, closer), true
}

// queueIntro puts the intro on the deck, to be heard at the occurrence's
// start.
func (j *jingles) queueIntro(s *Station) {
	if j.intro == nil {
		return
	}
	c, ok := s.openJingle("intro", j.intro)
	if !ok {
		return // the first item then starts at its own time
	}
	if j.plan.Start.After(s.Clock.Now()) {
		c.StartAt = j.plan.Start
	}
	s.Deck.Enqueue(c)
	j.introQueued = true
	j.onDeck++
}

// queueOutro puts the gap and the outro on the deck after the last item
// (once, and only if an item was queued).
func (j *jingles) queueOutro(s *Station) {
	if j.outro == nil || j.outroQueued || j.items == 0 {
		return
	}
	j.outroQueued = true
	c, ok := s.openJingle("outro", j.outro)
	if !ok {
		return
	}
	var cues []*audio.Cue
	if gap := s.gap(); gap > 0 {
		cues = append(cues, audio.NewCue("gap", nil, audio.Silence(s.Deck.Rate().N(gap)), nil))
	}
	s.Deck.Enqueue(append(cues, c)...)
	j.onDeck++
}

// event takes a deck event if it is a jingle's.
func (j *jingles) event(s *Station, ev audio.Event) bool {
	name, ok := ev.Cue.Tag.(jingleTag)
	if !ok {
		return false
	}
	switch ev.Kind {
	case audio.CueStarted:
		s.Logger.Debug("jingle", "jingle", string(name))
	case audio.CueFailed:
		s.Logger.Error("jingle cut short", "jingle", string(name), "err", ev.Err)
		j.onDeck--
	default:
		j.onDeck--
	}
	return true
}
