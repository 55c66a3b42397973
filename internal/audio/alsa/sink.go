package alsa

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
)

// Sink plays the deck to the sound card in this process, with the writer
// of ServeDevice: `play` uses it, where there is one programme to play and
// no station to keep on the air while a lost card is retried. It saves
// play the output process (its start-up, its memory and the pipe's
// wake-ups). serve keeps the output process (audio.DeviceSink), which
// reopens a lost card cleanly while the station goes on.
//
// Honesty is that of the output process: what is heard is what was
// written less what the card still holds (snd_pcm_delay); a card that did
// not open, or failed, says so through DeviceState, and the station logs
// the airing failed or interrupted with what was heard.
type Sink struct {
	rate   audio.Rate
	buffer time.Duration
	device string
	name   string

	pcm *pcm
	// A cut (Flush) hands its floor to Run, wakes its poll through the
	// pipe (wake) and waits for flushed: the card is only ever touched
	// by Run's thread.
	floors  chan int64
	flushed chan struct{}
	wake    *os.File
	// Played: base frames heard at baseAt, moving on in real time but
	// never past ceiling (what the card was given).
	mu            sync.Mutex
	deck          *audio.Deck
	err           error
	changed       chan struct{}
	base, ceiling int64
	baseAt        time.Time
	flowing       bool
}

// OpenSink opens the ALSA device ("" is ALSA's default) at rate with about
// buffer of buffer. A device that does not open gives a sink all the
// same, whose DeviceState says why (and whose Run plays nothing), so that
// the station logs what it could not play as failed; err says it too.
func OpenSink(rate audio.Rate, buffer time.Duration, device, name string) (*Sink, error) {
	s := &Sink{rate: rate, buffer: buffer, device: device, name: name, changed: make(chan struct{}),
		floors: make(chan int64, 1), flushed: make(chan struct{}, 1)}
	s.pcm, s.err = openPCM(device, rate, buffer)
	return s, s.err
}

// Name describes the output ("alsa", "alsa:hw:1").
func (s *Sink) Name() string { return s.name }

// DeviceState is nil while the card plays, or why it does not.
func (s *Sink) DeviceState() (<-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed, s.err
}

// Played is the deck frame being heard now.
func (s *Sink) Played() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil || !s.flowing {
		return s.base
	}
	return min(s.base+s.rate.N(time.Since(s.baseAt)), max(s.base, s.ceiling))
}

// Drain waits until what was handed to the card has had time to play, as
// DeviceSink's does (by the count, not by asking the card: Run keeps
// writing it meanwhile, from its own thread).
func (s *Sink) Drain() {
	s.mu.Lock()
	d := s.deck
	s.mu.Unlock()
	if d == nil {
		return
	}
	time.Sleep(s.rate.D(d.Handed()-s.Played()) + s.buffer/2)
}

// Close closes the card.
func (s *Sink) Close() error {
	if s.pcm != nil {
		s.pcm.close()
	}
	return nil
}

// Run writes the deck to the card whenever it has room, until ctx is done
// (then it closes the card) or the card fails (an error wrapping
// audio.ErrNoDevice, also told through DeviceState).
func (s *Sink) Run(ctx context.Context, d *audio.Deck) error {
	if s.pcm == nil {
		<-ctx.Done()
		return nil
	}
	defer s.pcm.close()
	wakeR, wakeW, err := os.Pipe()
	if err != nil {
		return s.fail(fmt.Errorf("%w: %v", audio.ErrNoDevice, err))
	}
	defer wakeR.Close()
	defer wakeW.Close()
	s.mu.Lock()
	s.deck, s.wake = d, wakeW
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.wake = nil
		s.mu.Unlock()
	}()
	d.SetFlusher(s)
	defer d.SetFlusher(nil)
	var junk [64]byte
	stallAfter := max(5*time.Second, 10*s.buffer)
	lastTaken := time.Now()
	var buf []float32
	for ctx.Err() == nil {
		ready, woken, err := s.pcm.wait(int(wakeR.Fd()), 100*time.Millisecond)
		if err != nil {
			return s.fail(err)
		}
		if woken {
			_, _ = wakeR.Read(junk[:])
			select {
			case floor := <-s.floors:
				if err := s.flush(d, floor); err != nil {
					return s.fail(err)
				}
			default:
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
			time.Sleep(s.rate.D(int64(s.pcm.period/2 - avail)))
			continue
		}
		lastTaken = time.Now()
		frames := min(avail, s.pcm.buffer)
		if cap(buf) < frames*audio.Channels {
			buf = make([]float32, frames*audio.Channels)
		}
		b := buf[:frames*audio.Channels]
		held := int64(s.pcm.delay())
		now := time.Now()
		handed := d.Handed()
		n := d.Pull(b, now.Add(s.rate.D(held)), true)
		s.mu.Lock()
		s.base = max(handed-held, 0)
		s.baseAt, s.ceiling, s.flowing = now, handed+int64(n), true
		s.mu.Unlock()
		if err := s.pcm.write(b[:n*audio.Channels]); err != nil {
			return s.fail(err)
		}
	}
	return nil
}

// Flush drops what the card holds of the deck's frames from floor on, if
// all it holds is (a cut; see audio.Flusher): Run does it, between writes,
// and this waits for it (a second at most).
func (s *Sink) Flush(floor int64) {
	s.mu.Lock()
	w, ok := s.wake, s.err == nil && s.flowing
	s.mu.Unlock()
	if w == nil || !ok {
		return
	}
	select {
	case <-s.flushed: // a late answer to an earlier flush
	default:
	}
	select {
	case s.floors <- floor:
	default: // one is waiting already; it drops as much
	}
	if _, err := w.Write([]byte{1}); err != nil {
		return
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-s.flushed:
	case <-t.C:
	}
}

// flush is Flush on Run's thread: what the card holds is the last frames
// handed out; drop them if they are all at or after floor, tell the deck.
func (s *Sink) flush(d *audio.Deck, floor int64) error {
	defer func() {
		select {
		case s.flushed <- struct{}{}:
		default:
		}
	}()
	held := int64(s.pcm.delay())
	handed := d.Handed()
	if held <= 0 || handed-held < floor {
		return nil
	}
	if err := s.pcm.drop(); err != nil {
		return err
	}
	d.Dropped(held, handed)
	s.mu.Lock()
	s.base, s.ceiling, s.baseAt = handed-held, handed-held, time.Now()
	s.mu.Unlock()
	return nil
}

// fail keeps err as the card's state (heard stays at the last frame known
// heard) and returns it.
func (s *Sink) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flowing {
		s.base = min(s.base+s.rate.N(time.Since(s.baseAt)), max(s.base, s.ceiling))
	}
	s.err, s.flowing = err, false
	close(s.changed)
	s.changed = make(chan struct{})
	return err
}
