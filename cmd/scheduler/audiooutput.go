package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/icecast"
)

// audioOutputCommand is the hidden output process of serve: it holds the
// sound card and plays what the station sends through its standard input
// (audio.ServeDevice). serve starts it again whenever the card is lost.
func (m *Main) audioOutputCommand() *cobra.Command {
	var rate int
	var buffer time.Duration
	var device, tmp string
	cmd := &cobra.Command{
		Use:    "audio-output",
		Short:  "The station's sound card process (started by serve)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The station decides when this process ends (it closes the
			// pipe): a Ctrl-C on the terminal or systemd's SIGTERM must not
			// cut the sound before the station has logged what it cut.
			signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
			leanRealTime()
			err := audio.ServeDevice(cmd.Context(), audio.Rate(rate), buffer, device, tmp, os.Stdin, os.Stdout)
			if err != nil {
				return reported{code: 1} // the station logs it
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&rate, "rate", 48000, "sample rate")
	cmd.Flags().DurationVar(&buffer, "buffer", 500*time.Millisecond, "device buffer")
	cmd.Flags().StringVar(&device, "device", "", "ALSA device (empty: the default)")
	cmd.Flags().StringVar(&tmp, "tmp", os.TempDir(), "folder for the ALSA configuration that names the device")
	return cmd
}

// deviceSink is serve's sound card output: the card is held by a child
// process that the sink starts again when the card is lost.
func (m *Main) deviceSink(out config.Output) (*audio.DeviceSink, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the scheduler binary to start the audio output: %w", err)
	}
	rate, buffer := m.cfg.Audio.SampleRate, m.cfg.Audio.Buffer
	name := "alsa"
	if out.Device != "" {
		name += ":" + out.Device
	}
	command := func() *exec.Cmd {
		c := exec.Command(exe, "audio-output", "--rate", fmt.Sprint(rate), "--buffer", buffer.String(),
			"--device", out.Device, "--tmp", m.dataDir)
		// Its own process group: the terminal's Ctrl-C goes to the station,
		// which closes the pipe when it has closed its log.
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		return c
	}
	return audio.NewDeviceSink(audio.Rate(rate), buffer, name, command, m.logger.With("component", "output")), nil
}

// stationSink opens serve's output. A sound card is held by a child process
// and kept trying: if it does not open now, the station says so loudly,
// logs airings as failed while it is away, and plays again when it comes.
func (m *Main) stationSink(ctx context.Context, clock audio.Clock) (audio.Sink, string, error) {
	spec := m.cfg.Audio.Output
	out, err := config.ParseOutput(spec)
	if err != nil || out.Kind == "null" || out.Kind == "file" || out.Kind == icecast.Scheme {
		return m.startSink(ctx, spec, true, clock)
	}
	sink, err := m.deviceSink(out)
	if err != nil {
		return nil, "", err
	}
	if err := sink.Open(ctx); err != nil {
		fmt.Fprintf(m.Stderr, "\n!!! %s\n!!! %v\n!!! %s\n\n",
			m.T("KHÔNG MỞ ĐƯỢC THIẾT BỊ ÂM THANH — LOA SẼ KHÔNG PHÁT.", "NO AUDIO DEVICE COULD BE OPENED — NOTHING WILL BE HEARD."), err,
			m.T("Trạm vẫn chạy và thử lại thiết bị liên tục; đến khi có lại, mỗi lượt phát được ghi là 'lỗi phát' (không có thiết bị âm thanh). Kiểm tra card âm thanh, dây nối, hoặc đặt audio.output.",
				"The station keeps running and keeps trying the device; until it is back, every airing is logged as failed (no audio device). Check the sound card and cables, or set audio.output."))
	}
	return sink, "", nil
}

// leanRealTime tunes the Go runtime of a process that plays to the sound
// card through oto in real time (audio-output, and play to ALSA), where
// nearly all the time is spent waiting for the device:
//   - one P: oto writes to ALSA in a blocking cgo call; with one P the
//     runtime's monitor thread takes the P back at once and sleeps, where
//     with two it polls every 20 µs–10 ms (half the CPU measured while
//     playing);
//   - a GC target of 25 %: the heap a player keeps is small and steady, so
//     a tighter target costs nothing while playing and keeps the peak
//     memory down (about 1 MB less, measured).
func leanRealTime() {
	runtime.GOMAXPROCS(1)
	debug.SetGCPercent(25)
}
