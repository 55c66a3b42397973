package output_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/output"
)

// An icecast:// output is one of the standard schemes: a bad one is
// refused without showing its password; one whose server is not there
// opens all the same, says why it does not play (kept through a fan-out,
// so the station words it as a stream), and never shows the password in
// its name.
func TestIcecastIsAStandardOutput(t *testing.T) {
	const pw = "Pa55-w0rd"
	_, err := output.Parse("icecast://source:" + pw + "@127.0.0.1/xa")
	var oe *output.Error
	if !errors.As(err, &oe) || strings.Contains(oe.Localize("vi"), pw) || strings.Contains(oe.Localize("en"), pw) || !strings.Contains(oe.Localize("en"), "HOST:PORT") {
		t.Fatalf("bad spec: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens there
	env := output.Env{Rate: 48000, Getenv: func(k string) string {
		if k == "ICE_PW" {
			return pw
		}
		return ""
	}}
	spec := "icecast://source:${ICE_PW}@" + addr + "/xa?bitrate=64k"
	sink, err := output.Standard().OpenAll(context.Background(), []string{"null", spec}, env)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sink.Name(), pw) || !strings.Contains(sink.Name(), "icecast://source@"+addr+"/xa") {
		t.Errorf("name %q", sink.Name())
	}
	if _, err := sink.(audio.DeviceWatcher).DeviceState(); err != nil {
		t.Errorf("state %v, want nil: the null output plays while the stream is down", err)
	}
	if _, ok := sink.(audio.ListenerCounter).Listeners(); !ok {
		t.Error("a fan-out with a stream down does not count 0 listeners")
	}
	// A zone of streams only, all down, is dead.
	streams, err := output.Standard().OpenAll(context.Background(), []string{spec, strings.Replace(spec, "/xa", "/xb", 1)}, env)
	if err != nil {
		t.Fatal(err)
	}
	_, err = streams.(audio.DeviceWatcher).DeviceState()
	if !errors.Is(err, audio.ErrServerUnreachable) || strings.Contains(err.Error(), pw) {
		t.Errorf("state %v, want ErrServerUnreachable without the password", err)
	}
	if _, err := output.Standard().Open(context.Background(), "icecast://source:${NOPE}@"+addr+"/xa", env); err == nil || !strings.Contains(err.Error(), "NOPE") {
		t.Errorf("unset password variable: %v", err)
	}
}
