package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
)

// Fanout feeds one deck to several outputs: the first pulls the deck and
// sets its pace (and drops what it holds on a cut); every frame it pulls is
// copied to each of the others, which play it from a deck of their own.
//
// It is honest the conservative way: Played is the least heard across the
// outputs, and DeviceState reports a failure, naming the output, while any
// output is lost. So the log never says a zone's programme was heard where
// one of its outputs did not play it.
type Fanout struct {
	sinks   []audio.Sink
	mirrors []*mirror // for sinks[1:]

	mu      sync.Mutex
	err     error
	changed chan struct{}
	running bool
}

// mirrorHold bounds how far (in time) an output may fall behind the first
// before the oldest frames it has not taken are dropped.
const mirrorHold = 10 * time.Second

// NewFanout makes one sink of sinks (at least two). paced: the outputs run
// in real time, and one that finds nothing to play (the first is away)
// plays silence rather than wait.
func NewFanout(sinks []audio.Sink, paced bool) *Fanout {
	f := &Fanout{sinks: sinks, changed: make(chan struct{})}
	for range sinks[1:] {
		f.mirrors = append(f.mirrors, newMirror(paced))
	}
	f.err = f.state()
	return f
}

// Name lists the outputs.
func (f *Fanout) Name() string {
	name := ""
	for i, s := range f.sinks {
		if i > 0 {
			name += " + "
		}
		name += s.Name()
	}
	return name
}

// Outputs are the sinks fed, the first first.
func (f *Fanout) Outputs() []audio.Sink { return f.sinks }

// Played is the least of what the outputs have heard, in frames of the
// deck's timeline.
func (f *Fanout) Played() int64 {
	p := f.sinks[0].Played()
	for i, m := range f.mirrors {
		p = min(p, m.deckFrame(f.sinks[i+1].Played()))
	}
	return p
}

// Run feeds d to every output until ctx is done or one fails.
func (f *Fanout) Run(ctx context.Context, d *audio.Deck) error {
	rate := d.Rate()
	for _, m := range f.mirrors {
		m.start(rate, d.Handed())
	}
	d.SetTap(f)
	defer d.SetTap(nil)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(f.sinks))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs <- f.sinks[0].Run(ctx, d)
	}()
	for i, m := range f.mirrors {
		mctx, mcancel := context.WithCancel(context.WithoutCancel(ctx))
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- f.sinks[i+1].Run(mctx, m.deck)
		}()
		go func() {
			// When the first stops, the others play what they were
			// given (a file gets every frame), for a second at most.
			defer wg.Done()
			defer mcancel()
			select {
			case <-ctx.Done():
			case <-mctx.Done():
				return
			}
			m.close()
			m.drained(mctx, time.Second)
		}()
	}
	if f.watches() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.watch(ctx)
		}()
	}
	var first error
	select {
	case first = <-errs:
		cancel()
	case <-ctx.Done():
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		first = errors.Join(first, err)
	}
	return first
}

// Handed copies what the first output pulled to the others (audio.Tap).
func (f *Fanout) Handed(from int64, frames []float32) {
	for _, m := range f.mirrors {
		m.push(from, frames)
	}
}

// Dropped takes what the first output dropped on a cut out of what the
// others have not played yet (audio.Tap).
func (f *Fanout) Dropped(n, end int64) {
	for _, m := range f.mirrors {
		m.dropped(n, end)
	}
}

// Listeners is the listeners of the stream outputs, added up
// (audio.ListenerCounter): the clusters that receive the zone through any
// of its mounts. ok is false when there is no stream output, or a count
// could not be read.
func (f *Fanout) Listeners() (int, bool) {
	total, counted := 0, false
	for _, s := range f.sinks {
		if c, ok := s.(audio.ListenerCounter); ok {
			n, ok := c.Listeners()
			if !ok {
				return 0, false
			}
			total, counted = total+n, true
		}
	}
	return total, counted
}

// Drain waits until every output has played what it was given.
func (f *Fanout) Drain() {
	var wg sync.WaitGroup
	for _, s := range f.sinks {
		if d, ok := s.(interface{ Drain() }); ok {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.Drain()
			}()
		}
	}
	wg.Wait()
}

// Close lets go of outputs that hold something (a sound card process).
func (f *Fanout) Close() error {
	var err error
	for _, s := range f.sinks {
		if c, ok := s.(interface{ Close() error }); ok {
			err = errors.Join(err, c.Close())
		}
	}
	return err
}

