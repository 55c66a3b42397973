package provsync_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/provsync"
	"github.com/truyenthanh/cchc/internal/provsync/provsynctest"
	"github.com/truyenthanh/cchc/internal/store"
)

// province runs the stand-in province on a loopback port that can be
// stopped and started again at the same address.
type province struct {
	*provsynctest.Province
	addr string
	srv  *http.Server
}

func startProvince(t *testing.T) *province {
	t.Helper()
	p := &province{Province: provsynctest.New(), addr: "127.0.0.1:0"}
	p.start(t)
	t.Cleanup(p.stop)
	return p
}

func (p *province) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.srv = &http.Server{Handler: p.Province}
	go p.srv.Serve(ln)
}

func (p *province) stop() {
	if p.srv != nil {
		p.srv.Close()
		p.srv = nil
	}
}

func (p *province) url() string { return "http://" + p.addr }

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// logAirings closes n airings in the log, as the station does, the first
// scheduled at from, one an hour.
func logAirings(t *testing.T, st *store.Store, from time.Time, n int) {
	t.Helper()
	for i := range n {
		at := from.Add(time.Duration(i) * time.Hour)
		status := playlist.StatusCompleted
		if i%7 == 3 {
			status = playlist.StatusMissed
		}
		a := playlist.Airing{SegmentID: int64(1 + i%3), Title: "Bản tin thủ tục hành chính", Topics: []string{"tthc"}, Slot: "sang",
			ScheduledAt: at, StartedAt: at, EndedAt: at.Add(5 * time.Minute), Played: 5 * time.Minute, Duration: 5 * time.Minute, Status: status}
		if i%5 == 1 {
			a.Zone = "thon-dong" // a zone's rows hash their zone too
		}
		if _, err := st.LogClosed(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
}

func shipper(st *store.Store, url, commune, token string) *provsync.Shipper {
	return &provsync.Shipper{Store: st, Client: &provsync.Client{BaseURL: url, Commune: commune, Token: token}, Batch: 50,
		Backoff: 20 * time.Millisecond}
}

// Three stations ship to one province; it goes away for a while, the
// stations keep logging, it comes back: every airing arrives once, in
// chain order, and what a station had shipped before is not counted twice.
func TestAiringsReachTheProvinceOnceAcrossAnOutage(t *testing.T) {
	ctx := context.Background()
	prov := startProvince(t)
	codes := []string{"tan-lap", "yen-my", "thanh-long"}
	stores := map[string]*store.Store{}
	from := time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)
	for i, c := range codes {
		prov.AddCommune(c, "tok-"+c)
		stores[c] = openStore(t)
		logAirings(t, stores[c], from, 120+i*10)
	}
	for _, c := range codes {
		res, err := shipper(stores[c], prov.url(), c, "tok-"+c).Sync(ctx)
		if err != nil {
			t.Fatalf("%s: first sync: %v", c, err)
		}
		if res.Before.Airings != int64(len(prov.Airings(c))) || res.Accepted != len(prov.Airings(c)) || res.Batches < 3 {
			t.Fatalf("%s: first sync %+v, province holds %d", c, res, len(prov.Airings(c)))
		}
	}

	prov.stop()
	for _, c := range codes {
		logAirings(t, stores[c], from.Add(30*24*time.Hour), 40) // the stations keep logging
		res, err := shipper(stores[c], prov.url(), c, "tok-"+c).Sync(ctx)
		if !provsync.Retryable(err) {
			t.Fatalf("%s: sync with the province down: %v, want a retryable error", c, err)
		}
		if res.Before.Airings != 40 {
			t.Fatalf("%s: behind %d airings while down, want 40", c, res.Before.Airings)
		}
		st, _ := stores[c].ProvinceSyncState(ctx)
		if st.LastError == "" || st.LastSync.IsZero() {
			t.Fatalf("%s: sync state after the failure %+v: want the error recorded and the last success kept", c, st)
		}
	}

	// The serve loop retries by itself once the province is back.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	for _, c := range codes {
		s := shipper(stores[c], prov.url(), c, "tok-"+c)
		go func() { s.Run(runCtx, time.Hour, nil); done <- struct{}{} }()
	}
	time.Sleep(100 * time.Millisecond) // a few failed tries, backing off
	prov.start(t)
	deadline := time.Now().Add(10 * time.Second)
	for _, c := range codes {
		for {
			rows, _, _ := stores[c].Backlog(ctx, int64(len(prov.Airings(c))))
			if rows == 0 && len(prov.Airings(c)) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the province holds %d airings, the station still has %d to ship", c, len(prov.Airings(c)), rows)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	stop()
	for range codes {
		<-done
	}
	for i, c := range codes {
		got := prov.Airings(c)
		want := 120 + i*10 + 40
		if len(got) != want {
			t.Fatalf("%s: province holds %d airings, want %d", c, len(got), want)
		}
		ids, zoned := map[int64]bool{}, 0
		for k, a := range got {
			if a.Zone == "thon-dong" {
				zoned++
			}
			if a.ChainSeq != int64(k+1) || ids[a.ID] {
				t.Fatalf("%s: row %d is chain_seq %d id %d (doubled or out of order)", c, k, a.ChainSeq, a.ID)
			}
			ids[a.ID] = true
		}
		if zoned != want/5 {
			t.Fatalf("%s: %d rows of zone thon-dong reached the province, want %d", c, zoned, want/5)
		}
		status, err := shipper(stores[c], prov.url(), c, "tok-"+c).Status(ctx)
		if err != nil || status.Behind.Airings != 0 || status.LastSync.IsZero() || status.LastError != "" {
			t.Fatalf("%s: status after catching up %+v, %v", c, status, err)
		}
	}

	// A province that lost the last rows (a restored backup) gets them
	// again; a batch overlapping what it has counts those as duplicates.
	prov.SetLastSeq("tan-lap", 100)
	res, err := shipper(stores["tan-lap"], prov.url(), "tan-lap", "tok-tan-lap").Sync(ctx)
	if err != nil || res.Accepted != 60 || len(prov.Airings("tan-lap")) != 160 {
		t.Fatalf("after the province lost 60 rows: %+v %v, holds %d", res, err, len(prov.Airings("tan-lap")))
	}
}

// A row changed in the station's database after it closed: the province
// refuses the batch and the error names the row; nothing of it is counted.
func TestATamperedRowIsRefusedByName(t *testing.T) {
	ctx := context.Background()
	prov := startProvince(t)
	prov.AddCommune("tan-lap", "tok")
	st := openStore(t)
	logAirings(t, st, time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), 30)
	if _, err := shipper(st, prov.url(), "tan-lap", "tok").Sync(ctx); err != nil {
		t.Fatal(err)
	}
	logAirings(t, st, time.Date(2026, 11, 5, 6, 0, 0, 0, time.UTC), 30)
	db := st.DB()
	if _, err := db.Exec("DROP TRIGGER airings_closed_are_final"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE airings SET played_ms = played_ms * 2 WHERE id = 42"); err != nil {
		t.Fatal(err)
	}
	res, err := shipper(st, prov.url(), "tan-lap", "tok").Sync(ctx)
	var refused *provsync.RefusedError
	if !errors.As(err, &refused) || refused.Status != http.StatusConflict || refused.Body.AiringID != 42 || refused.Body.ChainSeq != 42 {
		t.Fatalf("sync of a tampered row: %v, want a 409 naming airing 42", err)
	}
	if provsync.Retryable(err) {
		t.Fatal("a refused batch must not be retried as an outage")
	}
	// Rows before the tampered one's batch were taken, none after it.
	if n := len(prov.Airings("tan-lap")); n != 30+res.Accepted || n >= 42 {
		t.Fatalf("province holds %d rows after the refusal (accepted %d)", n, res.Accepted)
	}
}

// A token cannot write another commune's rows.
func TestATokenCannotWriteAnotherCommune(t *testing.T) {
	prov := startProvince(t)
	prov.AddCommune("tan-lap", "tok-a")
	prov.AddCommune("yen-my", "tok-b")
	st := openStore(t)
	logAirings(t, st, time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), 5)
	_, err := shipper(st, prov.url(), "yen-my", "tok-a").Sync(context.Background())
	var refused *provsync.RefusedError
	if !errors.As(err, &refused) || refused.Status != http.StatusForbidden {
		t.Fatalf("tan-lap's token writing yen-my: %v, want 403", err)
	}
	if len(prov.Airings("yen-my")) != 0 || len(prov.Airings("tan-lap")) != 0 {
		t.Fatal("rows were stored under the wrong token")
	}
}

