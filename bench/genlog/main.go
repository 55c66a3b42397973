// Command genlog writes a data folder whose airing log holds a large,
// realistic history, for `make bench` to time the monthly report on.
//
//	go run ./bench/genlog -dir bench/out/log-1m -rows 1000000
//
// The database is the project's own: store.Open creates it and applies every
// migration. The rows are then inserted through the store's handle in one
// transaction (one transaction per row, as the station does, would take
// minutes), with the INSERT the store uses for the columns of migration 0001;
// the columns later migrations add (the hash chain) stay NULL. The log is
// deterministic: the same flags give the same rows.
//
// The shape: rows spread evenly over the days of the period; each day is a
// run of slot occurrences every 14 minutes from 05:00 (station time), each
// filled with about 12 segments played back to back with a 1 s gap. A real
// commune airs two such occurrences a day, so a million rows over three years
// is some 38 stations' worth: a stress test of the report, not a timetable.
// Segments 1..400 have one or two of the plan's ten topics and 15–50 s of
// audio. Most airings are completed; some are interrupted, missed or failed,
// with the reasons the station writes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/store"
)

// topics are the codes of config.yaml's plan.
var topics = []string{"tong-quan", "chu-truong", "the-che", "tthc", "bo-may",
	"cong-vu", "tai-chinh-cong", "chinh-quyen-so", "chi-so", "khen-thuong"}

// weights steer the draw of a segment's first topic towards the topics the
// plan stresses, as the monthly targets do (tthc 16, chinh-quyen-so 12 …).
var weights = []int{8, 8, 4, 16, 4, 4, 4, 12, 4, 2}

const (
	segments     = 400
	itemsPerSlot = 12
	slotEvery    = 14 * time.Minute
	firstSlot    = 5 * time.Hour
	gap          = time.Second
)

type segment struct {
	id       int64
	title    string
	topics   string
	duration time.Duration
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", "", "data folder to create (must not exist)")
	rows := flag.Int("rows", 1_000_000, "airings to log")
	fromS := flag.String("from", "2023-01-01", "first day, YYYY-MM-DD")
	toS := flag.String("to", "2025-12-31", "last day, YYYY-MM-DD")
	flag.Parse()
	if *dir == "" {
		return errors.New("-dir is required")
	}
	if _, err := os.Stat(*dir); err == nil {
		return fmt.Errorf("%s exists; remove it first", *dir)
	}
	// Asia/Ho_Chi_Minh has had no offset change since 1975.
	loc := time.FixedZone("ICT", 7*3600)
	from, err := time.ParseInLocation(time.DateOnly, *fromS, loc)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	to, err := time.ParseInLocation(time.DateOnly, *toS, loc)
	if err != nil {
		return fmt.Errorf("-to: %w", err)
	}
	days := int(to.Sub(from).Hours()/24) + 1
	if days < 1 || *rows < days {
		return fmt.Errorf("need -to after -from and at least one row a day (%d days, %d rows)", days, *rows)
	}
	perDay := *rows / days
	if slots := (perDay + 1 + itemsPerSlot - 1) / itemsPerSlot; firstSlot+time.Duration(slots)*slotEvery > 24*time.Hour {
		return fmt.Errorf("%d rows a day do not fit in a day's slots", perDay+1)
	}

	// Build in a temporary folder beside dir and rename it at the end, so an
	// interrupted run never leaves a half-written log behind.
	tmp := *dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*dir), 0o755); err != nil {
		return err
	}
	start := time.Now()
	n, err := generate(tmp, *rows, from, days, perDay)
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, *dir); err != nil {
		return err
	}
	fmt.Printf("genlog: %d airings over %d days (%s … %s) in %s → %s\n", n, days, *fromS, *toS,
		time.Since(start).Round(time.Millisecond), filepath.Join(*dir, store.FileName))
	return nil
}

