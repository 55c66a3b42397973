package audio

import (
	"context"
	"errors"
	"io"
	"math"
	"sync"
	"time"
)

// EventKind says what happened to a cue.
type EventKind int

const (
	// CueStarted: the cue's first frame was handed to the sink.
	CueStarted EventKind = iota
	// CueEnded: the cue's last frame was handed to the sink.
	CueEnded
	// CueFailed: the cue's source failed; Err says why. Frames already
	// handed out still play.
	CueFailed
	// CueStopped: the cue was taken off the deck (stop or shutdown).
	CueStopped
)

// Event is something that happened to a cue, stamped with the frame of the
// deck's timeline where it happened and the time at which that frame is (or
// was) heard.
type Event struct {
	Kind  EventKind
	Cue   *Cue
	Frame int64
	At    time.Time
	Err   error
}

// Cue is one thing the deck plays: a segment or a gap of silence.
type Cue struct {
	Name   string
	Tag    any // the owner's handle, e.g. the airing id
	src    Streamer
	closer io.Closer

	started    bool
	StartFrame int64 // deck frame of the first frame (valid once started)
	Frames     int64 // frames handed out so far
	// LongestSilence is the longest run of frames, so far, whose samples
	// all stay below SilenceThresholdDBFS: dead air inside a segment.
	LongestSilence int64
	silentRun      int64

	// StartAt, when set, is when the cue's first frame must be heard: the
	// deck pads with silence up to that frame, so that a slot queued ahead
	// of time (to cover the output's latency) starts on the dot.
	StartAt time.Time

	// holds are the stretches of silence the deck put out while paused in
	// the middle of this cue: deck frames that are not the cue's.
	holds []hold
}

// hold is a stretch of deck frames [from, from+n) of pause silence.
type hold struct{ from, n int64 }

// Heard is how many of the cue's own frames have been heard once the
// output has played the deck up to frame played: the deck frames since the
// cue started, less the silence of pauses in the middle of it, never more
// than the frames handed out. It is the played length of an airing.
// Pull updates the cue under the deck's lock: from outside the deck, while
// the cue may still be playing, call Deck.Heard.
func (c *Cue) Heard(played int64) int64 {
	if !c.started {
		return 0
	}
	h := played - c.StartFrame
	for _, p := range c.holds {
		if played > p.from {
			h -= min(played-p.from, p.n)
		}
	}
	return min(max(0, h), c.Frames)
}

// NewCue wraps a stereo streamer at the deck's rate; closer (may be nil) is
// closed when the cue ends or is stopped.
func NewCue(name string, tag any, src Streamer, closer io.Closer) *Cue {
	return &Cue{Name: name, Tag: tag, src: src, closer: closer}
}

func (c *Cue) close() {
	if c.closer != nil {
		c.closer.Close()
		c.closer = nil
	}
}

// Deck is the single queue that feeds the one long-lived output: cues play
// back to back, gaplessly, and silence fills the time when nothing is
// queued. Sinks pull from it; the station queues cues and reads events.
type Deck struct {
	rate Rate

	mu      sync.Mutex
	queue   []*Cue
	handed  int64 // frames handed out since the deck was made
	events  []Event
	notify  chan struct{}
	busy    chan struct{} // closed while cues are queued and not paused; remade otherwise
	paused  bool
	scratch []float32

	// A cut (Skip, Stop) asks the flusher, when there is one, to drop what
	// the output holds of the cut cues, so that the cut is heard at once.
	flusher Flusher
	pinned  bool // PinFlusher
	// floor is the deck frame after the last cue that ended on its own:
	// frames before it must all be heard; frames from it on belong to the
	// cue being pulled, or are silence, and a cut may drop them.
	floor int64
	// flushing: a cut is waiting for the flusher; meanwhile Pull hands out
	// silence, which the flusher may drop too.
	flushing bool
	cut      []*Cue // the cues taken off by the last cut
	cutEnd   int64  // the deck frame at that cut
	// tap sees the frames handed out (SetTap).
	tap Tap
}

