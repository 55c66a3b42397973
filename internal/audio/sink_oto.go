package audio

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"
)

// OtoSink plays through the sound card (ALSA on Linux) with one oto Context
// and one long-lived Player reading from the deck, so segments join without
// gaps. oto allows one Context per process.
type OtoSink struct {
	rate         Rate
	ctx          *oto.Context
	player       *oto.Player
	deviceFrames int64
	device       string
	// PlayerBuffer is how much oto's player reads ahead of the device
	// (default: the device buffer); set it before Run.
	PlayerBuffer time.Duration
	buffer       time.Duration

	mu   sync.Mutex
	deck *Deck
	buf  []float32
}

// OpenOto opens the sound card at rate with the given device buffer. device
// is an ALSA PCM name ("" for the default); it is reached by pointing ALSA's
// default at it through a private configuration file in tmpDir. It waits
// until the device is ready and returns an error wrapping ErrNoDevice when
// none opens.
func OpenOto(rate Rate, buffer time.Duration, device, tmpDir string) (*OtoSink, error) {
	if device != "" && device != "default" {
		if err := pointALSADefault(device, tmpDir); err != nil {
			return nil, err
		}
	}
	octx, ready, err := oto.NewContext(&oto.NewContextOptions{
		SampleRate:   int(rate),
		ChannelCount: Channels,
		Format:       oto.FormatFloat32LE,
		BufferSize:   buffer,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoDevice, err)
	}
	<-ready
	if err := octx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoDevice, err)
	}
	s := &OtoSink{rate: rate, ctx: octx, deviceFrames: rate.N(buffer), device: device, buffer: buffer}
	return s, nil
}

// pointALSADefault writes an ALSA configuration that makes "default" the
// named device and points ALSA_CONFIG_PATH at it (unless the environment
// already chose a configuration).
func pointALSADefault(device, tmpDir string) error {
	if os.Getenv("ALSA_CONFIG_PATH") != "" {
		return nil
	}
	path := filepath.Join(tmpDir, "asound-output.conf")
	conf := fmt.Sprintf("pcm.!default { type plug slave.pcm %q }\n", device)
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return fmt.Errorf("write ALSA configuration for device %s: %w", device, err)
	}
	return os.Setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:"+path)
}

// Name describes the output.
func (s *OtoSink) Name() string {
	if s.device == "" {
		return "alsa"
	}
	return "alsa:" + s.device
}

// Run plays the deck until ctx is done or the device fails.
func (s *OtoSink) Run(ctx context.Context, d *Deck) error {
	s.mu.Lock()
	s.deck = d
	s.mu.Unlock()
	s.player = s.ctx.NewPlayer(otoReader{s})
	// oto's ALSA backend asks the player for a whole device period (half
	// the device buffer) at a time and fills what the player has not
	// buffered with silence: a player buffer shorter than a period makes the
	// output stutter (a paced PulseAudio capture showed 50 ms of sound, 17 ms
	// of silence, over and over). The device buffer's length is safe.
	if s.PlayerBuffer <= 0 {
		s.PlayerBuffer = max(s.buffer, 50*time.Millisecond)
	}
	s.player.SetBufferSize(int(s.rate.N(s.PlayerBuffer)) * Channels * 4)
	s.player.Play()
	defer s.player.Close()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if err := s.ctx.Err(); err != nil {
				return fmt.Errorf("%w: %v", ErrNoDevice, err)
			}
			if err := s.player.Err(); err != nil {
				return fmt.Errorf("%w: %v", ErrNoDevice, err)
			}
		}
	}
}

// latency is how many frames handed out are not yet heard.
func (s *OtoSink) latency() int64 {
	if s.player == nil {
		return 0
	}
	return int64(s.player.BufferedSize())/(Channels*4) + s.deviceFrames
}

// Played is the deck frame being heard now.
func (s *OtoSink) Played() int64 {
	s.mu.Lock()
	d := s.deck
	s.mu.Unlock()
	if d == nil {
		return 0
	}
	p := d.Handed() - s.latency()
	if p < 0 {
		return 0
	}
	return p
}

type otoReader struct{ s *OtoSink }

// Read hands oto whole frames of float32 little-endian samples.
func (r otoReader) Read(p []byte) (int, error) {
	s := r.s
	frames := len(p) / (Channels * 4)
	if frames == 0 {
		return 0, nil
	}
	if cap(s.buf) < frames*Channels {
		s.buf = make([]float32, frames*Channels)
	}
	buf := s.buf[:frames*Channels]
	at := time.Now().Add(s.rate.D(s.latency()))
	n := s.deck.Pull(buf, at, true)
	for i, v := range buf[:n*Channels] {
		binary.LittleEndian.PutUint32(p[i*4:], math.Float32bits(v))
	}
	return n * Channels * 4, nil
}

// Drain waits until what was handed to the device has had time to play.
func (s *OtoSink) Drain() { time.Sleep(s.rate.D(s.latency()) + s.buffer/2) }

// Close suspends the device: no more frames are written to it. oto cannot
// release its Context; the process keeps it until exit.
func (s *OtoSink) Close() error { return s.ctx.Suspend() }
