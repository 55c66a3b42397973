package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/control"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// Codes of the control socket's refusals of an action.
const (
	codeNothingOnAir  = "nothing_on_air"
	codeNotPaused     = "not_paused"
	codeAlreadyPaused = "already_paused"
)

func (m *Main) controlCommand() *cobra.Command {
	var zones []string
	cmd := &cobra.Command{
		Use:   "control stop|skip|pause|resume [--zone CODE]...",
		Short: "Act on what the running station airs: stop the slot, skip the segment, pause, resume",
		Long: `Act on what the running station (scheduler serve) airs, through its control socket:
  stop    end the slot on the air: the segment playing is logged interrupted with the
          length that went out ("stopped by the operator"); the rest of the slot is dropped
  skip    end the segment playing (logged interrupted, "skipped by the operator"); the next
          one plays after the gap
  pause   hold the output (silence); the segment keeps its place. A slot still paused at
          its end is stopped there ("paused past the end of the slot")
  resume  play on from where the pause held it
With --zone CODE (repeatable) it acts on those zones only; by default on every zone.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"stop", "skip", "pause", "resume"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := m.load(); err != nil {
				return err
			}
			action, ok := station.ParseAction(args[0])
			if !ok {
				return badInput("%q: %s", args[0], m.T("dùng stop, skip, pause hoặc resume", "use stop, skip, pause or resume"))
			}
			if err := m.checkZones(zones); err != nil {
				return err
			}
			resp, err := control.Send(filepath.Join(m.dataDir, control.SocketName), control.Request{Action: string(action), Zones: zones})
			if errors.Is(err, control.ErrNotRunning) {
				return fmt.Errorf("%s", m.T("trạm chưa chạy (không có 'scheduler serve' nào dùng thư mục dữ liệu này)",
					"the station is not running (no 'scheduler serve' uses this data folder)"))
			}
			if err != nil {
				return err
			}
			if !resp.OK {
				switch resp.Code {
				case codeNothingOnAir:
					return fmt.Errorf("%s", m.T("không có gì đang phát", "nothing is on the air"))
				case codeNotPaused:
					return fmt.Errorf("%s", m.T("trạm không ở trạng thái tạm dừng", "the station is not paused"))
				case codeAlreadyPaused:
					return fmt.Errorf("%s", m.T("trạm đang tạm dừng rồi — dùng 'scheduler control resume' để phát tiếp", "the station is already paused — use 'scheduler control resume' to play on"))
				case "bad_request":
					return badInput("%s", resp.Error)
				}
				return fmt.Errorf("station: %s", resp.Error)
			}
			// The station did it: the audit trail names who asked.
			if st, err := store.Open(cmd.Context(), m.dataDir); err != nil {
				m.logger.Error("audit trail: cannot open the database", "err", err)
			} else {
				m.newCommune(st).Controlled(cmd.Context(), commune.CLIActor(), action, zones...)
				st.Close()
			}
			fmt.Fprintln(m.Stdout, m.controlDone(action))
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&zones, "zone", nil, "the zone (vùng) to act on, by code; repeat for several (default: every zone)")
	return cmd
}

// controlDone says what the station did.
func (m *Main) controlDone(a station.Action) string {
	switch a {
	case station.ActionStop:
		return m.T("Đã dừng khung giờ đang phát; lượt phát được ghi là bị gián đoạn (người vận hành dừng).",
			"Stopped the slot on the air; the airing is logged as interrupted (stopped by the operator).")
	case station.ActionSkip:
		return m.T("Đã bỏ qua bản tin đang phát; bản tin tiếp theo phát sau khoảng lặng.",
			"Skipped the segment on the air; the next one plays after the gap.")
	case station.ActionPause:
		return m.T("Đã tạm dừng. Dùng 'scheduler control resume' để phát tiếp.",
			"Paused. Use 'scheduler control resume' to play on.")
	}
	return m.T("Đã phát tiếp.", "Playing on.")
}

// controlStation carries out an operator's action on the running zones
// named (every zone when none is): the control socket's handler.
func (m *Main) controlStation(ctx context.Context, group *station.Group, zones []string, name string) error {
	action, ok := station.ParseAction(name)
	if !ok {
		return fmt.Errorf("%w: unknown action %q", control.ErrBadRequest, name)
	}
	err := group.Control(ctx, zones, action)
	switch {
	case errors.Is(err, station.ErrUnknownZone):
		return zoneError(err)
	case errors.Is(err, station.ErrNothingOnAir):
		return &control.CodedError{Code: codeNothingOnAir, Err: err}
	case errors.Is(err, station.ErrNotPaused):
		return &control.CodedError{Code: codeNotPaused, Err: err}
	case errors.Is(err, station.ErrAlreadyPaused):
		return &control.CodedError{Code: codeAlreadyPaused, Err: err}
	case err == nil:
		m.logger.Info("operator action", "action", name, "zones", zones)
	}
	return err
}
