// Command province measures the province tier's PostgreSQL figures and
// prints them as a Markdown section of bench/RESULTS.md (bench/province.sh
// splices it in).
//
// In a throwaway cluster of its own with durable settings (fsync on), a
// province of 200 communes × 12 months (≈ 1.7 M airings): months 1–11 are
// loaded with COPY (setup); month 12 is shipped through IngestAirings with
// its chain checks, in batches, commune after commune (the ingest rate).
// Then the province monthly report through pgstore (DB.Report) is timed
// against psql running the same GROUP BY on the same database, in
// interleaved runs; and a few communes come back from a week offline
// (≈ 200 airings each) and ship it in one call.
//
//	go run ./bench/province -communes 200 -runs 9
//
// The data are deterministic: the same flags give the same rows.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truyenthanh/cchc/internal/pgcluster"
	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

var topics = []string{"tong-quan", "chu-truong", "the-che", "tthc", "bo-may",
	"cong-vu", "tai-chinh-cong", "chinh-quyen-so", "chi-so", "khen-thuong"}

var ict = time.FixedZone("ICT", 7*3600)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/province:", err)
		os.Exit(1)
	}
}

type options struct {
	communes, perDay, runs, batch, offline int
	year                                   int
	month                                  time.Month
}

func run() error {
	var o options
	flag.IntVar(&o.communes, "communes", 200, "communes of the province")
	flag.IntVar(&o.perDay, "per-day", 24, "airings a commune logs a day (24 × 365 × 200 ≈ 1.75 M)")
	flag.IntVar(&o.runs, "runs", 9, "timed runs of the report, each of ours and psql's")
	flag.IntVar(&o.batch, "batch", 500, "airings per IngestAirings call")
	flag.IntVar(&o.offline, "offline", 5, "communes that come back after a week offline")
	flag.Parse()
	o.year, o.month = 2026, time.June
	ctx := context.Background()

	started := time.Now()
	cl, err := pgcluster.Start(ctx, pgcluster.Options{Durable: true})
	if err != nil {
		return err
	}
	defer cl.Stop(ctx)
	url, err := cl.CreateDatabase(ctx, "province")
	if err != nil {
		return err
	}
	db, err := pgstore.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()

	// Months 1–11 by COPY (setup, not measured as ingest).
	heads := make([]store.Link, o.communes)
	ids := make([]int64, o.communes)
	jan := time.Date(o.year, 1, 1, 0, 0, 0, 0, ict)
	dec := time.Date(o.year, 12, 1, 0, 0, 0, 0, ict)
	next := time.Date(o.year+1, 1, 1, 0, 0, 0, 0, ict)
	var loaded int64
	for c := range o.communes {
		code := communeCode(c)
		if _, err := db.AddCommune(ctx, code, "Xã số "+strconv.Itoa(c+1), jan); err != nil {
			return err
		}
		heads[c].Hash = store.Genesis
		log := generate(c, jan, dec, o.perDay, &heads[c], &ids[c])
		rows := make([][]any, len(log))
		for i, la := range log {
			a := la.Airing
			rows[i] = []any{code, a.ID, a.SegmentID, a.Title, strings.Join(a.Topics, ","), a.Slot, a.ScheduledAt.UnixMilli(),
				msOf(a.StartedAt), msOf(a.EndedAt), a.Played.Milliseconds(), a.Duration.Milliseconds(), string(a.Status), a.Reason,
				la.Link.Seq, la.Link.PrevHash, la.Link.Hash}
		}
		n, err := db.Pool().CopyFrom(ctx, pgx.Identifier{"airings"}, []string{"commune", "id", "segment_id", "title", "topics", "slot",
			"scheduled_at", "started_at", "ended_at", "played_ms", "duration_ms", "status", "reason", "chain_seq", "prev_hash", "hash"},
			pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("copy commune %s: %w", code, err)
		}
		loaded += n
	}
	setup := time.Since(started)

	// Month 12 through IngestAirings, commune after commune, in batches.
	var ingested int64
	var ingestTime time.Duration
	for c := range o.communes {
		log := generate(c, dec, next, o.perDay, &heads[c], &ids[c])
		for i := 0; i < len(log); i += o.batch {
			b := log[i:min(i+o.batch, len(log))]
			t0 := time.Now()
			res, err := db.IngestAirings(ctx, communeCode(c), b)
			ingestTime += time.Since(t0)
			if err != nil {
				return err
			}
			if res.Added != len(b) {
				return fmt.Errorf("commune %s: %d of %d airings added", communeCode(c), res.Added, len(b))
			}
			ingested += int64(res.Added)
		}
	}
	total := loaded + ingested
	if _, err := db.Pool().Exec(ctx, "VACUUM ANALYZE airings"); err != nil {
		return err
	}

	// A week offline: the station ships what it logged, in one call,
	// after asking where the province's chain stands.
	var offline []time.Duration
	var offlineRows int
	for c := range min(o.offline, o.communes) {
		// 29 a day: 203 airings, "a week offline (≈ 200)".
		log := generate(c, next, next.AddDate(0, 0, 7), 29, &heads[c], &ids[c])
		t0 := time.Now()
		head, err := db.ChainHead(ctx, communeCode(c))
		if err != nil {
			return err
		}
		var todo []store.LoggedAiring
		for _, la := range log {
			if la.Link.Seq > head.Seq {
				todo = append(todo, la)
			}
		}
		res, err := db.IngestAirings(ctx, communeCode(c), todo)
		offline = append(offline, time.Since(t0))
		if err != nil {
			return err
		}
		if res.Added != len(log) {
			return fmt.Errorf("week offline of %s: %d of %d added", communeCode(c), res.Added, len(log))
		}
		offlineRows = len(log)
	}

	// The report: ours and psql's, interleaved.
	from := time.Date(o.year, o.month, 1, 0, 0, 0, 0, ict)
	to := from.AddDate(0, 1, 0)
	sql := strings.NewReplacer("$1", strconv.FormatInt(from.UnixMilli(), 10), "$2", strconv.FormatInt(to.UnixMilli(), 10)).Replace(pgstore.ReportQuery)
	sqlFile, err := os.CreateTemp("", "province-report-*.sql")
	if err != nil {
		return err
	}
	defer os.Remove(sqlFile.Name())
	fmt.Fprintf(sqlFile, "\\timing on\n%s;\n", sql)
	sqlFile.Close()
	os.Chmod(sqlFile.Name(), 0o644)
	rep, err := db.Report(ctx, from, to) // warm-up, and the figures to compare
	if err != nil {
		return err
	}
	refTotal, err := psqlTotals(url, sql)
	if err != nil {
		return err
	}
	agree := refTotal == rep.Totals
	loadBefore := loadavg()
	var ours, ref []time.Duration
	for range o.runs {
		t0 := time.Now()
		if _, err := db.Report(ctx, from, to); err != nil {
			return err
		}
		ours = append(ours, time.Since(t0))
		d, err := psqlTime(url, sqlFile.Name())
		if err != nil {
			return err
		}
		ref = append(ref, d)
	}
	loadAfter := loadavg()
	plan, err := explain(ctx, db, sql)
	if err != nil {
		return err
	}

	// The section.
	ver, _ := exec.Command("psql", "--version").Output()
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`model name\s*:\s*(.*)`).FindSubmatch(b); m != nil {
			cpu = string(m[1])
		}
	}
	med := func(ds []time.Duration) time.Duration { s := slices.Clone(ds); slices.Sort(s); return s[len(s)/2] }
	msf := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	ratio := float64(med(ours)) / float64(med(ref))
	rate := float64(ingested) / ingestTime.Seconds()
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	var monthRows int64
	monthRows = rep.Totals.Airings()
	fmt.Printf("## Province tier: PostgreSQL\n\n")
	fmt.Printf("Written by `make bench` (bench/province.sh → `go run ./bench/province -communes %d -runs %d -batch %d`) on %s.\n",
		o.communes, o.runs, o.batch, time.Now().UTC().Format(time.DateOnly))
	fmt.Printf("Machine: %d cores, %s, %s, %s; a throwaway cluster (bench's own, fsync on: `pgcluster.Options{Durable: true}`), default settings otherwise; shared with other work.\n\n",
		runtime.NumCPU(), cpu, runtime.Version(), strings.TrimSpace(string(ver)))
	fmt.Printf("Province: %d communes × 12 months of %d, %d airings a day each: **%d airings** (%d loaded by COPY for months 1–11 in %.0f s of setup, %d shipped through `IngestAirings` for month 12).\n\n",
		o.communes, o.year, o.perDay, total, loaded, setup.Seconds(), ingested)
	fmt.Printf("| figure | measured | goal | |\n|---|---|---|---|\n")
	fmt.Printf("| province report, %s (%d airings, %d communes), `DB.Report` median of %d | %s | ≤ 1 s | %s |\n",
		from.Format("2006-01"), monthRows, len(rep.Communes), o.runs, msf(med(ours)), verdict(med(ours) <= time.Second))
	fmt.Printf("| the same GROUP BY in `psql` (`\\timing`), median of %d | %s | | |\n", o.runs, msf(med(ref)))
	fmt.Printf("| ratio ours / psql | **%.2f×** | ≤ 1.5× | %s |\n", ratio, verdict(ratio <= 1.5))
	fmt.Printf("| ingest through `IngestAirings` (chain checked, COPY, batches of %d, one commune at a time) | **%.0f airings/s** (%d in %.1f s) | ≥ 10,000/s | %s |\n",
		o.batch, rate, ingested, ingestTime.Seconds(), verdict(rate >= 10000))
	fmt.Printf("| a week offline (%d airings): `ChainHead` + one `IngestAirings`, slowest of %d communes | %s (median %s) | ≤ 2 s | %s |\n\n",
		offlineRows, len(offline), msf(slices.Max(offline)), msf(med(offline)), verdict(slices.Max(offline) <= 2*time.Second))
	fmt.Printf("Same figures from both: %v (province totals: %d completed, %d interrupted, %d failed, %d missed, %d ms played).\n",
		map[bool]string{true: "yes", false: "NO"}[agree], rep.Totals.Completed, rep.Totals.Interrupted, rep.Totals.Failed, rep.Totals.Missed, rep.Totals.PlayedMS)
	fmt.Printf("Runs (ms), ours: %s; psql: %s. Load average %s before the timed runs of the report, %s after.\n\n", list(ours), list(ref), loadBefore, loadAfter)
	fmt.Printf("`psql`'s time is its `\\timing`: the query sent, run and its rows received, without starting psql or connecting; ours is `DB.Report` from the call to the filled Go struct, on a pooled connection. The query is `pgstore.ReportQuery` with the month's bounds written in:\n\n```sql\n%s;\n```\n\nIts plan (`EXPLAIN (ANALYZE, BUFFERS)`, one run):\n\n```\n%s```\n", sql, plan)
	return nil
}