func generate(dir string, rows int, from time.Time, days, perDay int) (int, error) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2025, 6))
	lib := library(rng)

	st, err := store.Open(ctx, dir)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	db := st.DB()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// The store's INSERT (store.insertAiring), migration 0001's columns.
	ins, err := tx.PrepareContext(ctx, `INSERT INTO airings (segment_id, title, topics, slot, scheduled_at, started_at, ended_at,
		played_ms, duration_ms, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()

	extra := rows - perDay*days // the first days get one more row
	n := 0
	for d := 0; d < days; d++ {
		day := from.AddDate(0, 0, d)
		want := perDay
		if d < extra {
			want++
		}
		for k := 0; want > 0; k++ {
			occ := day.Add(firstSlot + time.Duration(k)*slotEvery)
			slot := "sang"
			if occ.Hour() >= 12 {
				slot = "chieu"
			}
			items := min(want, itemsPerSlot)
			want -= items
			// A whole occurrence is now and then lost to downtime.
			down := rng.IntN(1000) < 15
			at := occ
			for range items {
				s := lib[rng.IntN(len(lib))]
				a := airing(rng, s, at, down)
				if _, err := ins.ExecContext(ctx, s.id, s.title, s.topics, slot, at.UnixMilli(), a.started, a.ended,
					a.played.Milliseconds(), s.duration.Milliseconds(), a.status, a.reason); err != nil {
					return n, fmt.Errorf("insert airing %d: %w", n+1, err)
				}
				n++
				at = at.Add(s.duration + gap)
			}
		}
	}
	if err := ins.Close(); err != nil {
		return n, err
	}
	if err := tx.Commit(); err != nil {
		return n, err
	}
	// Fold the WAL into the database file, so that every reader starts from
	// the same single file.
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return n, err
	}
	return n, nil
}

// library draws the 400 segments: one topic (weighted as the plan's
// targets), a second one for about a third of them, and 15–50 s of audio.
func library(rng *rand.Rand) []segment {
	total := 0
	for _, w := range weights {
		total += w
	}
	pick := func() string {
		r := rng.IntN(total)
		for i, w := range weights {
			if r < w {
				return topics[i]
			}
			r -= w
		}
		return topics[len(topics)-1]
	}
	lib := make([]segment, segments)
	for i := range lib {
		codes := []string{pick()}
		if rng.IntN(3) == 0 {
			if c := topics[rng.IntN(len(topics))]; c != codes[0] {
				codes = append(codes, c)
			}
		}
		lib[i] = segment{
			id:       int64(i + 1),
			title:    fmt.Sprintf("Bản tin CCHC số %03d (%s)", i+1, codes[0]),
			topics:   strings.Join(codes, ","),
			duration: time.Duration(15_000+rng.IntN(35_000)) * time.Millisecond,
		}
	}
	return lib
}

type outcome struct {
	status         string
	reason         string
	started, ended any // Unix ms or nil (NULL)
	played         time.Duration
}

// airing decides how one scheduled item went: about 94 % completed, 3 %
// interrupted, 1.5 % failed, 1.5 % missed, plus whole occurrences missed.
func airing(rng *rand.Rand, s segment, at time.Time, down bool) outcome {
	if down {
		return outcome{status: "missed", reason: "station was not running"}
	}
	ms := at.UnixMilli()
	switch r := rng.IntN(1000); {
	case r < 940:
		return outcome{status: "completed", started: ms, ended: ms + s.duration.Milliseconds(), played: s.duration}
	case r < 970:
		played := time.Duration(rng.Int64N(int64(s.duration)))
		reasons := []string{"station stopped", "audio device error", "station restarted after a crash", "stopped by the operator"}
		return outcome{status: "interrupted", reason: reasons[rng.IntN(len(reasons))],
			started: ms, ended: ms + played.Milliseconds(), played: played.Truncate(time.Millisecond)}
	case r < 985:
		reasons := []string{"no audio device", fmt.Sprintf("file unreadable: open media/%s/%03d.wav: no such file or directory",
			strings.SplitN(s.topics, ",", 2)[0], s.id)}
		return outcome{status: "failed", reason: reasons[rng.IntN(len(reasons))], started: ms, ended: ms}
	default:
		return outcome{status: "missed", reason: "slot could not start on time"}
	}
}
