package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/output"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// outputEnv is what opening an output needs from the program. paced: file
// and null outputs run in real time (serve) rather than as fast as they
// can (play to a file, simulate). A sound card is held by an output process:
// this binary's hidden audio-output command.
func (m *Main) outputEnv(paced bool, clock audio.Clock) output.Env {
	cfg := m.config()
	env := output.Env{Rate: audio.Rate(cfg.Audio.SampleRate), Buffer: cfg.Audio.Buffer, Paced: paced, Clock: clock, Logger: m.logger,
		Stream: m.streamInfo(), Getenv: func(name string) string {
			v, _ := m.LookupEnv(name)
			return v
		}}
	exe, err := os.Executable()
	if err != nil {
		m.logger.Error("cannot find the scheduler binary to start the audio output", "err", err)
		return env
	}
	env.DeviceCommand = func(device string) *exec.Cmd {
		c := exec.Command(exe, "audio-output", "--rate", fmt.Sprint(cfg.Audio.SampleRate), "--buffer", cfg.Audio.Buffer.String(),
			"--device", device)
		// Its own process group: the terminal's Ctrl-C goes to the station,
		// which closes the pipe when it has closed its log.
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		return c
	}
	return env
}

// openOutputs opens the outputs of specs as one sink (internal/output). A
// bad spec is bad input (exit 2). A sound card that does not open now does
// not stop the run: the sink keeps trying it, the station logs airings as
// failed while it is away, and this says so loudly.
func (m *Main) openOutputs(ctx context.Context, specs []string, paced bool, clock audio.Clock) (audio.Sink, error) {
	return m.openOutputsEnv(ctx, specs, m.outputEnv(paced, clock))
}

// openOutputsEnv is openOutputs with an environment of the caller's (a
// zone's stream name).
func (m *Main) openOutputsEnv(ctx context.Context, specs []string, env output.Env) (audio.Sink, error) {
	sink, err := output.Standard().OpenAll(ctx, specs, env)
	if err != nil {
		var oe *output.Error
		if errors.As(err, &oe) {
			return nil, usageError{oe}
		}
		return nil, err
	}
	if w, ok := sink.(audio.DeviceWatcher); ok {
		if _, err := w.DeviceState(); errors.Is(err, audio.ErrServerUnreachable) {
			m.noServerBanner(err) // icecast.go
			m.logger.Error("cannot reach the streaming server", "output", sink.Name(), "err", err)
		} else if err != nil {
			m.noDeviceBanner(err)
			m.logger.Error("no audio device", "output", sink.Name(), "err", err)
		} else if f, ok := sink.(*output.Fanout); ok {
			m.partialBanner(f)
		}
	}
	return sink, nil
}

// partialBanner says loudly which outputs of a zone that plays (through
// its others) did not open.
func (m *Main) partialBanner(f *output.Fanout) {
	for _, o := range f.Outputs() {
		w, ok := o.(audio.DeviceWatcher)
		if !ok {
			continue
		}
		if _, err := w.DeviceState(); err != nil {
			fmt.Fprintf(m.Stderr, "\n!!! %s %s\n!!! %v\n!!! %s\n\n",
				m.T("MỘT ĐẦU RA CỦA VÙNG KHÔNG PHÁT:", "ONE OUTPUT OF THE ZONE DOES NOT PLAY:"), o.Name(), err,
				m.T("Các đầu ra khác của vùng vẫn phát; trạm thử lại đầu ra này liên tục, và lý do của mỗi lượt phát ghi rõ đầu ra này đã lỡ bao lâu.",
					"The zone's other outputs play; the station keeps trying this one, and each airing's reason says how long this output missed it."))
			m.logger.Error("an output of the zone does not play; the others do", "output", o.Name(), "err", err)
		}
	}
}

// newStation wires the first zone's station (the one zone of a config
// without zones:) around an open store, sink and clock. unheard: the output
// is simulate's null sink, where only timing matters, so segments are
// converted with the cheap linear resampler instead of the sinc one.
func (m *Main) newStation(st *store.Store, sink audio.Sink, dead string, clock audio.Clock, unheard bool) *station.Station {
	return m.newZoneStation(st, m.config().ZoneList()[0].Code, sink, dead, clock, unheard)
}

