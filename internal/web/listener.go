package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Listener binds an HTTP server's address once and serves a handler on it
// until a context ends: the station's web app and the province's server
// both run on one.
type Listener struct {
	name string // prefix of errors: "web", "province"
	addr string

	mu sync.Mutex
	ln net.Listener
}

// NewListener returns a listener for addr (host:port; port 0 picks a free
// one) whose errors start with name.
func NewListener(name, addr string) *Listener { return &Listener{name: name, addr: addr} }

// Listen binds the address; Serve does it when it has not been done.
func (l *Listener) Listen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return fmt.Errorf("%s: listen on %s: %w", l.name, l.addr, err)
	}
	l.ln = ln
	return nil
}

// Addr is the bound address (after Listen), else the configured one.
func (l *Listener) Addr() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		return l.ln.Addr().String()
	}
	return l.addr
}

// Serve serves h until ctx is done, then shuts down: stop runs first (it
// ends event streams and long polls), requests in progress get up to 5 s.
// It logs listening as msg.
func (l *Listener) Serve(ctx context.Context, h http.Handler, logger *slog.Logger, msg string, stop func()) error {
	if err := l.Listen(); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l.ln) }()
	logger.Info(msg, "addr", "http://"+l.Addr()+"/")
	select {
	case err := <-errc:
		stop()
		return fmt.Errorf("%s: %w", l.name, err)
	case <-ctx.Done():
	}
	stop()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("%s: shutdown: %w", l.name, err)
	}
	return nil
}