// watches reports whether any output can be lost (audio.DeviceWatcher).
func (f *Fanout) watches() bool {
	for _, s := range f.sinks {
		if _, ok := s.(audio.DeviceWatcher); ok {
			return true
		}
	}
	return false
}

// state is the first lost output's reason, naming it, or nil.
func (f *Fanout) state() error {
	for _, s := range f.sinks {
		w, ok := s.(audio.DeviceWatcher)
		if !ok {
			continue
		}
		if _, err := w.DeviceState(); err != nil {
			if errors.Is(err, audio.ErrServerUnreachable) || errors.Is(err, audio.ErrServerLost) {
				return err // a stream's error names its server and mount; the station words it
			}
			return fmt.Errorf("%w: %s: %s", audio.ErrNoDevice, s.Name(), audio.DeviceDetail(err))
		}
	}
	return nil
}

// DeviceState is nil while every output plays, or why one does not (an
// error wrapping audio.ErrNoDevice that names it); the channel is closed
// at the next change.
func (f *Fanout) DeviceState() (<-chan struct{}, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.running {
		f.err = f.state()
	}
	return f.changed, f.err
}

// watch follows the outputs' states while Run runs.
func (f *Fanout) watch(ctx context.Context) {
	f.mu.Lock()
	f.running = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running = false
		f.mu.Unlock()
	}()
	for {
		cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())}}
		for _, s := range f.sinks {
			if w, ok := s.(audio.DeviceWatcher); ok {
				ch, _ := w.DeviceState()
				cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
			}
		}
		err := f.state()
		f.mu.Lock()
		if (err == nil) != (f.err == nil) || (err != nil && err.Error() != f.err.Error()) {
			f.err = err
			close(f.changed)
			f.changed = make(chan struct{})
		}
		f.mu.Unlock()
		if i, _, _ := reflect.Select(cases); i == 0 {
			return
		}
	}
}

// mirror is what an output other than the first plays: the frames the
// first pulled, queued, on a deck of its own with one endless cue.
type mirror struct {
	paced bool
	deck  *audio.Deck

	mu     sync.Mutex
	cond   *sync.Cond
	rate   audio.Rate
	queue  []float32 // samples not yet given to the output
	qFrom  int64     // the deck frame of queue's first frame
	given  int64     // frames given to the output's deck
	spans  []span    // how given frames map to deck frames
	closed bool
	// cueLive: a cue on the output's deck plays the queue.
	cueLive bool
}

// span says that the frames given from given on are the deck's from frame
// on (silence: all of them stand at frame, none was the deck's).
type span struct {
	given, frame int64
	silence      bool
}

func newMirror(paced bool) *mirror {
	m := &mirror{paced: paced}
	m.cond = sync.NewCond(&m.mu)
	return m
}

func (m *mirror) start(rate audio.Rate, handed int64) {
	m.mu.Lock()
	m.rate, m.qFrom, m.closed = rate, handed, false
	m.queue, m.given = m.queue[:0], 0
	m.spans = []span{{given: 0, frame: handed}}
	m.deck = audio.NewDeck(rate)
	// Paced, one endless cue plays from the output's first frame: the
	// silence it gives while the first output is away is counted in
	// spans, where silence the deck made up would not be. Unpaced, a cue
	// is queued whenever frames come (push).
	m.cueLive = m.paced
	m.mu.Unlock()
	if m.paced {
		m.enqueue()
	}
}

// enqueue queues a cue that plays the queue on the output's deck.
func (m *mirror) enqueue() {
	m.deck.TakeEvents() // nobody reads the output's own deck's events
	m.deck.Enqueue(audio.NewCue("fan-out", nil, m, nil))
}

func (m *mirror) push(from int64, frames []float32) {
	if m.pushLocked(from, frames) {
		// Queued once m.mu is let go: the output's deck may be pulling
		// now, and it takes m.mu under its own lock.
		m.enqueue()
	}
}

// pushLocked queues frames and reports whether a cue must be queued to
// play them.
func (m *mirror) pushLocked(from int64, frames []float32) (needCue bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	if len(m.queue) == 0 {
		m.qFrom = from
	}
	needCue = !m.cueLive
	m.cueLive = true
	m.queue = append(m.queue, frames...)
	if over := len(m.queue)/audio.Channels - int(m.rate.N(mirrorHold)); over > 0 {
		// The output fell far behind: it never gets the oldest.
		m.queue = m.queue[:copy(m.queue, m.queue[over*audio.Channels:])]
		m.qFrom += int64(over)
		m.spans = append(m.spans, span{given: m.given, frame: m.qFrom})
	}
	m.cond.Broadcast()
	return needCue
}

