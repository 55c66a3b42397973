package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/icecast/icecasttest"
)

// streamRow is a row of `log --json` as the stream tests read it.
type streamRow struct {
	ID        int64   `json:"id"`
	SegmentID int64   `json:"segment_id"`
	Zone      string  `json:"zone"`
	Scheduled string  `json:"scheduled_at"`
	Started   *string `json:"started_at"`
	PlayedMS  int64   `json:"played_ms"`
	Status    string  `json:"status"`
	Reason    string  `json:"reason"`
	Listeners *int    `json:"listeners"`
}

func readStreamLog(t *testing.T, data, config string) ([]streamRow, string) {
	t.Helper()
	r := run(t, data, nil, "--config", config, "log", "--from", "2000-01-01", "--to", "2100-12-31", "--json")
	if r.code != 0 {
		t.Fatalf("log --json: exit %d: %s", r.code, r.stderr)
	}
	var rows []streamRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("log --json: %v\n%s", err, r.stdout)
	}
	return rows, r.stdout
}

// programme parts: a rising chirp and a warbling two-tone, below 3 kHz
// (where a 64 kbps MP3 keeps the waveform).
func chirpAt(t float64) float64 {
	return 0.4 * math.Sin(2*math.Pi*(300*t+450*t*t)) * min(1, t*50, (1.5-t)*50) * (0.6 + 0.4*math.Sin(2*math.Pi*3*t))
}

func tonesAt(t float64) float64 {
	return (0.3*math.Sin(2*math.Pi*520*t+2*math.Sin(2*math.Pi*5*t)) + 0.2*math.Sin(2*math.Pi*1330*t)*math.Sin(2*math.Pi*2*t)) * min(1, t*50, (1.5-t)*50)
}

// sampled is f over [0, secs) at rate.
func sampled(f func(float64) float64, secs float64, rate int) []float32 {
	out := make([]float32, int(secs*float64(rate)))
	for i := range out {
		out[i] = float32(f(float64(i) / float64(rate)))
	}
	return out
}

