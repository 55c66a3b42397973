package audio

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNoDevice means no sound card could be opened.
var ErrNoDevice = errors.New("no audio device")

// A stream output (internal/icecast) is a device whose server is the card:
// its errors wrap ErrNoDevice, and one of these, so that the station says
// what went wrong (DeviceDetail starts with their words).
var (
	// ErrServerUnreachable: the streaming server could not be reached or
	// refused the source.
	ErrServerUnreachable = fmt.Errorf("%w: cannot reach the streaming server", ErrNoDevice)
	// ErrServerLost: the connection to the streaming server was lost.
	ErrServerLost = fmt.Errorf("%w: lost the connection to the streaming server", ErrNoDevice)
)

// Sink is where the deck's frames go. Exactly one sink runs per deck.
type Sink interface {
	// Run feeds the deck to the output until ctx is done or the output
	// fails; a device failure is returned as an error wrapping ErrNoDevice.
	Run(ctx context.Context, d *Deck) error
	// Played is how many frames of the deck's timeline have been heard.
	Played() int64
	// Name describes the output for logs and the operator.
	Name() string
}

// Clock is the time source of unpaced sinks and the station: the wall clock
// in serve, a virtual one in simulate.
type Clock interface {
	Now() time.Time
	// Until blocks until the clock reads t or later, or ctx is done.
	Until(ctx context.Context, t time.Time) error
}

// WallClock is the real time, re-read at least every second so that a step
// of the system clock is noticed.
type WallClock struct{}

// Now is time.Now.
func (WallClock) Now() time.Time { return time.Now() }

// Until sleeps in steps of at most a second until t.
func (WallClock) Until(ctx context.Context, t time.Time) error {
	for {
		d := time.Until(t)
		if d <= 0 {
			return nil
		}
		if d > time.Second {
			d = time.Second
		}
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// DeviceWatcher is a sink whose sound card can go away and come back
// (DeviceSink): the station asks it whether the card plays now.
type DeviceWatcher interface {
	// DeviceState is nil while the card plays, or why it does not (an
	// error wrapping ErrNoDevice); the channel is closed at the next change.
	DeviceState() (changed <-chan struct{}, err error)
}

// ListenerCounter is a stream output that knows how many receivers (IP
// loudspeaker clusters) are connected to its stream.
type ListenerCounter interface {
	// Listeners is the server's latest count of listeners (0 while the
	// stream is down); ok is false when it could not be read.
	Listeners() (n int, ok bool)
}

// DeviceDetail is what a device error says beyond "no audio device".
func DeviceDetail(err error) string {
	return strings.TrimPrefix(err.Error(), ErrNoDevice.Error()+": ")
}

// OutputGap is a stretch of the deck's timeline, [From, To) in deck
// frames, that one output of a zone did not play while the others did.
type OutputGap struct {
	// Output names the output (its sink's Name: no password).
	Output string
	From   int64
	To     int64
	// Err is why the output did not play (wraps ErrNoDevice; a stream's
	// also ErrServerUnreachable or ErrServerLost).
	Err error
}

// PartialReporter is a sink of several outputs (output.Fanout) that plays
// on while some of them are lost: it tells the station which outputs
// missed part of a stretch of the deck's timeline, so that an airing heard
// through the others is logged with the outputs that missed it named.
type PartialReporter interface {
	// Missed lists the gaps of the outputs in [fromFrame, toFrame),
	// clipped to it, oldest first; none when every output played it all.
	Missed(fromFrame, toFrame int64) []OutputGap
}
