package main

import (
	"context"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// checkZone checks a --zone value against the configuration: an unknown
// code is the operator's mistake (exit 2), told with the zones there are.
// "" (no --zone) is every zone.
func (m *Main) checkZone(code string) error {
	if code == "" {
		return nil
	}
	cfg := m.config()
	if _, ok := cfg.Zone(code); ok {
		return nil
	}
	var known []string
	for _, z := range cfg.ZoneList() {
		known = append(known, z.Code+" ("+z.Name+")")
	}
	return badInput("--zone %q: %s %s", code,
		m.T("không có vùng phát này trong config.yaml; các vùng phát:", "no such zone in config.yaml; the zones are:"),
		strings.Join(known, ", "))
}

// zoned says whether the station has more than one zone: listings then
// show each row's zone.
func (m *Main) zoned() bool { return len(m.config().ZoneList()) > 1 }

// zonePlans is the programme of one zone.
type zonePlans struct {
	Zone  config.Zone
	Plans []playlist.Plan
}

// planZones is what will air in [from, to) in each zone (only the zone
// with code only, when set), in config order: each zone planned on its own.
func (m *Main) planZones(ctx context.Context, uc *commune.Commune, from, to time.Time, only string) ([]zonePlans, error) {
	var out []zonePlans
	for _, z := range m.config().ZoneList() {
		if only != "" && z.Code != only {
			continue
		}
		plans, err := uc.PlanZone(ctx, z.Code, from, to)
		if err != nil {
			return nil, err
		}
		out = append(out, zonePlans{Zone: z, Plans: plans})
	}
	return out, nil
}
