// Package control is the station's local control socket: another process
// of the same machine (the CLI) asks the running station to act now — for
// example to air an emergency. One JSON request per connection, one JSON
// answer back.
package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"
)

// SocketName is the socket's file name inside the data folder.
const SocketName = "control.sock"

// ErrNotRunning means no station listens on the socket.
var ErrNotRunning = errors.New("station is not running")

// Request asks the station to act.
type Request struct {
	// Emergency lists segment ids to air at once, preempting what plays.
	Emergency []int64 `json:"emergency,omitempty"`
	// Action acts on what is on the air: stop, skip, pause or resume.
	Action string `json:"action,omitempty"`
	// Zones are the codes of the zones the request is for; empty is every
	// zone.
	Zones []string `json:"zones,omitempty"`
}

// Response is the station's answer.
type Response struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Code is "bad_request" when the request itself is at fault, or the
	// code of a CodedError the handler returned.
	Code string `json:"code,omitempty"`
}

// CodedError is a refusal with a code the client branches on (for
// example "nothing_on_air").
type CodedError struct {
	Code string
	Err  error
}

func (e *CodedError) Error() string { return e.Err.Error() }
func (e *CodedError) Unwrap() error { return e.Err }

// Handler acts on a request; an error wrapping ErrBadRequest is the
// caller's fault.
type Handler func(ctx context.Context, req Request) error

// ErrBadRequest marks a request the station refuses as such.
var ErrBadRequest = errors.New("bad request")

// Server listens on the socket at Path.
type Server struct {
	Path    string
	Handle  Handler
	Logger  *slog.Logger
	timeout time.Duration
}

// Run serves until ctx is done. A stale socket file left by a crash is
// replaced; a live station already listening is an error.
func (s *Server) Run(ctx context.Context) error {
	if c, err := net.DialTimeout("unix", s.Path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("control socket %s: another station is running", s.Path)
	}
	os.Remove(s.Path)
	ln, err := net.Listen("unix", s.Path)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", s.Path, err)
	}
	os.Chmod(s.Path, 0o660)
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	defer os.Remove(s.Path)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("control socket: %w", err)
		}
		go s.serve(ctx, conn)
	}
}

func (s *Server) serve(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var req Request
	resp := Response{OK: true}
	if err := json.NewDecoder(conn).Decode(&req); err != nil {
		resp = Response{Error: "malformed request: " + err.Error(), Code: "bad_request"}
	} else if err := s.Handle(ctx, req); err != nil {
		resp = Response{Error: err.Error()}
		var ce *CodedError
		switch {
		case errors.Is(err, ErrBadRequest):
			resp.Code = "bad_request"
		case errors.As(err, &ce):
			resp.Code = ce.Code
		}
		if s.Logger != nil {
			s.Logger.Warn("control request refused", "err", err)
		}
	}
	json.NewEncoder(conn).Encode(resp)
}

// Send sends req to the station listening at path. It returns
// ErrNotRunning when none listens.
func Send(path string, req Request) (Response, error) {
	conn, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return Response{}, fmt.Errorf("%w (%v)", ErrNotRunning, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return Response{}, fmt.Errorf("send to the station: %w", err)
	}
	var resp Response
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return Response{}, fmt.Errorf("read the station's answer: %w", err)
	}
	return resp, nil
}
