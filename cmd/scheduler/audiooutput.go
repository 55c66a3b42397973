package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/audio/alsa"
	"github.com/truyenthanh/cchc/internal/audio/otoout"
)

// audioOutputCommand is the hidden output process of serve: it holds the
// sound card and plays what the station sends through its standard input
// (alsa.ServeDevice, our own writer; or otoout.ServeDevice, oto's, for the
// oto output). serve starts it again whenever the card is lost.
func (m *Main) audioOutputCommand() *cobra.Command {
	var rate int
	var buffer time.Duration
	var device, writer string
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
			var err error
			switch writer {
			case "alsa":
				err = alsa.ServeDevice(cmd.Context(), audio.Rate(rate), buffer, device, os.Stdin, os.Stdout)
			case "oto":
				err = otoout.ServeDevice(cmd.Context(), audio.Rate(rate), buffer, device, os.TempDir(), os.Stdin, os.Stdout)
			default:
				return fmt.Errorf("--writer %q: want alsa or oto", writer)
			}
			if err != nil {
				return reported{code: 1} // the station logs it
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&rate, "rate", 48000, "sample rate")
	cmd.Flags().DurationVar(&buffer, "buffer", 500*time.Millisecond, "device buffer")
	cmd.Flags().StringVar(&device, "device", "", "ALSA device (empty: the default)")
	cmd.Flags().StringVar(&writer, "writer", "alsa", "what writes the card: alsa (our own writer) or oto (ebitengine/oto)")
	return cmd
}

// leanRealTime tunes the Go runtime of the process that plays to the sound
// card in real time (audio-output, and play, which writes the card itself),
// where nearly all the time is spent waiting for the device:
//   - one P: it waits for ALSA in a blocking cgo call (poll); with one P the
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
