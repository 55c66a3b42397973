package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/audio/alsa"
	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/control"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

func (m *Main) playCommand() *cobra.Command {
	var output string
	var now bool
	var zones []string
	cmd := &cobra.Command{
		Use:   "play [--output SPEC] [--now [--zone CODE]...] PATH|ID...",
		Short: "Play now, back to back, logged as a manual airing (phát ngay)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			uc, st, err := m.openCommune(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if len(zones) > 0 && !now {
				return badInput("--zone: %s", m.T("chỉ dùng cùng --now", "goes with --now only"))
			}
			if err := m.checkZones(zones); err != nil {
				return err
			}
			if now {
				handled, err := m.emergency(args, zones)
				if handled && err == nil {
					ids, _ := parseIDs(args) // emergency parsed them
					uc.PlayedIn(ctx, commune.CLIActor(), store.ActionUrgent, zones, ids)
				}
				if handled || err != nil {
					return err
				}
			}
			segs, unmeasured, err := m.resolvePlayable(ctx, uc, args)
			if err != nil {
				return err
			}
			// Played here, not by a running station: in the first zone
			// named (the first zone of config.yaml by default), on its
			// first output unless --output says otherwise.
			zone := m.config().ZoneList()[0]
			if len(zones) > 0 {
				zone, _ = m.config().Zone(zones[0]) // checked above
			}
			if output == "" {
				output = zone.Outputs[0]
			}
			clock := audio.WallClock{}
			env := m.outputEnv(false, clock)
			// A sound card plays in this process (no output process to
			// start: the first sound comes sooner, and it costs one
			// process instead of two).
			env.PlayCard = func(_ context.Context, device, name string) (audio.Sink, error) {
				s, _ := alsa.OpenSink(env.Rate, env.Buffer, device, name) // its DeviceState says why it did not open
				return s, nil
			}
			sink, err := m.openOutputsEnv(ctx, []string{output}, env)
			if err != nil {
				return err
			}
			if _, inProcess := sink.(*alsa.Sink); inProcess {
				leanRealTime() // as in the output process: one P, a 25 % GC target
			}
			stn := m.newZoneStation(st, zone.Code, sink, "", clock, false)
			// Files not in the library are measured ahead of the play
			// head, not all before the first sound.
			stn.Open = measureAhead(ctx, unmeasured, audio.Analyze, stn.Open)
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
			uc.Played(ctx, commune.CLIActor(), store.ActionPlay, ids, files...)
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
			airings, err := uc.Airings(ctx, "", began.Add(-time.Second), time.Now().Add(time.Hour))
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
	cmd.Flags().StringVar(&output, "output", "", "alsa[:DEVICE], file:PATH.wav or null (default: the zone's first output; audio.output without zones)")
	cmd.Flags().BoolVar(&now, "now", false, "emergency (khẩn cấp): the running station cuts what it plays and airs these at once, even in quiet hours")
	cmd.Flags().StringArrayVar(&zones, "zone", nil, "with --now: the zone (vùng) to air in, by code; repeat for several (default: every zone)")
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
// Those are checked (the header) but not yet measured: unmeasured lists
// their paths, in playing order, for measureAhead.
func (m *Main) resolvePlayable(ctx context.Context, uc *commune.Commune, args []string) (segs []playlist.Segment, unmeasured []string, err error) {
	var lib []playlist.Segment
	libRead := false
	for _, a := range args {
		if id, err := strconv.ParseInt(a, 10, 64); err == nil {
			seg, err := uc.Segment(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return nil, nil, badInput("ID %d: %s", id, m.T("không có bản tin này — xem 'segments list'", "no such segment — see 'segments list'"))
			}
			if err != nil {
				return nil, nil, err
			}
			segs = append(segs, seg)
			continue
		}
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, nil, err
		}
		info, err := audio.Probe(abs)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, nil, badInput("%s: %s", a, m.T("không tìm thấy tệp — kiểm tra lại đường dẫn", "file not found — check the path"))
			}
			return nil, nil, usageError{fmt.Errorf("%s: %s (%w)", a, m.importMessage(err), err)}
		}
		seg := playlist.Segment{Title: strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs)), Path: abs, Duration: info.Duration(),
			SampleRate: info.SampleRate, Channels: info.Channels, BitDepth: info.BitDepth}
		if info.Title != "" {
			seg.Title = info.Title
		}
		if !libRead {
			lib, _ = uc.Segments(ctx, true)
			libRead = true
		}
		found := false
		for _, s := range lib {
			if s.Path == abs {
				seg, found = s, true
			}
		}
		if !found {
			// Not in the library: measured for loudness normalisation
			// ahead of the play head (measureAhead).
			unmeasured = append(unmeasured, abs)
		}
		segs = append(segs, seg)
	}
	return segs, unmeasured, nil
}

// measureAhead measures (analyze) the loudness of the files at paths one
// after the other on a goroutine, from now on, and returns open wrapped so that a
// segment of those files (segment 0: not in the library) opens with its
// measured loudness once it is known. The first sound does not wait for
// files further down the list (40 files took 2 s of CPU, all measured
// before the first sound); a file that cannot be measured fails to open,
// and the station logs it failed.
func measureAhead(ctx context.Context, paths []string, analyze func(path string) (audio.Analysis, error), open station.OpenFunc) station.OpenFunc {
	if len(paths) == 0 {
		return open
	}
	type measured struct {
		an   audio.Analysis
		err  error
		done chan struct{}
	}
	results := make(map[string]*measured, len(paths))
	for _, p := range paths {
		if results[p] == nil {
			results[p] = &measured{done: make(chan struct{})}
		}
	}
	go func() {
		for _, p := range paths {
			r := results[p]
			select {
			case <-r.done:
				continue // listed twice
			default:
			}
			if ctx.Err() != nil {
				r.err = ctx.Err()
			} else {
				r.an, r.err = analyze(p)
			}
			close(r.done)
		}
	}()
	return func(seg playlist.Segment) (audio.Streamer, io.Closer, error) {
		if r := results[seg.Path]; r != nil && seg.ID == 0 {
			<-r.done
			if r.err != nil {
				return nil, nil, r.err
			}
			seg.LoudnessLUFS, seg.TruePeakDBTP = r.an.LoudnessLUFS, r.an.TruePeakDBTP
		}
		return open(seg)
	}
}

// emergency hands IDs to the running station. handled is false when no
// station runs: the caller then plays them itself.
func (m *Main) emergency(args, zones []string) (handled bool, err error) {
	ids, err := parseIDs(args)
	if err != nil {
		return false, badInput("--now: %s", m.T("chỉ dùng ID bản tin trong thư viện", "takes library segment IDs only"))
	}
	resp, err := control.Send(filepath.Join(m.dataDir, control.SocketName), control.Request{Emergency: ids, Zones: zones})
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
