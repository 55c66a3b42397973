package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/control"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/sdnotify"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

func (m *Main) serveCommand() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the station: timetable, automatic playout, airing log",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if _, _, err := net.SplitHostPort(listen); listen != "" && err != nil {
				return badInput("--listen %q: %s", listen, m.T("cần dạng máy:cổng, ví dụ 127.0.0.1:8080", "want host:port, e.g. 127.0.0.1:8080"))
			}
			st, err := m.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			clock := audio.WallClock{}
			zones, err := m.openZones(ctx, st, clock) // zones.go
			if err != nil {
				return err
			}
			var stations []*station.Station
			for _, z := range zones {
				stations = append(stations, z.stn)
			}
			group := station.NewGroup(stations...)
			m.warnUnmeasuredSilence(ctx, m.newCommune(st))
			srv, err := m.newWeb(st, group, listen) // web.go
			if err != nil {
				return err
			}
			m.logger.Info("station starting", "commune", m.cfg.Station.Commune, "zones", len(zones), "data", m.dataDir,
				"slots", len(m.cfg.Schedule.Slots), "timezone", m.cfg.Station.Timezone)
			for _, z := range zones {
				m.logger.Info("zone", "zone", z.zone.Code, "name", z.zone.Name, "output", z.output(), "slots", len(z.stn.Planner.Slots))
			}
			if len(zones) == 1 {
				fmt.Fprintf(m.Stdout, "%s %s — %s: %s. %s\n", m.T("Trạm truyền thanh xã", "Commune station"), m.cfg.Station.Commune,
					m.T("đầu ra", "output"), zones[0].output(), m.T("Nhấn Ctrl-C để dừng.", "Press Ctrl-C to stop."))
			} else {
				fmt.Fprintf(m.Stdout, "%s %s — %d %s:\n", m.T("Trạm truyền thanh xã", "Commune station"), m.cfg.Station.Commune,
					len(zones), m.T("vùng phát", "zones"))
				for _, z := range zones {
					fmt.Fprintf(m.Stdout, "  %s (%s) — %s: %s\n", z.zone.Name, z.zone.Code, m.T("đầu ra", "output"), z.output())
				}
				fmt.Fprintln(m.Stdout, m.T("Nhấn Ctrl-C để dừng.", "Press Ctrl-C to stop."))
			}
			// Rows a crash left open are closed once, before any zone
			// starts: a zone starting must not close another's airing.
			if err := stations[0].Recover(ctx); err != nil {
				return err
			}
			// The sinks outlive the station loops, so that the airings in
			// progress can be measured and closed in the log on shutdown.
			sinkCtx, stopSink := context.WithCancel(context.WithoutCancel(ctx))
			for _, stn := range stations {
				stn.Recovered = true
				stn.StartSink(sinkCtx)
			}
			ctl := &control.Server{Path: filepath.Join(m.dataDir, control.SocketName), Logger: m.logger.With("component", "control"),
				Handle: func(ctx context.Context, req control.Request) error {
					if req.Action != "" {
						return m.controlStation(ctx, group, req.Zones, req.Action)
					}
					segs, err := m.emergencySegments(ctx, st, req.Emergency)
					if err != nil {
						return err
					}
					return zoneError(group.Emergency(ctx, req.Zones, segs))
				}}
			ctlErr := make(chan error, 1)
			go func() { ctlErr <- ctl.Run(ctx) }()
			notify, _ := m.LookupEnv("NOTIFY_SOCKET")
			if err := sdnotify.Notify(notify, "READY=1"); err != nil {
				m.logger.Warn("could not tell systemd the station is ready", "err", err)
			}
			if err := m.startWatchdog(ctx, group, notify); err != nil {
				m.logger.Warn("systemd watchdog off", "err", err)
			}
			go m.watchReload(ctx, group, st)
			provDone := make(chan error, 1)
			go func() { provDone <- m.runProvince(ctx, st, group) }() // province_sync.go
			webCtx, stopWeb := context.WithCancel(ctx)
			webDone := m.runWeb(webCtx, srv, m.newCommune(st))
			err = group.Run(ctx)
			stopWeb()
			<-webDone
			if perr := <-provDone; perr != nil {
				m.logger.Error("province", "err", perr)
			}
			select {
			case cerr := <-ctlErr:
				if cerr != nil && err == nil {
					m.logger.Error("control socket", "err", cerr)
				}
			default:
			}
			_ = sdnotify.Notify(notify, "STOPPING=1")
			stopSink()
			for _, stn := range stations {
				<-stn.SinkDone()
			}
			if err != nil {
				return err
			}
			m.logger.Info("station stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", "web app address host:port (default: web.listen of config.yaml)")
	return cmd
}

// startWatchdog feeds systemd's watchdog (WatchdogSec= in the unit, passed
// as $WATCHDOG_USEC) while every zone's station loop is alive: each loop
// checks in on every turn and at least every quarter interval while it
// waits, and the pinger sends WATCHDOG=1 every half interval only while
// every loop has checked in within the interval. Without WATCHDOG_USEC it
// does nothing.
func (m *Main) startWatchdog(ctx context.Context, group *station.Group, notify string) error {
	usec, _ := m.LookupEnv("WATCHDOG_USEC")
	pid, _ := m.LookupEnv("WATCHDOG_PID")
	interval, err := sdnotify.WatchdogInterval(usec, pid, os.Getpid())
	if err != nil || interval == 0 || notify == "" {
		return err
	}
	w := &sdnotify.Watchdog{Interval: interval, Now: time.Now,
		Send: func() error { return sdnotify.Notify(notify, "WATCHDOG=1") }}
	// Test hook, set only by the watchdog tests: once the file named by
	// CCHC_TEST_FREEZE_LOOP exists, the station loop of the zone named by
	// CCHC_TEST_FREEZE_ZONE (every zone's when it is not set) blocks in its
	// next check-in (until shutdown), as a loop stuck in the store or the
	// deck would. A station never has them set.
	freeze, _ := m.LookupEnv("CCHC_TEST_FREEZE_LOOP")
	freezeZone, _ := m.LookupEnv("CCHC_TEST_FREEZE_ZONE")
	for _, stn := range group.Stations() {
		name := "station"
		if len(group.Stations()) > 1 {
			name = "station:" + stn.Zone
		}
		beat := w.Register(name)
		checkIn := beat.CheckIn
		if freeze != "" && (freezeZone == "" || freezeZone == stn.Zone) {
			zone := stn.Zone
			checkIn = func() {
				if _, err := os.Stat(freeze); err == nil {
					m.logger.Warn("test hook: station loop frozen", "file", freeze, "zone", zone)
					<-ctx.Done()
				}
				beat.CheckIn()
			}
		}
		stn.SetLiveness(checkIn, interval/4)
	}
	m.logger.Info("systemd watchdog on", "interval", interval)
	go w.Run(ctx,
		func(loop string) {
			m.logger.Error("loop stopped checking in: systemd watchdog no longer fed", "loop", loop)
		},
		func(err error) { m.logger.Warn("could not ping systemd's watchdog", "err", err) })
	return nil
}

// emergencySegments loads the segments of an emergency request: each must
// exist, not be removed, and be approved when approval is required.
func (m *Main) emergencySegments(ctx context.Context, st *store.Store, ids []int64) ([]playlist.Segment, error) {
	return m.newCommune(st).EmergencySegments(ctx, ids)
}
