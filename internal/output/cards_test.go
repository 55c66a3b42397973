package output_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/output"
)

// TestOtoAndALSAStartTheirWriter: oto:DEVICE starts the output process of
// Env.DeviceCommand with --writer oto; alsa:DEVICE starts it as it is
// (our own writer); with Env.PlayCard, alsa plays in-process through it
// and oto still starts its output process.
func TestOtoAndALSAStartTheirWriter(t *testing.T) {
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	var devices []string
	env := output.Env{Rate: 48000, Buffer: 100 * time.Millisecond, Clock: audio.WallClock{},
		DeviceCommand: func(device string) *exec.Cmd {
			devices = append(devices, device)
			// A process that writes the arguments it was given after
			// the device, and fails (no card opens).
			return exec.Command("sh", "-c", `printf '%s ' "$@" >> "$0"; echo >> "$0"; exit 1`, argsFile, "--device", device)
		}}
	ctx := context.Background()
	read := func() []string {
		t.Helper()
		b, err := os.ReadFile(argsFile)
		if err != nil {
			t.Fatalf("the output process did not run: %v", err)
		}
		os.Remove(argsFile)
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	for _, c := range []struct{ spec, name, args string }{
		{"oto:hw:9", "oto:hw:9", "--device hw:9 --writer oto"},
		{"oto", "oto", "--device  --writer oto"},
		{"alsa:hw:9", "alsa:hw:9", "--device hw:9"},
	} {
		sink, err := output.Standard().Open(ctx, c.spec, env)
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		if sink.Name() != c.name {
			t.Errorf("%s: name %q, want %q", c.spec, sink.Name(), c.name)
		}
		// The card did not open: the sink says so, for the station to
		// log failed.
		if _, err := sink.(audio.DeviceWatcher).DeviceState(); err == nil {
			t.Errorf("%s: a process that exits 1 counts as an open card", c.spec)
		}
		sink.(interface{ Close() error }).Close()
		if got := read(); strings.TrimSpace(got[0]) != c.args {
			t.Errorf("%s: output process args %q, want %q", c.spec, got[0], c.args)
		}
	}

	var inProcess []string
	env.PlayCard = func(_ context.Context, device, name string) (audio.Sink, error) {
		inProcess = append(inProcess, device+"|"+name)
		return audio.NewNullSink(48000, false, audio.WallClock{}), nil
	}
	devices = nil
	for _, spec := range []string{"alsa:hw:2", "auto", "oto:hw:3"} {
		sink, err := output.Standard().Open(ctx, spec, env)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if c, ok := sink.(interface{ Close() error }); ok {
			c.Close()
		}
	}
	if strings.Join(inProcess, " ") != "hw:2|alsa:hw:2 |alsa" {
		t.Errorf("in-process cards %q, want alsa:hw:2 and auto", inProcess)
	}
	if strings.Join(devices, " ") != "hw:3" {
		t.Errorf("output processes for devices %q, want only oto's hw:3", devices)
	}
}
