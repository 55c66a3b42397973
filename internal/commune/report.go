package commune

import (
	"context"
	"time"

	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/words"
)

// reportLog reads the log of [from, to) for a report: summed up by the
// database, which is what keeps a report over a long, busy log fast, or row
// by row when the rows themselves are wanted (the XLSX airing sheet) or the
// zone's offset changes within the period (days could not be cut in SQL).
// Reasons come in the report's language.
func (c *Commune) reportLog(ctx context.Context, from, to time.Time, lang string, rows bool) (report.Input, error) {
	offset, fixed := fixedOffset(from, to)
	if rows || !fixed {
		airings, err := c.d.Store.Airings(ctx, "", from, to)
		for i := range airings {
			airings[i].Reason = words.Reason(lang, airings[i].Reason)
		}
		return report.Input{Airings: airings}, err
	}
	s, err := c.d.Store.Summarize(ctx, "", from, to, offset)
	if err != nil {
		return report.Input{}, err
	}
	sum := &report.Summary{Incidents: s.Incidents}
	for i := range sum.Incidents {
		sum.Incidents[i].Reason = words.Reason(lang, sum.Incidents[i].Reason)
	}
	sum.Groups = make([]report.Group, len(s.Groups))
	for i, g := range s.Groups {
		sum.Groups[i] = report.Group{At: g.At, Topics: g.Topics, Status: g.Status, Airings: g.Airings, PlayedMS: g.PlayedMS}
	}
	sum.Aired = make([]report.Aired, len(s.Aired))
	for i, a := range s.Aired {
		sum.Aired[i] = report.Aired{Topics: a.Topics, SegmentID: a.SegmentID}
	}
	for _, g := range s.Streams {
		sum.Streams = append(sum.Streams, report.StreamGroup{Zone: g.Zone, At: g.At, Topics: g.Topics, Unheard: g.Unheard,
			Airings: g.Airings, PlayedMS: g.PlayedMS, Listeners: g.Listeners, MinListeners: g.MinListeners})
	}
	return report.Input{Summary: sum}, nil
}

// fixedOffset gives the zone's offset from UTC if it is the same at every
// midnight of [from, to] (from is a midnight in the zone).
func fixedOffset(from, to time.Time) (time.Duration, bool) {
	_, off := from.Zone()
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if _, o := d.Zone(); o != off {
			return 0, false
		}
	}
	return time.Duration(off) * time.Second, true
}

// Report builds the report of [start, last] (calendar days, inclusive)
// from the airing log, its reasons in lang: the CLI's and the web's. rows
// asks for the airings themselves (Report.Log, the XLSX airing sheet).
func (c *Commune) Report(ctx context.Context, kind string, start, last time.Time, lang string, rows bool) (report.Report, error) {
	in, err := c.reportLog(ctx, start, last.AddDate(0, 0, 1), lang, rows)
	if err != nil {
		return report.Report{}, err
	}
	cfg := c.d.Config()
	rc := cfg.Report
	in.Kind, in.From, in.To, in.Location, in.Topics = kind, start, last, c.d.Location, c.d.Planner().Topics
	in.Header = report.Header{Committee: rc.Committee, Superior: rc.Superior, Commune: cfg.Station.Commune,
		DocNumberSuffix: rc.DocSuffix, Recipients: rc.Recipients, SignerTitle: rc.SignerTitle, SignerName: rc.SignerName}
	in.Issued = c.d.Now().In(c.d.Location)
	in.Zones = map[string]report.ZoneInfo{}
	for _, z := range cfg.ZoneList() {
		in.Zones[z.Code] = report.ZoneInfo{Name: z.Name, Clusters: z.Clusters}
	}
	in.SlotTitles = map[string]string{}
	for _, sl := range cfg.Schedule.Slots {
		in.SlotTitles[sl.Name] = sl.Title
	}
	end := last.AddDate(0, 0, 1)
	head, ok, err := c.d.Store.ChainHeadBefore(ctx, end)
	if err != nil {
		return report.Report{}, err
	}
	if ok {
		in.ChainHead = &report.ChainHead{Hash: head.Hash, AiringID: head.AiringID, Seq: head.Seq}
	}
	return report.Build(in), nil
}
