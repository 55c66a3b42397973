package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
)

// Fanout feeds one deck to several outputs: the first pulls the deck and
// sets its pace (and drops what it holds on a cut); every frame it pulls is
// copied to each of the others, which play it from a deck of their own.
//
// The zone plays while any output plays: DeviceState reports it dead only
// when every output is lost, Played counts only the outputs that play, and
// Missed (audio.PartialReporter) names the outputs that missed a stretch,
// so the log says which of them did not carry an airing heard through the
// others. While the first output is lost, the fan-out pulls the deck
// itself in real time for the others; an output that comes back plays
// from the live position, not from what piled up while it was away.
type Fanout struct {
	sinks   []audio.Sink
	mirrors []*mirror // for sinks[1:]

	mu      sync.Mutex
	err     error
	changed chan struct{}
	running bool
	// lost is, by output, why it does not play now (nil while it does);
	// lostAt the deck frame it was last heard at; gaps the stretches
	// outputs missed that are over (the newest maxGaps).
	lost   []error
	lostAt []int64
	gaps   []audio.OutputGap
	// standIn stops the puller that stands in for the first output while
	// it is lost.
	standIn context.CancelFunc
}

// maxGaps bounds the finished gaps kept for Missed: the station asks about
// the airings on air, which span a few gaps at most.
const maxGaps = 256

// mirrorHold bounds how far (in time) an output may fall behind the first
// before the oldest frames it has not taken are dropped.
const mirrorHold = 10 * time.Second

