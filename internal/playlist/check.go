package playlist

import (
	"time"
)

// TopicOutlook is what a month will give a topic if the plan airs as
// previewed: what was delivered already, what the plan adds, against the
// target.
type TopicOutlook struct {
	Topic            Topic
	DeliveredAirings int
	DeliveredPlayed  time.Duration
	PlannedAirings   int
	PlannedPlayed    time.Duration
	// Short is true when the month will end below a target.
	Short bool
	// Reason says why, when Short: one of the Outlook* reasons.
	Reason OutlookReason
}

// OutlookReason explains why a topic will fall short.
type OutlookReason string

const (
	OutlookNoSegment   OutlookReason = "no_segment"   // the library has no segment of the topic
	OutlookNoneAllowed OutlookReason = "none_allowed" // no slot allows the topic
	OutlookNoneValid   OutlookReason = "none_valid"   // none approved, not removed, and valid in the month
	OutlookTooFew      OutlookReason = "too_few"      // too few segments for the no-repeat window and the slots
)

// Outlook previews the rest of the month containing from (from from to the
// month's end) and says, per topic, whether its targets will be met.
func (p *Planner) Outlook(from time.Time, library []Segment, ledger *Ledger) []TopicOutlook {
	from = from.In(p.Location)
	monthStart := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, p.Location)
	monthEnd := monthStart.AddDate(0, 1, 0)
	plans := p.Preview(from, monthEnd, library, ledger)
	planned := map[string]Tally{}
	for _, pl := range plans {
		for _, it := range pl.Items {
			for _, code := range it.Segment.Topics {
				t := planned[code]
				t.Airings++
				t.Played += it.Segment.Duration
				planned[code] = t
			}
		}
	}
	first, last := monthStart.Format("2006-01-02"), monthEnd.AddDate(0, 0, -1).Format("2006-01-02")
	var out []TopicOutlook
	for _, topic := range p.Topics {
		got := ledger.Delivered(topic.Code, from)
		o := TopicOutlook{Topic: topic, DeliveredAirings: got.Airings, DeliveredPlayed: got.Played,
			PlannedAirings: planned[topic.Code].Airings, PlannedPlayed: planned[topic.Code].Played}
		airings := o.DeliveredAirings + o.PlannedAirings
		minutes := (o.DeliveredPlayed + o.PlannedPlayed).Minutes()
		o.Short = (topic.TargetAirings > 0 && airings < topic.TargetAirings) || (topic.TargetMinutes > 0 && minutes < topic.TargetMinutes)
		if o.Short {
			o.Reason = p.shortReason(topic.Code, library, first, last)
		}
		out = append(out, o)
	}
	return out
}

func (p *Planner) shortReason(code string, library []Segment, first, last string) OutlookReason {
	allowed := false
	for _, s := range p.Slots {
		if s.Allows([]string{code}) {
			allowed = true
		}
	}
	if !allowed {
		return OutlookNoneAllowed
	}
	any, valid := false, false
	for _, s := range library {
		if !s.HasTopic(code) {
			continue
		}
		any = true
		validInMonth := (s.ValidFrom == "" || s.ValidFrom <= last) && (s.ValidUntil == "" || s.ValidUntil >= first)
		if !s.Retired && s.Priority != PriorityEmergency && (!p.ApprovalRequired || s.Approved) && validInMonth {
			valid = true
		}
	}
	switch {
	case !any:
		return OutlookNoSegment
	case !valid:
		return OutlookNoneValid
	}
	return OutlookTooFew
}
