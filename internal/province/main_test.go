package province_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/pgstore/pgstoretest"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/province"
	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/store"
)

// cluster is the one PostgreSQL cluster of this test binary; each test
// has a database of its own in it.
var cluster pgstoretest.Cluster

func TestMain(m *testing.M) { os.Exit(cluster.Main(m, "province")) }

var ict = time.FixedZone("ICT", 7*3600)

// topics is the plan of the tests: two topics, monthly targets.
var topics = []playlist.Topic{
	{Code: "tthc", Name: "Cải cách thủ tục hành chính", TargetAirings: 4, TargetMinutes: 6},
	{Code: "chinh-quyen-so", Name: "Chính quyền số", TargetAirings: 2},
}

// env is a running province server on a database of its own.
type env struct {
	db   *pgstore.DB
	srv  *province.Server
	base string
}

// newEnv starts a server; opts adjust its dependencies.
func newEnv(t *testing.T, opts ...func(*province.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	db, _ := cluster.Open(t)
	deps := province.Deps{Store: db, Users: db.Province(), Topics: topics, Location: ict}
	for _, o := range opts {
		o(&deps)
	}
	srv, err := province.New(deps, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Run(rctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return &env{db: db, srv: srv, base: "http://" + srv.Addr()}
}

// commune registers a commune and returns its token.
func (e *env) commune(t *testing.T, code, name string) string {
	t.Helper()
	token, err := e.db.AddCommune(context.Background(), code, name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// call sends a station request and decodes the JSON answer into out.
func (e *env) call(t *testing.T, method, path, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return res.StatusCode
}

// stationLog logs airings in a real station store (SQLite) and returns
// them as the station ships them: closed, chained, hashed. Each day of
// May 2024 from day 1 gets one airing per entry of statuses, the topics
// alternating between tthc and chinh-quyen-so; completed ones play 90 s.
func stationLog(t *testing.T, days int, statuses ...playlist.Status) []provinceapi.Airing {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seg := playlist.Segment{Title: "Bản tin", Path: "/media/a.wav", SHA256: strings.Repeat("a", 64), Topics: []string{"tthc"},
		Duration: 90 * time.Second, SampleRate: 48000, Channels: 1, BitDepth: 16, ImportedAt: time.Date(2024, 4, 1, 8, 0, 0, 0, ict),
		Priority: playlist.PriorityNormal}
	segID, _, err := st.AddSegment(ctx, seg)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for d := 1; d <= days; d++ {
		for i, s := range statuses {
			at := time.Date(2024, 5, d, 6, i*5, 0, 0, ict)
			topic := []string{"tthc"}
			if n%2 == 1 {
				topic = []string{"chinh-quyen-so"}
			}
			a := playlist.Airing{SegmentID: segID, Title: fmt.Sprintf("Bản tin %d", n), Topics: topic, Slot: "sang",
				ScheduledAt: at, Duration: 90 * time.Second, Status: s}
			if d == 2 {
				a.Zone = "thon-dong" // hashed with its zone: the province must keep it
			}
			if s != playlist.StatusMissed {
				a.StartedAt, a.EndedAt = at, at.Add(90*time.Second)
			}
			if s == playlist.StatusCompleted {
				a.Played = 90 * time.Second
			}
			if _, err := st.LogClosed(ctx, a); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	rows, err := st.LoggedAirings(ctx, "", time.Date(2024, 1, 1, 0, 0, 0, 0, ict), time.Date(2025, 1, 1, 0, 0, 0, 0, ict))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]provinceapi.Airing, len(rows))
	for i, r := range rows {
		out[i] = wire(r)
	}
	return out
}

// wire is a logged airing as the station ships it.
func wire(r store.LoggedAiring) provinceapi.Airing {
	ms := func(t time.Time) *int64 {
		if t.IsZero() {
			return nil
		}
		v := t.UnixMilli()
		return &v
	}
	return provinceapi.Airing{ID: r.ID, ChainSeq: r.Link.Seq, PrevHash: r.Link.PrevHash, Hash: r.Link.Hash, SegmentID: r.SegmentID,
		Title: r.Title, Topics: strings.Join(r.Topics, ","), Slot: r.Slot, ScheduledAtMS: r.ScheduledAt.UnixMilli(),
		StartedAtMS: ms(r.StartedAt), EndedAtMS: ms(r.EndedAt), PlayedMS: r.Played.Milliseconds(), DurationMS: r.Duration.Milliseconds(),
		Status: string(r.Status), Reason: r.Reason, Zone: r.Zone}
}
