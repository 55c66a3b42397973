package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/output"
)

// A zone whose stream cannot reach its server but whose other output plays
// is not dead: serve says loudly which output does not play (without its
// password), not that nothing will be heard.
func TestZoneWithOneOutputDownSaysWhichOne(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens there
	var stderr bytes.Buffer
	m := &Main{lang: "vi", Stderr: &stderr, logger: slog.New(slog.NewTextHandler(&stderr, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink, err := m.openOutputsEnv(ctx, []string{"null", "icecast://source:Pa55-w0rd@" + addr + "/dong"},
		output.Env{Rate: 48000, Clock: audio.WallClock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.(*output.Fanout).Close()
	if _, err := sink.(audio.DeviceWatcher).DeviceState(); err != nil {
		t.Errorf("zone state %v, want playing through null", err)
	}
	out := stderr.String()
	if !strings.Contains(out, "MỘT ĐẦU RA CỦA VÙNG KHÔNG PHÁT: icecast://source@"+addr+"/dong") || strings.Contains(out, "Pa55-w0rd") ||
		strings.Contains(out, "CỤM LOA SẼ KHÔNG NHẬN") {
		t.Errorf("stderr:\n%s", out)
	}
}
