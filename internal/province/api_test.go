package province_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/provinceapi"
)

func TestStationAPI(t *testing.T) {
	e := newEnv(t)
	tokA := e.commune(t, "25252", "Xã Tân Lập")
	tokB := e.commune(t, "25253", "Xã Tân Tiến")
	log := stationLog(t, 3, playlist.StatusCompleted, playlist.StatusMissed)

	t.Run("no token", func(t *testing.T) {
		var pe provinceapi.Error
		if code := e.call(t, "GET", provinceapi.PathChain, "wrong", nil, &pe); code != http.StatusUnauthorized || pe.Error == "" || pe.ErrorEN == "" {
			t.Errorf("a wrong token: %d %+v, want 401 with both messages", code, pe)
		}
	})

	t.Run("token scoped to its commune", func(t *testing.T) {
		var pe provinceapi.Error
		code := e.call(t, "POST", provinceapi.PathAirings, tokA, provinceapi.AiringBatch{Commune: "25253", Airings: log}, &pe)
		if code != http.StatusForbidden {
			t.Fatalf("commune A's token writing commune B: %d %+v, want 403", code, pe)
		}
		if code := e.call(t, "GET", provinceapi.PathChain+"?commune=25253", tokA, nil, &pe); code != http.StatusForbidden {
			t.Errorf("commune A's token reading commune B's chain: %d, want 403", code)
		}
		var st provinceapi.ChainState
		if code := e.call(t, "GET", provinceapi.PathChain, tokB, nil, &st); code != http.StatusOK || st.LastSeq != 0 || st.Commune != "25253" {
			t.Errorf("commune B's chain after the refused batch: %d %+v, want nothing stored", code, st)
		}
		rep, err := e.db.Report(context.Background(), time.Date(2024, 1, 1, 0, 0, 0, 0, ict), time.Date(2025, 1, 1, 0, 0, 0, 0, ict))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Totals.Airings() != 0 {
			t.Errorf("airings stored after a refused batch: %d", rep.Totals.Airings())
		}
	})

	t.Run("tampered batch refused naming the row", func(t *testing.T) {
		bad := append([]provinceapi.Airing{}, log...)
		bad[3].PlayedMS += 60000 // a longer airing than was played
		var pe provinceapi.Error
		code := e.call(t, "POST", provinceapi.PathAirings, tokA, provinceapi.AiringBatch{Commune: "25252", Airings: bad}, &pe)
		if code != http.StatusConflict || pe.AiringID != bad[3].ID || pe.ChainSeq != bad[3].ChainSeq {
			t.Fatalf("tampered batch: %d %+v, want 409 naming airing %d (seq %d)", code, pe, bad[3].ID, bad[3].ChainSeq)
		}
		var st provinceapi.ChainState
		e.call(t, "GET", provinceapi.PathChain, tokA, nil, &st)
		if st.LastSeq != 0 {
			t.Errorf("chain after the refused batch: %+v, want nothing stored", st)
		}
	})

	t.Run("a batch sent twice counts once", func(t *testing.T) {
		var first, second provinceapi.BatchResult
		if code := e.call(t, "POST", provinceapi.PathAirings, tokA, provinceapi.AiringBatch{Commune: "25252", Airings: log[:4]}, &first); code != http.StatusOK {
			t.Fatalf("first batch: %d", code)
		}
		// Resume overlapping what was received, then send all again.
		if code := e.call(t, "POST", provinceapi.PathAirings, tokA, provinceapi.AiringBatch{Commune: "25252", Airings: log}, &second); code != http.StatusOK {
			t.Fatalf("second batch: %d", code)
		}
		var third provinceapi.BatchResult
		e.call(t, "POST", provinceapi.PathAirings, tokA, provinceapi.AiringBatch{Commune: "25252", Airings: log}, &third)
		if first.Accepted != 4 || second.Accepted != len(log)-4 || second.Duplicates != 4 || third.Accepted != 0 || third.Duplicates != len(log) {
			t.Errorf("accepted/duplicates: %+v, %+v, %+v; want 4/0, %d/4, 0/%d", first, second, third, len(log)-4, len(log))
		}
		last := log[len(log)-1]
		if third.Chain.LastSeq != last.ChainSeq || third.Chain.LastHash != last.Hash || third.Chain.Airings != int64(len(log)) || third.Chain.LastSync.IsZero() {
			t.Errorf("chain after: %+v, want seq %d hash %s", third.Chain, last.ChainSeq, last.Hash)
		}
		rep, err := e.db.Report(context.Background(), time.Date(2024, 5, 1, 0, 0, 0, 0, ict), time.Date(2024, 6, 1, 0, 0, 0, 0, ict))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Totals.Airings() != int64(len(log)) || rep.Totals.Completed != 3 || rep.Totals.Missed != 3 {
			t.Errorf("stored: %+v, want %d airings once each (3 completed, 3 missed)", rep.Totals, len(log))
		}
	})
}

