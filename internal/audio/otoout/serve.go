// Package otoout is the second writer an output process can run (the
// hidden `scheduler audio-output --writer oto`): it plays the frames the
// station sends over the device pipe (audio.DeviceSink) through
// github.com/ebitengine/oto/v3, the library the design names for audio
// output. It is chosen per output with the scheme oto or oto:DEVICE.
//
// Why keep it beside our own writer (internal/audio/alsa): oto is a
// maintained, widely used player, and a card or driver on which the direct
// writer misbehaves can still play through it. Its cost is latency: oto's
// player reads ahead of the card and its ALSA loop holds a period it cannot
// drop, so a cut is heard later (figures in bench/RESULTS.md), and a newly
// opened context first plays silence so that the heard position counts
// from a full card.
package otoout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unsafe"

	"github.com/ebitengine/oto/v3"

	"github.com/truyenthanh/cchc/internal/audio"
)

// frameBytes is the size of one frame as oto plays it (float32 stereo).
const frameBytes = audio.Channels * 4

// deviceCheckEvery is how often a playing output asks oto whether the
// device failed: oto offers no notice, only Err to poll.
const deviceCheckEvery = time.Second

// ServeDevice opens the ALSA device ("" is ALSA's default) through oto at
// rate with the given device buffer, tells the station (over in and out) it
// is ready, and plays the frames the station sends whenever oto asks for
// more. On a cut the station asks it to flush: it drops what oto's player
// holds, so the cut is heard after the card's own buffer only. It returns
// when the device fails (after telling the station why), when the station
// closes the pipe (after playing out a device buffer), or when ctx is done.
// It never logs: the station does, once.
//
// A device other than the default is reached by pointing ALSA's default at
// it through a configuration file in a folder of its own under tmpDir
// (oto opens only "default"); the folder is removed on return.
func ServeDevice(ctx context.Context, rate audio.Rate, buffer time.Duration, device, tmpDir string, in io.Reader, out io.Writer) error {
	// At least a device period in the player, or the output stutters
	// (oto's ALSA loop asks for a whole period at a time and fills what
	// the player lacks with silence).
	return serve(ctx, rate, buffer, max(buffer, 50*time.Millisecond), device, tmpDir, in, out)
}

// serve is ServeDevice with oto's player buffer of the caller's (a test
// over ALSA's unpaced file plugin takes the whole programme into it).
func serve(ctx context.Context, rate audio.Rate, buffer, playerBuffer time.Duration, device, tmpDir string, in io.Reader, out io.Writer) error {
	end := audio.NewDeviceEnd(in, out)
	if device != "" && device != "default" {
		dir, err := pointALSADefault(device, tmpDir)
		if err != nil {
			_ = end.Fail(err)
			return err
		}
		if dir != "" {
			defer os.RemoveAll(dir)
		}
	}
	octx, ready, err := oto.NewContext(&oto.NewContextOptions{
		SampleRate:   int(rate),
		ChannelCount: audio.Channels,
		Format:       oto.FormatFloat32LE,
		BufferSize:   buffer,
	})
	if err == nil {
		<-ready
		err = octx.Err()
	}
	if err != nil {
		err = fmt.Errorf("%w: %v", audio.ErrNoDevice, err)
		_ = end.Fail(err)
		return err
	}
	// oto does not report what its ALSA writer holds: count the device
	// buffer as held beyond what the player reports.
	deviceFrames := int(rate.N(buffer))
	if err := end.Ready(deviceFrames); err != nil {
		return fmt.Errorf("device pipe: %w", err)
	}
	// Silence first (two player buffers), until the card is full, so the
	// station's count of what is heard holds from the first frame.
	r := newSource(end, int(rate.N(playerBuffer)), 2*int(rate.N(playerBuffer)))
	player := octx.NewPlayer(r)
	r.player = player
	player.SetBufferSize(r.bufferFrames * frameBytes)
	go r.receive()
	player.Play()
	defer player.Close()
	tick := time.NewTicker(deviceCheckEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case floor := <-r.flushes:
			if err := r.flush(floor); err != nil {
				return fmt.Errorf("device pipe: %w", err)
			}
		case err := <-r.readErr:
			if errors.Is(err, io.EOF) {
				// The station is done, once its log is closed: it
				// counted as heard what oto's writer still holds.
				time.Sleep(buffer)
				return nil
			}
			return fmt.Errorf("device pipe: %w", err)
		case <-tick.C:
			err := octx.Err()
			if err == nil {
				err = player.Err()
			}
			if err != nil {
				err = fmt.Errorf("%w: %v", audio.ErrNoDevice, err)
				_ = end.Fail(err)
				return err
			}
		}
	}
}

// pointALSADefault writes an ALSA configuration that makes "default" the
// named device and points ALSA_CONFIG_PATH at it, unless the environment
// already chose a configuration (then it returns ""). It returns the folder
// it made.
func pointALSADefault(device, tmpDir string) (string, error) {
	if os.Getenv("ALSA_CONFIG_PATH") != "" {
		return "", nil
	}
	dir, err := os.MkdirTemp(tmpDir, "cchc-oto-")
	if err != nil {
		return "", fmt.Errorf("%w: make a folder for the ALSA configuration of device %s: %v", audio.ErrNoDevice, device, err)
	}
	path := filepath.Join(dir, "asound.conf")
	conf := fmt.Sprintf("pcm.!default { type plug slave.pcm %q }\n", device)
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("%w: write the ALSA configuration of device %s: %v", audio.ErrNoDevice, device, err)
	}
	return dir, os.Setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:"+path)
}

