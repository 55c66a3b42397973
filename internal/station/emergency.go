// Emergencies and manual airings: segments aired at once, preempting the
// slot in progress, which resumes (or not) afterwards.

package station

import (
	"context"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// Emergency asks the running station (Run) to air segs at once,
// preempting whatever plays — the preempted airing is logged interrupted
// with the reason "emergency" — even in quiet hours. It returns once the
// request is taken in hand, not when the segments have aired.
func (s *Station) Emergency(ctx context.Context, segs []playlist.Segment) error {
	select {
	case s.urgent <- segs:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// airEmergency airs an emergency, and any that preempts it in turn.
func (s *Station) airEmergency(ctx context.Context, segs []playlist.Segment) error {
	s.Logger.Warn("emergency", "segments", len(segs))
	return s.airPlan(ctx, s.nowPlan(emergencySlot, segs))
}

// nowPlan lays segs out back to back from now.
func (s *Station) nowPlan(slot string, segs []playlist.Segment) playlist.Plan {
	now := s.Clock.Now()
	plan := playlist.Plan{Occurrence: playlist.Occurrence{Slot: slot, Start: now}}
	offset := time.Duration(0)
	segs = s.planner().AsAired(append([]playlist.Segment(nil), segs...))
	for i, seg := range segs {
		if i > 0 {
			offset += s.gap()
		}
		plan.Items = append(plan.Items, playlist.Item{Segment: seg, Offset: offset, StartsAt: now.Add(offset)})
		offset += seg.Duration
	}
	plan.Length = offset
	return plan
}

// airPlan airs a plan; when an emergency preempts it, airs the emergency
// and then, if configured, the items that had not started, in the time the
// occurrence has left.
func (s *Station) airPlan(ctx context.Context, plan playlist.Plan) error {
	intro := true
	for {
		rest, urgent, err := s.air(ctx, plan, intro)
		intro = false // a slot resumed after an emergency has had its intro
		if err != nil || urgent == nil {
			return err
		}
		if err := s.airEmergency(ctx, urgent); err != nil {
			return err
		}
		if !s.resumeAfterEmergency() || len(rest) == 0 || plan.Slot == emergencySlot || plan.Slot == manualSlot {
			return nil
		}
		// Resume what had not started, as far as the slot's time allows.
		now := s.Clock.Now()
		end := plan.End().Add(-s.slotTail(plan.Slot))
		resumed := playlist.Plan{Occurrence: plan.Occurrence}
		offset := now.Sub(plan.Start)
		for _, it := range rest {
			if len(resumed.Items) > 0 {
				offset += s.gap()
			}
			if plan.Start.Add(offset + it.Segment.Duration).After(end) {
				break
			}
			resumed.Items = append(resumed.Items, playlist.Item{Segment: it.Segment, Offset: offset, StartsAt: plan.Start.Add(offset)})
			offset += it.Segment.Duration
		}
		if len(resumed.Items) == 0 {
			return nil
		}
		plan = resumed
	}
}

// PlayNow airs segments at once, back to back, as a manual airing.
func (s *Station) PlayNow(ctx context.Context, segs []playlist.Segment) error {
	return s.Air(ctx, s.nowPlan(manualSlot, segs))
}
