package commune

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/store"

	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/words"
)

// reportLog reads the log of [from, to) for a report: summed up by the
// database, which is what keeps a report over a long, busy log fast, or row
// by row when the rows themselves are wanted (the XLSX airing sheet) or the
// zone's offset changes within the period (days could not be cut in SQL).
// only is the one zone of a report of one zone, "" for all; zones are the
// configured ones, summed up one by one so that each figure keeps its zone.
// Reasons come in the report's language.
func (c *Commune) reportLog(ctx context.Context, from, to time.Time, lang string, rows bool, only string, zones []config.Zone) (report.Input, error) {
	offset, fixed := fixedOffset(from, to)
	if rows || !fixed {
		return c.reportRows(ctx, from, to, lang, only)
	}
	codes := []string{only}
	if only == "" {
		codes = codes[:0]
		for _, z := range zones {
			codes = append(codes, z.Code)
		}
	}
	sum := &report.Summary{}
	var counted int
	for _, code := range codes {
		s, err := c.d.Store.Summarize(ctx, code, from, to, offset)
		if err != nil {
			return report.Input{}, err
		}
		counted += addSummary(sum, s, code, lang)
	}
	if only == "" {
		// Airings of a zone the configuration no longer lists are in no
		// zone's sum: when the commune's count differs, read the rows, which
		// carry their zone.
		all, err := c.d.Store.Summarize(ctx, "", from, to, offset)
		if err != nil {
			return report.Input{}, err
		}
		if addSummary(&report.Summary{}, all, "", lang) != counted {
			return c.reportRows(ctx, from, to, lang, only)
		}
	}
	return report.Input{Summary: sum}, nil
}

// reportRows reads the log's rows of the zone ("" for every zone).
func (c *Commune) reportRows(ctx context.Context, from, to time.Time, lang, zone string) (report.Input, error) {
	airings, err := c.d.Store.Airings(ctx, zone, from, to)
	for i := range airings {
		airings[i].Reason = words.Reason(lang, airings[i].Reason)
	}
	return report.Input{Airings: airings}, err
}

// addSummary adds the store's summary of a zone to sum, and returns how
// many airings it counts.
func addSummary(sum *report.Summary, s store.AiringSummary, zone, lang string) int {
	n := 0
	for _, a := range s.Incidents {
		a.Reason = words.Reason(lang, a.Reason)
		sum.Incidents = append(sum.Incidents, a)
	}
	for _, g := range s.Groups {
		n += g.Airings
		sum.Groups = append(sum.Groups, report.Group{Zone: zone, At: g.At, Topics: g.Topics, Status: g.Status, Airings: g.Airings, PlayedMS: g.PlayedMS})
	}
	for _, a := range s.Aired {
		sum.Aired = append(sum.Aired, report.Aired{Zone: zone, Topics: a.Topics, SegmentID: a.SegmentID})
	}
	for _, a := range s.UnheardOnly {
		sum.UnheardOnly = append(sum.UnheardOnly, report.Aired{Zone: zone, Topics: a.Topics, SegmentID: a.SegmentID})
	}
	for _, g := range s.Streams {
		sum.Streams = append(sum.Streams, report.StreamGroup{Zone: g.Zone, At: g.At, Topics: g.Topics, Unheard: g.Unheard,
			Airings: g.Airings, PlayedMS: g.PlayedMS, Listeners: g.Listeners, MinListeners: g.MinListeners})
	}
	return n
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

// ErrNoZone is a zone code the configuration does not have.
var ErrNoZone = errors.New("no such zone")

// Report builds the report of [start, last] (calendar days, inclusive)
// from the airing log, its reasons in lang: the CLI's and the web's. rows
// asks for the airings themselves (Report.Log, the XLSX airing sheet).
// zone is the code of the one zone to report on, "" for the whole commune
// with a section per zone; an unknown code wraps ErrNoZone.
func (c *Commune) Report(ctx context.Context, kind string, start, last time.Time, lang string, rows bool, zone string) (report.Report, error) {
	cfg := c.d.Config()
	var only *report.Zone
	if zone != "" {
		z, ok := cfg.Zone(zone)
		if !ok {
			return report.Report{}, fmt.Errorf("zone %q: %w", zone, ErrNoZone)
		}
		only = &report.Zone{Code: z.Code, Name: z.Name}
	}
	in, err := c.reportLog(ctx, start, last.AddDate(0, 0, 1), lang, rows, zone, cfg.ZoneList())
	if err != nil {
		return report.Report{}, err
	}
	in.Only = only
	for _, z := range cfg.ZoneList() {
		in.Zones = append(in.Zones, report.Zone{Code: z.Code, Name: z.Name, Clusters: z.Clusters, Amplified: amplified(z.Outputs)})
	}
	rc := cfg.Report
	in.Kind, in.From, in.To, in.Location, in.Topics = kind, start, last, c.d.Location, c.d.Planner().Topics
	in.Header = report.Header{Committee: rc.Committee, Superior: rc.Superior, Commune: cfg.Station.Commune,
		DocNumberSuffix: rc.DocSuffix, Recipients: rc.Recipients, SignerTitle: rc.SignerTitle, SignerName: rc.SignerName}
	in.Issued = c.d.Now().In(c.d.Location)
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

// amplified reports whether a zone's outputs include one besides its
// streams (a sound card, a file): what no cluster received was still
// played there.
func amplified(outputs []string) bool {
	for _, o := range outputs {
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(o)), "icecast://") {
			return true
		}
	}
	return false
}
