package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/icecast"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// openSink opens the output named by spec. paced: file and null outputs run
// in real time (serve) rather than as fast as they can (play to a file,
// simulate). A sound card that does not open gives a nil sink and the
// reason, so that the station logs airings as failed rather than pretend.
func (m *Main) openSink(spec string, paced bool, clock audio.Clock) (audio.Sink, error) {
	out, err := config.ParseOutput(spec)
	if err != nil {
		if errors.Is(err, icecast.ErrSpec) {
			return nil, badInput("%v", err)
		}
		return nil, badInput("output %q: %s", icecast.Redact(spec), m.T("dùng auto, alsa, alsa:THIẾT_BỊ, file:ĐƯỜNG_DẪN.wav, null hoặc icecast://…", "use auto, alsa, alsa:DEVICE, file:PATH.wav, null or icecast://…"))
	}
	rate := audio.Rate(m.cfg.Audio.SampleRate)
	switch out.Kind {
	case icecast.Scheme:
		return m.icecastSink(out.Icecast)
	case "null":
		return audio.NewNullSink(rate, paced, clock), nil
	case "file":
		return audio.NewFileSink(out.Path, rate, paced, clock), nil
	}
	sink, err := audio.OpenOto(rate, m.cfg.Audio.Buffer, out.Device, m.dataDir)
	if err != nil {
		return nil, err
	}
	return sink, nil
}

// newStation wires a station around an open store, sink and clock. unheard:
// the output is simulate's null sink, where only timing matters, so segments
// are converted with the cheap linear resampler instead of the sinc one.
func (m *Main) newStation(st *store.Store, sink audio.Sink, dead string, clock audio.Clock, unheard bool) *station.Station {
	rate := m.cfg.Audio.SampleRate
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
		Store:   st,
		Planner: m.planner(),
		Deck:    audio.NewDeck(audio.Rate(rate)),
		Sink:    sink, DeadReason: dead,
		Clock:                clock,
		Open:                 open,
		Logger:               m.logger.With("component", "station"),
		MissedHorizon:        m.cfg.Schedule.MissedHorizon,
		ResumeAfterEmergency: m.cfg.Schedule.AfterEmergency == "resume",
		SilenceAlert:         m.cfg.Audio.SilenceAlert,
		// The output holds up to 2.5 buffers (oto's player reads one
		// to one and a half ahead, the device holds up to one); half a
		// second more covers planning and the log's fsync (measured: up
		// to ~0.3 s on a loaded machine).
		PreRoll: max(time.Second, 5*m.cfg.Audio.Buffer/2+500*time.Millisecond),
	})
}

// noDeviceBanner says loudly that nothing will be heard.
func (m *Main) noDeviceBanner(err error) {
	fmt.Fprintf(m.Stderr, "\n!!! %s\n!!! %v\n!!! %s\n\n",
		m.T("KHÔNG MỞ ĐƯỢC THIẾT BỊ ÂM THANH — LOA SẼ KHÔNG PHÁT.", "NO AUDIO DEVICE COULD BE OPENED — NOTHING WILL BE HEARD."), err,
		m.T("Mỗi lượt phát sẽ được ghi là 'lỗi phát' (không có thiết bị âm thanh). Kiểm tra card âm thanh, dây nối, hoặc đặt audio.output.",
			"Every airing will be logged as failed (no audio device). Check the sound card and cables, or set audio.output."))
}

// startSink opens the output for a live run; on a device failure it warns
// and returns a nil sink with the reason.
func (m *Main) startSink(ctx context.Context, spec string, paced bool, clock audio.Clock) (audio.Sink, string, error) {
	sink, err := m.openSink(spec, paced, clock)
	if err != nil {
		if errors.Is(err, audio.ErrNoDevice) {
			m.noDeviceBanner(err)
			m.logger.Error("no audio device", "output", spec, "err", err)
			return nil, station.ReasonNoDevice, nil
		}
		return nil, "", err
	}
	return sink, "", nil
}