// loadavg is the machine's 1, 5 and 15-minute load averages.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func list(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, fmt.Sprintf("%.0f", float64(d.Microseconds())/1000))
	}
	return strings.Join(s, ", ")
}

func communeCode(c int) string { return fmt.Sprintf("%05d", 10000+c*7) }

func msOf(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

// generate logs a commune's airings scheduled in [from, to), perDay a day
// in slots from 05:00, chained after *head; ids continue from *id.
func generate(commune int, from, to time.Time, perDay int, head *store.Link, id *int64) []store.LoggedAiring {
	r := rand.New(rand.NewPCG(uint64(commune), uint64(from.Unix())))
	var out []store.LoggedAiring
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		for i := range perDay {
			sched := day.Add(5*time.Hour + time.Duration(i)*35*time.Minute)
			seg := int64(r.IntN(300) + 1)
			ts := []string{topics[seg%10]}
			if seg%3 == 0 {
				ts = append(ts, topics[(seg/3)%10])
				if ts[1] == ts[0] {
					ts = ts[:1]
				}
				slices.Sort(ts)
			}
			dur := time.Duration(60+seg%540) * time.Second
			*id++
			a := playlist.Airing{ID: *id, SegmentID: seg, Title: fmt.Sprintf("Bản tin số %d", seg), Topics: ts, Slot: []string{"sang", "trua", "chieu", "toi"}[i%4],
				ScheduledAt: sched, StartedAt: sched.Add(120 * time.Millisecond), Duration: dur}
			switch p := r.IntN(100); {
			case p < 94:
				a.Status, a.Played = playlist.StatusCompleted, dur
			case p < 97:
				a.Status, a.Played, a.Reason = playlist.StatusInterrupted, dur/3, "emergency"
			case p < 99:
				a.Status, a.StartedAt, a.Reason = playlist.StatusMissed, time.Time{}, "station down"
			default:
				a.Status, a.Reason = playlist.StatusFailed, "no device"
			}
			if !a.StartedAt.IsZero() {
				a.EndedAt = a.StartedAt.Add(a.Played)
			}
			a.ScheduledAt = time.UnixMilli(a.ScheduledAt.UnixMilli())
			l := store.Link{Seq: head.Seq + 1, PrevHash: head.Hash}
			l.Hash = store.ChainHash(l.PrevHash, store.AiringCanonical(a))
			*head = l
			out = append(out, store.LoggedAiring{Airing: a, Link: l})
		}
	}
	return out
}

