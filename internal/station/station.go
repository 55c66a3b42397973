// Package station is the runtime: it follows the clock, asks the planner what
// each slot occurrence airs, plays it through the deck and sink, and writes
// every airing to the log — before the first sample, and again when it ends.
package station

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// Reasons written to the log (English; the CLI and reports translate them).
const (
	ReasonNoDevice    = "no audio device"
	ReasonShutdown    = "station stopped"
	ReasonCrash       = "station restarted after a crash"
	ReasonDown        = "station was not running"
	ReasonLate        = "slot could not start on time"
	ReasonDeviceError = "audio device error"
	ReasonUnreadable  = "file unreadable"
	ReasonNotStarted  = "stopped before it started"
	ReasonEmptyPlan   = "no segment to air"
	ReasonEmergency   = "emergency"
	ReasonSilence     = "silence in the output"
	emergencySlot     = "emergency"
	stateLastHandled  = "last_handled"
	lateGrace         = 30 * time.Second
	// defaultPreRoll is Deps.PreRoll when not set.
	defaultPreRoll     = time.Second
	progressEvery      = 5 * time.Second
	settleEvery        = 20 * time.Millisecond
	lookAhead          = 8 * 24 * time.Hour
	manualSlot         = "manual"
	ledgerHistoryExtra = 32 * 24 * time.Hour
)

// OpenFunc opens a segment's file as stereo frames at the deck's rate, with
// whatever processing the output wants (resampling, loudness gain).
type OpenFunc func(seg playlist.Segment) (audio.Streamer, io.Closer, error)

// Deps is what a station is built from.
type Deps struct {
	// Zone is the code of the zone the station airs in: its rows carry it
	// and its history is the zone's. "" is playlist.DefaultZone.
	Zone    string
	Store   Log
	Planner *playlist.Planner
	Deck    *audio.Deck
	// Sink is the output; nil means no device could be opened, and every
	// airing is logged failed with DeadReason.
	Sink          audio.Sink
	DeadReason    string
	Clock         audio.Clock
	Open          OpenFunc
	Logger        *slog.Logger
	MissedHorizon time.Duration
	// SilenceAlert: a run of output below -60 dBFS at least this long is
	// noted in the airing's reason; 0 turns it off.
	SilenceAlert time.Duration
	// ResumeAfterEmergency: after an emergency, the items of the slot that
	// had not started air in the time the slot has left; otherwise the rest
	// of the slot is dropped (and left to the quota).
	ResumeAfterEmergency bool
	// PreRoll: each slot occurrence is planned, logged and queued this long
	// before its time, and the deck holds its first sample to the exact
	// frame, so that the output's latency and the database's fsync do not
	// make it start late. It must exceed the output's latency (oto's and the
	// device's buffers) by the time planning and logging take; 0 means 1 s.
	PreRoll time.Duration
	// Recovered: the rows a crash left open were closed before this
	// station started (serve does it once for every zone, so that one
	// zone's start never closes another's airing); Run does not again.
	Recovered bool
	// LogWrites: what a failed write to the airing log does (logbook.go);
	// the zero value stops the station with the error.
	LogWrites LogWrites
}

// zone is the code of the station's zone.
func (s *Station) zone() string { return s.Zone }

// stateKey is the station_state key of a value kept for the station's
// zone; the default zone keeps the keys of the days before zones.
func (s *Station) stateKey(key string) string {
	if s.Zone == playlist.DefaultZone {
		return key
	}
	return key + ":" + s.Zone
}

// Station runs the timetable.
type Station struct {
	Deps
	loc *time.Location

	mu      sync.Mutex
	sinkErr error
	sinkOut chan struct{} // closed when the sink stops

	urgent chan []playlist.Segment // emergencies asked for, not yet taken

	current *playlist.Planner // guarded by mu; replaced by Reload
	resume  bool              // guarded by mu

	board  statusBoard     // what is on air, for Status (status.go)
	ctl    chan controlReq // the operator's actions, taken by the airing loop
	airing *onAir          // guarded by mu; the airing loop in progress

	tailMu sync.Mutex
	tails  []tail // airings whose last frame left the deck, oldest first

	book *logbook // every write to the airing log goes through it

	live liveness // the watchdog's check-in (liveness.go); set before Run
}

// planner is the planner in force.
func (s *Station) planner() *playlist.Planner {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Reload puts a new planner (a reloaded configuration) in force from the
// next slot occurrence on; the airing in progress is not touched. Its
// location must be the station's.
func (s *Station) Reload(p *playlist.Planner, resumeAfterEmergency bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = p
	s.resume = resumeAfterEmergency
}

// gap is the silence between items (the planner's, which lays them out).
func (s *Station) gap() time.Duration { return s.planner().Gap }

func (s *Station) resumeAfterEmergency() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resume
}

// New builds a station.
func New(d Deps) *Station {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.PreRoll <= 0 {
		d.PreRoll = defaultPreRoll
	}
	if d.Zone == "" {
		d.Zone = playlist.DefaultZone
	}
	s := &Station{Deps: d, loc: d.Planner.Location, sinkOut: make(chan struct{}), urgent: make(chan []playlist.Segment, 4), current: d.Planner, resume: d.ResumeAfterEmergency,
		ctl:  make(chan controlReq),
		book: &logbook{store: d.Store, zone: d.Zone, mode: d.LogWrites, logger: d.Logger, now: func() time.Time { return d.Clock.Now() }}}
	s.book.changed = s.notifyStatus
	return s
}

// StartSink runs the sink in the background until ctx is done; a device
// failure marks the output dead for the rest of the run.
func (s *Station) StartSink(ctx context.Context) {
	if s.Sink == nil {
		close(s.sinkOut)
		return
	}
	go func() {
		err := s.Sink.Run(ctx, s.Deck)
		s.mu.Lock()
		if err != nil {
			s.sinkErr = err
			s.Logger.Error("audio output stopped", "output", s.Sink.Name(), "err", err)
		}
		s.mu.Unlock()
		close(s.sinkOut)
	}()
}

// SinkDone is closed when the sink has stopped (and, for a file, closed it).
func (s *Station) SinkDone() <-chan struct{} { return s.sinkOut }

func (s *Station) deadReason() string {
	if s.Sink == nil {
		if s.DeadReason != "" {
			return s.DeadReason
		}
		return ReasonNoDevice
	}
	if _, err := s.deviceState(); err != nil {
		if detail, ok := streamDetail(err); ok {
			return ReasonServerUnreachable + ": " + detail // device.go
		}
		return ReasonNoDevice + ": " + audio.DeviceDetail(err) // the sink keeps trying it
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sinkErr != nil {
		return ReasonNoDevice
	}
	return ""
}

// Recover closes airings left open by a crash as interrupted.
// On a full disk (HoldWhenFull) that waits, with the other held writes.
func (s *Station) Recover(ctx context.Context) error {
	return s.book.recover(ctx, ReasonCrash)
}

// LogHeld says how many airing log writes wait in memory for disk space.
func (s *Station) LogHeld() LogHeld { return s.book.state() }
