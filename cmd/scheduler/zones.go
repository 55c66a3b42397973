package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/control"
	"github.com/truyenthanh/cchc/internal/output"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// liveZone is one zone of serve: its station and the output it plays to.
type liveZone struct {
	zone config.Zone
	stn  *station.Station
	sink audio.Sink // nil when no device opened
}

// output names what the zone plays to, for the operator.
func (z liveZone) output() string {
	if z.sink != nil {
		return z.sink.Name()
	}
	var specs []string
	for _, o := range z.zone.Outputs {
		specs = append(specs, output.Redact(o)) // no stream's password
	}
	return strings.Join(specs, ", ")
}

// openZones builds the station of every zone in force, each on its own
// output, in config order.
func (m *Main) openZones(ctx context.Context, st *store.Store, clock audio.Clock) ([]liveZone, error) {
	var out []liveZone
	for _, z := range m.cfg.ZoneList() {
		sink, dead, err := m.zoneSink(ctx, z, clock)
		if err != nil {
			return nil, fmt.Errorf("zone %s: %w", z.Code, err)
		}
		stn := m.newZoneStation(st, z.Code, sink, dead, clock, false)
		// Audio needs no disk: on a full disk the station keeps to its
		// timetable and holds the log's writes until space returns.
		stn.SetLogWrites(station.HoldWhenFull)
		out = append(out, liveZone{zone: z, stn: stn, sink: sink})
	}
	return out, nil
}

// zoneSink opens a zone's outputs for serve through the output factory
// (internal/output): one sink that feeds them all; a stream names the zone
// to its listeners.
func (m *Main) zoneSink(ctx context.Context, z config.Zone, clock audio.Clock) (audio.Sink, string, error) {
	env := m.outputEnv(true, clock)
	env.Stream = m.zoneStreamInfo(z) // icecast.go
	sink, err := m.openOutputsEnv(ctx, z.Outputs, env)
	return sink, "", err
}

// checkZones refuses zone codes the configuration does not list (exit 2).
func (m *Main) checkZones(codes []string) error {
	cfg := m.config()
	for _, c := range codes {
		if _, ok := cfg.Zone(c); !ok {
			var known []string
			for _, z := range cfg.ZoneList() {
				known = append(known, z.Code)
			}
			return badInput("--zone %q: %s %s", c, m.T("không có vùng này; các vùng:", "no such zone; the zones are:"), strings.Join(known, ", "))
		}
	}
	return nil
}

// zoneError turns a group's unknown zone into the control socket's bad
// request.
func zoneError(err error) error {
	if errors.Is(err, station.ErrUnknownZone) {
		return fmt.Errorf("%w: %v", control.ErrBadRequest, err)
	}
	return err
}
