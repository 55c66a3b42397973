package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

func (m *Main) simulateCommand() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "simulate --from YYYY-MM-DD --to YYYY-MM-DD",
		Short: "Run the real planner, playout (null output) and log on a virtual clock",
		Args:  cobra.NoArgs,
	}
	ff := addFormatFlags(cmd, "text", "json")
	cmd.Flags().StringVar(&from, "from", "", "first day")
	cmd.Flags().StringVar(&to, "to", "", "last day (inclusive)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := ff.resolve()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		uc, st, err := m.openCommune(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		if from == "" || to == "" {
			return badInput("%s", m.T("cần cả --from và --to (YYYY-MM-DD)", "both --from and --to (YYYY-MM-DD) are needed"))
		}
		start, err := m.parseDate("--from", from)
		if err != nil {
			return err
		}
		last, err := m.parseDate("--to", to)
		if err != nil {
			return err
		}
		if last.Before(start) {
			return badInput("--to %s %s --from %s", to, m.T("sớm hơn", "is before"), from)
		}
		end := last.AddDate(0, 0, 1)
		began := time.Now()
		// Each zone runs its own station on its own virtual clock: zones
		// share nothing but the log, so they run side by side, as many at
		// once as there are processors.
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(max(1, runtime.GOMAXPROCS(0)))
		for _, z := range m.config().ZoneList() {
			g.Go(func() error { return m.simulateZone(gctx, st, z.Code, start, end) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
		airings, err := uc.Airings(ctx, "", start, end)
		if err != nil {
			return err
		}
		counts := map[playlist.Status]int{}
		byZone := map[string]map[string]int{}
		for _, a := range airings {
			counts[a.Status]++
			zone := a.Zone
			if zone == "" {
				zone = playlist.DefaultZone
			}
			if byZone[zone] == nil {
				byZone[zone] = map[string]int{}
			}
			byZone[zone]["airings"]++
			byZone[zone][string(a.Status)]++
		}
		return ff.write(m.Stdout, func(w io.Writer) error {
			if format == "json" {
				return writeJSON(w, map[string]any{"from": from, "to": to, "airings": len(airings), "completed": counts[playlist.StatusCompleted],
					"interrupted": counts[playlist.StatusInterrupted], "missed": counts[playlist.StatusMissed], "failed": counts[playlist.StatusFailed],
					"zones": byZone, "wall_ms": time.Since(began).Milliseconds()})
			}
			_, err := fmt.Fprintf(w, "%s %s → %s: %d %s (%s %d, %s %d, %s %d, %s %d) %s %s\n",
				m.T("Mô phỏng", "Simulated"), from, to, len(airings), m.T("lượt", "airings"),
				m.T("đã phát", "completed"), counts[playlist.StatusCompleted], m.T("gián đoạn", "interrupted"), counts[playlist.StatusInterrupted],
				m.T("bỏ lỡ", "missed"), counts[playlist.StatusMissed], m.T("lỗi", "failed"), counts[playlist.StatusFailed],
				m.T("trong", "in"), time.Since(began).Round(time.Millisecond))
			return err
		})
	}
	return cmd
}

// simulateZone runs the zone's station over [start, end) on a virtual
// clock, to a null output.
func (m *Main) simulateZone(ctx context.Context, st *store.Store, zone string, start, end time.Time) error {
	clock := audio.NewVirtualClock(start)
	sink := audio.NewNullSink(audio.Rate(unheardRate), false, clock)
	stn := m.newZoneStation(st, zone, sink, "", clock, true)
	// Rows are written when closed, each in one transaction: a full disk
	// stops the simulation with nothing left open.
	stn.SetLogWrites(station.WriteWhenClosed)
	g, gctx := errgroup.WithContext(ctx)
	sinkCtx, stopSink := context.WithCancel(gctx)
	g.Go(func() error { stn.StartSink(sinkCtx); return nil })
	g.Go(func() error {
		defer stopSink()
		if err := stn.Recover(gctx); err != nil {
			return err
		}
		return stn.RunRange(gctx, start, end)
	})
	return g.Wait()
}
