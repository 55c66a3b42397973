package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/store"
)

// pinCommand is `schedule pin` (unpin=false) or `schedule unpin`.
func (m *Main) pinCommand(unpin bool) *cobra.Command {
	var slot, date string
	use, short := "pin SEGMENT --slot NAME --date YYYY-MM-DD", "Put a segment first in a slot on a day (ghim)"
	if unpin {
		use, short = "unpin SEGMENT --slot NAME --date YYYY-MM-DD", "Remove a pin (bỏ ghim)"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ids, err := parseIDs(args)
			if err != nil {
				return err
			}
			uc, st, err := m.openCommune(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			day, err := m.parseDate("--date", date)
			if err != nil {
				return err
			}
			if unpin {
				err = uc.Unpin(ctx, commune.CLIActor(), ids[0], day, slot)
			} else {
				err = uc.Pin(ctx, commune.CLIActor(), ids[0], day, slot)
			}
			switch {
			case errors.Is(err, commune.ErrNoSlot):
				return badInput("--slot %q: %s", slot, m.T("không có khung giờ này trong config.yaml (schedule.slots)", "no such slot in config.yaml (schedule.slots)"))
			case errors.Is(err, commune.ErrSlotOff):
				return badInput("--slot %s --date %s: %s", slot, date, m.T("khung giờ này không phát vào ngày đó — xem 'schedule preview'", "the slot does not occur on that day — see 'schedule preview'"))
			case errors.Is(err, store.ErrNotFound):
				if unpin {
					return badInput("%v: %s", err, m.T("không có ghim này", "there is no such pin"))
				}
				return badInput("%v: %s", err, m.T("không có bản tin này — xem 'segments list'", "no such segment — see 'segments list'"))
			case err != nil:
				return err
			}
			done := m.T("đã ghim", "pinned")
			if unpin {
				done = m.T("đã bỏ ghim", "unpinned")
			}
			fmt.Fprintf(m.Stdout, "%s #%d: %s %s\n", done, ids[0], slot, date)
			return nil
		},
	}
	cmd.Flags().StringVar(&slot, "slot", "", "slot name, as in config.yaml")
	cmd.Flags().StringVar(&date, "date", "", "day, YYYY-MM-DD")
	cmd.MarkFlagRequired("slot")
	cmd.MarkFlagRequired("date")
	return cmd
}
