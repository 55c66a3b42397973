package audio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// DeviceSink plays through the sound card held by a child process (the
// hidden `scheduler audio-output` command, alsa.ServeDevice), and keeps
// trying when the card goes away.
//
// Why a child process: a device that failed (a USB card unplugged, the
// sound server gone) is reopened cleanly by a fresh process, and only that
// process links libasound. Re-executing the whole station would
// cut its state (the open airing rows, the control socket, the web app) at
// every retry. A small output process is cheap to restart with backoff
// while the station goes on: it logs the airing that was cut as
// interrupted, the slots that come while the card is away as failed ("no
// audio device"), and plays again as soon as a new output process opens
// the card.
//
// The child asks for frames when the card has room and the parent pulls them
// from the deck right then, so timing and gaplessness are those of an
// in-process player; the pipe adds microseconds.
type DeviceSink struct {
	rate    Rate
	buffer  time.Duration
	name    string
	command func() *exec.Cmd
	logger  *slog.Logger

	// RetryMin and RetryMax bound the wait between attempts to open the
	// card again (doubling from RetryMin); StallAfter is how long the
	// card may go without asking for samples before it counts as lost;
	// ReadyTimeout is how long a new output process may take to open it.
	RetryMin, RetryMax, StallAfter, ReadyTimeout time.Duration

	mu      sync.Mutex
	err     error // nil while the card plays
	changed chan struct{}
	since   time.Time // of the current state
	child   *deviceChild
	serving *deviceChild // the output process being fed
	deck    *Deck
	// What has been heard: base frames at baseAt, and no more than
	// ceiling frames (what the card has been given, less its buffer).
	base, ceiling int64
	baseAt        time.Time
	flowing       bool
}

// errNotOpen is the state before the first output process reports.
var errNotOpen = fmt.Errorf("%w: the audio output is not open yet", ErrNoDevice)

// NewDeviceSink makes a sink whose output processes are started by command
// (which must run ServeDevice on its standard input and output). name
// describes the output ("alsa", "alsa:hw:1").
func NewDeviceSink(rate Rate, buffer time.Duration, name string, command func() *exec.Cmd, logger *slog.Logger) *DeviceSink {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &DeviceSink{rate: rate, buffer: buffer, name: name, command: command, logger: logger,
		RetryMin: time.Second, RetryMax: 15 * time.Second, StallAfter: max(5*time.Second, 10*buffer), ReadyTimeout: 15 * time.Second,
		err: errNotOpen, changed: make(chan struct{}), since: time.Now()}
}

// Name describes the output.
func (s *DeviceSink) Name() string { return s.name }

// DeviceState is nil while the card plays, or why it does not; the channel
// is closed at the next change.
func (s *DeviceSink) DeviceState() (<-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed, s.err
}

// Open starts the first output process and waits until it has opened the
// card (or failed to). Run goes on from there, and keeps trying on failure.
func (s *DeviceSink) Open(ctx context.Context) error {
	c, err := s.start(ctx)
	if err != nil {
		s.setDown(err)
		_, err = s.DeviceState()
		return err
	}
	s.mu.Lock()
	s.child = c
	s.mu.Unlock()
	s.setUp(c)
	return nil
}

// Close ends the output process that Open started if Run never took it
// over (a zone whose other output did not open).
func (s *DeviceSink) Close() error {
	s.mu.Lock()
	c := s.child
	s.child = nil
	s.mu.Unlock()
	if c != nil {
		c.stop()
	}
	return nil
}

