package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/control"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

func (m *Main) playCommand() *cobra.Command {
	var output string
	var now bool
	cmd := &cobra.Command{
		Use:   "play [--output SPEC] [--now] PATH|ID...",
		Short: "Play now, back to back, logged as a manual airing (phát ngay)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := m.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if now {
				handled, err := m.emergency(args)
				if handled && err == nil {
					ids, _ := parseIDs(args) // emergency parsed them
					m.newCommune(st).Played(ctx, commune.CLIActor(), store.ActionUrgent, ids)
				}
				if handled || err != nil {
					return err
				}
			}
			segs, err := m.resolvePlayable(ctx, st, args)
			if err != nil {
				return err
			}
			if output == "" {
				output = m.config().Audio.Output
			}
			clock := audio.WallClock{}
			sink, dead, err := m.startSink(ctx, output, false, clock)
			if err != nil {
				return err
			}
			if _, inProcess := sink.(*audio.OtoSink); inProcess {
				leanRealTime()
			}
			stn := m.newStation(st, sink, dead, clock, false)
			if err := stn.Recover(ctx); err != nil {
				return err
			}
			sinkCtx, stopSink := context.WithCancel(context.WithoutCancel(ctx))
			stn.StartSink(sinkCtx)
			var ids []int64
			var files []string
			for _, s := range segs {
				if s.ID == 0 { // a file outside the library
					files = append(files, filepath.Base(s.Path))
				} else {
					ids = append(ids, s.ID)
				}
			}
			m.newCommune(st).Played(ctx, commune.CLIActor(), store.ActionPlay, ids, files...)
			began := time.Now()
			err = stn.PlayNow(ctx, segs)
			if o, ok := sink.(interface{ Drain() }); ok {
				o.Drain() // the last frames are still on their way to the loudspeakers
			}
			stopSink()
			<-stn.SinkDone()
			if err != nil {
				return err
			}
			airings, err := st.Airings(ctx, began.Add(-time.Second), time.Now().Add(time.Hour))
			if err != nil {
				return err
			}
			bad := 0
			for _, a := range airings {
				if a.Slot == "manual" && !a.ScheduledAt.Before(began.Add(-time.Second)) {
					fmt.Fprintf(m.Stdout, "#%d «%s»: %s %s\n", a.SegmentID, a.Title, m.statusWord(a.Status), a.Played.Round(10*time.Millisecond))
					if a.Status != playlist.StatusCompleted {
						bad++
					}
				}
			}
			if bad > 0 {
				return reported{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&output, "output", "", "alsa[:DEVICE], file:PATH.wav or null (default: audio.output)")
	cmd.Flags().BoolVar(&now, "now", false, "emergency (khẩn cấp): the running station cuts what it plays and airs these at once, even in quiet hours")
	return cmd
}

func (m *Main) statusWord(s playlist.Status) string {
	switch s {
	case playlist.StatusCompleted:
		return m.T("đã phát", "completed")
	case playlist.StatusInterrupted:
		return m.T("bị gián đoạn", "interrupted")
	case playlist.StatusFailed:
		return m.T("lỗi phát", "failed")
	case playlist.StatusMissed:
		return m.T("bỏ lỡ", "missed")
	}
	return string(s)
}

// resolvePlayable turns IDs and paths into segments: an ID from the
// library; a path that is not in the library plays as it is (segment 0).
func (m *Main) resolvePlayable(ctx context.Context, st *store.Store, args []string) ([]playlist.Segment, error) {
	var segs []playlist.Segment
	for _, a := range args {
		if id, err := strconv.ParseInt(a, 10, 64); err == nil {
			seg, err := st.Segment(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return nil, badInput("ID %d: %s", id, m.T("không có bản tin này — xem 'segments list'", "no such segment — see 'segments list'"))
			}
			if err != nil {
				return nil, err
			}
			segs = append(segs, seg)
			continue
		}
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, err
		}
		info, err := audio.Probe(abs)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, badInput("%s: %s", a, m.T("không tìm thấy tệp — kiểm tra lại đường dẫn", "file not found — check the path"))
			}
			return nil, usageError{fmt.Errorf("%s: %s (%w)", a, m.importMessage(err), err)}
		}
		seg := playlist.Segment{Title: strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs)), Path: abs, Duration: info.Duration(),
			SampleRate: info.SampleRate, Channels: info.Channels, BitDepth: info.BitDepth}
		if info.Title != "" {
			seg.Title = info.Title
		}
		found := false
		if lib, err := st.Segments(ctx, true); err == nil {
			for _, s := range lib {
				if s.Path == abs {
					seg, found = s, true
				}
			}
		}
		if !found {
			// Not in the library: measure it now, for loudness normalisation.
			an, err := audio.Analyze(abs)
			if err != nil {
				return nil, usageError{fmt.Errorf("%s: %s (%w)", a, m.importMessage(err), err)}
			}
			seg.LoudnessLUFS, seg.TruePeakDBTP = an.LoudnessLUFS, an.TruePeakDBTP
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

// emergency hands IDs to the running station. handled is false when no
// station runs: the caller then plays them itself.
func (m *Main) emergency(args []string) (handled bool, err error) {
	ids, err := parseIDs(args)
	if err != nil {
		return false, badInput("--now: %s", m.T("chỉ dùng ID bản tin trong thư viện", "takes library segment IDs only"))
	}
	resp, err := control.Send(filepath.Join(m.dataDir, control.SocketName), control.Request{Emergency: ids})
	if errors.Is(err, control.ErrNotRunning) {
		fmt.Fprintln(m.Stderr, m.T("Trạm chưa chạy: phát ngay từ lệnh này.", "The station is not running: playing from this command."))
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if !resp.OK {
		if resp.Code == "bad_request" {
			return true, badInput("%s", resp.Error)
		}
		return true, fmt.Errorf("station: %s", resp.Error)
	}
	fmt.Fprintln(m.Stdout, m.T("Đã chuyển lệnh phát khẩn cấp cho trạm: đang phát ngay.", "Emergency handed to the station: on air now."))
	return true, nil
}
