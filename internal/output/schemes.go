package output

import (
	"context"
	"os/exec"
	"strings"

	"github.com/truyenthanh/cchc/internal/audio"
)

// NullScheme is "null": the frames go nowhere (tests, simulate, a station
// without loudspeakers).
func NullScheme() Scheme {
	return Scheme{
		Name: "null",
		Check: func(arg string) *Problem {
			if arg != "" {
				return &Problem{Problem: "takes nothing after null:", ProblemVI: "không nhận gì sau null:"}
			}
			return nil
		},
		Open: func(_ context.Context, _ Spec, env Env) (audio.Sink, error) {
			return audio.NewNullSink(env.Rate, env.Paced, env.Clock), nil
		},
	}
}

// FileScheme is "file:PATH.wav": the frames are written to a WAV file.
func FileScheme() Scheme {
	return Scheme{
		Name: "file", Usage: "file:PATH.wav", UsageVI: "file:ĐƯỜNG_DẪN.wav",
		Check: func(arg string) *Problem {
			if arg == "" || !strings.HasSuffix(strings.ToLower(arg), ".wav") {
				return &Problem{Problem: "needs a path ending in .wav", ProblemVI: "cần đường dẫn tệp kết thúc bằng .wav",
					Fix: "write file:PATH.wav, e.g. file:/tmp/out.wav", FixVI: "ghi file:ĐƯỜNG_DẪN.wav, ví dụ file:/tmp/out.wav"}
			}
			return nil
		},
		Open: func(_ context.Context, sp Spec, env Env) (audio.Sink, error) {
			return audio.NewFileSink(sp.Arg, env.Rate, env.Paced, env.Clock), nil
		},
	}
}

// ALSAScheme is "alsa" (ALSA's default device) or "alsa:DEVICE" (an ALSA
// PCM name: hw:1,0, plughw:1, pulse, a name from asound.conf). The card is
// held by an output process (Env.DeviceCommand), started again whenever it
// is lost; the sink says meanwhile that it does not play
// (audio.DeviceWatcher).
func ALSAScheme() Scheme {
	return Scheme{
		Name: "alsa", Usage: "alsa, alsa:DEVICE", UsageVI: "alsa, alsa:THIẾT_BỊ",
		Open: func(ctx context.Context, sp Spec, env Env) (audio.Sink, error) {
			return openCard(ctx, sp, env, "alsa")
		},
	}
}

// OtoScheme is "oto" or "oto:DEVICE": a sound card as ALSAScheme, played
// by github.com/ebitengine/oto/v3 in the output process (internal/audio/
// otoout) instead of our own writer. For a card or driver on which the
// direct writer misbehaves; a cut is heard later through it (oto reads
// ahead of the card).
func OtoScheme() Scheme {
	return Scheme{
		Name: "oto", Usage: "oto, oto:DEVICE", UsageVI: "oto, oto:THIẾT_BỊ",
		Open: func(ctx context.Context, sp Spec, env Env) (audio.Sink, error) {
			return openCard(ctx, sp, env, "oto")
		},
	}
}

// AutoScheme is "auto": the sound card ALSA picks by default.
func AutoScheme() Scheme {
	return Scheme{
		Name: "auto",
		Check: func(arg string) *Problem {
			if arg != "" {
				return &Problem{Problem: "takes nothing after auto:", ProblemVI: "không nhận gì sau auto:"}
			}
			return nil
		},
		Open: func(ctx context.Context, sp Spec, env Env) (audio.Sink, error) {
			return openCard(ctx, sp, env, "alsa")
		},
	}
}

// openCard starts the output process of a sound card and waits until it
// has opened the card or failed to (then the sink keeps trying, and says
// so through DeviceState). writer is what plays in that process: "alsa"
// (our own writer, the default of audio-output) or "oto".
func openCard(ctx context.Context, sp Spec, env Env, writer string) (audio.Sink, error) {
	device := sp.Arg
	name := writer
	if device != "" {
		name += ":" + device
	}
	if writer == "alsa" && env.PlayCard != nil {
		return env.PlayCard(ctx, device, name)
	}
	if env.DeviceCommand == nil {
		return nil, ErrNoDeviceCommand
	}
	command := func() *exec.Cmd { return env.DeviceCommand(device) }
	if writer != "alsa" {
		command = func() *exec.Cmd {
			c := env.DeviceCommand(device)
			c.Args = append(c.Args, "--writer", writer)
			return c
		}
	}
	logger := env.Logger
	if logger != nil {
		logger = logger.With("component", "output")
	}
	sink := audio.NewDeviceSink(env.Rate, env.Buffer, name, command, logger)
	_ = sink.Open(ctx) // a card that does not open now is the sink's to report
	return sink, nil
}