// Run feeds the deck to the card until ctx is done. A card that fails or
// goes away does not end it: the output process is started again, waiting
// RetryMin, then twice as long each time up to RetryMax, until it plays.
// DeviceState tells the station meanwhile.
func (s *DeviceSink) Run(ctx context.Context, d *Deck) error {
	d.SetFlusher(s)
	defer d.SetFlusher(nil)
	s.mu.Lock()
	s.deck = d
	c := s.child
	s.child = nil
	s.mu.Unlock()
	wait := s.RetryMin
	attempts := 0
	for {
		var err error
		if c == nil {
			c, err = s.start(ctx)
			if err == nil {
				s.setUp(c)
			}
		}
		if c != nil {
			wait, attempts = s.RetryMin, 0
			err = s.serve(ctx, c, d)
			c.stop()
			c = nil
		}
		if ctx.Err() != nil {
			return nil
		}
		attempts++
		s.setDown(err)
		if attempts%10 == 0 {
			s.logger.Warn("still no audio device; trying again", "output", s.name, "attempts", attempts, "down_for", s.downFor().Round(time.Second), "err", err)
		} else {
			s.logger.Debug("audio device did not open; trying again", "output", s.name, "in", wait, "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, s.RetryMax)
	}
}

func (s *DeviceSink) downFor() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Since(s.since)
}

func (s *DeviceSink) setUp(c *deviceChild) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wasDown := s.err
	s.err = nil
	var handed int64
	if s.deck != nil {
		handed = s.deck.Handed()
	}
	s.base, s.ceiling, s.baseAt, s.flowing = handed, handed, time.Now(), false
	if wasDown != nil {
		if wasDown != errNotOpen {
			s.logger.Warn("audio device is back", "output", s.name, "down_for", time.Since(s.since).Round(time.Second))
		}
		s.since = time.Now()
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

func (s *DeviceSink) setDown(err error) {
	if err == nil {
		err = errors.New("the audio output stopped")
	}
	if !errors.Is(err, ErrNoDevice) {
		// The output process's words come as text; keep one prefix.
		err = fmt.Errorf("%w: %s", ErrNoDevice, shortDeviceError(DeviceDetail(err)))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wasUp := s.err == nil
	first := s.err == errNotOpen
	s.err = err
	s.flowing = false
	if wasUp || first {
		if wasUp {
			s.logger.Error("audio device lost; the station keeps trying it", "output", s.name, "err", err)
		} else {
			s.logger.Error("audio device did not open; the station keeps trying it", "output", s.name, "err", err)
		}
		s.since = time.Now()
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

// Played is the deck frame being heard now. While the card plays, it
// moves on in real time from what the output process last reported; once
// the card is lost, it stays at the last frame known to have been heard.
func (s *DeviceSink) Played() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil || !s.flowing {
		return s.base
	}
	return min(s.base+s.rate.N(time.Since(s.baseAt)), max(s.base, s.ceiling))
}

// Drain waits until what was handed to the card has had time to play.
func (s *DeviceSink) Drain() {
	s.mu.Lock()
	d := s.deck
	s.mu.Unlock()
	if d == nil {
		return
	}
	time.Sleep(s.rate.D(d.Handed()-s.Played()) + s.buffer/2)
}

// Flush drops what the sound card holds of the deck's frames from floor on
// (see Deck.SetFlusher): it asks the output process and waits for its
// answer, which the serving loop passes to the deck (Deck.Dropped) before
// it refills the card. A cut is then heard at once, not after the card's
// buffer.
func (s *DeviceSink) Flush(floor int64) {
	s.mu.Lock()
	c := s.serving
	ok := c != nil && s.err == nil && s.flowing
	s.mu.Unlock()
	if !ok {
		return
	}
	// The process counts the frames it was sent; it was sent the deck's
	// from frame c.offset on.
	from := uint64(max(0, floor-c.offset))
	select {
	case <-c.flushed: // a late answer to an earlier flush
	default:
	}
	if err := c.w.sendMsg(pipeMsg{kind: pipeFlush, a: uint32(from), b: uint32(from >> 32)}, nil); err != nil {
		return
	}
	t := time.NewTimer(flushWait)
	defer t.Stop()
	select {
	case <-c.flushed:
	case <-c.exited:
	case <-t.C:
		s.logger.Warn("the audio output did not answer a flush; the cut is heard after what it holds", "output", s.name, "waited", flushWait)
	}
}

// flushWait bounds how long a cut waits for the output process to drop what
// its player holds (it answers in milliseconds).
const flushWait = time.Second

// deviceChild is one output process.
type deviceChild struct {
	cmd          *exec.Cmd
	in           io.WriteCloser
	w            *pipeWriter // writes to in
	out          *os.File
	stderr       *tailBuffer
	exited       chan struct{}
	deviceFrames int64
	stopOnce     sync.Once
	// offset is the deck frame of the first frame sent to this process
	// (it counts frames from there); flushed signals its answer to a
	// flush.
	offset  int64
	flushed chan struct{}
}

// start runs an output process and waits for it to open the card.
func (s *DeviceSink) start(ctx context.Context) (*deviceChild, error) {
	cmd := s.command()
	c := &deviceChild{cmd: cmd, stderr: &tailBuffer{max: 2048}, exited: make(chan struct{}), flushed: make(chan struct{}, 1)}
	cmd.Stderr = c.stderr
	var err error
	if c.in, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	c.w = &pipeWriter{w: c.in}
	// A pipe of our own, not StdoutPipe: Wait closes that one as soon as
	// the process exits, and a process that fails at once (a card that
	// does not open) would lose its last words to the closed pipe.
	out, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	c.out = out
	cmd.Stdout = w
	err = cmd.Start()
	w.Close() // the process has its own copy
	if err != nil {
		out.Close()
		return nil, fmt.Errorf("start the audio output process: %w", err)
	}
	go func() { cmd.Wait(); close(c.exited) }()
	type result struct {
		m   pipeMsg
		err error
	}
	first := make(chan result, 1)
	go func() {
		m, err := readPipeMsg(c.out)
		first <- result{m, err}
	}()
	timer := time.NewTimer(s.ReadyTimeout)
	defer timer.Stop()
	select {
	case r := <-first:
		if r.err == nil && r.m.kind == pipeReady {
			c.deviceFrames = int64(r.m.a)
			return c, nil
		}
		c.stop()
		if r.err == nil && r.m.kind == pipeFailed {
			return nil, errors.New(r.m.text)
		}
		return nil, c.exitError(r.err)
	case <-timer.C:
		c.stop()
		return nil, fmt.Errorf("the audio output did not open within %v", s.ReadyTimeout)
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	}
}

// exitError says why an output process ended without a word.
func (c *deviceChild) exitError(err error) error {
	<-c.exited
	msg := fmt.Sprintf("the audio output process ended (%v)", c.cmd.ProcessState)
	if tail := c.stderr.lastLine(); tail != "" {
		msg += ": " + tail
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		msg += fmt.Sprintf(" [%v]", err)
	}
	return errors.New(msg)
}

// stop closes the pipe (the process exits by itself) and kills it if it
// has not after a second.
func (c *deviceChild) stop() {
	c.stopOnce.Do(func() {
		c.in.Close()
		select {
		case <-c.exited:
		case <-time.After(time.Second):
			c.cmd.Process.Kill()
			<-c.exited
		}
		c.out.Close()
	})
}

// serve answers the output process's requests until it fails or ctx is
// done; it returns why the card was lost.
func (s *DeviceSink) serve(ctx context.Context, c *deviceChild, d *Deck) error {
	stopWatch := context.AfterFunc(ctx, func() { c.in.Close() })
	defer stopWatch()
	var stalled sync.Once
	stall := make(chan struct{})
	watchdog := time.AfterFunc(s.StallAfter, func() {
		stalled.Do(func() { close(stall) })
		c.cmd.Process.Kill()
	})
	defer watchdog.Stop()
	lost := func(err error) error {
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-stall:
			return fmt.Errorf("the sound card stopped taking samples for %v", s.StallAfter)
		default:
		}
		return c.exitError(err)
	}
	c.offset = d.Handed()
	s.mu.Lock()
	s.serving = c
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.serving = nil
		s.mu.Unlock()
	}()
	var buf []float32
	var raw []byte
	for {
		m, err := readPipeMsg(c.out)
		if err != nil {
			return lost(err)
		}
		frames, buffered := int(m.a), m.b
		switch m.kind {
		case pipeFailed:
			return errors.New(m.text)
		case pipeReady:
			continue
		case pipeDropped:
			// The process dropped m.a frames from its player; the m.b
			// frames sent after them still play first, then the m.c
			// asked for now.
			if m.a > 0 {
				d.Dropped(int64(m.a), d.Handed()-int64(m.b))
				s.logger.Info("cut: the output dropped what it held", "output", s.name, "dropped", s.rate.D(int64(m.a)).Round(time.Millisecond))
			}
			select {
			case c.flushed <- struct{}{}:
			default:
			}
			if m.c == 0 {
				continue
			}
			frames = int(m.c)
		case pipeFrames, pipeFlush:
			return fmt.Errorf("the audio output process sent message %d", m.kind)
		}
		watchdog.Reset(s.StallAfter)
		if frames <= 0 || frames > int(s.rate)*10 {
			return fmt.Errorf("the audio output process asked for %d frames", frames)
		}
		latency := int64(buffered) + c.deviceFrames
		now := time.Now()
		handed := d.Handed()
		if cap(buf) < frames*Channels {
			buf = make([]float32, frames*Channels)
			if !littleEndian {
				raw = make([]byte, frames*Channels*4)
			}
		}
		b := buf[:frames*Channels]
		n := d.Pull(b, now.Add(s.rate.D(latency)), true)
		out := sampleBytes(b[:n*Channels], raw)
		s.mu.Lock()
		// Heard now: all handed out before this request, less what the
		// player and the card still hold.
		s.base = max(handed-latency, 0)
		s.baseAt, s.ceiling, s.flowing = now, handed+int64(n)-c.deviceFrames, true
		s.mu.Unlock()
		if err := c.w.sendMsg(pipeMsg{kind: pipeFrames, a: uint32(n)}, out); err != nil {
			return lost(err)
		}
	}
}

// tailBuffer keeps the last max bytes written to it (the output process's
// standard error: ALSA's own messages).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(bytes.ToValidUTF8(t.b, nil))), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// shortDeviceError keeps the first device of a list of the ALSA devices
// tried ("default": Connection refused, "plug:default": …, as oto wrote
// them): the one the operator configured, and a reason short enough for the
// airing log.
func shortDeviceError(text string) string {
	i := strings.Index(text, "snd_pcm_open: ")
	if i < 0 {
		return text
	}
	if j := strings.Index(text[i:], ", \""); j > 0 {
		return text[:i+j]
	}
	return text
}
