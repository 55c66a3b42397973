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

func TestActionsAndCodedRefusalsComeBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), SocketName)
	srv := &Server{Path: path, Handle: func(ctx context.Context, req Request) error {
		switch req.Action {
		case "pause":
			return nil
		case "skip":
			return &CodedError{Code: "nothing_on_air", Err: errors.New("nothing is on the air")}
		}
		return fmt.Errorf("%w: unknown action %q", ErrBadRequest, req.Action)
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Run(ctx)
	var resp Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = Send(path, Request{Action: "pause"}); !errors.Is(err, ErrNotRunning) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || !resp.OK {
		t.Fatalf("pause: %+v, %v", resp, err)
	}
	if resp, err = Send(path, Request{Action: "skip"}); err != nil || resp.OK || resp.Code != "nothing_on_air" || resp.Error != "nothing is on the air" {
		t.Fatalf("skip: %+v, %v; want the coded refusal", resp, err)
	}
	if resp, err = Send(path, Request{Action: "rewind"}); err != nil || resp.Code != "bad_request" {
		t.Fatalf("rewind: %+v, %v", resp, err)
	}
}
