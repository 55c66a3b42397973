package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/tinydisk"
)

func TestImportOnAFullDiskNamesEachFileAndTheCause(t *testing.T) {
	data := tinydisk.Mount(t, "8m")
	first, _ := filepath.Abs("../../media/tthc/bo-phan-mot-cua.wav")
	good, _ := filepath.Abs("../../media/tthc/dich-vu-cong-truc-tuyen.wav")
	mustRun(t, data, "segments", "import", "--topic", "tthc", first)
	before := mustRun(t, data, "segments", "list", "--json")

	free := tinydisk.Fill(t, data)
	r := run(t, data, nil, "segments", "import", "--topic", "tthc", good)
	if r.code != 1 || !strings.Contains(r.stderr, good+": ổ đĩa đầy — hãy giải phóng dung lượng rồi nạp lại") ||
		!strings.Contains(r.stdout, "nạp thành công: 0, bị từ chối: 1") {
		t.Fatalf("import on a full disk: exit %d\nstdout: %s\nstderr: %s\nwant exit 1 naming %s and the full disk, with the summary", r.code, r.stdout, r.stderr, good)
	}
	free()
	if after := mustRun(t, data, "segments", "list", "--json"); after != before {
		t.Fatalf("the library changed on a full disk:\nbefore %s\nafter %s", before, after)
	}
	// Once space is freed the same import works.
	if out := mustRun(t, data, "segments", "import", "--topic", "tthc", good); !strings.Contains(out, "nạp thành công: 1") {
		t.Fatalf("import once space returned: %s", out)
	}
}

