package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/pgcluster"
	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/provsync"
	"github.com/truyenthanh/cchc/internal/store"
)

// realProvince is `scheduler province serve` on a throwaway PostgreSQL
// cluster, at a fixed loopback address so that it can be stopped and
// started again.
type realProvince struct {
	t    *testing.T
	db   string // its database's URL
	addr string
	cmd  *exec.Cmd
}

func startRealProvince(t *testing.T) *realProvince {
	t.Helper()
	ctx := context.Background()
	cluster, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err != nil {
		t.Fatalf("PostgreSQL (apt-get install postgresql): %v", err)
	}
	t.Cleanup(func() { cluster.Stop(context.Background()) })
	url, err := cluster.CreateDatabase(ctx, "province")
	if err != nil {
		t.Fatal(err)
	}
	p := &realProvince{t: t, db: url, addr: freeAddr(t)}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *realProvince) start() {
	p.t.Helper()
	cmd := exec.Command(binPath, "province", "serve", "--db", p.db, "--listen", p.addr)
	cmd.Dir = "../.."
	out, err := cmd.StdoutPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	up := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "http://") {
				up <- true
			}
		}
		close(up)
	}()
	select {
	case ok := <-up:
		if !ok {
			p.t.Fatal("province serve stopped before it listened")
		}
	case <-time.After(20 * time.Second):
		p.t.Fatal("province serve did not start")
	}
	p.cmd = cmd
}

func (p *realProvince) stop() {
	if p.cmd != nil {
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.cmd.Wait()
		p.cmd = nil
	}
}

func (p *realProvince) url() string { return "http://" + p.addr }

// addCommune runs `province communes add` and returns the token it prints.
func (p *realProvince) addCommune(code, name string) string {
	p.t.Helper()
	out := mustRun(p.t, p.t.TempDir(), "province", "communes", "add", code, "--name", name, "--db", p.db)
	tok := strings.TrimSpace(out)
	if tok == "" || strings.ContainsAny(tok, " \n") {
		p.t.Fatalf("communes add printed %q, want the token alone", out)
	}
	return tok
}

// chain asks the province, as the commune, where its chain stands.
func (p *realProvince) chain(code, token string) provinceapi.ChainState {
	p.t.Helper()
	st, err := (&provsync.Client{BaseURL: p.url(), Commune: code, Token: token}).Chain(context.Background())
	if err != nil {
		p.t.Fatalf("chain of %s: %v", code, err)
	}
	return st
}

