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
	"os"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
)

// ServeDevice opens the ALSA device ("" is ALSA's default) at rate with
// about buffer of buffer, tells the station (over in and out) it is ready,
// and plays the frames the station sends whenever the card has room for a
// period. On a cut the station asks it to flush: it drops what the card
// holds, if all of it may be dropped. It returns when the card fails
// (after telling the station why), when the station closes the pipe (after
// playing out what the card holds), or when ctx is done (noticed within a
// second). It never logs: the station does, once.
//
// One thread does it all: it waits in poll(2) on the card and on in at
// once, so that a flush wakes it like the card does, and reads what the
// station sends when it is there (no goroutine hands it on: each period
// costs one wake-up).
func ServeDevice(ctx context.Context, rate audio.Rate, buffer time.Duration, device string, in *os.File, out io.Writer) error {
	end := audio.NewDeviceEnd(in, out)
	p, err := openPCM(device, rate, buffer)
	if err != nil {
		_ = end.Fail(err)
		return err
	}
	defer p.close()
	// snd_pcm_delay counts everything written and not yet heard: nothing
	// is held beyond it.
	if err := end.Ready(0); err != nil {
		return fmt.Errorf("device pipe: %w", err)
	}
	s := &server{pcm: p, end: end, inFD: int(in.Fd())}
	return s.run(ctx)
}

// server plays what the station sends.
type server struct {
	pcm  *pcm
	end  *audio.DeviceEnd
	inFD int
	buf  []float32
	// given counts the station's frames written to the card.
	given int64
}

// message reads the station's next message: frames into s.buf, or a
// flush (then the floor), or io.EOF when it closed the pipe.
func (s *server) message() (audio.DeviceMsg, error) {
	m, buf, err := s.end.Receive(s.buf)
	s.buf = buf
	return m, err
}

// run is the playing loop: wait for room (or a word from the station), ask,
// write; a flush between.
func (s *server) run(ctx context.Context) error {
	// A card that takes nothing for this long is lost (the station also
	// watches: it restarts a process that stops asking).
	stallAfter := max(5*time.Second, 10*s.pcm.rate.D(int64(s.pcm.buffer)))
	lastTaken := time.Now()
	for {
		if ctx.Err() != nil {
			return nil
		}
		ready, woken, err := s.pcm.wait(s.inFD, time.Second)
		if err != nil {
			return s.fail(err)
		}
		if woken {
			m, err := s.message()
			if err != nil {
				return s.ended(err)
			}
			if !m.Flush {
				return fmt.Errorf("device pipe: %d frames sent unasked", m.Frames)
			}
			if err := s.flush(m.Floor); err != nil {
				return s.fail(err)
			}
			continue
		}
		if !ready {
			if time.Since(lastTaken) > stallAfter {
				return s.fail(fmt.Errorf("%w: ALSA device %q took no samples for %v", audio.ErrNoDevice, s.pcm.name, stallAfter.Round(time.Second)))
			}
			continue
		}
		avail, err := s.pcm.avail()
		if err != nil {
			return s.fail(err)
		}
		if avail < s.pcm.period/2 {
			// The device woke us with little room: wait for more rather
			// than poll again at once.
			time.Sleep(s.pcm.rate.D(int64(s.pcm.period/2 - avail)))
			continue
		}
		lastTaken = time.Now()
		// All the room there is: ALSA's pulse plugin wakes us with a
		// frame less than a period (it counts room in the server's
		// requests, rounded), and would never show a whole one until
		// the next request.
		want := min(avail, s.pcm.buffer)
		if err := s.end.Request(want, s.pcm.delay()); err != nil {
			return fmt.Errorf("device pipe: %w", err)
		}
		// The answer; a flush sent meanwhile is done once it is written.
		flush, floor := false, int64(0)
		for {
			m, err := s.message()
			if err != nil {
				return s.ended(err)
			}
			if m.Flush {
				flush, floor = true, m.Floor
				continue
			}
			break
		}
		if err := s.pcm.write(s.buf); err != nil {
			return s.fail(err)
		}
		s.given += int64(len(s.buf) / audio.Channels)
		if flush {
			if err := s.flush(floor); err != nil {
				return s.fail(err)
			}
		}
	}
}

// ended is the end of the pipe: the station is done with us, once its log
// is closed; play out what the card holds. Any other read error is the
// pipe's.
func (s *server) ended(err error) error {
	if errors.Is(err, io.EOF) {
		s.pcm.drain(s.pcm.rate.D(int64(s.pcm.buffer)) + 100*time.Millisecond)
		return nil
	}
	return fmt.Errorf("device pipe: %w", err)
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
