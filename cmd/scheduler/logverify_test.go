package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// simulatedLog imports the media, simulates two days and returns the data
// folder.
func simulatedLog(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	mustRun(t, data, "segments", "import", "--approve", "media")
	mustRun(t, data, "simulate", "--from", "2024-05-01", "--to", "2024-05-02")
	return data
}

func runSQLite3(t *testing.T, db, sql string) {
	t.Helper()
	if out, err := exec.Command("sqlite3", db, sql).CombinedOutput(); err != nil {
		t.Fatalf("sqlite3 (apt-get install sqlite3) %s: %v %s", sql, err, out)
	}
}

func TestLogVerifyPassesAndTheExportsCarryTheHashes(t *testing.T) {
	data := simulatedLog(t)
	var log []struct {
		ID       int64   `json:"id"`
		PrevHash *string `json:"prev_hash"`
		Hash     *string `json:"hash"`
	}
	raw := mustRun(t, data, "log", "--from", "2024-05-01", "--to", "2024-05-02", "--json")
	if err := json.Unmarshal([]byte(raw), &log); err != nil {
		t.Fatal(err)
	}
	if len(log) < 5 {
		t.Fatalf("want a log to verify, got %d rows", len(log))
	}
	for i, a := range log {
		if a.Hash == nil || len(*a.Hash) != 64 || a.PrevHash == nil {
			t.Fatalf("airing %d lacks its hashes: %s", a.ID, raw)
		}
		if i > 0 && *a.PrevHash != *log[i-1].Hash {
			t.Errorf("airing %d: prev_hash is not the hash of airing %d", a.ID, log[i-1].ID)
		}
	}
	if *log[0].PrevHash != strings.Repeat("0", 64) {
		t.Errorf("first prev_hash = %s, want 64 zeros", *log[0].PrevHash)
	}
	out := mustRun(t, data, "log", "verify")
	last := *log[len(log)-1].Hash
	if !strings.Contains(out, "Chuỗi băm nguyên vẹn") || !strings.Contains(out, last) {
		t.Errorf("verify does not say the chain holds and end with %s:\n%s", last, out)
	}
	csv := mustRun(t, data, "log", "--from", "2024-05-01", "--format", "csv")
	header := strings.SplitN(strings.TrimPrefix(csv, "\ufeff"), "\n", 2)[0]
	if !strings.HasSuffix(strings.TrimSpace(header), ",prev_hash,hash") || !strings.Contains(csv, *log[0].Hash) {
		t.Errorf("CSV lacks the hashes: %s", header)
	}
}

func TestLogVerifyCatchesAnEditedRow(t *testing.T) {
	data := simulatedLog(t)
	db := filepath.Join(data, "cchc.db")
	runSQLite3(t, db, "DROP TRIGGER airings_closed_are_final; UPDATE airings SET played_ms = played_ms + 1000 WHERE id = 3;")
	r := run(t, data, nil, "log", "verify")
	if r.code != 1 || !strings.Contains(r.stdout, "CHUỖI BĂM BỊ PHÁ VỠ: lượt phát #3 ") {
		t.Fatalf("verify after an edit: exit %d, want 1 naming #3:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, data, nil, "--lang", "en", "log", "verify")
	if r.code != 1 || !strings.Contains(r.stdout, "HASH CHAIN BROKEN: airing #3 ") || !strings.Contains(r.stdout, "changed after it was closed") {
		t.Fatalf("verify --lang en: exit %d:\n%s", r.code, r.stdout)
	}
	// A change that keeps the row consistent is caught all the same.
	data = simulatedLog(t)
	db = filepath.Join(data, "cchc.db")
	runSQLite3(t, db, "DROP TRIGGER airings_closed_are_final; UPDATE airings SET title = 'Bản tin khác' WHERE id = 4;")
	if r := run(t, data, nil, "--lang", "en", "log", "verify"); r.code != 1 || !strings.Contains(r.stdout, "airing #4 ") {
		t.Fatalf("verify after a title edit: exit %d:\n%s", r.code, r.stdout)
	}
}

func TestLogVerifyCatchesADeletedRow(t *testing.T) {
	data := simulatedLog(t)
	runSQLite3(t, filepath.Join(data, "cchc.db"), "DROP TRIGGER airings_never_deleted; DELETE FROM airings WHERE id = 3;")
	r := run(t, data, nil, "--lang", "en", "log", "verify")
	if r.code != 1 || !strings.Contains(r.stdout, "HASH CHAIN BROKEN") || !strings.Contains(r.stdout, "deleted from the log: #3") {
		t.Fatalf("verify after a delete: exit %d, want 1 naming #3:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestBackupWhileTheStationRunsRestoresAndVerifies takes a backup from a
// second process while `serve` airs, restores it into another data folder
// and verifies it there.
func TestBackupWhileTheStationRunsRestoresAndVerifies(t *testing.T) {
	data := t.TempDir()
	config := fastStationConfig(t)
	tone := filepath.Join(t.TempDir(), "tone.wav")
	writeTone(t, tone, "2")
	mustRun(t, data, "--config", config, "segments", "import", "--topic", "tthc", "--approve", tone)
	st := startStation(t, data, config)
	defer func() {
		st.cmd.Process.Kill()
		st.cmd.Wait()
	}()
	completedCount := func(n int) func([]logRow) bool {
		return func(rows []logRow) bool {
			c := 0
			for _, r := range rows {
				if r.Status == "completed" {
					c++
				}
			}
			return c >= n
		}
	}
	pollLog(t, data, config, st, 30*time.Second, "two airings complete", completedCount(2))

	file := filepath.Join(t.TempDir(), "cchc-backup.db")
	r := run(t, data, nil, "--config", config, "--lang", "en", "backup", file)
	if r.code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	m := regexp.MustCompile(`: (\d+) airings, 1 segments`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("backup does not say what it copied: %s", r.stdout)
	}
	// The station goes on airing; a second backup to the same file is refused.
	pollLog(t, data, config, st, 30*time.Second, "another airing completes", completedCount(3))
	r = run(t, data, nil, "--config", config, "backup", file)
	if r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("backup over an existing file: exit %d, want 2 mentioning --force: %s", r.code, r.stderr)
	}
	st.cmd.Process.Signal(syscall.SIGTERM)
	if err := st.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, st.stderr)
	}

	// Restore: the backup file becomes cchc.db of a data folder.
	restored := t.TempDir()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, "cchc.db"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, restored, nil, "--config", config, "--lang", "en", "log", "verify")
	if r.code != 0 || !strings.Contains(r.stdout, "airings checked: "+m[1]+",") || !strings.Contains(r.stdout, "Hash chain intact") {
		t.Fatalf("verify of the restored backup (%s airings): exit %d\n%s%s", m[1], r.code, r.stdout, r.stderr)
	}
	// What the backup holds closed is in the live log, unchanged.
	live := map[int64]string{}
	for _, row := range readLog(t, data, config) {
		live[row.ID] = row.raw
	}
	copied := readLog(t, restored, config)
	if len(copied) < 2 || len(live) <= len(copied) {
		t.Fatalf("backup has %d rows, live log %d: want a copy taken mid-run", len(copied), len(live))
	}
	for _, row := range copied {
		if row.Status != "open" && live[row.ID] != row.raw {
			t.Errorf("airing %d differs:\nbackup %s\nlive   %s", row.ID, row.raw, live[row.ID])
		}
	}
	// --force replaces the file.
	if r := run(t, data, nil, "--config", config, "backup", "--force", file); r.code != 0 {
		t.Fatalf("backup --force: exit %d %s", r.code, r.stderr)
	}
}
