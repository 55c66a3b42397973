package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// zonesConfig is a commune of two zones, dong and tay, each with a slot
// every 10 s that airs its own topic, on the outputs given.
func zonesConfig(t *testing.T, dongOut, tayOut string) string {
	t.Helper()
	cfg := fmt.Sprintf(`station:
  commune: "Tân Lập"
  timezone: Asia/Ho_Chi_Minh
audio:
  output: null
  gap: 1s
schedule:
  no_repeat: 0s
  quiet_hours: []
  slots:
    - name: dong
      cron: "*/10 * * * * *"
      length: 6s
      topics: [ta]
      zones: [dong]
    - name: tay
      cron: "*/10 * * * * *"
      length: 6s
      topics: [tb]
      zones: [tay]
approval:
  required: false
topics:
  - code: ta
    name: "Lĩnh vực A"
  - code: tb
    name: "Lĩnh vực B"
  - code: kc
    name: "Khẩn cấp"
zones:
  - code: dong
    name: "Thôn Đông"
    outputs: [%q]
  - code: tay
    name: "Thôn Tây"
    outputs: [%q]
`, dongOut, tayOut)
	return writeConfig(t, "zones.yaml", cfg)
}

// zoneRows reads the zone's airings from the database.
func zoneRows(t *testing.T, data, zone string) []playlist.Airing {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Airings(ctx, zone, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// twoSinkPulse is a PulseAudio server of the test's own with two null
// sinks, nul_a and nul_b, and ALSA devices zonea and zoneb playing to
// them (in $HOME/.asoundrc, which ALSA reads whatever configuration the
// output process points it at).
type twoSinkPulse struct {
	env     []string
	moduleB string // the index of nul_b's module, to unload it
}

func startTwoSinkPulse(t *testing.T) twoSinkPulse {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "native")
	os.WriteFile(filepath.Join(dir, "client.conf"), []byte("autospawn = no\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".asoundrc"), []byte("pcm.zonea { type pulse device nul_a }\npcm.zoneb { type pulse device nul_b }\n"), 0o644)
	env := []string{
		"HOME=" + dir,
		"XDG_RUNTIME_DIR=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"PULSE_SERVER=unix:" + sock,
		"PULSE_CLIENTCONFIG=" + filepath.Join(dir, "client.conf"),
		// No PULSE_INTERNAL: the pulseaudio package's ALSA hook redefines
		// only "default", and the output process opens the device each
		// zone names (alsa:zonea), so each zone reaches its own sink with
		// the hook on, as on a PC that runs PulseAudio.
	}
	runPulse(t, sock, env, "nul_a")
	load := exec.Command("pactl", "load-module", "module-null-sink", "sink_name=nul_b", "rate=48000", "channels=2", "format=s16le")
	load.Env = append(os.Environ(), env...)
	out, err := load.CombinedOutput()
	if err != nil {
		t.Fatalf("pactl load-module: %v %s", err, out)
	}
	return twoSinkPulse{env: env, moduleB: strings.TrimSpace(string(out))}
}

// pactl runs pactl against the server.
func (p twoSinkPulse) pactl(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("pactl", args...)
	cmd.Env = append(os.Environ(), p.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pactl %v: %v %s", args, err, out)
	}
	return string(out)
}

// recordSink records a sink's monitor, as startParec does nul's.
func recordSink(t *testing.T, env []string, sink string) *recorder {
	t.Helper()
	return recordMonitor(t, env, sink, 48000, 150)
}

// toneAt is the energy share of freq in the recording's left channel
// between two wall times (windows of 100 ms with sound), and how much sound
// there was.
func toneAt(pcm []byte, chunks []chunk, from, to time.Time, freq float64) (share float64, sound time.Duration) {
	const rate = 48000
	n := len(pcm) / 4
	left := make([]float64, n)
	for i := range left {
		left[i] = float64(int16(binary.LittleEndian.Uint16(pcm[i*4:]))) / 32768
	}
	energy, at := 0.0, 0.0
	for _, run := range soundRuns(left, 0.003, rate/100) {
		for w := run[0]; w+rate/10 <= run[1]; w += rate / 10 {
			c := captureTime(chunks, w, rate)
			if c.Before(from) || c.After(to) {
				continue
			}
			x := left[w : w+rate/10]
			for _, v := range x {
				energy += v * v
			}
			at += goertzel(x, freq, rate)
			sound += 100 * time.Millisecond
		}
	}
	if energy == 0 {
		return 0, 0
	}
	return at / energy, sound
}

// firstSound is when the first sound after from was captured.
func firstSound(pcm []byte, chunks []chunk, from time.Time) (time.Time, bool) {
	const rate = 48000
	left := make([]float64, len(pcm)/4)
	for i := range left {
		left[i] = float64(int16(binary.LittleEndian.Uint16(pcm[i*4:]))) / 32768
	}
	for _, run := range soundRuns(left, 0.003, rate/100) {
		if c := captureTime(chunks, run[0], rate); !c.Before(from) {
			return c, true
		}
	}
	return time.Time{}, false
}

// TestZonesAirTheirOwnProgrammesThroughPulseAudio: serve runs two zones on
// two PulseAudio null sinks (two ALSA pulse devices), each recorded with
// parec. Each zone hears its own programme (its own tone), on time. An
// emergency sent to one zone cuts that zone only; unloading one zone's
// sink interrupts that zone's airing only, and its next slots are logged
// failed while the other zone's complete.
func TestZonesAirTheirOwnProgrammesThroughPulseAudio(t *testing.T) {
	for _, tool := range []string{"pulseaudio", "parec", "pactl", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed; apt-get install pulseaudio pulseaudio-utils libasound2-plugins sox (make test installs them)", tool)
		}
	}
	data, dir := t.TempDir(), t.TempDir()
	config := zonesConfig(t, "alsa:zonea", "alsa:zoneb")
	tones := map[string]float64{"ta": 500, "tb": 1500, "kc": 3000}
	for _, topic := range []string{"ta", "tb", "kc"} {
		path := filepath.Join(dir, topic+".wav")
		if out, err := exec.Command("sox", "-n", "-r", "48000", "-c", "2", "-b", "16", path, "synth", "4", "sine", fmt.Sprint(tones[topic]), "vol", "-20dB").CombinedOutput(); err != nil {
			t.Fatalf("sox: %v %s", err, out)
		}
		mustRun(t, data, "--config", config, "segments", "import", "--topic", topic, "--approve", path)
	}
	pa := startTwoSinkPulse(t)
	recA, recB := recordSink(t, pa.env, "nul_a"), recordSink(t, pa.env, "nul_b")

	serveStarted := time.Now()
	serve := startServeEnv(t, pa.env, data, config, "--lang", "en")
	cmd, errb, done := serve.cmd, serve.out, serve.done
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\nserve's log:\n%s", append(args, errb.String())...)
	}
	// wait polls the log until ok holds for the two zones' rows.
	wait := func(within time.Duration, what string, ok func(dong, tay []playlist.Airing) bool) ([]playlist.Airing, []playlist.Airing) {
		t.Helper()
		for deadline := time.Now().Add(within); ; {
			dong, tay := zoneRows(t, data, "dong"), zoneRows(t, data, "tay")
			if ok(dong, tay) {
				return dong, tay
			}
			if time.Now().After(deadline) {
				fail("%s: not within %v; dong %+v; tay %+v", what, within, dong, tay)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// The first occurrence both zones completed, of those starting 3 s
	// after serve or later: a newly opened output first plays a second of
	// silence (warmUp), so a slot right after the start starts late.
	var first time.Time
	wait(40*time.Second, "an occurrence completed in both zones", func(dong, tay []playlist.Airing) bool {
		for _, d := range dong {
			for _, w := range tay {
				if d.Status == playlist.StatusCompleted && w.Status == playlist.StatusCompleted && d.ScheduledAt.Equal(w.ScheduledAt) &&
					d.ScheduledAt.Sub(serveStarted) >= 3*time.Second {
					first = d.ScheduledAt
					return true
				}
			}
		}
		return false
	})
	// 1. Each zone heard its own tone, from its slot's time.
	time.Sleep(500 * time.Millisecond)
	pcmA, chA := recA.stop(t)
	pcmB, chB := recB.stop(t)
	for _, z := range []struct {
		name   string
		pcm    []byte
		chunks []chunk
		own    float64
		other  float64
	}{{"dong", pcmA, chA, 500, 1500}, {"tay", pcmB, chB, 1500, 500}} {
		share, sound := toneAt(z.pcm, z.chunks, first.Add(-time.Second), first.Add(5*time.Second), z.own)
		otherShare, _ := toneAt(z.pcm, z.chunks, first.Add(-time.Second), first.Add(5*time.Second), z.other)
		t.Logf("zone %s: %v of sound, %.0f%% at %g Hz, %.0f%% at %g Hz", z.name, sound, 100*share, z.own, 100*otherShare, z.other)
		if sound < 3500*time.Millisecond || share < 0.9 {
			fail("zone %s, occurrence at %s: %v of sound, %.0f%% of it at its own %g Hz; want its 4 s tone", z.name, first.Format("15:04:05"), sound, 100*share, z.own)
		}
		if other, _ := toneAt(z.pcm, z.chunks, first.Add(-time.Second), first.Add(5*time.Second), z.other); other > 0.05 {
			fail("zone %s hears %.0f%% of the other zone's %g Hz tone", z.name, 100*other, z.other)
		}
		onset, ok := firstSound(z.pcm, z.chunks, first.Add(-time.Second))
		if late := onset.Sub(first); !ok || late < -300*time.Millisecond || late > 500*time.Millisecond {
			fail("zone %s: its slot of %s was heard from %s (%v off); want on time (−0.3 s to +0.5 s, the sound server's latency)", z.name, first.Format("15:04:05.000"), onset.Format("15:04:05.000"), late)
		}
		t.Logf("zone %s: own tone %.0f%% of %v of sound; heard %v after its slot's time", z.name, 100*share, sound, onset.Sub(first).Round(time.Millisecond))
	}

	// 2. An emergency to tay, two seconds into an occurrence: tay's airing
	// is cut and the emergency airs there; dong's airing completes.
	var occ time.Time
	wait(20*time.Second, "both zones on air", func(dong, tay []playlist.Airing) bool {
		for _, w := range tay {
			if w.Status == playlist.StatusOpen && w.ScheduledAt.After(first) {
				occ = w.ScheduledAt
				return true
			}
		}
		return false
	})
	time.Sleep(time.Until(occ.Add(2 * time.Second)))
	if r := run(t, data, pa.env, "--config", config, "play", "--now", "3", "--zone", "tay"); r.code != 0 {
		fail("play --now 3 --zone tay: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	dong, tay := wait(20*time.Second, "the emergency aired in tay", func(dong, tay []playlist.Airing) bool {
		for _, w := range tay {
			if w.Slot == "emergency" && w.Status == playlist.StatusCompleted {
				for _, d := range dong {
					if d.ScheduledAt.Equal(occ) && d.Status != playlist.StatusOpen {
						return true
					}
				}
			}
		}
		return false
	})
	for _, d := range dong {
		if d.Slot == "emergency" {
			fail("the emergency to tay aired in dong too: %+v", d)
		}
		if d.ScheduledAt.Equal(occ) && d.Status != playlist.StatusCompleted {
			fail("dong's airing at %s: %s %q; the emergency was tay's, want completed", occ.Format("15:04:05"), d.Status, d.Reason)
		}
	}
	for _, w := range tay {
		if w.ScheduledAt.Equal(occ) && (w.Status != playlist.StatusInterrupted || w.Reason != "emergency") {
			fail("tay's airing at %s: %s %q, want interrupted by the emergency", occ.Format("15:04:05"), w.Status, w.Reason)
		}
	}

	// 3. tay's sink goes away two seconds into an occurrence: tay's airing
	// is interrupted with the device's reason, its next slots fail, and
	// dong's airings complete throughout.
	var cut time.Time
	wait(30*time.Second, "tay on air again", func(dong, tay []playlist.Airing) bool {
		for _, w := range tay {
			if w.Status == playlist.StatusOpen && w.Slot == "tay" && w.ScheduledAt.After(occ) {
				cut = w.ScheduledAt
				return true
			}
		}
		return false
	})
	time.Sleep(time.Until(cut.Add(2 * time.Second)))
	// PulseAudio moves the streams of a sink that goes away to another
	// one: tay's output process is killed too, as a card pulled out ends
	// its stream. It is started again, and finds no nul_b.
	pa.pactl(t, "unload-module", pa.moduleB)
	killed := 0
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		raw, err := os.ReadFile(p)
		args := strings.Split(string(raw), "\x00")
		if err != nil || len(args) < 2 || args[0] != binPath || args[1] != "audio-output" || !slices.Contains(args, "zoneb") {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(p, "/proc/%d/cmdline", &pid); err == nil && syscall.Kill(pid, syscall.SIGKILL) == nil {
			killed++
		}
	}
	if killed != 1 {
		fail("found %d output processes of zone tay (alsa:zoneb) to kill, want 1", killed)
	}
	dong, tay = wait(30*time.Second, "tay failing and dong completing after the loss", func(dong, tay []playlist.Airing) bool {
		failed, completed := false, false
		for _, w := range tay {
			failed = failed || w.ScheduledAt.After(cut) && w.Status == playlist.StatusFailed
		}
		for _, d := range dong {
			completed = completed || d.ScheduledAt.After(cut) && d.Status == playlist.StatusCompleted
		}
		return failed && completed
	})
	for _, w := range tay {
		if w.ScheduledAt.Equal(cut) && (w.Status != playlist.StatusInterrupted || !strings.HasPrefix(w.Reason, "audio device error")) {
			fail("tay's airing when its sink went away: %s %q, want interrupted with \"audio device error…\"", w.Status, w.Reason)
		}
		if w.ScheduledAt.After(cut) && w.Status == playlist.StatusCompleted {
			fail("tay's airing at %s is logged completed while its sink is gone", w.ScheduledAt.Format("15:04:05"))
		}
	}
	for _, d := range dong {
		if !d.ScheduledAt.Before(cut) && d.Status != playlist.StatusCompleted && d.Status != playlist.StatusOpen {
			fail("dong's airing at %s: %s %q; only tay lost its sink, want completed", d.ScheduledAt.Format("15:04:05"), d.Status, d.Reason)
		}
	}
	stopProcess(cmd, done)
	if r := run(t, data, nil, "--config", config, "log", "verify"); r.code != 0 {
		t.Errorf("log verify after two zones aired: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// TestZoneFlagsRefuseUnknownZones: --zone names a zone of config.yaml, or
// the command stops with exit 2 naming the zones there are.
func TestZoneFlagsRefuseUnknownZones(t *testing.T) {
	data := t.TempDir()
	config := zonesConfig(t, "null", "null")
	for _, args := range [][]string{
		{"control", "stop", "--zone", "bac"},
		{"play", "--now", "1", "--zone", "bac"},
	} {
		r := run(t, data, nil, append([]string{"--config", config}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, `"bac"`) || !strings.Contains(r.stderr, "dong, tay") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming bac and the zones dong, tay", args, r.code, r.stderr)
		}
	}
}

// TestServeWatchdogStopsWhenOneZoneFreezes: with two zones, WATCHDOG=1
// stops as soon as one zone's loop stops checking in, though the other's
// still turns.
func TestServeWatchdogStopsWhenOneZoneFreezes(t *testing.T) {
	data := t.TempDir()
	config := zonesConfig(t, "null", "null")
	freeze := filepath.Join(t.TempDir(), "freeze")
	errb := &limitedBuffer{max: 64 << 10}
	_, next := serveNotifying(t, data, config, errb, "WATCHDOG_USEC=1000000", "CCHC_TEST_FREEZE_LOOP="+freeze, "CCHC_TEST_FREEZE_ZONE=tay")
	pings := 0
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end) && pings < 4; {
		if next(time.Until(end)) == "WATCHDOG=1" {
			pings++
		}
	}
	if pings < 4 {
		t.Fatalf("%d WATCHDOG=1 in 3 s from two live zones, want 4 (every 0.5 s)", pings)
	}
	if err := os.WriteFile(freeze, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(4 * time.Second); ; {
		got := next(2 * time.Second)
		if got == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("WATCHDOG=1 still arrives 4 s after zone tay's loop froze\n%s", errb.String())
		}
	}
	if !strings.Contains(errb.String(), "station:tay") {
		t.Errorf("serve's log does not name zone tay's loop as the one that stopped:\n%s", errb.String())
	}
	for _, line := range strings.Split(errb.String(), "\n") {
		if strings.Contains(line, "test hook: station loop frozen") && !strings.Contains(line, "zone=tay") {
			t.Errorf("a loop other than tay's froze: %s", line)
		}
	}
}