// closedAirings is how many closed airings the station's log holds.
func closedAirings(t *testing.T, data string) int64 {
	t.Helper()
	st, err := store.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, _, err := st.Backlog(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Three stations and the real province server on PostgreSQL: their logs
// arrive; the province goes down while the stations keep logging, comes
// back, and every airing arrives once; a token cannot write another
// commune; a tampered row is refused by name; an emergency bulletin the
// province sends airs at once in a running station and its airing reports
// back up; the province goes away under the running station and gets
// everything once when it returns.
func TestStationsAndTheRealProvince(t *testing.T) {
	prov := startRealProvince(t)
	type station struct {
		code, token, data, config string
	}
	var stations []*station
	for _, c := range []struct{ code, name string }{{"tan-lap", "Xã Tân Lập"}, {"yen-my", "Xã Yên Mỹ"}, {"thanh-long", "Xã Thanh Long"}} {
		s := &station{code: c.code, token: prov.addCommune(c.code, c.name), data: t.TempDir()}
		s.config = provinceConfig(t, "../../config.yaml", prov.url(), s.code, s.token)
		mustRun(t, s.data, "segments", "import", "media")
		mustRun(t, s.data, "segments", "approve", "--all")
		mustRun(t, s.data, "simulate", "--from", "2026-11-02", "--to", "2026-11-08")
		stations = append(stations, s)
	}
	sync := func(s *station) (syncOut, result) {
		r := run(t, s.data, nil, "--config", s.config, "sync", "--json")
		var out syncOut
		json.Unmarshal([]byte(r.stdout), &out)
		return out, r
	}
	for i, s := range stations {
		local := closedAirings(t, s.data)
		if i == 0 { // what the operator reads
			r := run(t, s.data, nil, "--config", s.config, "sync")
			if r.code != 0 || !strings.Contains(r.stdout, "tỉnh còn thiếu "+itoa(int(local))+" lượt phát") || !strings.Contains(r.stdout, "Đã gửi "+itoa(int(local))+" lượt phát") {
				t.Fatalf("%s: first sync: exit %d\n%s%s", s.code, r.code, r.stdout, r.stderr)
			}
		} else if out, r := sync(s); r.code != 0 || !out.OK || int64(out.Accepted) != local {
			t.Fatalf("%s: first sync: exit %d %+v (log holds %d)\n%s", s.code, r.code, out, local, r.stderr)
		}
		if ch := prov.chain(s.code, s.token); ch.Airings != local || ch.LastSeq != local {
			t.Fatalf("%s: the province holds %d rows up to %d, the log %d", s.code, ch.Airings, ch.LastSeq, local)
		}
	}

	prov.stop()
	for _, s := range stations {
		mustRun(t, s.data, "simulate", "--from", "2026-11-09", "--to", "2026-11-15") // the stations keep logging
		r := run(t, s.data, nil, "--config", s.config, "sync")
		if r.code != 1 || !strings.Contains(r.stderr, "Không kết nối được máy chủ tỉnh") {
			t.Fatalf("%s: sync with the province down: exit %d\n%s%s", s.code, r.code, r.stdout, r.stderr)
		}
	}
	prov.start()
	for _, s := range stations {
		out, r := sync(s)
		local := closedAirings(t, s.data)
		ch := prov.chain(s.code, s.token)
		if r.code != 0 || out.Accepted == 0 || out.BehindAirings != int64(out.Accepted) || ch.Airings != local || ch.LastSeq != local {
			t.Fatalf("%s: sync after the outage: exit %d %+v; province holds %d rows up to %d, the log %d", s.code, r.code, out, ch.Airings, ch.LastSeq, local)
		}
		if out, _ := sync(s); !out.OK || out.Accepted != 0 || prov.chain(s.code, s.token).Airings != local {
			t.Fatalf("%s: a second sync shipped again: %+v", s.code, out)
		}
	}

	// tan-lap's token cannot write yen-my's rows.
	a, b := stations[0], stations[1]
	mustRun(t, b.data, "simulate", "--from", "2026-11-16", "--to", "2026-11-17")
	stolen := provinceConfig(t, "../../config.yaml", prov.url(), b.code, a.token)
	if r := run(t, b.data, nil, "--config", stolen, "sync"); r.code != 1 || !strings.Contains(r.stderr, "Tỉnh từ chối yêu cầu") {
		t.Fatalf("yen-my's rows with tan-lap's token: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ch := prov.chain(b.code, b.token); ch.Airings == closedAirings(t, b.data) {
		t.Fatal("yen-my's rows were written with tan-lap's token")
	}

	// A row of thanh-long's log altered after it closed.
	c := stations[2]
	mustRun(t, c.data, "simulate", "--from", "2026-11-16", "--to", "2026-11-22")
	victim := prov.chain(c.code, c.token).LastSeq + 3 // ids follow chain_seq in a simulated log
	if out, err := exec.Command("sqlite3", filepath.Join(c.data, "cchc.db"), "DROP TRIGGER airings_closed_are_final;",
		"UPDATE airings SET played_ms = played_ms + 1000 WHERE chain_seq = "+itoa(int(victim))+";").CombinedOutput(); err != nil {
		t.Fatalf("sqlite3 (apt-get install sqlite3): %v %s", err, out)
	}
	r := run(t, c.data, nil, "--config", c.config, "sync")
	if r.code != 1 || !strings.Contains(r.stderr, "Tỉnh từ chối lô ở lượt phát #") || !strings.Contains(r.stderr, "chuỗi "+itoa(int(victim))) {
		t.Fatalf("sync of a tampered row: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if ch := prov.chain(c.code, c.token); ch.LastSeq >= victim {
		t.Fatalf("the province took the chain up to %d, past the tampered row %d", ch.LastSeq, victim)
	}

	// An emergency from the province airs at once in tan-lap's running
	// station and its airing goes up.
	live := provinceConfig(t, stationConfig(t), prov.url(), a.code, a.token)
	short := filepath.Join(t.TempDir(), "short.wav") // fits the test's 12 s slot
	writeTone(t, short, "4")
	mustRun(t, a.data, "--config", live, "segments", "import", "--topic", "tthc", "--approve", short)
	serve := exec.Command(binPath, "--data", a.data, "--config", live, "serve")
	serve.Dir = "../.."
	// The simulated log ends weeks ago: a slot every 15 s would leave a
	// week of missed occurrences to log first.
	serve.Env = append(os.Environ(), "CCHC_SCHEDULE_MISSED_HORIZON=1m")
	var serveErr strings.Builder
	serve.Stderr = &serveErr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(syscall.SIGTERM)
		serve.Wait()
		if t.Failed() {
			t.Logf("serve:\n%s", serveErr.String())
		}
	}()
	time.Sleep(time.Second)
	db, err := pgstore.Open(context.Background(), prov.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	alert := filepath.Join(t.TempDir(), "alert.wav")
	writeTone(t, alert, "2")
	audio, _ := os.ReadFile(alert)
	sent := time.Now()
	if _, err := db.AddBulletin(context.Background(), pgstore.Bulletin{Level: playlist.PriorityEmergency, Title: "Cảnh báo bão số 3",
		Topics: []string{"tthc"}, Communes: []string{a.code}, CreatedBy: "tinh"}, audio); err != nil {
		t.Fatal(err)
	}
	var aired store.LoggedAiring
	deadline := time.Now().Add(20 * time.Second)
	for aired.ID == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the province's emergency did not air")
		}
		st, err := store.Open(context.Background(), a.data)
		if err != nil {
			t.Fatal(err)
		}
		log, _ := st.LoggedAirings(context.Background(), "", sent.Add(-time.Minute), time.Now().Add(time.Minute))
		st.Close()
		for _, l := range log {
			if l.Slot == "emergency" && l.Status == playlist.StatusCompleted && l.Title == "Cảnh báo bão số 3" {
				aired = l
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the province's emergency on air %s after it was sent", aired.StartedAt.Sub(sent).Round(time.Millisecond))
	if aired.StartedAt.Sub(sent) > 5*time.Second {
		t.Errorf("the emergency aired %s after it was sent, want at once", aired.StartedAt.Sub(sent))
	}
	for prov.chain(a.code, a.token).LastSeq < aired.Link.Seq {
		if time.Now().After(deadline.Add(15 * time.Second)) {
			t.Fatalf("the emergency airing (chain_seq %d) did not reach the province", aired.Link.Seq)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The other levels: ưu tiên is approved and pinned first in the next
	// slot; thông thường waits for the commune's approval; the alert sent
	// again (a new bulletin, the same audio) is imported once and airs
	// again; a bulletin for another commune does not come. The audit trail
	// names the province.
	dir := t.TempDir()
	notice, plain := filepath.Join(dir, "notice.wav"), filepath.Join(dir, "plain.wav")
	writeTone(t, notice, "3")
	writeTone(t, plain, "4")
	noticeWAV, _ := os.ReadFile(notice)
	plainWAV, _ := os.ReadFile(plain)
	for _, bl := range []struct {
		b     pgstore.Bulletin
		audio []byte
	}{
		{pgstore.Bulletin{Level: playlist.PriorityPriority, Title: "Thông báo ưu tiên", Topics: []string{"tthc"}, Communes: []string{a.code}}, noticeWAV},
		{pgstore.Bulletin{Level: playlist.PriorityNormal, Title: "Bản tin thường", Topics: []string{"tthc"}, Communes: []string{a.code}}, plainWAV},
		{pgstore.Bulletin{Level: playlist.PriorityEmergency, Title: "Cảnh báo bão số 3 (nhắc lại)", Topics: []string{"tthc"}, Communes: []string{a.code}}, audio},
		{pgstore.Bulletin{Level: playlist.PriorityNormal, Title: "Cho xã khác", Topics: []string{"tthc"}, Communes: []string{b.code}}, noticeWAV},
	} {
		bl.b.CreatedBy = "tinh"
		if _, err := db.AddBulletin(context.Background(), bl.b, bl.audio); err != nil {
			t.Fatal(err)
		}
	}
	for {
		st, err := store.Open(context.Background(), a.data)
		if err != nil {
			t.Fatal(err)
		}
		segs, _ := st.Segments(context.Background(), true)
		last, _ := st.LastProvinceBulletin(context.Background())
		trail, _ := st.AuditTrail(context.Background(), 100)
		log, _ := st.LoggedAirings(context.Background(), "", sent.Add(-time.Minute), time.Now().Add(time.Minute))
		st.Close()
		emergencies := 0
		for _, l := range log {
			if l.Slot == "emergency" && l.Status == playlist.StatusCompleted && l.SegmentID == aired.SegmentID {
				emergencies++
			}
		}
		if last < 4 || emergencies < 2 {
			if time.Now().After(deadline.Add(30 * time.Second)) {
				t.Fatalf("bulletins handled up to %d (want 4), the alert aired %d times (want 2)", last, emergencies)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		byTitle := map[string]playlist.Segment{}
		for _, s := range segs {
			byTitle[s.Title] = s
		}
		if s := byTitle["Thông báo ưu tiên"]; s.Priority != playlist.PriorityPriority || !s.Approved || s.ApprovedBy != "province" || len(s.Pins) != 1 || s.Pins[0].Slot != "sang" {
			t.Errorf("the priority bulletin is %+v, want approved by the province and pinned to the next slot", s)
		}
		if s, ok := byTitle["Bản tin thường"]; !ok || s.Approved {
			t.Errorf("the normal bulletin is %+v, want it imported and awaiting approval", s)
		}
		if _, ok := byTitle["Cảnh báo bão số 3 (nhắc lại)"]; ok {
			t.Error("the alert sent again was imported a second time")
		}
		if _, ok := byTitle["Cho xã khác"]; ok {
			t.Error("yen-my's bulletin reached tan-lap")
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

	// The province goes away under the running station, which keeps
	// airing and logging; back, it gets every airing once.
	before := closedAirings(t, a.data)
	prov.stop()
	deadline = time.Now().Add(40 * time.Second)
	for closedAirings(t, a.data) < before+1 {
		if time.Now().After(deadline) {
			t.Fatalf("the station logged nothing while the province was down (%d closed airings)", before)
		}
		time.Sleep(500 * time.Millisecond)
	}
	prov.start()
	target := closedAirings(t, a.data)
	for {
		ch := prov.chain(a.code, a.token)
		if ch.Airings != ch.LastSeq {
			t.Fatalf("the province holds %d rows for a chain of %d: doubled or lost", ch.Airings, ch.LastSeq)
		}
		if ch.LastSeq >= target {
			t.Logf("logged during the outage: %d airings, all at the province", target-before)
			break
		}
		if time.Now().After(deadline.Add(40 * time.Second)) {
			t.Fatalf("serve did not ship what it logged during the outage: the province holds %d of %d", ch.LastSeq, target)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

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
	return writeConfig(t, "station.yaml", s)
}

type syncOut struct {
	OK            bool   `json:"ok"`
	BehindAirings int64  `json:"behind_airings"`
	Accepted      int    `json:"accepted"`
	Duplicates    int    `json:"duplicates"`
	RefusedAiring int64  `json:"refused_airing_id"`
	Error         string `json:"error"`
}

func itoa(n int) string { return strconv.Itoa(n) }