// Flusher is an output that can drop frames it was handed but has not yet
// played (DeviceSink: what the sound card holds in the output process).
type Flusher interface {
	// Flush drops what the output still holds of the deck's frames from
	// floor on, if it can drop all it holds that way, and reports what it
	// dropped with Deck.Dropped before it returns. It must not wait on the
	// deck's lock (Skip and Stop call it without holding it) and must give
	// up after a short while.
	Flush(floor int64)
}

// SetFlusher makes every cut ask f to drop what the output holds of the
// cut cues (nil: cuts are heard after whatever the output holds).
func (d *Deck) SetFlusher(f Flusher) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.pinned {
		d.flusher = f
	}
}

// PinFlusher makes f the flusher until PinFlusher(nil), SetFlusher being
// ignored meanwhile: a sink of several outputs (output.Fanout) pins itself
// so that a cut reaches every output, the one that pulls the deck through
// it.
func (d *Deck) PinFlusher(f Flusher) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flusher, d.pinned = f, f != nil
}

// flush runs the flusher after a cut of cues (under d.mu, which it
// releases while the flusher works and takes again).
func (d *Deck) flush(cues []*Cue) {
	if d.flusher == nil || len(cues) == 0 {
		return
	}
	f, floor := d.flusher, d.floor
	d.flushing, d.cut, d.cutEnd = true, cues, d.handed
	d.mu.Unlock()
	f.Flush(floor)
	d.mu.Lock()
	d.flushing = false
}

// Dropped is the flusher's report: the output dropped the n frames that
// end at deck frame end (end is at most Handed; frames after it were handed
// but are still on their way and play next). They are never heard: the
// deck's timeline closes over them, and the cut cues count only what of
// them was heard.
func (d *Deck) Dropped(n, end int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	end = min(end, d.handed)
	n = min(n, end-d.floor)
	if n <= 0 {
		return
	}
	from := end - n
	// What follows the cut plays from here on.
	d.flushing = false
	for _, c := range d.cut {
		if !c.started {
			continue
		}
		// The cue's frames before the dropped stretch, and any handed
		// after it (a refill still on its way when the cut came).
		c.Frames = c.Heard(min(d.cutEnd, from)) + max(0, d.cutEnd-end)
	}
	for i := range d.events {
		switch f := d.events[i].Frame; {
		case f >= end:
			d.events[i].Frame -= n
		case f > from:
			d.events[i].Frame = from
		}
	}
	if d.cutEnd >= end {
		d.cutEnd -= n
	} else if d.cutEnd > from {
		d.cutEnd = from
	}
	d.handed -= n
	if d.tap != nil {
		d.tap.Dropped(n, end)
	}
}

// NewDeck makes an empty deck at rate.
func NewDeck(rate Rate) *Deck {
	return &Deck{rate: rate, notify: make(chan struct{}, 1), busy: make(chan struct{})}
}

// Rate is the deck's frame rate.
func (d *Deck) Rate() Rate { return d.rate }

// Enqueue adds cues at the end of the queue.
func (d *Deck) Enqueue(cues ...*Cue) {
	d.mu.Lock()
	defer d.mu.Unlock()
	wasIdle := len(d.queue) == 0
	d.queue = append(d.queue, cues...)
	if wasIdle && len(d.queue) > 0 && !d.paused {
		close(d.busy)
		d.flushSilence()
	}
}

// flushSilence asks the flusher, when the deck had nothing to play, to drop
// the silence the output holds, so that what was just queued is heard at
// once rather than after it (a newly opened output has been handed a whole
// buffer of silence before the first cue came). The output drops nothing
// when it still holds frames of a cue that ended (before the floor). Under
// d.mu, which it releases while the flusher works and takes again.
func (d *Deck) flushSilence() {
	if d.flusher == nil || d.flushing || d.handed == d.floor {
		return
	}
	f, floor := d.flusher, d.floor
	d.flushing, d.cut, d.cutEnd = true, nil, d.handed
	d.mu.Unlock()
	f.Flush(floor)
	d.mu.Lock()
	d.flushing = false
}

