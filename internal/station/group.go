// Zones: one station per zone, run side by side.

package station

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// ErrUnknownZone is a zone code no station airs.
var ErrUnknownZone = errors.New("unknown zone")

// Group is the runtime of a commune's zones: one Station per zone, each
// with its own timetable, deck, output and rows, run concurrently. What one
// zone suffers (a dead sound card, an emergency) is that zone's alone.
type Group struct {
	stations []*Station // in config order
}

// NewGroup groups the stations of the zones, in config order; each has its
// own Deps.Zone.
func NewGroup(stations ...*Station) *Group {
	return &Group{stations: stations}
}

// Stations are the zones' stations, in config order.
func (g *Group) Stations() []*Station { return g.stations }

// Station is the station of the zone with that code.
func (g *Group) Station(zone string) (*Station, bool) {
	for _, s := range g.stations {
		if s.Zone == zone {
			return s, true
		}
	}
	return nil, false
}

// pick is the stations of the zones named (every zone when none is); an
// unknown code is ErrUnknownZone.
func (g *Group) pick(zones []string) ([]*Station, error) {
	if len(zones) == 0 {
		return g.stations, nil
	}
	var out []*Station
	for _, z := range zones {
		s, ok := g.Station(z)
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknownZone, z)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// Run runs every zone's station until ctx is done, and returns when all
// have stopped. A station that fails (its log cannot be written) stops the
// others: the process exits and its supervisor restarts it.
func (g *Group) Run(ctx context.Context) error {
	eg, ctx := errgroup.WithContext(ctx)
	for _, s := range g.stations {
		eg.Go(func() error {
			if err := s.Run(ctx); err != nil {
				return fmt.Errorf("zone %s: %w", s.Zone, err)
			}
			return nil
		})
	}
	return eg.Wait()
}

// Emergency airs segs at once in the zones named (every zone when none
// is), preempting what each plays.
func (g *Group) Emergency(ctx context.Context, zones []string, segs []playlist.Segment) error {
	picked, err := g.pick(zones)
	if err != nil {
		return err
	}
	for _, s := range picked {
		if err := s.Emergency(ctx, segs); err != nil {
			return fmt.Errorf("zone %s: %w", s.Zone, err)
		}
	}
	return nil
}

// Control acts on what the zones named (every zone when none is) air. It
// succeeds when it acted on at least one; otherwise it returns the first
// refusal (ErrNothingOnAir, ErrNotPaused...).
func (g *Group) Control(ctx context.Context, zones []string, a Action) error {
	picked, err := g.pick(zones)
	if err != nil {
		return err
	}
	var first error
	acted := false
	for _, s := range picked {
		if err := s.Control(ctx, a); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		acted = true
	}
	if acted {
		return nil
	}
	return first
}

// Reload puts the zones' share of a new planner in force in each zone.
func (g *Group) Reload(p *playlist.Planner, resumeAfterEmergency bool) {
	for _, s := range g.stations {
		s.Reload(p.ForZone(s.Zone), resumeAfterEmergency)
	}
}

// Status is the first zone's status with every zone's in Zones.
func (g *Group) Status(ctx context.Context) (Status, error) {
	var all []Status
	for _, s := range g.stations {
		st, err := s.Status(ctx)
		if err != nil {
			return Status{}, fmt.Errorf("zone %s: %w", s.Zone, err)
		}
		all = append(all, st)
	}
	if len(all) == 0 {
		return Status{}, nil
	}
	top := all[0]
	top.Zones = all
	return top, nil
}

// Subscribe is told of every change of what any zone airs.
func (g *Group) Subscribe() (<-chan struct{}, func()) {
	out := make(chan struct{}, 1)
	done := make(chan struct{})
	var wg sync.WaitGroup
	var stops []func()
	for _, s := range g.stations {
		ch, stop := s.Subscribe()
		stops = append(stops, stop)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				case <-ch:
					select {
					case out <- struct{}{}:
					default: // a change is already pending
					}
				}
			}
		}()
	}
	var once sync.Once
	return out, func() {
		once.Do(func() {
			for _, stop := range stops {
				stop()
			}
			close(done)
			wg.Wait()
		})
	}
}
