// Package alsa holds the sound card: it is the output process of serve and
// play (the hidden `scheduler audio-output` command), which plays the
// frames the station sends over the device pipe (audio.DeviceSink) through
// ALSA's libasound. It is the only package of the station, beside the
// SQLite driver, that needs cgo.
//
// Why our own writer rather than oto: a cut must be heard within half a
// second and the first sound of `play` within 300 ms. oto's player reads
// ahead of the card and its ALSA writer holds a period it cannot drop, and
// a newly opened oto context must first play silence for the heard position
// to be honest. Here the card is written with snd_pcm_writei from the
// station's frames as it asks for them, a cut drops what it holds
// (snd_pcm_drop), and snd_pcm_delay says how much is not yet heard, from
// the first frame on.
package alsa

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
)

// ServeDevice opens the ALSA device ("" is ALSA's default) at rate with
// about buffer of buffer, tells the station (over in and out) it is ready,
// and plays the frames the station sends whenever the card has room for a
// period. On a cut the station asks it to flush: it drops what the card
// holds, if all of it may be dropped. It returns when the card fails
// (after telling the station why), when the station closes the pipe (after
// playing out what the card holds), or when ctx is done. It never logs:
// the station does, once.
func ServeDevice(ctx context.Context, rate audio.Rate, buffer time.Duration, device string, in io.Reader, out io.Writer) error {
	end := audio.NewDeviceEnd(in, out)
	p, err := openPCM(device, rate, buffer)
	if err != nil {
		_ = end.Fail(err)
		return err
	}
	defer p.close()
	// A flush or the end of the pipe wakes the loop's wait on the card
	// through this pipe.
	var wake [2]int
	if err := syscall.Pipe2(wake[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		err = fmt.Errorf("%w: wake pipe: %v", audio.ErrNoDevice, err)
		_ = end.Fail(err)
		return err
	}
	defer syscall.Close(wake[0])
	defer syscall.Close(wake[1])
	// snd_pcm_delay counts everything written and not yet heard: nothing
	// is held beyond it.
	if err := end.Ready(0); err != nil {
		return fmt.Errorf("device pipe: %w", err)
	}
	s := &server{pcm: p, end: end, wake: wake[1], frames: make(chan []float32), flushes: make(chan int64, 1),
		readErr: make(chan error, 1), done: make(chan struct{})}
	defer close(s.done)
	go s.receive()
	stop := context.AfterFunc(ctx, func() { s.wakeUp() })
	defer stop()
	return s.run(ctx, wake[0])
}

// server plays what the station sends.
type server struct {
	pcm     *pcm
	end     *audio.DeviceEnd
	wake    int            // the wake pipe's writing end
	frames  chan []float32 // received samples, in the order asked
	flushes chan int64
	readErr chan error
	done    chan struct{}
	// given counts the station's frames written to the card.
	given int64
}

// wakeUp makes a wait on the card return.
func (s *server) wakeUp() { _, _ = syscall.Write(s.wake, []byte{0}) }

// receive reads what the station sends: frames for run, flush requests,
// and the end of the pipe.
func (s *server) receive() {
	bufs := [2][]float32{}
	for i := 0; ; i ^= 1 {
		m, buf, err := s.end.Receive(bufs[i])
		bufs[i] = buf
		if err != nil {
			s.readErr <- err
			s.wakeUp()
			return
		}
		switch {
		case m.Flush:
			select {
			case s.flushes <- m.Floor:
			default: // one is waiting already; it drops as much
			}
			s.wakeUp()
		default:
			// run is done with the other buffer by the time it asks again.
			select {
			case s.frames <- buf:
			case <-s.done:
				return
			}
		}
	}
}

// run is the playing loop: wait for room, ask, write; a flush between.
func (s *server) run(ctx context.Context, wakeFD int) error {
	// A card that takes nothing for this long is lost (the station also
	// watches: it restarts a process that stops asking).
	stallAfter := max(5*time.Second, 10*s.pcm.rate.D(int64(s.pcm.buffer)))
	lastTaken := time.Now()
	var scratch [256]byte
	for {
		select {
		case floor := <-s.flushes:
			if err := s.flush(floor); err != nil {
				return s.fail(err)
			}
			continue
		case err := <-s.readErr:
			if errors.Is(err, io.EOF) {
				// The station is done with us, once its log is closed:
				// play out what the card holds.
				s.pcm.drain(s.pcm.rate.D(int64(s.pcm.buffer)) + 100*time.Millisecond)
				return nil
			}
			return fmt.Errorf("device pipe: %w", err)
		default:
		}
		if ctx.Err() != nil {
			return nil
		}
		ready, err := s.pcm.wait(wakeFD, time.Second)
		if err != nil {
			return s.fail(err)
		}
		if !ready {
			_, _ = syscall.Read(wakeFD, scratch[:]) // empty it (it does not block)
			if time.Since(lastTaken) > stallAfter {
				return s.fail(fmt.Errorf("%w: ALSA device %q took no samples for %v", audio.ErrNoDevice, s.pcm.name, stallAfter.Round(time.Second)))
			}
			continue
		}
		avail, err := s.pcm.avail()
		if err != nil {
			return s.fail(err)
		}
		if avail < s.pcm.period {
			continue
		}
		lastTaken = time.Now()
		want := min(avail, s.pcm.buffer) / s.pcm.period * s.pcm.period
		if err := s.end.Request(want, s.pcm.delay()); err != nil {
			return fmt.Errorf("device pipe: %w", err)
		}
		var samples []float32
		select {
		case samples = <-s.frames:
		case err := <-s.readErr:
			s.readErr <- err // seen at the top of the loop
			continue
		}
		if err := s.pcm.write(samples); err != nil {
			return s.fail(err)
		}
		s.given += int64(len(samples) / audio.Channels)
	}
}

// flush drops what the card holds if all of it is at or after the station's
// frame floor (counted as given counts), and tells the station.
func (s *server) flush(floor int64) error {
	held := s.pcm.delay()
	dropped := 0
	if held > 0 && s.given-int64(held) >= floor {
		if err := s.pcm.drop(); err != nil {
			return err
		}
		dropped = held
		s.given -= int64(held)
	}
	if err := s.end.Dropped(dropped, 0, 0); err != nil {
		return fmt.Errorf("device pipe: %w", err)
	}
	return nil
}

// fail tells the station why the card does not play, and returns err.
func (s *server) fail(err error) error {
	_ = s.end.Fail(err)
	return err
}