// Pause holds the deck: from the next frame on it hands out silence (a
// paced output keeps running) or nothing (an unpaced one waits), and the
// cue being played keeps its place. It reports whether the deck was playing.
func (d *Deck) Pause() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.paused {
		return false
	}
	d.paused = true
	if len(d.queue) > 0 {
		d.busy = make(chan struct{})
	}
	return true
}

// Resume plays on from where Pause held the deck. It reports whether the
// deck was paused.
func (d *Deck) Resume() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.paused {
		return false
	}
	d.paused = false
	if len(d.queue) > 0 {
		close(d.busy)
	}
	return true
}

// Paused reports whether the deck is held.
func (d *Deck) Paused() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.paused
}

// Skip takes the cue being played (the first queued) off the deck and
// reports it stopped at the current frame; what follows plays on. It
// returns the cue, or nil when nothing is queued.
func (d *Deck) Skip(now time.Time) *Cue {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.queue) == 0 {
		return nil
	}
	c := d.queue[0]
	d.queue = d.queue[1:]
	c.close()
	d.emit(Event{Kind: CueStopped, Cue: c, Frame: d.handed, At: now})
	if len(d.queue) == 0 && !d.paused {
		d.busy = make(chan struct{})
	}
	d.flush([]*Cue{c})
	return c
}

// Handed is how many frames the deck has handed out in all.
func (d *Deck) Handed() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.handed
}

// Len is how many cues are queued, the one playing included.
func (d *Deck) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queue)
}

// Idle reports whether nothing is queued.
func (d *Deck) Idle() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queue) == 0
}

// WaitBusy blocks until a cue is queued (and the deck is not paused) or ctx
// is done.
func (d *Deck) WaitBusy(ctx context.Context) error {
	d.mu.Lock()
	busy := d.busy
	d.mu.Unlock()
	select {
	case <-busy:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Heard is c.Heard(played) read under the deck's lock, safe while the
// sink's goroutine pulls c's frames.
func (d *Deck) Heard(c *Cue, played int64) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return c.Heard(played)
}

// Pull fills dst with the next frames: cues back to back, then silence when
// the queue runs dry (fill=true), or stopping there (fill=false, used by
// unpaced sinks that must not invent time). now is the time at which the
// first frame of dst will be heard; events are stamped from it. It returns
// the frames written.
func (d *Deck) Pull(dst []float32, now time.Time, fill bool) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	from := d.handed
	n := d.pull(dst, now, fill)
	if d.tap != nil && n > 0 {
		d.tap.Handed(from, dst[:n*Channels])
	}
	return n
}

// Tap sees every frame the deck hands out: a fan-out feeds them to more
// outputs than the one that pulls. Its methods are called under the deck's
// lock and must not block.
type Tap interface {
	// Handed gets the frames handed out from deck frame from on.
	Handed(from int64, frames []float32)
	// Dropped is told when the deck's timeline closes over the n frames
	// that end at deck frame end (see Dropped): frames after end are
	// numbered n lower from then on.
	Dropped(n, end int64)
}

// SetTap makes the deck show every frame it hands out to t (nil: none).
func (d *Deck) SetTap(t Tap) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tap = t
}

