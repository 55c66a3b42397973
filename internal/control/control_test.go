package control

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func TestRequestReachesTheHandlerAndErrorsComeBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), SocketName)
	got := make(chan Request, 1)
	srv := &Server{Path: path, Handle: func(ctx context.Context, req Request) error {
		if len(req.Emergency) == 0 {
			return fmt.Errorf("%w: nothing to air", ErrBadRequest)
		}
		got <- req
		return nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var resp Response
	var err error
	for i := 0; i < 100; i++ { // the socket appears once Run listens
		if resp, err = Send(path, Request{Emergency: []int64{3, 4}}); !errors.Is(err, ErrNotRunning) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || !resp.OK {
		t.Fatalf("send: %+v, %v", resp, err)
	}
	if r := <-got; len(r.Emergency) != 2 || r.Emergency[1] != 4 {
		t.Fatalf("handler got %+v", r)
	}
	resp, err = Send(path, Request{})
	if err != nil || resp.OK || resp.Code != "bad_request" {
		t.Fatalf("empty request: %+v, %v", resp, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := Send(path, Request{Emergency: []int64{1}}); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("after stop: %v, want ErrNotRunning", err)
	}
}
