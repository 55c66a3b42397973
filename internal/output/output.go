// Package output turns an output spec (audio.output, a zone's outputs) into
// a sink. It is the only place a spec is read: the configuration checks a
// spec with Parse, and serve, play and simulate open one with Open, or
// several at once (a zone that feeds two amplifiers and a stream) with
// OpenAll.
//
// A spec is SCHEME or SCHEME:ARG (alsa:hw:1, file:out.wav,
// icecast://host:8000/mount). Each scheme is one Scheme value: its name,
// how the operator writes it, how its argument is checked and how it is
// opened. Standard lists the schemes the station knows; a new kind of
// output is one more Scheme in that list (or Register on a Registry of
// one's own), and the configuration, serve, play and the zones all take it
// from there.
//
// This package needs no cgo of its own: a sound card is played by a child
// process (the hidden `scheduler audio-output` command,
// internal/audio/alsa), started through Env.DeviceCommand; the MP3 encoder
// of a stream is internal/audio/lame's.
package output

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
)

// Spec is a parsed output spec.
type Spec struct {
	Raw    string // as the operator wrote it
	Scheme string // alsa, auto, file, null, …
	Arg    string // what follows "SCHEME:" ("" when nothing does)
}

// String is the spec as written, without a password (Redact).
func (s Spec) String() string { return Redact(s.Raw) }

// userinfo matches the user-info of a URL-like spec.
var userinfo = regexp.MustCompile(`^([a-z][a-z0-9+.-]*://[^:@/?#]*):[^@/?#]*@`)

// Redact is spec with the password of a URL-like spec
// (SCHEME://USER:PASSWORD@HOST…) replaced by "***": what logs, errors and
// pages show of a spec.
func Redact(spec string) string {
	return userinfo.ReplaceAllString(spec, "${1}:***@")
}

// Env is what opening an output needs from the program.
type Env struct {
	Rate   audio.Rate
	Buffer time.Duration // audio.buffer: how much the sound card holds
	// Paced: file and null outputs run in real time (serve) rather than
	// as fast as they can (play to a file, simulate), moving Clock.
	Paced  bool
	Clock  audio.Clock
	Logger *slog.Logger
	// DeviceCommand makes the command of an output process that holds the
	// ALSA device named device ("" for ALSA's default) and serves the
	// device pipe (audio.DeviceSink). Without it no sound card opens.
	DeviceCommand func(device string) *exec.Cmd
	// PlayCard, when set, plays an alsa or auto output (ALSA device device,
	// "" for the default; name describes it) in this process instead of
	// an output process: `play`, which has one programme and no station to
	// keep on the air. A card that does not open must still give a sink
	// whose DeviceState says why (audio.DeviceWatcher).
	PlayCard func(ctx context.Context, device, name string) (audio.Sink, error)
	// Stream is what a stream output tells its server and listeners about
	// the programme (the zone's name); Getenv reads the ${NAME} of a
	// stream's password (nil: os.Getenv).
	Stream StreamInfo
	Getenv func(string) string
}

// StreamInfo names a stream (Icecast's ice-name, ice-description,
// ice-genre).
type StreamInfo struct {
	Name, Description, Genre string
}

// Scheme is one kind of output.
type Scheme struct {
	Name string
	// Usage is how the operator writes it, in English and Vietnamese
	// ("alsa[:DEVICE]", "alsa[:THIẾT_BỊ]").
	Usage, UsageVI string
	// Check says what is wrong with the spec's argument (nil: it is
	// fine); it reads nothing from the machine.
	Check func(arg string) *Problem
	// Open opens the output. A sound card that cannot be opened now is
	// the sink's to report (audio.DeviceWatcher); an error here means the
	// spec cannot be honoured at all.
	Open func(ctx context.Context, spec Spec, env Env) (audio.Sink, error)
}

// Problem is what is wrong with a spec, in both languages.
type Problem struct {
	Problem, ProblemVI string
	Fix, FixVI         string // empty: the usages of every scheme
}

// Error is a spec that cannot be used: it names the spec and says how to
// write one.
type Error struct {
	Spec string
	Problem
}

func (e *Error) Error() string { return e.Localize("en") }

// Localize says it in lang (vi or en).
func (e *Error) Localize(lang string) string {
	if lang == "en" {
		return fmt.Sprintf("output %q %s: %s", Redact(e.Spec), e.Problem.Problem, e.Fix)
	}
	return fmt.Sprintf("đầu ra %q %s: %s", Redact(e.Spec), e.ProblemVI, e.FixVI)
}

// Registry is a set of schemes.
type Registry struct {
	schemes []Scheme
}

