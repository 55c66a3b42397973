package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/sdnotify"
)

func (m *Main) serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the station: timetable, automatic playout, airing log",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := m.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			clock := audio.WallClock{}
			sink, dead, err := m.startSink(ctx, m.cfg.Audio.Output, true, clock)
			if err != nil {
				return err
			}
			stn := m.newStation(st, sink, dead, clock, false)
			output := m.cfg.Audio.Output
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
			notify, _ := m.LookupEnv("NOTIFY_SOCKET")
			if err := sdnotify.Notify(notify, "READY=1"); err != nil {
				m.logger.Warn("could not tell systemd the station is ready", "err", err)
			}
			err = stn.Run(ctx)
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
}