// writeWAV16 writes mono samples as a 16-bit stereo WAV at rate.
func writeWAV16(t *testing.T, path string, mono []float32, rate int) {
	t.Helper()
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	n := len(mono)
	b.WriteString("RIFF")
	le(uint32(36 + n*4))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))
	le(uint16(2))
	le(uint32(rate))
	le(uint32(rate * 4))
	le(uint16(4))
	le(uint16(16))
	b.WriteString("data")
	le(uint32(n * 4))
	for _, v := range mono {
		s := int16(math.Round(float64(v) * 32767))
		le(s)
		le(s)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// streamConfig is fastStationConfig with slots every 6 s of 5 s, loudness
// normalisation off (the recording is compared with the files) and the
// given output.
func streamConfig(t *testing.T, out string, extra string) string {
	t.Helper()
	path := fastStationConfig(t)
	raw, _ := os.ReadFile(path)
	s := string(raw)
	for _, r := range [][2]string{
		{"output: null", "output: " + out},
		{"length: 3s", "length: 5s"},
		{`cron: "*/3 `, `cron: "*/6 `},
		{"normalize: true", "normalize: false"},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("config has no %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	s += extra
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// serveProcess is a running serve whose output is kept.
type serveProcess struct {
	cmd  *exec.Cmd
	out  *limitedBuffer
	done chan struct{}
}

func startServe(t *testing.T, data, config string, args ...string) *serveProcess {
	t.Helper()
	return startServeEnv(t, nil, data, config, args...)
}

// startServeEnv is startServe with env added to serve's environment; it
// stops serve when the test ends.
func startServeEnv(t *testing.T, env []string, data, config string, args ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"--data", data, "--config", config, "serve"}, args...)...)
	cmd.Dir = "../.."
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	p := &serveProcess{cmd: cmd, out: &limitedBuffer{max: 1 << 20}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { stopProcess(cmd, p.done) })
	return p
}

// waitRows polls the log until ok holds.
func waitRows(t *testing.T, data, config string, p *serveProcess, within time.Duration, what string, ok func([]streamRow) bool) []streamRow {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		rows, _ := readStreamLog(t, data, config)
		if ok(rows) {
			return rows
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v\nlog: %+v\nserve:\n%s", what, within, rows, p.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServeStreamsItsSlotsToIcecast runs the station on an icecast://
// output against Debian's icecast2 and ffmpeg as the receiver:
//   - Icecast absent at the start: the station says so loudly and logs the
//     slot failed ("cannot reach the streaming server");
//   - Icecast started: the receiver records a slot of two segments, which
//     correlates ≥ 0.95 with the files, in order, with the gap; both
//     airings are completed with 1 listener;
//   - Icecast killed mid-airing: that airing is interrupted (lost the
//     connection) with what was played; the next slot after it returns
//     completes;
//   - the source password is in no line of serve's output, the log, the
//     status API or any page.
func TestServeStreamsItsSlotsToIcecast(t *testing.T) {
	srv := icecasttest.Start(t)
	srv.Stop() // absent at the start
	dir := t.TempDir()
	const rate = 48000
	chirp, tones := filepath.Join(dir, "chirp.wav"), filepath.Join(dir, "tones.wav")
	writeWAV16(t, chirp, sampled(chirpAt, 1.5, rate), rate)
	writeWAV16(t, tones, sampled(tonesAt, 1.5, rate), rate)
	data := t.TempDir()
	config := streamConfig(t, srv.SourceSpec("/xa"), "")
	mustRun(t, data, "--config", config, "segments", "import", "--topic", "tthc", "--approve", chirp, tones)
	listen := freeAddr(t)
	p := startServe(t, data, config, "--listen", listen)

	// 1. No server.
	rows := waitRows(t, data, config, p, 20*time.Second, "a slot logged failed while Icecast is absent", func(rows []streamRow) bool {
		for _, r := range rows {
			if r.Status == "failed" {
				return true
			}
		}
		return false
	})
	for _, r := range rows {
		if r.Status != "failed" || !strings.HasPrefix(r.Reason, "cannot reach the streaming server") || r.PlayedMS != 0 {
			t.Fatalf("with no server: %+v, want failed, 'cannot reach the streaming server…', nothing played", r)
		}
	}
	if !strings.Contains(p.out.String(), "KHÔNG KẾT NỐI ĐƯỢC MÁY CHỦ PHÁT TRỰC TUYẾN") {
		t.Errorf("no loud warning that the streaming server cannot be reached:\n%s", p.out.String())
	}
	vi := run(t, data, nil, "--config", config, "log", "--from", "2000-01-01", "--to", "2100-12-31")
	if !strings.Contains(vi.stdout, "không kết nối được máy chủ phát trực tuyến") {
		t.Errorf("the operator's log does not say 'không kết nối được máy chủ phát trực tuyến':\n%s", vi.stdout)
	}
	lastFailed := rows[len(rows)-1].ID

	// 2. The server starts; a receiver listens.
	srv.Restart()
	srv.WaitMount("/xa", 10*time.Second)
	rec := icecasttest.Listen(t, srv.URL("/xa"), 16000)
	listening := time.Now()
	var slot []streamRow
	waitRows(t, data, config, p, 30*time.Second, "a whole slot completed after the receiver connected", func(rows []streamRow) bool {
		// The two items of one slot: consecutive rows, the second due
		// the first's 1.5 s and the 1 s gap later.
		for i := 0; i+1 < len(rows); i++ {
			a, b := rows[i], rows[i+1]
			at, _ := time.Parse(time.RFC3339, a.Scheduled)
			bt, _ := time.Parse(time.RFC3339, b.Scheduled)
			if a.ID > lastFailed && at.After(listening.Add(2*time.Second)) && bt.Sub(at) <= 3*time.Second &&
				a.Status == "completed" && b.Status == "completed" {
				slot = []streamRow{a, b}
				return true
			}
		}
		return false
	})
	time.Sleep(time.Second) // what the receiver still buffers
	recording := rec.Stop()
	sort.Slice(slot, func(i, j int) bool { return *slot[i].Started < *slot[j].Started })
	for _, r := range slot {
		if r.Listeners == nil || *r.Listeners != 1 {
			t.Errorf("airing %d heard by one receiver: listeners %v, want 1", r.ID, r.Listeners)
		}
	}
	// The reference: the slot's two segments in the order they aired, a
	// second's gap between (schedule.gap), at the recording's rate.
	parts := map[int64][]float32{}
	ids := map[string]int64{}
	var segs []struct {
		ID   int64  `json:"id"`
		Path string `json:"path"`
	}
	json.Unmarshal([]byte(mustRun(t, data, "--config", config, "segments", "list", "--json")), &segs)
	for _, s := range segs {
		ids[filepath.Base(s.Path)] = s.ID
	}
	parts[ids["chirp.wav"]] = sampled(chirpAt, 1.5, 16000)
	parts[ids["tones.wav"]] = sampled(tonesAt, 1.5, 16000)
	ref := append(append(append([]float32{}, parts[slot[0].SegmentID]...), make([]float32, 16000)...), parts[slot[1].SegmentID]...)
	// Find the slot: align on the last stretch of sound's start window.
	at, corr := alignSlot(recording, ref)
	t.Logf("recording %.1f s; slot found at %.2f s, correlation %.5f", float64(len(recording))/16000, float64(at)/16000, corr)
	if corr < 0.95 {
		t.Fatalf("the receiver's recording correlates %.3f with the slot's files (in order, with the gap), want ≥ 0.95", corr)
	}

	// 3. The server dies mid-airing, and comes back.
	var cut streamRow
	waitRows(t, data, config, p, 20*time.Second, "an airing on air", func(rows []streamRow) bool {
		for _, r := range rows {
			if r.Status == "open" && r.ID > slot[1].ID {
				cut = r
				return true
			}
		}
		return false
	})
	sched, _ := time.Parse(time.RFC3339, cut.Scheduled)
	time.Sleep(time.Until(sched.Add(700 * time.Millisecond)))
	srv.Kill()
	rows = waitRows(t, data, config, p, 15*time.Second, "the airing cut by the kill closed", func(rows []streamRow) bool {
		for _, r := range rows {
			if r.ID == cut.ID && r.Status != "open" {
				return true
			}
		}
		return false
	})
	for _, r := range rows {
		if r.ID == cut.ID {
			cut = r
		}
	}
	if cut.Status != "interrupted" || !strings.HasPrefix(cut.Reason, "lost the connection to the streaming server") || cut.PlayedMS <= 0 || cut.PlayedMS >= 1500 {
		t.Errorf("airing on air when Icecast was killed: %+v, want interrupted, 'lost the connection…', 0 < played < 1.5 s", cut)
	}
	time.Sleep(2 * time.Second)
	srv.Restart()
	back := time.Now()
	waitRows(t, data, config, p, 25*time.Second, "a slot completed after Icecast came back", func(rows []streamRow) bool {
		for _, r := range rows {
			at, _ := time.Parse(time.RFC3339, r.Scheduled)
			if r.Status == "completed" && at.After(back) {
				return true
			}
		}
		return false
	})

	// 4. The password shows nowhere.
	seen := map[string]string{"serve's output": p.out.String()}
	_, seen["log --json"] = readStreamLog(t, data, config)
	seen["log"] = run(t, data, nil, "--config", config, "log", "--from", "2000-01-01", "--to", "2100-12-31").stdout
	addUser(t, data, config, "lan", "operator", "mật-khẩu-dài")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := client.Post("http://"+listen+"/api/login", "application/json", strings.NewReader(`{"name":"lan","password":"mật-khẩu-dài"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", err, resp)
	}
	resp.Body.Close()
	for _, page := range []string{"/api/status", "/api/log", "/", "/now", "/system", "/log", "/settings"} {
		resp, err := client.Get("http://" + listen + page)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", page, resp.Status)
		}
		seen[page] = string(b)
	}
	var status struct {
		Output    string `json:"output"`
		Listeners *int   `json:"listeners"`
	}
	json.Unmarshal([]byte(seen["/api/status"]), &status)
	if !strings.HasPrefix(status.Output, "icecast://source@") || status.Listeners == nil {
		t.Errorf("/api/status: output %q, listeners %v; want the stream without its password, and its listener count", status.Output, status.Listeners)
	}
	stopProcess(p.cmd, p.done)
	seen["serve's output"] = p.out.String()
	for where, text := range seen {
		if strings.Contains(text, srv.SourcePassword) {
			i := strings.Index(text, srv.SourcePassword)
			t.Errorf("the source password shows in %s: …%s…", where, text[max(0, i-80):min(len(text), i+40)])
		}
	}
	if out, err := exec.Command("grep", "-rl", srv.SourcePassword, data).Output(); err == nil && len(out) > 0 {
		t.Errorf("the source password is written in the station's data: %s", out)
	}
}

// alignSlot finds ref in rec near the first sound after the receiver's
// leading silence.
func alignSlot(rec, ref []float32) (int, float64) {
	return icecasttest.Align(rec, ref, 1600)
}

// TestTwoZonesOnTwoMountsCountTheirOwnListeners: two zones stream to two
// mounts of one server; a receiver listens to the first only. The log says
// 1 listener for the first zone's airings and 0 for the second's; the
// status says which clusters are connected now.
func TestTwoZonesOnTwoMountsCountTheirOwnListeners(t *testing.T) {
	srv := icecasttest.Start(t)
	dir := t.TempDir()
	tone := filepath.Join(dir, "tone.wav")
	writeWAV16(t, tone, sampled(tonesAt, 1.5, 48000), 48000)
	data := t.TempDir()
	zones := fmt.Sprintf(`
zones:
  - code: thon-dong
    name: Thôn Đông
    outputs: ["%s"]
    clusters: 3
  - code: thon-tay
    name: Thôn Tây
    outputs: ["%s"]
    clusters: 2
`, srv.SourceSpec("/thon-dong"), srv.SourceSpec("/thon-tay"))
	config := streamConfig(t, "null", zones)
	mustRun(t, data, "--config", config, "segments", "import", "--topic", "tthc", "--approve", tone)
	listen := freeAddr(t)
	p := startServe(t, data, config, "--listen", listen)
	srv.WaitMount("/thon-dong", 10*time.Second)
	rec := icecasttest.Listen(t, srv.URL("/thon-dong"), 16000)
	defer rec.Stop()
	started := time.Now()
	rows := waitRows(t, data, config, p, 30*time.Second, "an airing completed in each zone", func(rows []streamRow) bool {
		done := map[string]bool{}
		for _, r := range rows {
			at, _ := time.Parse(time.RFC3339, r.Scheduled)
			if r.Status == "completed" && at.After(started.Add(time.Second)) {
				done[r.Zone] = true
			}
		}
		return done["thon-dong"] && done["thon-tay"]
	})
	for _, r := range rows {
		at, _ := time.Parse(time.RFC3339, r.Scheduled)
		if r.Status != "completed" || !at.After(started.Add(time.Second)) {
			continue
		}
		want := map[string]int{"thon-dong": 1, "thon-tay": 0}[r.Zone]
		if r.Listeners == nil || *r.Listeners != want {
			t.Errorf("zone %s airing %d: listeners %v, want %d", r.Zone, r.ID, r.Listeners, want)
		}
	}
	addUser(t, data, config, "lan", "viewer", "mật-khẩu-dài")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := client.Post("http://"+listen+"/api/login", "application/json", strings.NewReader(`{"name":"lan","password":"mật-khẩu-dài"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", err, resp)
	}
	resp.Body.Close()
	resp, err = client.Get("http://" + listen + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	var status struct {
		Clusters []struct {
			Zone      string `json:"zone"`
			Connected int    `json:"connected"`
			Expected  int    `json:"expected"`
			Text      string `json:"text"`
		} `json:"clusters"`
	}
	json.NewDecoder(resp.Body).Decode(&status)
	resp.Body.Close()
	got := map[string][2]int{}
	for _, c := range status.Clusters {
		got[c.Zone] = [2]int{c.Connected, c.Expected}
	}
	if got["thon-dong"] != [2]int{1, 3} || got["thon-tay"] != [2]int{0, 2} {
		t.Errorf("status clusters %+v, want Thôn Đông 1/3 and Thôn Tây 0/2", status.Clusters)
	}
}