// The token file is read for each request: a token replaced in the file
// works at once, without restarting the station.
func TestAReplacedTokenWorksWithoutARestart(t *testing.T) {
	prov := startProvince(t)
	prov.AddCommune("tan-lap", "new-token")
	st := openStore(t)
	logAirings(t, st, time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), 5)
	file := filepath.Join(t.TempDir(), "province.token")
	os.WriteFile(file, []byte("old-token\n"), 0o600)
	s := shipper(st, prov.url(), "tan-lap", "")
	s.Client.ReadToken = config.Province{TokenFile: file}.ReadToken
	var refused *provsync.RefusedError
	if _, err := s.Sync(context.Background()); !errors.As(err, &refused) || refused.Status != http.StatusUnauthorized {
		t.Fatalf("sync with the old token: %v, want 401", err)
	}
	os.WriteFile(file, []byte("new-token\n"), 0o600)
	if res, err := s.Sync(context.Background()); err != nil || res.Accepted != 5 {
		t.Fatalf("sync after the token file was replaced: %+v, %v", res, err)
	}
}

// A station whose database was replaced (an old backup restored, or
// another station's) does not match the province's chain: nothing is
// shipped and the error says so.
func TestADivergedLogShipsNothing(t *testing.T) {
	ctx := context.Background()
	prov := startProvince(t)
	prov.AddCommune("tan-lap", "tok")
	st := openStore(t)
	logAirings(t, st, time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), 20)
	if _, err := shipper(st, prov.url(), "tan-lap", "tok").Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		rows int
	}{{"a shorter log", 10}, {"another log of the same length", 30}} {
		other := openStore(t)
		logAirings(t, other, time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC), c.rows)
		_, err := shipper(other, prov.url(), "tan-lap", "tok").Sync(ctx)
		if !errors.Is(err, provsync.ErrDiverged) || len(prov.Airings("tan-lap")) != 20 {
			t.Fatalf("%s: %v, province holds %d rows; want ErrDiverged and nothing shipped", c.name, err, len(prov.Airings("tan-lap")))
		}
	}
}
