package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/store"
)

// The real stack, paced (issue 3, point 9). The binary plays through ALSA's
// default device, which an ALSA configuration of the test's own points at
// the pulse plugin; a PulseAudio server started by the test renders it into
// a null sink, in real time; parec records the sink's monitor. oto allows
// one Context per process, so the test drives the real binary.
//
// What "10 s of programme took 10 s of wall time" is measured with: the
// test's own clock, watching the programme come out of the sound server.
// parec's output is read live through a pipe and every chunk is stamped
// with time.Now() as it arrives; the capture time of a sample is its chunk's
// arrival time minus the samples that follow it in the chunk. The wall time
// of the programme is then the time between the first non-silent sample and
// the last one. It does not take the program's word for anything, and the
// constant latencies of the path (the ALSA plugin, the server, parec) cancel
// out. The play command's own wall time is not used: it also includes
// starting up, opening the database and the device, and waiting for the last
// sample to be heard, which on this loaded machine vary by more than the
// tolerance. Beside it the test checks two other clocks that must agree: the
// number of samples in the recording between those two points (the null
// sink's clock, which is the system's monotonic clock — an underrun or a
// drop would show as silence inserted or sound missing), and the airing
// log's first started_at to last ended_at (the program's own account of
// when its first and last samples were heard).
func TestPlayThroughPulseAudioTakesRealTimeAndKeepsEveryPart(t *testing.T) {
	playThroughPulse(t, "alsa")
}

// TestPlayThroughPulseAudioWithOto is the same programme through the oto
// output (oto's player in the output process instead of our own writer):
// paced, every part in order, and a log whose played lengths and span are
// those of the recording.
func TestPlayThroughPulseAudioWithOto(t *testing.T) {
	playThroughPulse(t, "oto")
}

