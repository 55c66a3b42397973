package province

import (
	"context"
	"time"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/report"
)

// ReportStore is what the province report reads (pgstore.DB).
type ReportStore interface {
	Communes(ctx context.Context) ([]pgstore.Commune, error)
	Report(ctx context.Context, from, to time.Time) (pgstore.ProvinceReport, error)
}

// ReportInput is a province report's period and plan.
type ReportInput struct {
	Period   Period
	Topics   []playlist.Topic
	Header   report.Header
	Location *time.Location
	Issued   time.Time
}

// BuildReport builds the province report of a period: every registered
// commune, with or without airings in it, from the store's GROUP BY.
func BuildReport(ctx context.Context, st ReportStore, in ReportInput) (report.Province, error) {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	cs, err := st.Communes(ctx)
	if err != nil {
		return report.Province{}, err
	}
	end := time.Date(in.Period.To.Year(), in.Period.To.Month(), in.Period.To.Day()+1, 0, 0, 0, 0, loc)
	rep, err := st.Report(ctx, in.Period.From, end)
	if err != nil {
		return report.Province{}, err
	}
	counts := map[string]pgstore.CommuneCounts{}
	for _, c := range rep.Communes {
		counts[c.Commune] = c
	}
	pin := report.ProvinceInput{Kind: in.Period.Kind, From: in.Period.From, To: in.Period.To, Location: loc,
		Topics: in.Topics, Header: in.Header, Issued: in.Issued}
	for _, c := range cs {
		ci := report.CommuneInput{Code: c.Code, Name: c.Name, LastSync: c.LastSync, Topics: map[string]report.Tally{}}
		cc := counts[c.Code]
		for _, t := range cc.Topics {
			ci.Topics[t.Topic] = tallyOf(t.Counts)
		}
		ci.Totals = tallyOf(cc.Totals)
		pin.Communes = append(pin.Communes, ci)
	}
	return report.BuildProvince(pin), nil
}

// tallyOf reads the store's counts.
func tallyOf(c pgstore.Counts) report.Tally {
	return report.Tally{Completed: int(c.Completed), Interrupted: int(c.Interrupted), Missed: int(c.Missed), Failed: int(c.Failed),
		CompletedMS: c.PlayedMS}
}
