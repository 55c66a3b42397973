package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/provsync/provsynctest"
	"github.com/truyenthanh/cchc/internal/store"
)

// provinceConfig is cfg with a province section for commune code and its
// token, written to a private file.
func provinceConfig(t *testing.T, cfg, url, code, token string) string {
	t.Helper()
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "province.token")
	if err := os.WriteFile(tokFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw) + "\nprovince:\n  url: " + url + "\n  commune: " + code + "\n  token_file: " + tokFile + "\n"
	path := filepath.Join(dir, "station.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type syncOut struct {
	OK            bool   `json:"ok"`
	BehindAirings int64  `json:"behind_airings"`
	Accepted      int    `json:"accepted"`
	Duplicates    int    `json:"duplicates"`
	RefusedAiring int64  `json:"refused_airing_id"`
	Error         string `json:"error"`
}

// `sync` says how far behind the province is; with the province down it
// exits 1 with a Vietnamese message and ships nothing; back up, everything
// arrives once; a tampered row is refused and named.
func TestSyncShipsOnceSaysHowFarBehindAndNamesATamperedRow(t *testing.T) {
	data := t.TempDir()
	prov := provsynctest.New()
	prov.AddCommune("tan-lap", "tok-tan-lap")
	srv := httptest.NewServer(prov)
	defer srv.Close()
	down := httptest.NewServer(prov)
	downURL := down.URL
	down.Close() // a loopback port nobody answers

	mustRun(t, data, "segments", "import", "media")
	mustRun(t, data, "segments", "approve", "--all")
	mustRun(t, data, "simulate", "--from", "2026-11-02", "--to", "2026-11-08")
	var log []airingJSON
	json.Unmarshal([]byte(mustRun(t, data, "log", "--from", "2026-11-01", "--to", "2026-11-30", "--json")), &log)
	if len(log) < 50 {
		t.Fatalf("a simulated week logged %d airings", len(log))
	}

	offline := provinceConfig(t, "../../config.yaml", downURL, "tan-lap", "tok-tan-lap")
	r := run(t, data, nil, "--config", offline, "sync")
	if r.code != 1 || !strings.Contains(r.stderr, "Không kết nối được máy chủ tỉnh") ||
		!strings.Contains(r.stdout, "tỉnh còn thiếu "+itoa(len(log))+" lượt phát") {
		t.Fatalf("sync with the province down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	online := provinceConfig(t, "../../config.yaml", srv.URL, "tan-lap", "tok-tan-lap")
	var out syncOut
	json.Unmarshal([]byte(mustRun(t, data, "--config", online, "sync", "--json")), &out)
	if !out.OK || out.BehindAirings != int64(len(log)) || out.Accepted != len(log) || len(prov.Airings("tan-lap")) != len(log) {
		t.Fatalf("sync: %+v, province holds %d, log has %d", out, len(prov.Airings("tan-lap")), len(log))
	}
	text := mustRun(t, data, "--config", online, "sync")
	if !strings.Contains(text, "tỉnh đã có đủ nhật ký phát") || !strings.Contains(text, "Đã gửi 0 lượt phát") || len(prov.Airings("tan-lap")) != len(log) {
		t.Fatalf("second sync: %s", text)
	}

	// Another week, one of its rows altered behind the station's back.
	mustRun(t, data, "simulate", "--from", "2026-11-09", "--to", "2026-11-15")
	victim := int64(len(log) + 5)
	out2, err := exec.Command("sqlite3", filepath.Join(data, "cchc.db"), "DROP TRIGGER airings_closed_are_final;",
		"UPDATE airings SET title = title || ' (sửa)' WHERE id = "+itoa(int(victim))+";").CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 (apt-get install sqlite3): %v %s", err, out2)
	}
	r = run(t, data, nil, "--config", online, "sync")
	if r.code != 1 || !strings.Contains(r.stderr, "Tỉnh từ chối lô ở lượt phát #"+itoa(int(victim))) || !strings.Contains(r.stderr, "log verify") {
		t.Fatalf("sync of a tampered row: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := len(prov.Airings("tan-lap")); n >= int(victim) {
		t.Fatalf("the province took %d rows, past the tampered row %d", n, victim)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// An emergency bulletin from the province airs at once in a running
// station and its airing goes back up; a priority bulletin is approved and
// pinned first in the next slot; a normal one waits for approval; the same
// audio sent again (a new bulletin) is imported once and airs again; a
// bulletin for another commune does not come; the province is the actor in
// the audit trail.
func TestProvinceBulletinsReachTheStation(t *testing.T) {
	data := t.TempDir()
	prov := provsynctest.New()
	prov.AddCommune("tan-lap", "tok-tan-lap")
	srv := httptest.NewServer(prov)
	defer srv.Close()
	config := provinceConfig(t, stationConfig(t), srv.URL, "tan-lap", "tok-tan-lap")
	dir := t.TempDir()
	alert, notice, plain := filepath.Join(dir, "alert.wav"), filepath.Join(dir, "notice.wav"), filepath.Join(dir, "plain.wav")
	writeTone(t, alert, "2")
	writeTone(t, notice, "3")
	writeTone(t, plain, "4")
	alertWAV, _ := os.ReadFile(alert)
	noticeWAV, _ := os.ReadFile(notice)
	plainWAV, _ := os.ReadFile(plain)

	cmd := exec.Command(binPath, "--data", data, "--config", config, "serve")
	cmd.Dir = "../.."
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("serve:\n%s", stderr.String())
		}
	}()
	time.Sleep(time.Second) // serve starts and long-polls

	sent := time.Now()
	urgent := prov.AddBulletin(provinceapi.Bulletin{Level: provinceapi.LevelEmergency, Title: "Cảnh báo lũ quét", Topics: []string{"tthc"},
		FileName: "canh-bao.wav", CreatedBy: "tinh"}, alertWAV, "tan-lap")
	var aired airingJSON
	deadline := time.Now().Add(20 * time.Second)
	for aired.ID == 0 && time.Now().Before(deadline) {
		var log []airingJSON
		json.Unmarshal([]byte(run(t, data, nil, "--config", config, "log", "--json").stdout), &log)
		for _, a := range log {
			if a.Slot == "emergency" && a.Status == "completed" {
				aired = a
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	if aired.ID == 0 {
		t.Fatal("the emergency bulletin did not air")
	}
	started, _ := time.Parse(time.RFC3339Nano, *aired.Started)
	// The log's JSON has whole seconds.
	t.Logf("emergency bulletin %d on air %s after the province sent it (±1 s)", urgent.ID, started.Sub(sent).Round(time.Millisecond))
	if started.Sub(sent) > 5*time.Second || started.Before(sent.Add(-time.Second)) {
		t.Errorf("the emergency aired %s after it was sent", started.Sub(sent))
	}
	deadline = time.Now().Add(15 * time.Second)
	for !provinceHas(prov.Airings("tan-lap"), aired.ID) {
		if time.Now().After(deadline) {
			t.Fatalf("the emergency airing %d did not reach the province (it holds %d rows)", aired.ID, len(prov.Airings("tan-lap")))
		}
		time.Sleep(200 * time.Millisecond)
	}

	prov.AddBulletin(provinceapi.Bulletin{Level: provinceapi.LevelPriority, Title: "Thông báo ưu tiên", Topics: []string{"tthc"}, FileName: "uu-tien.wav"}, noticeWAV, "tan-lap")
	prov.AddBulletin(provinceapi.Bulletin{Level: provinceapi.LevelNormal, Title: "Bản tin thường", Topics: []string{"tthc"}, FileName: "thuong.wav"}, plainWAV, "tan-lap")
	prov.AddBulletin(provinceapi.Bulletin{Level: provinceapi.LevelEmergency, Title: "Cảnh báo lũ quét (gửi lại)", Topics: []string{"tthc"}, FileName: "canh-bao.wav"}, alertWAV, "tan-lap")
	prov.AddBulletin(provinceapi.Bulletin{Level: provinceapi.LevelNormal, Title: "Không gửi xã này", Topics: []string{"tthc"}, FileName: "x.wav"}, noticeWAV, "yen-my")
	deadline = time.Now().Add(15 * time.Second)
	for {
		st, err := store.Open(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		segs, err := st.Segments(context.Background(), true)
		last, _ := st.LastProvinceBulletin(context.Background())
		trail, _ := st.AuditTrail(context.Background(), 100)
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		if last < 4 {
			if time.Now().After(deadline) {
				t.Fatalf("bulletins handled up to %d, want 4", last)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		if len(segs) != 3 {
			t.Fatalf("library holds %d segments, want 3 (the alert sent twice is one)", len(segs))
		}
		for _, s := range segs {
			switch s.Title {
			case "Cảnh báo lũ quét":
				if s.Priority != "emergency" || !s.Approved || s.ApprovedBy != "province" {
					t.Errorf("emergency bulletin stored as %+v", s)
				}
			case "Thông báo ưu tiên":
				if s.Priority != "priority" || !s.Approved || len(s.Pins) != 1 || s.Pins[0].Slot != "sang" {
					t.Errorf("priority bulletin stored as %+v, want approved and pinned to the next slot", s)
				}
			case "Bản tin thường":
				if s.Approved {
					t.Errorf("a normal bulletin was approved without the commune: %+v", s)
				}
			default:
				t.Errorf("unexpected segment %q", s.Title)
			}
		}
		actions := map[string]int{}
		for _, e := range trail {
			if e.User == "province" {
				actions[e.Action]++
			}
		}
		if actions[store.ActionLoad] != 3 || actions[store.ActionUrgent] != 2 || actions[store.ActionPin] != 1 {
			t.Errorf("the province's actions in the audit trail: %v, want 3 loads, 2 emergencies, 1 pin", actions)
		}
		break
	}
	deadline = time.Now().Add(10 * time.Second)
	for n := 0; n != 2; {
		var log []airingJSON
		json.Unmarshal([]byte(run(t, data, nil, "--config", config, "log", "--json").stdout), &log)
		n = 0
		for _, a := range log {
			if a.Slot == "emergency" && a.Status == "completed" && a.SegmentID == aired.SegmentID {
				n++
			}
		}
		if n != 2 && time.Now().After(deadline) {
			t.Fatalf("%d completed emergency airings, want 2 (the alert sent again by the province airs again, from the same segment)", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func provinceHas(rows []provinceapi.Airing, id int64) bool {
	for _, a := range rows {
		if a.ID == id {
			return true
		}
	}
	return false
}