// playThroughPulse plays a 10 s programme to the output scheme output
// through PulseAudio and checks it against parec's recording (see above).
func playThroughPulse(t *testing.T, output string) {
	const install = "install them with: apt-get install pulseaudio pulseaudio-utils libasound2-plugins sox (make test installs them)"
	for _, tool := range []string{"pulseaudio", "parec", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed; this test needs PulseAudio, parec, ALSA's pulse plugin and sox — %s", tool, install)
		}
	}
	if m, _ := filepath.Glob("/usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so"); len(m) == 0 {
		t.Fatalf("ALSA's pulse plugin (libasound_module_pcm_pulse.so) is not installed — %s", install)
	}

	const rate = 48000
	// The programme: three tones, told apart by their frequency, with the
	// station's 1 s gap between them: 3 + 1 + 3 + 1 + 2 = 10 s.
	parts := []struct {
		freq    float64
		seconds float64
	}{{500, 3}, {1000, 3}, {2000, 2}}
	const gap = time.Second
	const programme = 10 * time.Second

	dir := t.TempDir()
	data := t.TempDir()
	var ids []string
	for i, p := range parts {
		path := filepath.Join(dir, fmt.Sprintf("tone%d-%gHz.wav", i+1, p.freq))
		if out, err := exec.Command("sox", "-n", "-r", fmt.Sprint(rate), "-c", "2", "-b", "16", path,
			"synth", fmt.Sprint(p.seconds), "sine", fmt.Sprint(p.freq), "vol", "-20dB").CombinedOutput(); err != nil {
			t.Fatalf("sox: %v %s", err, out)
		}
		mustRun(t, data, "segments", "import", "--topic", "tthc", "--approve", path)
		ids = append(ids, fmt.Sprint(i+1))
	}

	env := startPulse(t)
	rec := startParec(t, env, rate)

	// The station's settings that shape the programme, whatever config.yaml
	// says. Loudness normalisation stays on, and audio.buffer is the shipped
	// one: they are part of the real stack.
	playEnv := append([]string{"CCHC_AUDIO_GAP=" + gap.String(), "CCHC_AUDIO_SAMPLE_RATE=48000"}, env...)
	began := time.Now()
	r := run(t, data, playEnv, append([]string{"-v", "play", "--output", output}, ids...)...)
	procWall := time.Since(began)
	if r.code != 0 {
		t.Fatalf("play through PulseAudio: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	// Let the last samples reach parec, then stop recording.
	time.Sleep(500 * time.Millisecond)
	pcm, chunks := rec.stop(t)
	if len(chunks) == 0 {
		t.Fatal("parec recorded nothing")
	}

	// Left channel, as floats; the right one must carry the same programme.
	n := len(pcm) / 4
	left := make([]float64, n)
	maxDiff, at := 0, 0
	for i := 0; i < n; i++ {
		l := int16(binary.LittleEndian.Uint16(pcm[i*4:]))
		rr := int16(binary.LittleEndian.Uint16(pcm[i*4+2:]))
		if d := max(int(l)-int(rr), int(rr)-int(l)); d > maxDiff {
			maxDiff, at = d, i
		}
		left[i] = float64(l) / 32768
	}
	if maxDiff > 328 {
		t.Fatalf("frame %d: left %d, right %d: the channels differ by more than 1%% of full scale", at,
			int16(binary.LittleEndian.Uint16(pcm[at*4:])), int16(binary.LittleEndian.Uint16(pcm[at*4+2:])))
	}
	sounds := soundRuns(left, 0.003, rate/100)
	if len(sounds) == 0 {
		t.Fatalf("the recording of %.2f s is silent\nplay said: %s%s", float64(n)/rate, r.stdout, r.stderr)
	}
	soundFrames := 0
	var desc []string
	for i, s := range sounds {
		soundFrames += s[1] - s[0]
		if i < 8 || i == len(sounds)-1 {
			desc = append(desc, fmt.Sprintf("[%.3f s, %.3f s]", float64(s[0])/rate, float64(s[1])/rate))
		} else if i == 8 {
			desc = append(desc, "…")
		}
	}
	t.Logf("recorded %.2f s in %d chunks (left and right differ by %d at most); %d stretches of sound: %s",
		float64(n)/rate, len(chunks), maxDiff, len(sounds), strings.Join(desc, " "))

	dur := func(frames int) time.Duration { return time.Duration(float64(frames) / rate * float64(time.Second)) }
	within := func(got, want, tol time.Duration) bool { return got >= want-tol && got <= want+tol }

	// The three clocks, from the first sound to the last.
	first, last := sounds[0][0], sounds[len(sounds)-1][1]
	onset, offset := captureTime(chunks, first, rate), captureTime(chunks, last, rate)
	wall := offset.Sub(onset)
	samples := dur(last - first)

	ctx := context.Background()
	st, err := store.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	airings, err := st.Airings(ctx, "", began.Add(-time.Minute), time.Now().Add(time.Minute))
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(airings) != len(parts) {
		t.Fatalf("want %d airings in the log, got %+v", len(parts), airings)
	}
	sort.Slice(airings, func(i, j int) bool { return airings[i].StartedAt.Before(airings[j].StartedAt) })
	for i, a := range airings {
		want := time.Duration(parts[i].seconds * float64(time.Second))
		if fmt.Sprint(a.SegmentID) != ids[i] || a.Status != "completed" || a.Played != want {
			t.Errorf("airing %d: segment %d %s %v, want segment %s completed %v", i+1, a.SegmentID, a.Status, a.Played, ids[i], want)
		}
	}
	logged := airings[len(airings)-1].EndedAt.Sub(airings[0].StartedAt)

	t.Logf("programme of %v: wall clock (parec, live) %v; recorded samples %v; airing log %v; play command %v (start to first sound %v, last sound to exit %v); the log's started_at is %v from the first sound's arrival, its ended_at %v from the last's",
		programme, wall.Round(time.Millisecond), samples.Round(time.Millisecond), logged, procWall.Round(time.Millisecond),
		onset.Sub(began).Round(time.Millisecond), began.Add(procWall).Sub(offset).Round(time.Millisecond),
		airings[0].StartedAt.Sub(onset).Round(time.Millisecond), airings[len(airings)-1].EndedAt.Sub(offset).Round(time.Millisecond))
	const paced = 200 * time.Millisecond
	if !within(wall, programme, paced) {
		t.Errorf("the programme took %v of wall time as it came out of the sound server, want %v ±%v", wall, programme, paced)
	}
	if !within(samples, programme, paced) {
		t.Errorf("the recording holds %v from the first sound to the last, want %v ±%v", samples, programme, paced)
	}
	if !within(logged, programme, paced) {
		t.Errorf("the airing log spans %v from the first start to the last end, want %v ±%v", logged, programme, paced)
	}
	if procWall < programme {
		t.Errorf("the play command took %v for %v of programme: it was not paced", procWall, programme)
	}

	// The content: each part's length, the gap before it, and its
	// frequency in every 100 ms window (a glitch, a drop or a wrong order
	// shows here).
	if len(sounds) != len(parts) {
		t.Fatalf("want %d tones separated by silence, found %d stretches of sound (%s): %v of sound in %v — the output stutters or drops",
			len(parts), len(sounds), strings.Join(desc, " "), dur(soundFrames).Round(time.Millisecond), samples.Round(time.Millisecond))
	}
	const tol = 50 * time.Millisecond
	for i, p := range parts {
		s := sounds[i]
		want := time.Duration(p.seconds * float64(time.Second))
		if got := dur(s[1] - s[0]); !within(got, want, tol) {
			t.Errorf("tone %d (%g Hz) lasts %v, want %v ±%v", i+1, p.freq, got, want, tol)
		}
		if i > 0 {
			if got := dur(s[0] - sounds[i-1][1]); !within(got, gap, tol) {
				t.Errorf("gap before tone %d lasts %v, want %v ±%v", i+1, got, gap, tol)
			}
		}
		win := rate / 10
		for w := s[0]; w+win <= s[1]; w += win {
			x := left[w : w+win]
			energy := 0.0
			for _, v := range x {
				energy += v * v
			}
			best, bestPow := 0.0, -1.0
			for _, q := range parts {
				if pw := goertzel(x, q.freq, rate); pw > bestPow {
					best, bestPow = q.freq, pw
				}
			}
			if best != p.freq || bestPow < 0.9*energy {
				t.Errorf("tone %d, %.1f s in: dominant %g Hz with %.0f%% of the energy, want %g Hz with ≥ 90%%",
					i+1, float64(w-s[0])/rate, best, 100*bestPow/energy, p.freq)
				break
			}
		}
	}
}

// startPulse starts a PulseAudio server of the test's own with a null sink
// named nul, and stops it when the test ends. It returns the environment
// that points libpulse and ALSA at it.
func startPulse(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "native")
	clientConf := filepath.Join(dir, "client.conf")
	asoundConf := filepath.Join(dir, "asound.conf")
	// No autospawn: a client that misses this server must fail, not start
	// another one that nobody stops.
	if err := os.WriteFile(clientConf, []byte("autospawn = no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(asoundConf, []byte("pcm.!default { type pulse }\nctl.!default { type pulse }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + dir,
		"XDG_RUNTIME_DIR=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"PULSE_SERVER=unix:" + sock,
		"PULSE_CLIENTCONFIG=" + clientConf,
		"ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:" + asoundConf,
	}
	runPulse(t, sock, env, "nul")
	return env
}

// runPulse runs PulseAudio with env on the socket sock, with one null sink
// named sink, stops it when the test ends and returns once it listens: the
// process, a channel closed when it has exited, and its log.
func runPulse(t *testing.T, sock string, env []string, sink string) (*exec.Cmd, <-chan struct{}, *limitedBuffer) {
	t.Helper()
	cmd := exec.Command("pulseaudio", "--daemonize=no", "--system=no", "--exit-idle-time=-1", "--disallow-exit",
		"--use-pid-file=no", "-n", "--log-target=stderr",
		"--load=module-null-sink sink_name="+sink+" rate=48000 channels=2 format=s16le",
		"--load=module-native-protocol-unix socket="+sock+" auth-anonymous=1")
	cmd.Env = append(os.Environ(), env...)
	logs := &limitedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pulseaudio: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		stopProcess(cmd, done)
		if t.Failed() {
			t.Logf("pulseaudio's log:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return cmd, done, logs
		}
		select {
		case <-done:
			t.Fatalf("pulseaudio exited at start: %v\n%s", cmd.ProcessState, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("pulseaudio did not open %s within 15 s\n%s", sock, logs.String())
		}
	}
}

// stopProcess ends a process the test started: SIGTERM, then SIGKILL.
func stopProcess(cmd *exec.Cmd, done <-chan struct{}) {
	select {
	case <-done:
		return
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// chunk is how much of the recording had arrived, and when.
type chunk struct {
	end int // bytes of the recording received, this chunk included
	at  time.Time
}

type recorder struct {
	cmd  *exec.Cmd
	done chan struct{}
	read chan struct{}
	mu   sync.Mutex
	pcm  []byte
	ch   []chunk
	logs *limitedBuffer
}

// startParec records the null sink's monitor, stamping each chunk as it
// arrives, and returns once audio flows. It keeps at most two minutes.
func startParec(t *testing.T, env []string, rate int) *recorder {
	t.Helper()
	r := recordMonitor(t, env, "nul", rate, 120)
	deadline := time.Now().Add(15 * time.Second)
	for {
		r.mu.Lock()
		got := len(r.pcm)
		r.mu.Unlock()
		if got > 0 {
			return r
		}
		select {
		case <-r.done:
			t.Fatalf("parec exited: %v\n%s", r.cmd.ProcessState, r.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("parec recorded nothing within 15 s\n%s", r.logs.String())
		}
	}
}

// recordMonitor records a sink's monitor at rate, stamping each chunk as
// it arrives and keeping at most maxSeconds, until the test ends.
func recordMonitor(t *testing.T, env []string, sink string, rate, maxSeconds int) *recorder {
	t.Helper()
	cmd := exec.Command("parec", "-d", sink+".monitor", "--raw", "--format=s16le", fmt.Sprintf("--rate=%d", rate),
		"--channels=2", "--latency-msec=20")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{cmd: cmd, done: make(chan struct{}), read: make(chan struct{}), logs: &limitedBuffer{max: 16 << 10}}
	cmd.Stderr = r.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start parec: %v", err)
	}
	maxBytes := maxSeconds * rate * 4
	go func() {
		defer close(r.read)
		buf := make([]byte, 64<<10)
		for {
			k, err := out.Read(buf)
			if k > 0 {
				at := time.Now()
				r.mu.Lock()
				if len(r.pcm)+k <= maxBytes {
					r.pcm = append(r.pcm, buf[:k]...)
					r.ch = append(r.ch, chunk{len(r.pcm), at})
				}
				r.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { <-r.read; cmd.Wait(); close(r.done) }()
	t.Cleanup(func() { stopProcess(cmd, r.done) })
	return r
}

// stop ends the recording and returns it with its chunks' arrival times.
func (r *recorder) stop(t *testing.T) ([]byte, []chunk) {
	t.Helper()
	r.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		t.Fatal("parec did not stop on SIGINT")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pcm[:len(r.pcm)/4*4], r.ch
}

// captureTime is when frame was captured: its chunk's arrival time, less
// the frames after it in that chunk.
func captureTime(chunks []chunk, frame, rate int) time.Time {
	i := sort.Search(len(chunks), func(i int) bool { return chunks[i].end > frame*4 })
	if i == len(chunks) {
		i = len(chunks) - 1
	}
	after := chunks[i].end/4 - frame
	return chunks[i].at.Add(-time.Duration(float64(after) / float64(rate) * float64(time.Second)))
}

// soundRuns finds the stretches of sound, [first, last+1) frame, that are
// separated by at least minSilence frames below thr.
func soundRuns(x []float64, thr float64, minSilence int) [][2]int {
	var runs [][2]int
	start, last := -1, -1
	for i, v := range x {
		if math.Abs(v) <= thr {
			continue
		}
		if start >= 0 && i-last > minSilence {
			runs = append(runs, [2]int{start, last + 1})
			start = -1
		}
		if start < 0 {
			start = i
		}
		last = i
	}
	if start >= 0 {
		runs = append(runs, [2]int{start, last + 1})
	}
	return runs
}

// goertzel is the power of x at freq, scaled so that a pure sine at freq
// over whole periods gives the sum of x².
func goertzel(x []float64, freq float64, rate int) float64 {
	c := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = v+c*s1-s2, s1
	}
	return 2 * (s1*s1 + s2*s2 - c*s1*s2) / float64(len(x))
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	mu  sync.Mutex
	max int
	b   bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var _ io.Writer = (*limitedBuffer)(nil)
