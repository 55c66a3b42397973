package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/contract"
)

// The end-to-end tests build the real binary and drive it as an operator
// would, each with a data folder of its own.

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scheduler-e2e")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "scheduler")
	// Every serve of the tests puts its web app on a free port, never on
	// the 8080 of a station running on this machine.
	os.Setenv("CCHC_WEB_LISTEN", "127.0.0.1:0")
	// CCHC_E2E_RACE=1 (make test) builds the binary with the race
	// detector: the tests then also catch races in serve's goroutines.
	args := []string{"build", "-o", binPath, "."}
	if os.Getenv("CCHC_E2E_RACE") == "1" {
		args = []string{"build", "-race", "-o", binPath, "."}
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs the binary from the project root with the shipped config.
func run(t *testing.T, data string, env []string, args ...string) result {
	t.Helper()
	return runBinary(t, nil, env, append([]string{"--data", data}, args...)...)
}

// runBinary runs the binary from the project root with stdin (nil: none)
// and env added to the environment (nil: none).
func runBinary(t *testing.T, stdin io.Reader, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = "../.."
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

func mustRun(t *testing.T, data string, args ...string) string {
	t.Helper()
	r := run(t, data, nil, args...)
	if r.code != 0 {
		t.Fatalf("scheduler %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

type airingJSON struct {
	ID        int64    `json:"id"`
	SegmentID int64    `json:"segment_id"`
	Topics    []string `json:"topics"`
	Slot      string   `json:"slot"`
	Scheduled string   `json:"scheduled_at"`
	Started   *string  `json:"started_at"`
	PlayedMS  int64    `json:"played_ms"`
	Status    string   `json:"status"`
	Reason    string   `json:"reason"`
}

type reportJSON struct {
	Topics []struct {
		Code     string  `json:"code"`
		Airings  int     `json:"airings"`
		Minutes  float64 `json:"minutes"`
		Segments int     `json:"segments"`
	} `json:"topics"`
	Totals struct {
		Airings     int     `json:"airings"`
		Minutes     float64 `json:"minutes"`
		Interrupted int     `json:"interrupted"`
		Missed      int     `json:"missed"`
		Failed      int     `json:"failed"`
	} `json:"totals"`
}

func TestImportSimulateMonthReportAgreesWithLog(t *testing.T) {
	data := t.TempDir()
	out := mustRun(t, data, "segments", "import", "media")
	if !strings.Contains(out, "12") {
		t.Fatalf("import media: %s", out)
	}
	mustRun(t, data, "segments", "approve", "--all")
	var preview []struct {
		Slot  string `json:"slot"`
		Items []struct {
			SegmentID int64 `json:"segment_id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, data, "schedule", "preview", "--from", "2024-05-01", "--days", "31", "--json")), &preview); err != nil {
		t.Fatal(err)
	}
	mustRun(t, data, "simulate", "--from", "2024-05-01", "--to", "2024-05-31")
	var log []airingJSON
	if err := json.Unmarshal([]byte(mustRun(t, data, "log", "--from", "2024-05-01", "--to", "2024-05-31", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	var rep reportJSON
	if err := json.Unmarshal([]byte(mustRun(t, data, "report", "--month", "2024-05", "--json")), &rep); err != nil {
		t.Fatal(err)
	}

	// What the preview said is what aired, in order.
	var planned, aired []int64
	for _, o := range preview {
		for _, it := range o.Items {
			planned = append(planned, it.SegmentID)
		}
	}
	completed := 0
	perTopic := map[string]int{}
	playedMS := map[string]int64{}
	for _, a := range log {
		if a.Status != "completed" {
			continue
		}
		completed++
		aired = append(aired, a.SegmentID)
		for _, tp := range a.Topics {
			perTopic[tp]++
			playedMS[tp] += a.PlayedMS
		}
	}
	if completed == 0 {
		t.Fatal("a simulated month aired nothing")
	}
	if len(planned) != len(aired) {
		t.Fatalf("preview planned %d airings, simulate completed %d", len(planned), len(aired))
	}
	for i := range planned {
		if planned[i] != aired[i] {
			t.Fatalf("airing %d: preview planned segment %d, simulate aired %d", i, planned[i], aired[i])
		}
	}
	if rep.Totals.Airings != completed {
		t.Fatalf("report totals.airings = %d, log has %d completed", rep.Totals.Airings, completed)
	}
	for _, tp := range rep.Topics {
		if tp.Airings != perTopic[tp.Code] {
			t.Errorf("topic %s: report says %d airings, log has %d", tp.Code, tp.Airings, perTopic[tp.Code])
		}
		if want := float64(playedMS[tp.Code]) / 60000; tp.Minutes < want-0.06 || tp.Minutes > want+0.06 {
			t.Errorf("topic %s: report says %.1f minutes, log has %.2f", tp.Code, tp.Minutes, want)
		}
	}
	// Every completed airing played its whole segment on the virtual clock.
	for _, a := range log {
		if a.Status == "completed" && (a.PlayedMS < 14000 || a.Started == nil) {
			t.Fatalf("completed airing %d played %d ms, started %v", a.ID, a.PlayedMS, a.Started)
		}
	}
	// Simulating again changes nothing: no occurrence airs twice.
	mustRun(t, data, "simulate", "--from", "2024-05-01", "--to", "2024-05-31")
	var again []airingJSON
	json.Unmarshal([]byte(mustRun(t, data, "log", "--from", "2024-05-01", "--to", "2024-05-31", "--json")), &again)
	if len(again) != len(log) {
		t.Fatalf("a second simulate of the same month added airings: %d → %d", len(log), len(again))
	}
}

func TestImportRefusesBadFilesAndKeepsGoodOnes(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	text := filepath.Join(dir, "text.wav")
	empty := filepath.Join(dir, "empty.wav")
	os.WriteFile(text, []byte("not audio\n"), 0o644)
	os.WriteFile(empty, nil, 0o644)
	good, _ := filepath.Abs("../../media/tthc/dich-vu-cong-truc-tuyen.wav")
	first, _ := filepath.Abs("../../media/tthc/bo-phan-mot-cua.wav")
	mustRun(t, data, "segments", "import", "--topic", "tthc", first)
	before := mustRun(t, data, "segments", "list", "--json")

	r := run(t, data, nil, "segments", "import", "--topic", "tthc", text, good, empty)
	if r.code != 2 {
		t.Fatalf("import with bad files: exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, name := range []string{"text.wav", "empty.wav"} {
		if !strings.Contains(r.stderr, name) {
			t.Errorf("the bad file %s is not named in: %s", name, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, "WAV") {
		t.Errorf("the reason is not given: %s", r.stderr)
	}
	after := mustRun(t, data, "segments", "list", "--json")
	var segs []struct {
		Path string `json:"path"`
	}
	json.Unmarshal([]byte(after), &segs)
	if len(segs) != 2 || segs[1].Path != good {
		t.Fatalf("want the earlier segment and the good file, got %s", after)
	}
	var b4, af []map[string]any
	json.Unmarshal([]byte(before), &b4)
	json.Unmarshal([]byte(after), &af)
	if len(b4) != 1 || !reflect.DeepEqual(b4[0], af[0]) {
		t.Fatalf("the stored segment changed:\nbefore %s\nafter %s", before, after)
	}
	// The same file again is recognised by its content.
	r = run(t, data, nil, "segments", "import", "--topic", "tthc", good)
	if r.code != 0 || !strings.Contains(r.stdout, "đã có sẵn") {
		t.Fatalf("re-import: exit %d: %s", r.code, r.stdout)
	}
}

func TestBadConfigNamesFileLineKeyAndFix(t *testing.T) {
	data := t.TempDir()
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown key", "  gap: 1s", "  gap: 1s\n  volum: 3", []string{"volum", "bad.yaml:"}},
		{"bad cron", `cron: "0 6 * * 1-6"`, `cron: "0 25 * * 1-6"`, []string{"schedule.slots[0].cron", "0 25 * * 1-6", "bad.yaml:", "phút giờ ngày tháng thứ"}},
		{"bad output", "output: auto", "output: speakers", []string{"audio.output", "speakers", "bad.yaml:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(string(raw), c.from) {
				t.Fatalf("config.yaml has no %q", c.from)
			}
			path := filepath.Join(t.TempDir(), "bad.yaml")
			os.WriteFile(path, []byte(strings.Replace(string(raw), c.from, c.to, 1)), 0o644)
			r := run(t, data, nil, "--config", path, "segments", "list")
			if r.code != 2 {
				t.Fatalf("exit %d, want 2: %s", r.code, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("message lacks %q: %s", w, r.stderr)
				}
			}
		})
	}
}

// writeTone makes a WAV of a tone with sox.
func writeTone(t *testing.T, path string, seconds string) {
	t.Helper()
	if out, err := exec.Command("sox", "-n", "-r", "48000", "-c", "2", "-b", "16", path, "synth", seconds, "sine", "1000", "vol", "-20dB").CombinedOutput(); err != nil {
		t.Fatalf("sox (apt-get install sox): %v %s", err, out)
	}
}

func TestNoAudioDeviceLogsFailedNeverCompleted(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	conf := filepath.Join(dir, "asound.conf")
	// An ALSA configuration whose default device cannot open.
	os.WriteFile(conf, []byte("pcm.!default { type hw card 99 }\n"), 0o644)
	tone := filepath.Join(dir, "tone.wav")
	writeTone(t, tone, "1")
	mustRun(t, data, "segments", "import", "--topic", "tthc", "--approve", tone)
	r := run(t, data, []string{"ALSA_CONFIG_PATH=" + conf}, "play", "--output", "alsa", "1")
	if r.code != 1 {
		t.Fatalf("play with no device: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "KHÔNG MỞ ĐƯỢC THIẾT BỊ ÂM THANH") {
		t.Errorf("no loud warning: %s", r.stderr)
	}
	var log []airingJSON
	json.Unmarshal([]byte(mustRun(t, data, "log", "--json")), &log)
	// The reason says what ALSA said, as serve's does (play opens the card
	// in its own process, serve through its output process).
	if len(log) != 1 || log[0].Status != "failed" || !strings.HasPrefix(log[0].Reason, "no audio device: ") ||
		!strings.Contains(log[0].Reason, "snd_pcm_open") || log[0].PlayedMS != 0 {
		t.Fatalf("want one failed airing with reason 'no audio device: …snd_pcm_open…', got %+v", log)
	}
}

func TestPlayToFileLogsCompletedAndWritesTheAudio(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	tone := filepath.Join(dir, "tone.wav")
	writeTone(t, tone, "2")
	out := filepath.Join(dir, "out.wav")
	mustRun(t, data, "segments", "import", "--topic", "tthc", tone)
	mustRun(t, data, "play", "--output", "file:"+out, "1", tone)
	var log []airingJSON
	json.Unmarshal([]byte(mustRun(t, data, "log", "--json")), &log)
	if len(log) != 2 {
		t.Fatalf("want 2 manual airings, got %+v", log)
	}
	for _, a := range log {
		if a.Status != "completed" || a.Slot != "manual" || a.PlayedMS != 2000 {
			t.Fatalf("want completed manual airings of 2000 ms, got %+v", a)
		}
	}
	info, err := exec.Command("soxi", "-D", out).Output()
	if err != nil {
		t.Fatalf("soxi %s: %v", out, err)
	}
	// Two 2 s segments and the configured 1 s gap, at least.
	if d := strings.TrimSpace(string(info)); d < "5.000" {
		t.Fatalf("output lasts %s s, want at least 5", d)
	}
}

// stationConfig writes a config whose slot starts every 15 seconds, with
// the null output paced in real time.
func stationConfig(t *testing.T) string {
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	s = strings.Replace(s, "output: auto", "output: null", 1)
	s = strings.Replace(s, "no_repeat: 20h", "no_repeat: 0s", 1)
	s = strings.Replace(s, `quiet_hours: ["21:30-05:00"]`, "quiet_hours: []", 1)
	s = strings.Replace(s, `cron: "0 6 * * 1-6"`, `cron: "*/15 * * * * *"`, 1)
	// One slot only: the evening one would overlap a slot every 15 s.
	if i, j := strings.Index(s, "    - name: chieu"), strings.Index(s, "approval:"); i > 0 && j > i {
		s = s[:i] + "\n" + s[j:]
	}
	s = strings.Replace(s, "      length: 10m\n", "      length: 12s\n", 1)
	return writeConfig(t, "station.yaml", s)
}

// writeConfig writes a test's configuration to a file of its own and
// returns its path.
func writeConfig(t *testing.T, name, s string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitForStatus polls the log until an airing has the status.
func waitForStatus(t *testing.T, data, config, status string, within time.Duration) []airingJSON {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var log []airingJSON
		r := run(t, data, nil, "--config", config, "log", "--json")
		json.Unmarshal([]byte(r.stdout), &log)
		for _, a := range log {
			if a.Status == status {
				return log
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no %s airing within %s", status, within)
	return nil
}

// waitOnAir waits until an airing has been on air for d: its row opens
// a pre-roll (2.5 × audio.buffer + 0.5 s) before its slot's time, when the
// first item starts.
func waitOnAir(t *testing.T, data, config string, d time.Duration) {
	t.Helper()
	for _, a := range waitForStatus(t, data, config, "open", 25*time.Second) {
		if a.Status != "open" {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, a.Scheduled)
		if err != nil {
			t.Fatalf("scheduled_at %q: %v", a.Scheduled, err)
		}
		time.Sleep(time.Until(at.Add(d)))
		return
	}
}

func TestServeClosesTheAiringOnSIGTERMAndRecoversFromSIGKILL(t *testing.T) {
	data := t.TempDir()
	config := stationConfig(t)
	tone := filepath.Join(t.TempDir(), "tone.wav")
	writeTone(t, tone, "6")
	mustRun(t, data, "--config", config, "segments", "import", "--topic", "tthc", "--approve", tone)

	start := func() *exec.Cmd {
		cmd := exec.Command(binPath, "--data", data, "--config", config, "serve")
		cmd.Dir = "../.."
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// SIGTERM mid-airing: the airing is closed as interrupted, exit 0.
	cmd := start()
	waitOnAir(t, data, config, time.Second)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	log := waitForStatus(t, data, config, "interrupted", 5*time.Second)
	a := log[len(log)-1]
	if a.Status != "interrupted" || a.Reason != "station stopped" || a.PlayedMS <= 0 || a.PlayedMS >= 6000 {
		t.Fatalf("after SIGTERM want an interrupted airing with 0 < played < 6000 ms, got %+v", a)
	}

	// SIGKILL mid-airing leaves the row open; the next start closes it.
	cmd = start()
	deadline := time.Now().Add(25 * time.Second)
	var open airingJSON
	for open.ID == 0 && time.Now().Before(deadline) {
		var log []airingJSON
		json.Unmarshal([]byte(run(t, data, nil, "--config", config, "log", "--json").stdout), &log)
		for _, a := range log {
			if a.Status == "open" {
				open = a
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if open.ID == 0 {
		t.Fatal("no airing opened")
	}
	cmd.Process.Kill()
	cmd.Wait()
	cmd = start()
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	var after []airingJSON
	json.Unmarshal([]byte(run(t, data, nil, "--config", config, "log", "--json").stdout), &after)
	for _, a := range after {
		if a.ID == open.ID {
			if a.Status != "interrupted" || a.Reason != "station restarted after a crash" {
				t.Fatalf("the airing open at SIGKILL is %+v, want interrupted after a crash", a)
			}
			return
		}
	}
	t.Fatalf("airing %d vanished from the log", open.ID)
}

func TestServeTellsSystemdWhenReady(t *testing.T) {
	data := t.TempDir()
	config := stationConfig(t)
	cmd, next := serveNotifying(t, data, config, nil) // fails unless READY=1 comes
	cmd.Process.Signal(syscall.SIGTERM)
	if got := next(20 * time.Second); got != "STOPPING=1" {
		t.Fatalf("want STOPPING=1 on SIGTERM, got %q", got)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
}

func TestPlayNormalisesEachSegmentToTheTargetLoudness(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	files := []struct {
		name, rate, channels, bits, vol string
	}{
		{"quiet-mono-16k.wav", "16000", "1", "16", "-34dB"},
		{"loud-stereo-44k.wav", "44100", "2", "16", "-4dB"},
		{"mid-stereo-48k-24bit.wav", "48000", "2", "24", "-20dB"},
	}
	var ids []string
	for i, f := range files {
		path := filepath.Join(dir, f.name)
		if out, err := exec.Command("sox", "-n", "-r", f.rate, "-c", f.channels, "-b", f.bits, path, "synth", "4", "sine", "700", "vol", f.vol).CombinedOutput(); err != nil {
			t.Fatalf("sox: %v %s", err, out)
		}
		mustRun(t, data, "segments", "import", "--topic", "tthc", path)
		ids = append(ids, fmt.Sprint(i+1))
	}
	out := filepath.Join(dir, "out.wav")
	mustRun(t, data, append([]string{"play", "--output", "file:" + out}, ids...)...)

	d, err := audio.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const rate = 48000
	// Each segment lasts 4 s at 48 kHz, then the configured 1 s gap.
	buf := make([]float32, 4*rate*2)
	for i, f := range files {
		n := 0
		for n < 4*rate {
			got, err := d.Read(buf[n*2:])
			if err != nil {
				t.Fatalf("read segment %d: %v", i, err)
			}
			n += got
		}
		m := audio.NewMeter(rate, 2)
		m.Write(buf)
		if l := m.Integrated(); l < -17 || l > -15 {
			t.Errorf("%s played at %.2f LUFS, want -16 ±1", f.name, l)
		}
		if tp := m.TruePeak(); tp > -0.95 {
			t.Errorf("%s played with a true peak of %.2f dBTP, want ≤ -1", f.name, tp)
		}
		gap := make([]float32, rate*2)
		for n := 0; n < rate; {
			got, err := d.Read(gap[n*2:])
			if err != nil {
				if i == len(files)-1 {
					break
				}
				t.Fatalf("read gap %d: %v", i, err)
			}
			n += got
		}
	}
}

func TestReportFilesForTheClerk(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	mustRun(t, data, "segments", "import", "--approve", "media")
	mustRun(t, data, "simulate", "--from", "2024-05-26", "--to", "2024-06-02")
	// A commune reporting to the province, as from 1/7/2025: the header and
	// "Nơi nhận" of every format come from config.yaml.
	shipped, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(shipped), `superior: "UBND HUYỆN YÊN MỸ"`, `superior: "UBND TỈNH HƯNG YÊN"`, 1)
	cfg = strings.Replace(cfg, `"UBND huyện Yên Mỹ (Phòng Nội vụ);"`, `"Sở Nội vụ tỉnh Hưng Yên;"`, 1)
	if strings.Contains(cfg, `superior: "UBND HUYỆN YÊN MỸ"`) || strings.Contains(cfg, `"UBND huyện Yên Mỹ (Phòng Nội vụ);"`) ||
		!strings.Contains(cfg, `"Sở Nội vụ tỉnh Hưng Yên;"`) {
		t.Fatal("config.yaml no longer names UBND huyện Yên Mỹ as the superior: update this test")
	}
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	report := func(format string) string {
		out := filepath.Join(dir, "bao-cao."+format)
		mustRun(t, data, "--config", config, "report", "--month", "2024-05", "--format", format, "-o", out)
		return out
	}

	// The chain head at the end of May: the last link of May's airings,
	// the one the first airing of June is chained to.
	var rep struct {
		ChainHead *struct {
			Hash     string `json:"hash"`
			AiringID int64  `json:"airing_id"`
			Seq      int64  `json:"seq"`
		} `json:"chain_head"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, data, "report", "--month", "2024-05", "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	head := rep.ChainHead
	if head == nil || len(head.Hash) != 64 || head.Seq == 0 {
		t.Fatalf("chain_head = %+v, want the hash, airing and seq of May's last link", head)
	}
	var may, june []contract.Airing
	json.Unmarshal([]byte(mustRun(t, data, "log", "--from", "2024-05-01", "--to", "2024-05-31", "--json")), &may)
	json.Unmarshal([]byte(mustRun(t, data, "log", "--from", "2024-06-01", "--to", "2024-06-30", "--json")), &june)
	inMay, next := false, false
	for _, a := range may {
		inMay = inMay || (a.ID == head.AiringID && a.Hash != nil && *a.Hash == head.Hash)
	}
	for _, a := range june {
		next = next || (a.PrevHash != nil && *a.PrevHash == head.Hash)
	}
	if !inMay || !next || len(june) == 0 {
		t.Errorf("chain head %+v: a May airing with that hash %v, a June airing chained after it %v", head, inMay, next)
	}
	short := head.Hash[:16]

	text := mustRun(t, data, "--config", config, "report", "--month", "2024-05")
	page, err := os.ReadFile(report("html"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(report("xlsx"))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 3 || sheets[0] != "Tổng hợp" || sheets[1] != "Nhật ký phát" {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := f.GetRows("Nhật ký phát")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(may)+1 {
		t.Fatalf("the log sheet has %d rows, the log %d airings (+1 heading)", len(rows), len(may))
	}
	summary, err := f.GetRows("Tổng hợp")
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, r := range summary {
		cells = append(cells, strings.Join(r, " "))
	}
	docx := docxText(t, report("docx"))
	for name, doc := range map[string]string{"text": text, "html": string(page), "xlsx": strings.Join(cells, "\n"), "docx": docx} {
		for _, want := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "UBND TỈNH HƯNG YÊN", "Sở Nội vụ tỉnh Hưng Yên;",
			"log verify --head " + short} {
			if !strings.Contains(doc, want) {
				t.Errorf("the %s report lacks %q", name, want)
			}
		}
		if strings.Contains(doc, "Yên Mỹ") {
			t.Errorf("the %s report names Yên Mỹ, which the config does not", name)
		}
	}
	if csv, err := os.ReadFile(report("csv")); err != nil || !strings.Contains(string(csv), short) {
		t.Errorf("the CSV report lacks the chain head %s (%v)", short, err)
	}
	// Binary formats are not printed on a terminal; a pipe takes them.
	if r := run(t, data, nil, "report", "--month", "2024-05", "--format", "docx"); r.code != 0 || !strings.HasPrefix(r.stdout, "PK") {
		t.Errorf("report --format docx into a pipe: exit %d, %q", r.code, r.stdout[:min(10, len(r.stdout))])
	}
}

// docxText is the text of a Word document's body, its paragraphs on lines
// of their own.
func docxText(t *testing.T, path string) string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("open the Word document: %v", err)
	}
	defer z.Close()
	for _, f := range z.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		var b strings.Builder
		dec := xml.NewDecoder(rc)
		inText := false
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch e := tok.(type) {
			case xml.StartElement:
				inText = e.Name.Local == "t"
			case xml.EndElement:
				inText = false
				if e.Name.Local == "p" {
					b.WriteByte('\n')
				}
			case xml.CharData:
				if inText {
					b.Write(e)
				}
			}
		}
		return b.String()
	}
	t.Fatal("the Word document has no word/document.xml")
	return ""
}

func TestPinnedSegmentAirsFirstInItsSlot(t *testing.T) {
	data := t.TempDir()
	mustRun(t, data, "segments", "import", "--approve", "media")
	// The evening slot is empty with the sample library (20 h no-repeat);
	// a pin puts segment 7 in it on 2 May.
	mustRun(t, data, "schedule", "pin", "7", "--slot", "chieu", "--date", "2024-05-02")
	if r := run(t, data, nil, "schedule", "pin", "7", "--slot", "chieu", "--date", "2024-05-05"); r.code != 2 {
		t.Fatalf("pin on a day the slot does not occur (a Sunday): exit %d, want 2", r.code)
	}
	if r := run(t, data, nil, "schedule", "pin", "7", "--slot", "trua", "--date", "2024-05-02"); r.code != 2 || !strings.Contains(r.stderr, "trua") {
		t.Fatalf("pin to an unknown slot: exit %d: %s", r.code, r.stderr)
	}
	mustRun(t, data, "simulate", "--from", "2024-05-02", "--to", "2024-05-02")
	var log []airingJSON
	json.Unmarshal([]byte(mustRun(t, data, "log", "--from", "2024-05-02", "--json")), &log)
	found := false
	for _, a := range log {
		if a.Slot == "chieu" {
			if a.SegmentID != 7 || a.Status != "completed" {
				t.Fatalf("evening airing %+v, want the pinned segment 7 completed", a)
			}
			found = true
		}
	}
	if !found {
		t.Fatal("the pinned segment did not air in the evening slot")
	}
	mustRun(t, data, "schedule", "unpin", "7", "--slot", "chieu", "--date", "2024-05-02")
}

func TestEmergencyPreemptsTheRunningStation(t *testing.T) {
	data := t.TempDir()
	config := stationConfig(t)
	dir := t.TempDir()
	long, alert := filepath.Join(dir, "bulletin.wav"), filepath.Join(dir, "alert.wav")
	writeTone(t, long, "8")
	writeTone(t, alert, "2")
	mustRun(t, data, "--config", config, "segments", "import", "--topic", "tthc", "--approve", long)
	mustRun(t, data, "--config", config, "segments", "import", "--topic", "tthc", "--approve", "--priority", "emergency", alert)

	cmd := exec.Command(binPath, "--data", data, "--config", config, "serve")
	cmd.Dir = "../.."
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	waitOnAir(t, data, config, time.Second)
	asked := time.Now()
	r := run(t, data, nil, "--config", config, "play", "--now", "2")
	if r.code != 0 || !strings.Contains(r.stdout, "khẩn cấp") {
		t.Fatalf("play --now: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var log []airingJSON
		json.Unmarshal([]byte(run(t, data, nil, "--config", config, "log", "--json").stdout), &log)
		var cut, urgent *airingJSON
		for i := range log {
			a := &log[i]
			if a.SegmentID == 1 && a.Status == "interrupted" {
				cut = a
			}
			if a.SegmentID == 2 && a.Slot == "emergency" && a.Status == "completed" {
				urgent = a
			}
		}
		if cut != nil && urgent != nil {
			if cut.Reason != "emergency" || cut.PlayedMS <= 0 || cut.PlayedMS >= 8000 {
				t.Fatalf("the preempted airing: %+v", cut)
			}
			// The log's JSON has whole seconds; the database has milliseconds.
			out, err := exec.Command("sqlite3", filepath.Join(data, "cchc.db"),
				fmt.Sprintf("SELECT ended_at FROM airings WHERE id = %d", cut.ID)).Output()
			if err != nil {
				t.Fatalf("sqlite3 (apt-get install sqlite3): %v", err)
			}
			var endedMS int64
			fmt.Sscan(string(out), &endedMS)
			latency := time.UnixMilli(endedMS).Sub(asked)
			t.Logf("preempted %s after the command was started (the CLI's own start-up included)", latency)
			if latency > 500*time.Millisecond {
				t.Errorf("the bulletin was cut %s after play --now started, want within 500 ms", latency)
			}
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("no interrupted bulletin and completed emergency airing in the log")
}

func TestScheduleCheckNamesTheTopicThatWillFallShort(t *testing.T) {
	data := t.TempDir()
	mustRun(t, data, "segments", "import", "media")
	// Approve everything but the two tthc bulletins (ids 11 and 12).
	mustRun(t, data, "segments", "approve", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
	var rows []outlookJSON
	if err := json.Unmarshal([]byte(mustRun(t, data, "schedule", "check", "--month", "2024-05", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Code == "tthc" {
			if !r.Short || r.Reason != "none_valid" || r.PlannedAirings != 0 {
				t.Fatalf("tthc: %+v, want short for want of an approved segment", r)
			}
		} else if r.Short {
			t.Errorf("%s short: %+v", r.Code, r)
		}
	}
	out := mustRun(t, data, "schedule", "check", "--month", "2024-05")
	if !strings.Contains(out, "tthc: không có bản tin nào của lĩnh vực này đã phê duyệt") {
		t.Fatalf("the text does not say why tthc falls short:\n%s", out)
	}
}

func TestSIGHUPReloadsTheConfigAndRefusesABadOne(t *testing.T) {
	data := t.TempDir()
	config := stationConfig(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav")
	writeTone(t, a, "2")
	writeTone(t, b, "2.5")
	mustRun(t, data, "--config", config, "segments", "import", "--topic", "tthc", "--approve", a)
	mustRun(t, data, "--config", config, "segments", "import", "--topic", "chi-so", "--approve", b)
	good, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "--data", data, "--config", config, "serve")
	cmd.Dir = "../.."
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	logText := func() string { b, _ := os.ReadFile(stderr.Name()); return string(b) }
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if ok() {
				return
			}
		}
		t.Fatalf("%s did not happen within 30 s; serve's log:\n%s", what, logText())
	}
	// SIGHUP is handled once the station runs: wait for it to air.
	waitForStatus(t, data, config, "completed", 30*time.Second)
	// A bad configuration is refused and the station keeps going.
	os.WriteFile(config, []byte(strings.Replace(string(good), "no_repeat: 0s", "no_repeat: soon", 1)), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor("refusing the bad configuration", func() bool { return strings.Contains(logText(), "refused") })
	// The slot now takes chi-so only.
	os.WriteFile(config, []byte(strings.Replace(string(good), "      topics: []                  # empty: every topic may air in this slot",
		"      topics: [chi-so]", 1)), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor("the reload", func() bool { return strings.Contains(logText(), "configuration reloaded") })
	reloaded := time.Now()
	// Every occurrence that starts after the reload airs segment 2 alone.
	waitFor("an occurrence after the reload", func() bool {
		var log []airingJSON
		json.Unmarshal([]byte(run(t, data, nil, "--config", config, "log", "--json").stdout), &log)
		seen := false
		for _, x := range log {
			at, _ := time.Parse(time.RFC3339, x.Scheduled)
			if at.After(reloaded.Add(time.Second)) && x.Status == "completed" {
				if x.SegmentID != 2 {
					t.Fatalf("after the reload segment %d aired in a chi-so-only slot", x.SegmentID)
				}
				seen = true
			}
		}
		return seen
	})
	if cmd.ProcessState != nil {
		t.Fatal("serve exited")
	}
}

func TestDeadAirIsNotedInTheLog(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	path := filepath.Join(dir, "dead-air.wav")
	// One second of tone, then twelve of silence: a recording left running.
	if out, err := exec.Command("sox", "-n", "-r", "48000", "-c", "2", "-b", "16", path, "synth", "1", "sine", "500", "pad", "0", "12").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	mustRun(t, data, "segments", "import", "--topic", "tthc", path)
	mustRun(t, data, "play", "--output", "file:"+filepath.Join(dir, "out.wav"), "1")
	var log []airingJSON
	json.Unmarshal([]byte(mustRun(t, data, "log", "--json")), &log)
	if len(log) != 1 || log[0].Status != "completed" || !strings.HasPrefix(log[0].Reason, "silence in the output: 12.0 s") {
		t.Fatalf("want a completed airing noting 12 s of silence, got %+v", log)
	}
	if out := mustRun(t, data, "log"); !strings.Contains(out, "lặng tiếng khi phát") {
		t.Fatalf("the operator's log does not say it in Vietnamese:\n%s", out)
	}
}