// NewRegistry makes a registry of the given schemes (see Register).
func NewRegistry(schemes ...Scheme) (*Registry, error) {
	r := &Registry{}
	for _, s := range schemes {
		if err := r.Register(s); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Standard is the registry of every scheme the station knows: auto, alsa,
// file, null, icecast. A new kind of output is one more entry here: its Scheme
// written in this package (icecast.go: Name, Usage, Check, and an Open that
// builds the sink from the sink's own package, which must not import this
// one), and nothing else — the configuration's check, its error message,
// serve, play and the zones all read this list.
func Standard() *Registry {
	r, err := NewRegistry(AutoScheme(), ALSAScheme(), OtoScheme(), FileScheme(), NullScheme(), IcecastScheme())
	if err != nil {
		panic(err) // the list above is fixed; a clash is a programming error
	}
	return r
}

var schemeRE = regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`)

// Register adds a scheme. Its name must be new and a valid scheme name
// (lower-case letters, digits, + . -), and it must have an Open.
func (r *Registry) Register(s Scheme) error {
	if !schemeRE.MatchString(s.Name) {
		return fmt.Errorf("output scheme %q: not a valid scheme name", s.Name)
	}
	if s.Open == nil {
		return fmt.Errorf("output scheme %q: no Open", s.Name)
	}
	if _, ok := r.scheme(s.Name); ok {
		return fmt.Errorf("output scheme %q registered twice", s.Name)
	}
	if s.Usage == "" {
		s.Usage = s.Name
	}
	if s.UsageVI == "" {
		s.UsageVI = s.Usage
	}
	r.schemes = append(r.schemes, s)
	return nil
}

func (r *Registry) scheme(name string) (Scheme, bool) {
	for _, s := range r.schemes {
		if s.Name == name {
			return s, true
		}
	}
	return Scheme{}, false
}

// Usage lists how each scheme is written: "auto, alsa[:DEVICE], … or null".
func (r *Registry) Usage(lang string) string {
	var us []string
	for _, s := range r.schemes {
		if lang == "en" {
			us = append(us, s.Usage)
		} else {
			us = append(us, s.UsageVI)
		}
	}
	if len(us) < 2 {
		return strings.Join(us, "")
	}
	or := " hoặc "
	if lang == "en" {
		or = " or "
	}
	return strings.Join(us[:len(us)-1], ", ") + or + us[len(us)-1]
}

// Parse reads a spec; a bad one gives an *Error that names it and says how
// to write one.
func (r *Registry) Parse(spec string) (Spec, error) {
	bad := func(p Problem) error {
		if p.Fix == "" {
			p.Fix, p.FixVI = "use "+r.Usage("en"), "dùng "+r.Usage("vi")
		}
		return &Error{Spec: spec, Problem: p}
	}
	name, arg, _ := strings.Cut(spec, ":")
	s, ok := r.scheme(name)
	if !ok {
		if strings.TrimSpace(spec) == "" {
			return Spec{}, bad(Problem{Problem: "is empty", ProblemVI: "đang trống"})
		}
		return Spec{}, bad(Problem{Problem: "is not a kind of output", ProblemVI: "không phải loại đầu ra đã biết"})
	}
	if s.Check != nil {
		if p := s.Check(arg); p != nil {
			return Spec{}, bad(*p)
		}
	}
	return Spec{Raw: spec, Scheme: name, Arg: arg}, nil
}

// Open opens the output of spec.
func (r *Registry) Open(ctx context.Context, spec string, env Env) (audio.Sink, error) {
	sp, err := r.Parse(spec)
	if err != nil {
		return nil, err
	}
	s, _ := r.scheme(sp.Scheme)
	sink, err := s.Open(ctx, sp, env)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", Redact(spec), err)
	}
	return sink, nil
}

// OpenAll opens every output of specs and gives one sink that feeds the
// same frames to all of them (see Fanout); one spec gives its own sink.
// If one fails to open, those already open are let go.
func (r *Registry) OpenAll(ctx context.Context, specs []string, env Env) (audio.Sink, error) {
	if len(specs) == 0 {
		return nil, &Error{Spec: "", Problem: Problem{Problem: "list is empty", ProblemVI: "danh sách đang trống",
			Fix: "give at least one output: " + r.Usage("en"), FixVI: "ghi ít nhất một đầu ra: " + r.Usage("vi")}}
	}
	seen := map[string]bool{}
	for _, spec := range specs {
		if _, err := r.Parse(spec); err != nil {
			return nil, err
		}
		if seen[spec] {
			return nil, &Error{Spec: spec, Problem: Problem{Problem: "is listed twice", ProblemVI: "được ghi hai lần",
				Fix: "list each output once", FixVI: "mỗi đầu ra chỉ ghi một lần"}}
		}
		seen[spec] = true
	}
	sinks := make([]audio.Sink, 0, len(specs))
	for _, spec := range specs {
		s, err := r.Open(ctx, spec, env)
		if err != nil {
			for _, o := range sinks {
				closeSink(o)
			}
			return nil, err
		}
		sinks = append(sinks, s)
	}
	if len(sinks) == 1 {
		return sinks[0], nil
	}
	return NewFanout(sinks, env.Paced), nil
}

// closeSink lets go of a sink that was opened but will not run.
func closeSink(s audio.Sink) {
	if c, ok := s.(interface{ Close() error }); ok {
		_ = c.Close()
	}
}

// Parse checks spec against the standard schemes (Standard).
func Parse(spec string) (Spec, error) { return Standard().Parse(spec) }

// ErrNoDeviceCommand is an ALSA output opened without Env.DeviceCommand.
var ErrNoDeviceCommand = errors.New("this program cannot start the sound card process")