// dropped takes the deck frames [end-n, end) out of the queue and numbers
// the frames after them n lower; frames of that stretch already given to
// the output count as silence.
func (m *mirror) dropped(n, end int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	from := end - n
	qEnd := m.qFrom + int64(len(m.queue)/audio.Channels)
	if lo, hi := max(from, m.qFrom), min(end, qEnd); lo < hi {
		a, b := int(lo-m.qFrom)*audio.Channels, int(hi-m.qFrom)*audio.Channels
		m.queue = append(m.queue[:a], m.queue[b:]...)
	}
	switch {
	case m.qFrom >= end:
		m.qFrom -= n
	case m.qFrom > from:
		m.qFrom = from
	}
	// Frames given from the dropped stretch were never the deck's.
	var out []span
	for i, s := range m.spans {
		next := m.given
		if i+1 < len(m.spans) {
			next = m.spans[i+1].given
		}
		if s.silence {
			s.frame = mapFrame(s.frame, from, end, n)
			out = append(out, s)
			continue
		}
		lo, hi := s.frame, s.frame+(next-s.given)
		if hi <= from || lo >= end {
			s.frame = mapFrame(s.frame, from, end, n)
			out = append(out, s)
			continue
		}
		if lo < from {
			out = append(out, s)
		}
		out = append(out, span{given: s.given + max(0, from-lo), frame: from, silence: true})
		if hi > end {
			out = append(out, span{given: s.given + (end - lo), frame: from})
		}
	}
	m.spans = out
}

// mapFrame is where deck frame f stands once [from, end) (n frames) is
// dropped.
func mapFrame(f, from, end, n int64) int64 {
	switch {
	case f >= end:
		return f - n
	case f > from:
		return from
	}
	return f
}

// deckFrame is the deck frame heard once the output has played p frames of
// its own deck.
func (m *mirror) deckFrame(p int64) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	p = min(p, m.given)
	for i := len(m.spans) - 1; i >= 0; i-- {
		s := m.spans[i]
		if s.given > p {
			continue
		}
		// Spans before the one being heard are no longer needed.
		m.spans = m.spans[i:]
		if s.silence {
			return s.frame
		}
		return s.frame + (p - s.given)
	}
	return 0
}

// Stream gives the output the frames the first pulled (audio.Streamer).
// Paced, it gives silence when there are none after a short wait (the
// first output is away), so that a sound card keeps running.
func (m *mirror) Stream(dst []float32) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.queue) == 0 && !m.closed {
		if !m.paced {
			// Unpaced, the output plays what there is and waits for the
			// next (push queues a new cue).
			m.cueLive = false
			return 0, io.EOF
		}
		m.waitFor(m.rate.D(int64(len(dst) / audio.Channels)))
	}
	if len(m.queue) == 0 {
		if m.closed {
			m.cueLive = false
			return 0, io.EOF
		}
		n := len(dst) / audio.Channels
		clear(dst[:n*audio.Channels])
		if last := m.spans[len(m.spans)-1]; !last.silence {
			m.spans = append(m.spans, span{given: m.given, frame: last.frame + (m.given - last.given), silence: true})
		}
		m.given += int64(n)
		return n, nil
	}
	if last := m.spans[len(m.spans)-1]; last.silence || last.frame+(m.given-last.given) != m.qFrom {
		m.spans = append(m.spans, span{given: m.given, frame: m.qFrom})
	}
	k := copy(dst[:len(dst)/audio.Channels*audio.Channels], m.queue)
	m.queue = m.queue[:copy(m.queue, m.queue[k:])]
	n := k / audio.Channels
	m.qFrom += int64(n)
	m.given += int64(n)
	return n, nil
}

// waitFor waits (m.mu held) until frames come, the mirror closes, or d
// passes.
func (m *mirror) waitFor(d time.Duration) {
	t := time.AfterFunc(d, func() {
		m.mu.Lock()
		m.cond.Broadcast()
		m.mu.Unlock()
	})
	defer t.Stop()
	deadline := time.Now().Add(d)
	for len(m.queue) == 0 && !m.closed && time.Now().Before(deadline) {
		m.cond.Wait()
	}
}

// close ends the cue once the queue is played.
func (m *mirror) close() {
	m.mu.Lock()
	m.closed = true
	m.cond.Broadcast()
	m.mu.Unlock()
}

// drained waits until the output's deck has played out the cue, ctx is
// done, or limit passes.
func (m *mirror) drained(ctx context.Context, limit time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for !m.deck.Idle() {
		t := time.NewTimer(5 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
