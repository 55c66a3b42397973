package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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
	if !strings.HasSuffix(strings.TrimSpace(header), ",prev_hash,hash,listeners") || !strings.Contains(csv, *log[0].Hash) {
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

// copyData copies a data folder, so that each kind of tampering starts
// from the same log.
func copyData(t *testing.T, data string) string {
	t.Helper()
	dst := t.TempDir()
	if out, err := exec.Command("cp", "-a", data+"/.", dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	return dst
}

func querySQLite3(t *testing.T, db, sql string) string {
	t.Helper()
	out, err := exec.Command("sqlite3", db, sql).Output()
	if err != nil {
		t.Fatalf("sqlite3 %s: %v", sql, err)
	}
	return strings.TrimSpace(string(out))
}

// rebuildTallies is what a careful tamperer runs after deleting airings:
// the totals summed again from what is left, as migrations 0006 and 0008 do.
const rebuildTallies = `DELETE FROM tally_days; DELETE FROM tally_segments;
INSERT INTO tally_days (day, zone, topics, status, airings, played_ms)
SELECT (scheduled_at + 25200000) / 86400000, zone, topics, status, COUNT(*), SUM(played_ms) FROM airings WHERE status <> 'open' GROUP BY 1, 2, 3, 4;
INSERT INTO tally_segments (month, zone, topics, segment_id)
SELECT DISTINCT CAST(strftime('%Y%m', (scheduled_at + 25200000) / 1000, 'unixepoch') AS INTEGER), zone, topics, segment_id FROM airings WHERE status = 'completed';`

func TestLogVerifyCatchesChangedRunningTotals(t *testing.T) {
	data := simulatedLog(t)
	db := filepath.Join(data, "cchc.db")
	// The first completed day row: its day (as the station counts it), topics and airings.
	row := strings.Split(querySQLite3(t, db, `SELECT date(day * 86400, 'unixepoch'), topics, airings FROM tally_days
		WHERE status = 'completed' ORDER BY day, topics LIMIT 1`), "|")
	if len(row) != 3 {
		t.Fatalf("no completed day in the totals: %v", row)
	}
	day, topics, n := row[0], row[1], row[2]
	where := fmt.Sprintf("WHERE date(day * 86400, 'unixepoch') = '%s' AND topics = '%s' AND status = 'completed'", day, topics)
	named := fmt.Sprintf("SỐ LIỆU TỔNG HỢP BỊ SỬA: ngày %s, lĩnh vực %s: nhật ký có %s lượt đã phát", day, strings.ReplaceAll(topics, ",", ", "), n)
	nPlus50 := fmt.Sprint(atoi(t, n) + 50)
	tests := []struct {
		name, sql string
		want      []string
	}{
		{"airings raised", "UPDATE tally_days SET airings = airings + 50 " + where, []string{named, "bảng tổng (tally_days) có " + nPlus50 + " lượt"}},
		{"row deleted", "DELETE FROM tally_days " + where, []string{named, "bảng tổng (tally_days) có 0 lượt"}},
		{"bogus row inserted", "INSERT INTO tally_days VALUES (20000, 'chung', 'tthc', 'completed', 40, 6000000)",
			[]string{"SỐ LIỆU TỔNG HỢP BỊ SỬA: ngày 2024-10-04, lĩnh vực tthc: nhật ký có 0 lượt đã phát (0,0 giây), bảng tổng (tally_days) có 40 lượt (6000,0 giây)"}},
		{"aired segment inserted", "INSERT INTO tally_segments VALUES (202405, 'chung', 'tthc', 999)",
			[]string{"SỐ LIỆU TỔNG HỢP BỊ SỬA: tháng 2024-05, lĩnh vực tthc: bảng bản tin đã phát (tally_segments) có bản tin #999"}},
		{"aired segment deleted", "DELETE FROM tally_segments WHERE (month, zone, topics, segment_id) = (SELECT month, zone, topics, segment_id FROM tally_segments ORDER BY 1, 2, 3, 4 LIMIT 1)",
			[]string{"SỐ LIỆU TỔNG HỢP BỊ SỬA: tháng 2024-05, lĩnh vực ", "đã phát trọn theo nhật ký nhưng thiếu trong bảng bản tin đã phát"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := copyData(t, data)
			runSQLite3(t, filepath.Join(d, "cchc.db"), tt.sql)
			r := run(t, d, nil, "log", "verify")
			if r.code != 1 || !strings.Contains(r.stdout, "Chuỗi băm nguyên vẹn") || !strings.Contains(r.stdout, "SỐ LIỆU TỔNG HỢP BỊ SỬA") {
				t.Fatalf("exit %d, want 1 with the chain intact and the totals named:\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
			if r := run(t, d, nil, "--lang", "en", "log", "verify"); r.code != 1 || !strings.Contains(r.stdout, "RUNNING TOTALS CHANGED: ") {
				t.Errorf("--lang en: exit %d:\n%s", r.code, r.stdout)
			}
		})
	}
	if out := mustRun(t, data, "log", "verify"); !strings.Contains(out, "Số liệu tổng hợp khớp nhật ký") {
		t.Errorf("untouched log: %s", out)
	}
}

func TestLogVerifyHeadPinsTheLog(t *testing.T) {
	data := simulatedLog(t)
	var log []struct {
		ID   int64  `json:"id"`
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, data, "log", "--from", "2024-05-01", "--to", "2024-05-02", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	if len(log) < 6 {
		t.Fatalf("want a log, got %d rows", len(log))
	}
	// The head a report printed when its period ended, in the middle of the log.
	i := len(log) / 2
	head, headID := log[i].Hash, log[i].ID
	seq := querySQLite3(t, filepath.Join(data, "cchc.db"), fmt.Sprintf("SELECT chain_seq FROM airings WHERE id = %d", headID))
	total := querySQLite3(t, filepath.Join(data, "cchc.db"), "SELECT MAX(chain_seq) FROM airings")
	for _, h := range []string{head[:16], head[:16] + "…", strings.ToUpper(head[:12]), head} {
		out := mustRun(t, data, "log", "verify", "--head", h)
		want := fmt.Sprintf("lượt phát #%d (thứ tự %s), mã băm %s; sau nó đã đóng thêm %d lượt", headID, seq, head, atoi(t, total)-atoi(t, seq))
		if !strings.Contains(out, want) {
			t.Errorf("--head %s: want %q in:\n%s", h, want, out)
		}
	}
	if out := mustRun(t, data, "--lang", "en", "log", "verify", "--head", head[:16]); !strings.Contains(out, fmt.Sprintf("Chain head %s is in the log: airing #%d", head[:16], headID)) {
		t.Errorf("--lang en: %s", out)
	}

	// A report printed before anything aired carries the genesis.
	if out := mustRun(t, data, "log", "verify", "--head", strings.Repeat("0", 16)); !strings.Contains(out, "là điểm khởi đầu") {
		t.Errorf("--head of the genesis: %s", out)
	}
	for _, bad := range []string{"xyz123456789abc", head[:11], head + "0"} {
		if r := run(t, data, nil, "log", "verify", "--head", bad); r.code != 2 || !strings.Contains(r.stderr, "--head") {
			t.Errorf("--head %s: exit %d, want 2 naming --head: %s", bad, r.code, r.stderr)
		}
	}

	t.Run("newest rows deleted", func(t *testing.T) {
		d := copyData(t, data)
		db := filepath.Join(d, "cchc.db")
		runSQLite3(t, db, "DROP TRIGGER airings_never_deleted; DELETE FROM airings WHERE chain_seq >= "+seq+" OR status = 'open'; "+rebuildTallies)
		// The blind spot: what is left verifies.
		if r := run(t, d, nil, "log", "verify"); r.code != 0 {
			t.Fatalf("without --head: exit %d, want the shortened log to pass:\n%s", r.code, r.stdout)
		}
		r := run(t, d, nil, "log", "verify", "--head", head[:16])
		if r.code != 1 || !strings.Contains(r.stdout, "KHÔNG TÌM THẤY ĐẦU CHUỖI "+head[:16]) {
			t.Fatalf("--head after deleting the newest rows: exit %d, want 1:\n%s", r.code, r.stdout)
		}
	})
	t.Run("row before the head edited", func(t *testing.T) {
		d := copyData(t, data)
		runSQLite3(t, filepath.Join(d, "cchc.db"), fmt.Sprintf("DROP TRIGGER airings_closed_are_final; UPDATE airings SET title = 'Bản tin khác' WHERE id = %d", log[1].ID))
		r := run(t, d, nil, "log", "verify", "--head", head[:16])
		if r.code != 1 || !strings.Contains(r.stdout, "KHÔNG CHỨNG MINH ĐƯỢC ĐẦU CHUỖI "+head[:16]) {
			t.Fatalf("--head after an edit before it: exit %d, want 1:\n%s", r.code, r.stdout)
		}
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}
