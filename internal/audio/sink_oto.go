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
	"unsafe"

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
	// warm is how many frames of silence Read still gives before the
	// deck's (see warmUp).
	warm int
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
	// One file per device: the output processes of several zones start
	// at once in the same folder.
	path := filepath.Join(tmpDir, "asound-output-"+safeFileName(device)+".conf")
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
	s.warm = warmUp(s.rate, s.PlayerBuffer)
	s.player.Play()
	defer s.player.Close()
	tick := time.NewTicker(deviceCheckEvery)
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

// deviceCheckEvery is how often a playing output asks oto whether the
// device failed. oto offers no notice, only Err to poll, and each poll wakes
// the process (and the Go runtime's monitor thread with it): at ten a
// second the polling cost more CPU than playing. A failed device is found
// within a second; what was heard is counted by frames, not by this check.
const deviceCheckEvery = time.Second

// warmUp is how much silence a newly opened output plays before the
// deck's first frame: two of oto's player buffers. Until the sound card
// has once been filled, it holds less than its buffer, by however much oto
// wrote to it before the player started; a frame handed then is heard
// sooner than latency counts (a first airing was logged up to 0.2 s after
// its first sound). After the player has passed on more than a buffer the
// card is full, and latency holds to within a device period.
func warmUp(rate Rate, playerBuffer time.Duration) int {
	return int(2 * rate.N(playerBuffer))
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

// Read hands oto whole frames of float32 little-endian samples. On a
// little-endian machine with an aligned buffer (oto's are) the deck writes
// straight into it; otherwise through a float buffer, sample by sample.
func (r otoReader) Read(p []byte) (int, error) {
	s := r.s
	frames := len(p) / (Channels * 4)
	if frames == 0 {
		return 0, nil
	}
	if s.warm > 0 {
		n := min(frames, s.warm)
		s.warm -= n
		clear(p[:n*Channels*4])
		return n * Channels * 4, nil
	}
	at := time.Now().Add(s.rate.D(s.latency()))
	if floats, ok := floatView(p[:frames*Channels*4]); ok {
		n := s.deck.Pull(floats, at, true)
		return n * Channels * 4, nil
	}
	if cap(s.buf) < frames*Channels {
		s.buf = make([]float32, frames*Channels)
	}
	buf := s.buf[:frames*Channels]
	n := s.deck.Pull(buf, at, true)
	for i, v := range buf[:n*Channels] {
		binary.LittleEndian.PutUint32(p[i*4:], math.Float32bits(v))
	}
	return n * Channels * 4, nil
}

// littleEndian is whether float32s in memory are laid out as oto reads
// them.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// floatView is p seen as float32 samples, when that is how oto would read
// them: a little-endian machine and a 4-byte aligned buffer.
func floatView(p []byte) ([]float32, bool) {
	if !littleEndian || len(p) < 4 || uintptr(unsafe.Pointer(&p[0]))%4 != 0 {
		return nil, false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&p[0])), len(p)/4), true
}

// sampleBytes is samples as float32 little-endian bytes: the samples' own
// memory on a little-endian machine, else written into raw (which must
// hold them).
func sampleBytes(samples []float32, raw []byte) []byte {
	if len(samples) == 0 {
		return raw[:0]
	}
	if littleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(&samples[0])), len(samples)*4)
	}
	out := raw[:len(samples)*4]
	for i, v := range samples {
		binary.LittleEndian.PutUint32(out[i*4:], math.Float32bits(v))
	}
	return out
}

// Drain waits until what was handed to the device has had time to play.
func (s *OtoSink) Drain() { time.Sleep(s.rate.D(s.latency()) + s.buffer/2) }

// Close suspends the device: no more frames are written to it. oto cannot
// release its Context; the process keeps it until exit.
func (s *OtoSink) Close() error { return s.ctx.Suspend() }

// safeFileName keeps letters, digits, dots and dashes of name, for a file
// name; anything else becomes an underscore.
func safeFileName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}
