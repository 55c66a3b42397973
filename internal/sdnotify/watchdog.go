package sdnotify

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// WatchdogInterval reads the watchdog interval systemd asks for
// (WatchdogSec= in the unit) from the values of $WATCHDOG_USEC and
// $WATCHDOG_PID. It returns 0 when the watchdog is off: no WATCHDOG_USEC,
// or a WATCHDOG_PID that is not pid (the variables were inherited from a
// parent process that systemd watches, not meant for this one).
func WatchdogInterval(usec, watchdogPID string, pid int) (time.Duration, error) {
	if usec == "" {
		return 0, nil
	}
	if watchdogPID != "" && watchdogPID != strconv.Itoa(pid) {
		return 0, nil
	}
	n, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("WATCHDOG_USEC=%q: want a positive number of microseconds", usec)
	}
	return time.Duration(n) * time.Microsecond, nil
}

// Watchdog keeps systemd's watchdog fed only while every loop registered
// with it is alive. Each loop (the station's today; one per zone later)
// checks in through its Beat on every turn and while it waits; Run sends
// WATCHDOG=1 every half interval, but only when every beat has checked in
// within the last interval. A loop stuck in a call (the store, the deck)
// stops checking in, the pings stop, and systemd restarts the service
// instead of leaving the loudspeakers silent.
type Watchdog struct {
	// Interval is systemd's WatchdogSec (see WatchdogInterval).
	Interval time.Duration
	// Now is the clock the check-ins are stamped with (time.Now in serve,
	// a fake in tests).
	Now func() time.Time
	// Send delivers one ping; serve sends "WATCHDOG=1" to $NOTIFY_SOCKET.
	Send func() error

	mu    sync.Mutex
	beats []*Beat
}

// Beat is one loop's liveness.
type Beat struct {
	name string
	w    *Watchdog
	last time.Time // guarded by w.mu
}

// Register adds a loop, counted alive from now on until it stops checking
// in.
func (w *Watchdog) Register(name string) *Beat {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := &Beat{name: name, w: w, last: w.Now()}
	w.beats = append(w.beats, b)
	return b
}

// CheckIn tells the watchdog that the loop is alive now. It is cheap and
// safe from any goroutine; a nil Beat does nothing.
func (b *Beat) CheckIn() {
	if b == nil {
		return
	}
	now := b.w.Now()
	b.w.mu.Lock()
	b.last = now
	b.w.mu.Unlock()
}

// Stale names the first registered loop that has not checked in within the
// interval; "" when all are alive.
func (w *Watchdog) Stale() string {
	now := w.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range w.beats {
		if now.Sub(b.last) > w.Interval {
			return b.name
		}
	}
	return ""
}

// Tick sends one ping if every loop is alive, and says which loop is stale
// otherwise. Run calls it every half interval.
func (w *Watchdog) Tick() (stale string, err error) {
	if stale := w.Stale(); stale != "" {
		return stale, nil
	}
	return "", w.Send()
}

// Run calls Tick every half interval until ctx is done. onStale is told,
// once per stall, which loop stopped checking in (serve logs it); a failed
// send is passed to onErr and does not stop the pinging.
func (w *Watchdog) Run(ctx context.Context, onStale func(loop string), onErr func(error)) {
	t := time.NewTicker(w.Interval / 2)
	defer t.Stop()
	reported := ""
	for {
		stale, err := w.Tick()
		if err != nil && onErr != nil {
			onErr(err)
		}
		if stale != reported && stale != "" && onStale != nil {
			onStale(stale)
		}
		reported = stale
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