// player is what source needs of oto's Player.
type player interface {
	BufferedSize() int
	Seek(offset int64, whence int) (int64, error)
}

// source is oto's player source: each read asks the station for exactly
// the frames oto wants and passes them on as they come. A goroutine
// (receive) reads everything the station sends.
type source struct {
	end          *audio.DeviceEnd
	player       player
	bufferFrames int // oto's player buffer
	readErr      chan error
	flushes      chan int64
	warm         int // frames of silence still to give before asking

	mu   sync.Mutex
	cond *sync.Cond
	// pending holds frames received and not yet given to the player;
	// asked is how many more were asked for and have not come.
	pending []float32
	asked   int
	// given counts the station's frames handed to the player.
	given int64
	// flushing: a flush is under way; reads give nothing until the
	// player's buffer has been dropped.
	flushing bool
	// dropped and unsent are the flush's figures for the station.
	dropped, unsent int
	err             error
}

func newSource(end *audio.DeviceEnd, bufferFrames, warm int) *source {
	r := &source{end: end, bufferFrames: bufferFrames, warm: warm,
		readErr: make(chan error, 1), flushes: make(chan int64, 1)}
	r.cond = sync.NewCond(&r.mu)
	return r
}

// Read gives oto float32 little-endian frames: silence while warming up,
// then the station's.
func (r *source) Read(p []byte) (int, error) {
	frames := len(p) / frameBytes
	if frames == 0 {
		return 0, nil
	}
	if r.warm > 0 {
		n := min(frames, r.warm)
		r.warm -= n
		clear(p[:n*frameBytes])
		return n * frameBytes, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 && r.asked == 0 && !r.flushing && r.err == nil {
		buffered := r.player.BufferedSize() / frameBytes
		r.asked = frames
		if err := r.end.Request(frames, buffered); err != nil {
			r.fail(err)
		}
	}
	for len(r.pending) == 0 && r.asked > 0 && !r.flushing && r.err == nil {
		r.cond.Wait()
	}
	if r.flushing {
		return 0, nil // oto tries again a moment later
	}
	if len(r.pending) == 0 && r.err != nil {
		if errors.Is(r.err, io.EOF) {
			clear(p[:frames*frameBytes]) // playing out: see ServeDevice
			return frames * frameBytes, nil
		}
		return 0, r.err
	}
	n := min(frames, len(r.pending)/audio.Channels)
	copy(p[:n*frameBytes], sampleBytes(r.pending[:n*audio.Channels]))
	r.pending = r.pending[:copy(r.pending, r.pending[n*audio.Channels:])]
	r.given += int64(n)
	return n * frameBytes, nil
}

// sampleBytes is samples as bytes in memory order (oto's format is
// float32 little-endian; the machines the station runs on are
// little-endian, and DeviceEnd decodes into native floats).
func sampleBytes(s []float32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*4)
}

// fail records err for the readers and reports it to ServeDevice (r.mu
// held).
func (r *source) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.cond.Broadcast()
	select {
	case r.readErr <- err:
	default:
	}
}

// receive reads what the station sends: frames onto pending, flush
// requests to ServeDevice.
func (r *source) receive() {
	var buf []float32
	for {
		m, b, err := r.end.Receive(buf)
		buf = b
		if err == nil && m.Flush {
			select {
			case r.flushes <- m.Floor:
			default: // one is waiting already; it drops as much
			}
			continue
		}
		r.mu.Lock()
		if err != nil {
			r.fail(err)
			r.mu.Unlock()
			return
		}
		r.pending = append(r.pending, buf[:m.Frames*audio.Channels]...)
		r.asked = max(0, r.asked-m.Frames)
		r.cond.Broadcast()
		r.mu.Unlock()
	}
}

// flush drops what oto's player holds, if all of it is at or after the
// station's frame floor (counted as r.given counts), and tells the station.
// oto's Seek empties the player and, with the player's lock held, calls
// Seek below, which gets the frames that play next before oto asks for
// them: the device, which takes from the player under the same lock, never
// finds it empty.
func (r *source) flush(floor int64) error {
	r.mu.Lock()
	r.flushing = true
	r.cond.Broadcast()
	r.mu.Unlock()
	held := r.player.BufferedSize() / frameBytes
	r.mu.Lock()
	r.unsent = len(r.pending)/audio.Channels + r.asked
	if held <= 0 || r.given-int64(held) < floor || r.err != nil {
		r.flushing = false
		r.cond.Broadcast()
		unsent := r.unsent
		r.mu.Unlock()
		return r.end.Dropped(0, unsent, 0)
	}
	r.dropped = held
	r.mu.Unlock()
	_, err := r.player.Seek(0, io.SeekCurrent)
	return err
}

// Seek is called by oto's Player.Seek once the player's buffer is empty,
// with the player locked: it tells the station what was dropped and waits
// for the frames that fill the player again.
func (r *source) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.flushing {
		return 0, nil
	}
	r.asked += r.bufferFrames
	if err := r.end.Dropped(r.dropped, r.unsent, r.bufferFrames); err != nil {
		r.fail(err)
	}
	for r.asked > 0 && r.err == nil {
		r.cond.Wait()
	}
	r.given -= int64(r.dropped)
	r.flushing, r.dropped = false, 0
	r.cond.Broadcast()
	return 0, r.err
}