func TestSimulateOnAFullDiskStopsWithNothingOpen(t *testing.T) {
	data := tinydisk.Mount(t, "16m")
	mustRun(t, data, "segments", "import", "--approve", "media")
	// Room to open the database and log a few airings, not a month.
	free := tinydisk.FillLeaving(t, data, 160<<10)
	r := run(t, data, nil, "simulate", "--from", "2024-05-01", "--to", "2024-05-31")
	if r.code != 1 || !strings.Contains(r.stderr, "ổ đĩa đầy — hãy giải phóng dung lượng rồi chạy lại") {
		t.Fatalf("simulate on a full disk: exit %d\nstdout: %s\nstderr: %s\nwant exit 1 saying the disk is full", r.code, r.stdout, r.stderr)
	}
	free()
	var log []airingJSON
	if err := json.Unmarshal([]byte(mustRun(t, data, "log", "--from", "2024-05-01", "--to", "2024-05-31", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 {
		t.Fatalf("no airing was logged before the disk filled up: the test does not reach the middle of a run (stderr: %s)", r.stderr)
	}
	for _, a := range log {
		if a.Status == "open" {
			t.Errorf("airing %d left open by simulate on a full disk", a.ID)
		}
	}
	mustRun(t, data, "log", "verify")
	// Run again with space: it goes on from where it stopped.
	mustRun(t, data, "simulate", "--from", "2024-05-01", "--to", "2024-05-31")
}

func TestTitlesAreOneLineAndCSVCellsCannotRunFormulas(t *testing.T) {
	data := t.TempDir()
	formula := `=HYPERLINK("http://x","bấm")`
	a, _ := filepath.Abs("../../media/tthc/bo-phan-mot-cua.wav")
	b, _ := filepath.Abs("../../media/tthc/dich-vu-cong-truc-tuyen.wav")
	mustRun(t, data, "segments", "import", "--approve", "--topic", "tthc", "--title", formula, a)
	mustRun(t, data, "segments", "import", "--approve", "--topic", "tthc", "--title", "Bản tin\n\x1b[2J\x1b[31mđỏ\tcuối", b)

	list := mustRun(t, data, "segments", "list")
	if strings.ContainsAny(list, "\x1b\t") || !strings.Contains(list, "Bản tin đỏ cuối") {
		t.Fatalf("segments list: %q", list)
	}
	if lines := strings.Count(strings.TrimSpace(list), "\n") + 1; lines != 3 {
		t.Fatalf("segments list has %d lines, want a header and 2 rows:\n%s", lines, list)
	}
	csv := mustRun(t, data, "segments", "list", "--format", "csv")
	if !strings.Contains(csv, `,"'=HYPERLINK(""http://x"",""bấm"")",`) {
		t.Fatalf("segments CSV does not guard the formula title:\n%s", csv)
	}
	if !strings.Contains(csv, ",-") { // loudness, a negative number, stays a number
		t.Fatalf("segments CSV: no negative loudness left as a number:\n%s", csv)
	}
	mustRun(t, data, "simulate", "--from", "2024-05-01", "--to", "2024-05-02")
	logCSV := mustRun(t, data, "log", "--from", "2024-05-01", "--to", "2024-05-02", "--format", "csv")
	if !strings.Contains(logCSV, `"'=HYPERLINK(""http://x"",""bấm"")"`) || strings.Contains(logCSV, `,"=HYPERLINK`) {
		t.Fatalf("log CSV does not guard the formula title:\n%s", logCSV)
	}
	report := filepath.Join(t.TempDir(), "r.csv")
	mustRun(t, data, "report", "--month", "2024-05", "--format", "csv", "-o", report)
	if body, err := os.ReadFile(report); err != nil || strings.Contains(string(body), ",=") {
		t.Fatalf("report CSV: %v\n%s", err, body)
	}
}

// TestServeOnAFullDiskKeepsPlayingAndWritesTheLogLater fills the disk under
// a running station: it stays up, says so on stderr, and once space is
// freed writes the airings it held — completed, in the chain.
func TestServeOnAFullDiskKeepsPlayingAndWritesTheLogLater(t *testing.T) {
	data := tinydisk.Mount(t, "8m")
	config := stationConfig(t) // a 12 s slot every 15 s, null output
	tone := filepath.Join(t.TempDir(), "tone.wav")
	writeTone(t, tone, "2")
	mustRun(t, data, "--config", config, "segments", "import", "--topic", "tthc", "--approve", tone)

	errPath := filepath.Join(t.TempDir(), "stderr")
	errFile, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	cmd := exec.Command(binPath, "--data", data, "--config", config, "serve")
	cmd.Dir, cmd.Stderr = "../..", errFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	}()
	waitStderr := func(what string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			select {
			case err := <-exited:
				b, _ := os.ReadFile(errPath)
				t.Fatalf("serve exited (%v) before %q:\n%s", err, what, b)
			default:
			}
			if b, _ := os.ReadFile(errPath); strings.Contains(string(b), what) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		b, _ := os.ReadFile(errPath)
		t.Fatalf("no %q on stderr within %s:\n%s", what, within, b)
	}
	waitStderr("station starting", 10*time.Second)
	free := tinydisk.Fill(t, data)
	waitStderr("DISK FULL: the airing log cannot be written", 25*time.Second)
	time.Sleep(4 * time.Second) // the 2 s tone plays out on the full disk
	free()
	waitStderr("disk space is back", 20*time.Second)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		b, _ := os.ReadFile(errPath)
		t.Fatalf("serve after SIGTERM: %v\n%s", err, b)
	}

	var log []airingJSON
	json.Unmarshal([]byte(mustRun(t, data, "--config", config, "log", "--json")), &log)
	completed := 0
	for _, a := range log {
		switch {
		case a.Status == "open":
			t.Errorf("airing %d left open", a.ID)
		case a.Status == "completed" && a.PlayedMS >= 1990 && a.PlayedMS <= 2010:
			completed++
		case a.Status == "interrupted" && a.Reason != "station stopped":
			t.Errorf("airing %+v interrupted, not by the stop", a)
		}
	}
	if completed == 0 {
		t.Fatalf("no completed 2 s airing in the log: %+v", log)
	}
	mustRun(t, data, "--config", config, "log", "verify")
}