// unheardRate is the sample rate of a station nobody hears (simulate's
// null output): only its timing matters, which frame-exact lengths keep
// at any rate, and at 8 kHz the playout of a month of eight zones costs a
// sixth of what it does at 48 kHz (bench/simzones.sh).
const unheardRate = 8000

// newZoneStation is newStation for the zone with that code: its timetable
// is the zone's slots, its rows and history the zone's.
func (m *Main) newZoneStation(st *store.Store, zone string, sink audio.Sink, dead string, clock audio.Clock, unheard bool) *station.Station {
	rate := m.cfg.Audio.SampleRate
	if unheard {
		rate = unheardRate // simulate: its sink must run at this rate too
	}
	gain := func(seg playlist.Segment) float64 {
		a := m.config().Audio // a reload may change them while the station runs
		if !a.Normalize {
			return 0
		}
		return audio.NormalizeGain(seg.LoudnessLUFS, seg.TruePeakDBTP, seg.Channels, a.TargetLUFS)
	}
	// seg.TrimStart and TrimEnd are set when audio.trim_silence is on (the
	// planner counted the trimmed length): only that part plays.
	open := func(seg playlist.Segment) (audio.Streamer, io.Closer, error) {
		s, _, c, err := audio.OpenStreamTrimmed(seg.Path, rate, audio.Trim{Start: seg.TrimStart, End: seg.TrimEnd})
		if err != nil {
			return nil, nil, err
		}
		return audio.NewGain(s, gain(seg)), c, nil
	}
	if unheard {
		open = func(seg playlist.Segment) (audio.Streamer, io.Closer, error) {
			d, err := audio.Open(seg.Path)
			if err != nil {
				return nil, nil, err
			}
			skip, keep := audio.Trim{Start: seg.TrimStart, End: seg.TrimEnd}.Frames(audio.Rate(d.Info().SampleRate), d.Info().Frames)
			if err := d.Skip(skip); err != nil {
				d.Close()
				return nil, nil, err
			}
			return audio.NewLinearResampler(audio.Limit(audio.NewStereo(d), keep), d.Info().SampleRate, rate), d, nil
		}
	}
	return station.New(station.Deps{
		Zone:    zone,
		Store:   st,
		Planner: m.planner().ForZone(zone),
		Deck:    audio.NewDeck(audio.Rate(rate)),
		Sink:    sink, DeadReason: dead,
		Clock:                clock,
		Open:                 open,
		Logger:               m.logger.With("component", "station", "zone", zone),
		MissedHorizon:        m.cfg.Schedule.MissedHorizon,
		ResumeAfterEmergency: m.cfg.Schedule.AfterEmergency == "resume",
		SilenceAlert:         m.cfg.Audio.SilenceAlert,
		// The sound card holds up to one buffer (with oto, whose player
		// read ahead, the output held up to 2.5, and the pre-roll is
		// kept as measured then); half a second more covers planning
		// and the log's fsync (measured: up to ~0.3 s on a loaded
		// machine).
		PreRoll: max(time.Second, 5*m.cfg.Audio.Buffer/2+500*time.Millisecond),
	})
}

// noDeviceBanner says loudly that nothing will be heard.
func (m *Main) noDeviceBanner(err error) {
	fmt.Fprintf(m.Stderr, "\n!!! %s\n!!! %v\n!!! %s\n\n",
		m.T("KHÔNG MỞ ĐƯỢC THIẾT BỊ ÂM THANH — LOA SẼ KHÔNG PHÁT.", "NO AUDIO DEVICE COULD BE OPENED — NOTHING WILL BE HEARD."), err,
		m.T("Trạm vẫn chạy và thử lại thiết bị liên tục; đến khi có lại, mỗi lượt phát được ghi là 'lỗi phát' (không có thiết bị âm thanh). Kiểm tra card âm thanh, dây nối, hoặc đặt audio.output.",
			"The station keeps running and keeps trying the device; until it is back, every airing is logged as failed (no audio device). Check the sound card and cables, or set audio.output."))
}