// NewFanout makes one sink of sinks (at least two). paced: the outputs run
// in real time, and one that finds nothing to play (the first is away)
// plays silence rather than wait.
func NewFanout(sinks []audio.Sink, paced bool) *Fanout {
	f := &Fanout{sinks: sinks, changed: make(chan struct{}), lost: make([]error, len(sinks)), lostAt: make([]int64, len(sinks))}
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

// Played is the least of what the outputs that play have heard, in frames
// of the deck's timeline: a lost output does not hold the zone back. With
// every output lost, it is the least of what they had heard.
func (f *Fanout) Played() int64 {
	f.mu.Lock()
	lost := slices.Clone(f.lost)
	f.mu.Unlock()
	return f.playedBy(lost, -1)
}

// playedBy is Played over the outputs not lost, leaving out output skip
// too (-1: none).
func (f *Fanout) playedBy(lost []error, skip int) int64 {
	p, any := int64(0), false
	all := int64(0)
	for i := range f.sinks {
		h := f.heard(i)
		if i == 0 || h < all {
			all = h
		}
		if i == skip || lost[i] != nil {
			continue
		}
		if !any || h < p {
			p, any = h, true
		}
	}
	if !any {
		return all
	}
	return p
}

// heard is the deck frame output i has heard.
func (f *Fanout) heard(i int) int64 {
	if i == 0 {
		return f.sinks[0].Played()
	}
	return f.mirrors[i-1].deckFrame(f.sinks[i].Played())
}

// Run feeds d to every output until ctx is done or one fails.
func (f *Fanout) Run(ctx context.Context, d *audio.Deck) error {
	rate := d.Rate()
	for _, m := range f.mirrors {
		m.start(rate, d.Handed())
	}
	d.SetTap(f)
	defer d.SetTap(nil)
	if f.flushes() {
		d.PinFlusher(f)
		defer d.PinFlusher(nil)
	}
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
			f.watch(ctx, d)
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

// flushes reports whether any output can drop what it holds on a cut.
func (f *Fanout) flushes() bool {
	for _, s := range f.sinks {
		if _, ok := s.(audio.Flusher); ok {
			return true
		}
	}
	return false
}

// Flush drops, on a cut, what every output holds of the deck's frames from
// floor on (audio.Flusher): the first's through the deck (which tells the
// others' queues, Dropped), then, at once, each other's own.
func (f *Fanout) Flush(floor int64) {
	if fl, ok := f.sinks[0].(audio.Flusher); ok {
		fl.Flush(floor)
	}
	var wg sync.WaitGroup
	for i, m := range f.mirrors {
		fl, ok := f.sinks[i+1].(audio.Flusher)
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fl.Flush(m.givenOf(floor))
		}()
	}
	wg.Wait()
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
	// The gaps stand on the deck's timeline, which closes over the stretch.
	from := end - n
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.gaps {
		f.gaps[i].From, f.gaps[i].To = mapFrame(f.gaps[i].From, from, end, n), mapFrame(f.gaps[i].To, from, end, n)
	}
	for i := range f.lostAt {
		f.lostAt[i] = mapFrame(f.lostAt[i], from, end, n)
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

// states is, by output, why it does not play now (nil while it does).
func (f *Fanout) states() []error {
	out := make([]error, len(f.sinks))
	for i, s := range f.sinks {
		if w, ok := s.(audio.DeviceWatcher); ok {
			_, out[i] = w.DeviceState()
		}
	}
	return out
}

// state is nil while any output plays; with every output lost, the first
// one's reason, naming it.
func (f *Fanout) state() error {
	return zoneState(f.sinks, f.states())
}

func zoneState(sinks []audio.Sink, lost []error) error {
	for _, err := range lost {
		if err == nil {
			return nil
		}
	}
	return outputError(sinks[0], lost[0])
}

// outputError is why output s does not play, naming it: a stream's error
// names its server and mount already (the station words it).
func outputError(s audio.Sink, err error) error {
	if errors.Is(err, audio.ErrServerUnreachable) || errors.Is(err, audio.ErrServerLost) {
		return err
	}
	return fmt.Errorf("%w: %s: %s", audio.ErrNoDevice, s.Name(), audio.DeviceDetail(err))
}

// DeviceState is nil while any output plays, or, once every output is
// lost, why the first does not (an error wrapping audio.ErrNoDevice that
// names it); the channel is closed at the next change.
func (f *Fanout) DeviceState() (<-chan struct{}, error) {
	f.mu.Lock()
	running := f.running
	f.mu.Unlock()
	var err error
	if !running {
		// Asked of the outputs without f.mu held: Dropped takes f.mu
		// under the deck's lock, which a card's sink takes under its own.
		err = f.state()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !running {
		f.err = err
	}
	return f.changed, f.err
}

// Missed lists the stretches of [from, to) that outputs missed while they
// were lost, a gap still open running to the output's return or to
// (audio.PartialReporter). Empty while every output played all of it.
func (f *Fanout) Missed(from, to int64) []audio.OutputGap {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []audio.OutputGap
	clip := func(g audio.OutputGap) {
		g.From, g.To = max(g.From, from), min(g.To, to)
		if g.From < g.To {
			out = append(out, g)
		}
	}
	for _, g := range f.gaps {
		clip(g)
	}
	for i, err := range f.lost {
		if err != nil {
			clip(audio.OutputGap{Output: f.sinks[i].Name(), From: f.lostAt[i], To: to, Err: outputError(f.sinks[i], err)})
		}
	}
	return out
}

// watch follows the outputs' states while Run runs: it notes when each is
// lost and comes back, stands in for the first while it is lost, and
// brings an output that returns to the live position.
func (f *Fanout) watch(ctx context.Context, d *audio.Deck) {
	f.mu.Lock()
	f.running = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running = false
		if f.standIn != nil {
			f.standIn()
			f.standIn = nil
		}
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
		f.follow(ctx, d, f.states())
		if i, _, _ := reflect.Select(cases); i == 0 {
			return
		}
	}
}

// follow takes in the outputs' states now.
func (f *Fanout) follow(ctx context.Context, d *audio.Deck, now []error) {
	f.mu.Lock()
	prev := slices.Clone(f.lost)
	f.mu.Unlock()
	for i := range f.sinks {
		switch {
		case prev[i] == nil && now[i] != nil:
			// Lost: it was last heard where it stands.
			at := f.heard(i)
			f.mu.Lock()
			f.lost[i], f.lostAt[i] = now[i], at
			f.mu.Unlock()
		case prev[i] != nil && now[i] == nil:
			// Back: it plays from the live position on.
			live := f.playedBy(prev, i)
			if i > 0 {
				f.mirrors[i-1].skipTo(live)
			}
			f.mu.Lock()
			f.gaps = append(f.gaps, audio.OutputGap{Output: f.sinks[i].Name(), From: f.lostAt[i], To: max(live, f.lostAt[i]), Err: outputError(f.sinks[i], prev[i])})
			if len(f.gaps) > maxGaps {
				f.gaps = slices.Delete(f.gaps, 0, len(f.gaps)-maxGaps)
			}
			f.lost[i] = nil
			f.mu.Unlock()
		case now[i] != nil:
			f.mu.Lock()
			f.lost[i] = now[i] // the reason may change while it stays lost
			f.mu.Unlock()
		}
	}
	err := zoneState(f.sinks, now)
	f.mu.Lock()
	defer f.mu.Unlock()
	// While the first output is lost and another plays, pull the deck in
	// its stead, so that the others keep getting the programme.
	if stand := now[0] != nil && err == nil; stand && f.standIn == nil {
		sctx, cancel := context.WithCancel(ctx)
		f.standIn = cancel
		go pullInRealTime(sctx, d)
	} else if !stand && f.standIn != nil {
		f.standIn()
		f.standIn = nil
	}
	if (err == nil) != (f.err == nil) || (err != nil && err.Error() != f.err.Error()) {
		f.err = err
		close(f.changed)
		f.changed = make(chan struct{})
	}
}

// standInStep is how much the stand-in pulls at a time.
const standInStep = 20 * time.Millisecond

// pullInRealTime pulls d at its rate until ctx is done: what the first
// output would have pulled, handed on to the others through the tap.
func pullInRealTime(ctx context.Context, d *audio.Deck) {
	rate := d.Rate()
	buf := make([]float32, rate.N(standInStep)*2*audio.Channels)
	start, pulled := time.Now(), int64(0)
	t := time.NewTicker(standInStep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for due := rate.N(time.Since(start)); pulled < due; {
			n := min(due-pulled, int64(len(buf)/audio.Channels))
			d.Pull(buf[:n*audio.Channels], time.Now(), true)
			pulled += n
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
	m.deck.SetTap(givenTap{m})
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

// givenTap hears what the output dropped of what it was given on a flush
// (Fanout.Flush): the frames after it are given n frames lower.
type givenTap struct{ m *mirror }

func (givenTap) Handed(int64, []float32) {}

func (t givenTap) Dropped(n, end int64) { t.m.givenDropped(n, end) }

// givenDropped takes the given frames [end-n, end) out of the spans.
func (m *mirror) givenDropped(n, end int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	from := end - n
	for i := range m.spans {
		switch g := m.spans[i].given; {
		case g >= end:
			m.spans[i].given -= n
		case g > from:
			m.spans[i].given = from
		}
	}
	m.given -= n
}

// givenOf is the first given frame that is deck frame frame or later (the
// frames given to the output are the deck's, in order, with silence).
func (m *mirror) givenOf(frame int64) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range m.spans {
		next := m.given
		if i+1 < len(m.spans) {
			next = m.spans[i+1].given
		}
		if s.silence {
			if s.frame >= frame {
				return s.given
			}
			continue
		}
		if frame < s.frame+(next-s.given) {
			return s.given + max(0, frame-s.frame)
		}
	}
	return m.given
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

// skipTo drops the queued frames before deck frame live: an output that
// comes back plays with the others, not what piled up while it was away.
func (m *mirror) skipTo(live int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := min(live-m.qFrom, int64(len(m.queue)/audio.Channels))
	if k <= 0 {
		return
	}
	m.queue = m.queue[:copy(m.queue, m.queue[k*audio.Channels:])]
	m.qFrom += k
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