func (d *Deck) pull(dst []float32, now time.Time, fill bool) int {
	want := len(dst) / Channels
	n := 0
	if d.flushing {
		// A cut waits for the output to drop what it holds: silence,
		// which it may drop too, rather than what follows the cut.
		if !fill {
			return 0
		}
		clear(dst[:want*Channels])
		d.handed += int64(want)
		return want
	}
	if d.paused {
		if !fill {
			return 0
		}
		clear(dst[:want*Channels])
		if len(d.queue) > 0 && d.queue[0].started {
			c := d.queue[0]
			if k := len(c.holds) - 1; k >= 0 && c.holds[k].from+c.holds[k].n == d.handed {
				c.holds[k].n += int64(want)
			} else {
				c.holds = append(c.holds, hold{from: d.handed, n: int64(want)})
			}
		}
		d.handed += int64(want)
		return want
	}
	for n < want && len(d.queue) > 0 {
		c := d.queue[0]
		if !c.started && !c.StartAt.IsZero() {
			// Rounded to the nearest frame.
			if early := d.rate.N(c.StartAt.Sub(now.Add(d.rate.D(int64(n)))) + time.Second/time.Duration(2*d.rate)); early > 0 {
				pad := min(int64(want-n), early)
				clear(dst[n*Channels : (n+int(pad))*Channels])
				n += int(pad)
				continue
			}
		}
		if !c.started {
			c.started = true
			c.StartFrame = d.handed + int64(n)
			d.emit(Event{Kind: CueStarted, Cue: c, Frame: c.StartFrame, At: now.Add(d.rate.D(int64(n)))})
		}
		got, err := c.src.Stream(dst[n*Channels : want*Channels])
		if got > 0 {
			c.watchSilence(dst[n*Channels : (n+got)*Channels])
			n += got
			c.Frames += int64(got)
		}
		if err == nil && got > 0 {
			continue
		}
		// The cue is over: ended, failed, or a streamer that gave nothing.
		kind := CueEnded
		if err != nil && !errors.Is(err, io.EOF) {
			kind = CueFailed
		}
		c.close()
		d.queue = d.queue[1:]
		d.floor = d.handed + int64(n)
		d.emit(Event{Kind: kind, Cue: c, Frame: d.handed + int64(n), At: now.Add(d.rate.D(int64(n))), Err: errOrNil(err)})
		if len(d.queue) == 0 && !d.paused {
			d.busy = make(chan struct{})
		}
	}
	if fill && n < want {
		clear(dst[n*Channels : want*Channels])
		n = want
	}
	d.handed += int64(n)
	return n
}

func errOrNil(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// Stop takes every queued cue off the deck (the one playing included) and
// reports each as stopped at the current frame.
func (d *Deck) Stop(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.queue {
		c.close()
		d.emit(Event{Kind: CueStopped, Cue: c, Frame: d.handed, At: now})
	}
	if len(d.queue) > 0 {
		cut := d.queue
		d.queue = nil
		if !d.paused {
			d.busy = make(chan struct{})
		}
		d.flush(cut)
	}
}

func (d *Deck) emit(e Event) {
	d.events = append(d.events, e)
	select {
	case d.notify <- struct{}{}:
	default:
	}
}

// Events returns a channel that is signalled when events are waiting; take
// them with TakeEvents.
func (d *Deck) Events() <-chan struct{} { return d.notify }

// TakeEvents returns and clears the waiting events, oldest first.
func (d *Deck) TakeEvents() []Event {
	d.mu.Lock()
	defer d.mu.Unlock()
	ev := d.events
	d.events = nil
	return ev
}

// silenceLevel is SilenceThresholdDBFS as a linear amplitude.
var silenceLevel = float32(math.Pow(10, SilenceThresholdDBFS/20))

// watchSilence extends the cue's record of its longest silent run. A frame
// is silent when both |l| and |r| are below the level; the magnitudes are
// compared as bits (sign cleared), one branch per frame that the CPU
// predicts, since speech and music are rarely near the level.
func (c *Cue) watchSilence(frames []float32) {
	level := math.Float32bits(silenceLevel)
	run, longest := c.silentRun, c.LongestSilence
	for i := 0; i+1 < len(frames); i += Channels {
		if max(math.Float32bits(frames[i])&^signBit, math.Float32bits(frames[i+1])&^signBit) < level {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	c.silentRun, c.LongestSilence = run, longest
}

// signBit is a float32's sign.
const signBit = 1 << 31
