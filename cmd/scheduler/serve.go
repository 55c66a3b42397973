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
	outputpkg "github.com/truyenthanh/cchc/internal/output"
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
			sink, err := m.openOutputs(ctx, []string{m.config().Audio.Output}, true, clock)
			if err != nil {
				return err
			}
			stn := m.newStation(st, sink, "", clock, false)
			// Audio needs no disk: on a full disk the station keeps to its
			// timetable and holds the log's writes until space returns.
			stn.SetLogWrites(station.HoldWhenFull)
			m.warnUnmeasuredSilence(ctx, st)
			srv, err := m.newWeb(st, stn, listen) // web.go
			if err != nil {
				return err
			}
			output := outputpkg.Redact(m.cfg.Audio.Output)
			if sink != nil {
				output = sink.Name()
			}
			m.logger.Info("station starting", "commune", m.cfg.Station.Commune, "output", output, "data", m.dataDir,
				"slots", len(m.cfg.Schedule.Slots), "timezone", m.cfg.Station.Timezone)
			fmt.Fprintf(m.Stdout, "%s %s — %s: %s. %s\n", m.T("Trạm truyền thanh xã", "Commune station"), m.cfg.Station.Commune,
				m.T("đầu ra", "output"), output, m.T("Nhấn Ctrl-C để dừng.", "Press Ctrl-C to stop."))
			// The sink outlives the station loop, so that the airing in
			// progress can be measured and closed in the log on shutdown.
			sinkCtx, stopSink := context.WithCancel(context.WithoutCancel(ctx))
			stn.StartSink(sinkCtx)
			ctl := &control.Server{Path: filepath.Join(m.dataDir, control.SocketName), Logger: m.logger.With("component", "control"),
				Handle: func(ctx context.Context, req control.Request) error {
					if req.Action != "" {
						return m.controlStation(ctx, stn, req.Action)
					}
					segs, err := m.emergencySegments(ctx, st, req.Emergency)
					if err != nil {
						return err
					}
					return stn.Emergency(ctx, segs)
				}}
			ctlErr := make(chan error, 1)
			go func() { ctlErr <- ctl.Run(ctx) }()
			notify, _ := m.LookupEnv("NOTIFY_SOCKET")
			if err := sdnotify.Notify(notify, "READY=1"); err != nil {
				m.logger.Warn("could not tell systemd the station is ready", "err", err)
			}
			if err := m.startWatchdog(ctx, stn, notify); err != nil {
				m.logger.Warn("systemd watchdog off", "err", err)
			}
			go m.watchReload(ctx, stn, st)
			webCtx, stopWeb := context.WithCancel(ctx)
			webDone := m.runWeb(webCtx, srv, st)
			err = stn.Run(ctx)
			stopWeb()
			<-webDone
			select {
			case cerr := <-ctlErr:
				if cerr != nil && err == nil {
					m.logger.Error("control socket", "err", cerr)
				}
			default:
			}
			_ = sdnotify.Notify(notify, "STOPPING=1")
			stopSink()
			<-stn.SinkDone()
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
// as $WATCHDOG_USEC) while the station loop is alive: the loop checks in on
// every turn and at least every quarter interval while it waits, and the
// pinger sends WATCHDOG=1 every half interval only while it has checked in
// within the interval. Each zone's loop will register its own beat. Without
// WATCHDOG_USEC it does nothing.
func (m *Main) startWatchdog(ctx context.Context, stn *station.Station, notify string) error {
	usec, _ := m.LookupEnv("WATCHDOG_USEC")
	pid, _ := m.LookupEnv("WATCHDOG_PID")
	interval, err := sdnotify.WatchdogInterval(usec, pid, os.Getpid())
	if err != nil || interval == 0 || notify == "" {
		return err
	}
	w := &sdnotify.Watchdog{Interval: interval, Now: time.Now,
		Send: func() error { return sdnotify.Notify(notify, "WATCHDOG=1") }}
	beat := w.Register("station")
	checkIn := beat.CheckIn
	// Test hook, set only by TestServeWatchdogStopsWhenTheLoopFreezes: once
	// the file named by CCHC_TEST_FREEZE_LOOP exists, the station loop
	// blocks in its next check-in (until shutdown), as a loop stuck in the
	// store or the deck would. A station never has it set.
	if freeze, ok := m.LookupEnv("CCHC_TEST_FREEZE_LOOP"); ok && freeze != "" {
		checkIn = func() {
			if _, err := os.Stat(freeze); err == nil {
				m.logger.Warn("test hook: station loop frozen", "file", freeze)
				<-ctx.Done()
			}
			beat.CheckIn()
		}
	}
	stn.SetLiveness(checkIn, interval/4)
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