// psqlArgs runs psql on url as the process is allowed to (the cluster's
// socket belongs to the postgres user; root may use it).
func psql(url string, args ...string) *exec.Cmd {
	return exec.Command("psql", append([]string{"-X", "-q", "-A", "-t", "-d", url}, args...)...)
}

// psqlTotals runs the query in psql and sums the province's totals: the
// groups of each airing's first topic.
func psqlTotals(url, sql string) (pgstore.Counts, error) {
	out, err := psql(url, "-F", "|", "-c", sql).Output()
	if err != nil {
		return pgstore.Counts{}, fmt.Errorf("psql: %w", err)
	}
	var c pgstore.Counts
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "|")
		// commune|topic|first|completed|interrupted|failed|missed|played
		if len(f) == 8 && f[2] == "t" {
			var v [5]int64
			for i := range v {
				v[i], _ = strconv.ParseInt(f[3+i], 10, 64)
			}
			c.Completed, c.Interrupted, c.Failed, c.Missed, c.PlayedMS = c.Completed+v[0], c.Interrupted+v[1], c.Failed+v[2], c.Missed+v[3], c.PlayedMS+v[4]
			n++
		}
	}
	if n == 0 {
		return c, fmt.Errorf("psql gave no rows")
	}
	return c, nil
}

var timing = regexp.MustCompile(`Time: ([0-9.]+) ms`)

// psqlTime runs the file (\timing on; the query) and returns psql's time.
func psqlTime(url, file string) (time.Duration, error) {
	var out bytes.Buffer
	cmd := psql(url, "-f", file)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("psql: %w: %s", err, out.String())
	}
	m := timing.FindSubmatch(out.Bytes())
	if m == nil {
		return 0, fmt.Errorf("psql printed no timing")
	}
	ms, _ := strconv.ParseFloat(string(m[1]), 64)
	return time.Duration(ms * float64(time.Millisecond)), nil
}

func explain(ctx context.Context, db *pgstore.DB, sql string) (string, error) {
	rows, err := db.Pool().Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	return strings.Join(lines, "\n") + "\n", nil
}