func TestBulletinLongPoll(t *testing.T) {
	e := newEnv(t)
	tokA := e.commune(t, "25252", "Xã Tân Lập")
	tokB := e.commune(t, "25253", "Xã Tân Tiến")
	wav, err := os.ReadFile(filepath.Join("..", "..", "media", "tthc", "bo-phan-mot-cua.wav"))
	if err != nil {
		t.Fatal(err)
	}

	// Nothing yet: a short wait answers empty.
	var empty provinceapi.BulletinList
	if code := e.call(t, "GET", provinceapi.PathBulletins+"?after=0&wait=1s", tokA, nil, &empty); code != http.StatusOK || len(empty.Bulletins) != 0 {
		t.Fatalf("empty poll: %d %+v", code, empty)
	}

	got := make(chan provinceapi.BulletinList, 1)
	go func() {
		var l provinceapi.BulletinList
		// wait=60s: only a new bulletin answers it before the test's end.
		e.call(t, "GET", provinceapi.PathBulletins+"?after=0&wait=60s", tokA, nil, &l)
		got <- l
	}()
	time.Sleep(300 * time.Millisecond) // let the poll start waiting (ordering, not timing)
	b, err := e.db.AddBulletin(context.Background(), pgstore.Bulletin{Level: playlist.PriorityEmergency, Title: "Bão số 3",
		Topics: []string{"tthc"}, Communes: []string{"25252"}, CreatedAt: time.Now(), CreatedBy: "tinh"}, wav)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case l := <-got:
		if len(l.Bulletins) != 1 || l.Bulletins[0].ID != b.ID || l.Bulletins[0].Level != provinceapi.LevelEmergency ||
			l.Bulletins[0].FileName != fmt.Sprintf("bulletin-%d.wav", b.ID) || l.Bulletins[0].SHA256 != b.SHA256 {
			t.Fatalf("long poll answered %+v, want bulletin %d (khan-cap, .wav)", l, b.ID)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the long poll did not answer when the bulletin came")
	}

	// The audio: as uploaded, for a target commune only.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s%s%d", e.base, provinceapi.PathBulletinAudio, b.ID), nil)
	req.Header.Set("Authorization", "Bearer "+tokA)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || len(body) != len(wav) || res.Header.Get("Content-Type") == "" {
		t.Errorf("audio: %d, %d bytes, %q; want 200 and %d bytes", res.StatusCode, len(body), res.Header.Get("Content-Type"), len(wav))
	}
	var pe provinceapi.Error
	if code := e.call(t, "GET", fmt.Sprintf("%s%d", provinceapi.PathBulletinAudio, b.ID), tokB, nil, &pe); code != http.StatusNotFound {
		t.Errorf("another commune's bulletin audio: %d, want 404", code)
	}
	var none provinceapi.BulletinList
	if e.call(t, "GET", provinceapi.PathBulletins+"?after=0", tokB, nil, &none); len(none.Bulletins) != 0 {
		t.Errorf("commune B sees %+v, sent to A only", none)
	}
}
