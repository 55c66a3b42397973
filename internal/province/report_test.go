package province_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/province"
	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/report"
	"github.com/truyenthanh/cchc/internal/store"
)

func keys(m map[string]json.RawMessage) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func TestProvinceReport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tokA := e.commune(t, "25252", "Xã Tân Lập")
	tokB := e.commune(t, "25253", "Xã Tân Tiến")
	e.commune(t, "25254", "Xã Chưa Gửi") // never syncs
	logA := stationLog(t, 3, playlist.StatusCompleted, playlist.StatusMissed)
	logB := stationLog(t, 2, playlist.StatusCompleted, playlist.StatusCompleted, playlist.StatusFailed)
	for _, s := range []struct {
		tok, code string
		log       []provinceapi.Airing
	}{{tokA, "25252", logA}, {tokB, "25253", logB}} {
		var res provinceapi.BatchResult
		if code := e.call(t, "POST", provinceapi.PathAirings, s.tok, provinceapi.AiringBatch{Commune: s.code, Airings: s.log}, &res); code != http.StatusOK {
			t.Fatalf("ship %s: %d", s.code, code)
		}
	}
	p, err := province.ParsePeriod("2024-05", "", "", ict)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := province.BuildReport(ctx, e.db, province.ReportInput{Period: p, Topics: topics, Location: ict,
		Header: report.Header{Committee: "SỞ VĂN HÓA TỈNH HƯNG YÊN"}, Issued: time.Date(2024, 6, 3, 9, 0, 0, 0, ict)})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("json shape and totals", func(t *testing.T) {
		var buf bytes.Buffer
		if err := province.WriteReport(&buf, rep, "json", "vi"); err != nil {
			t.Fatal(err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
			t.Fatal(err)
		}
		if got := keys(top); got != "communes,period,topics,totals" {
			t.Errorf("top-level keys %s", got)
		}
		var communes []map[string]json.RawMessage
		json.Unmarshal(top["communes"], &communes)
		if len(communes) != 3 {
			t.Fatalf("%d communes, want 3 (with the one that never synced)", len(communes))
		}
		for _, c := range communes {
			if got := keys(c); got != "code,last_sync,name,topics,totals" {
				t.Errorf("commune keys %s", got)
			}
		}
		var back report.Province
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		// Shipped: A 3 completed + 3 missed; B 4 completed + 2 failed;
		// each station aired one segment (segments sum over communes).
		want := report.Totals{Airings: 7, Minutes: 10.5, Segments: 2, Missed: 3, Failed: 2}
		if back.Totals != want {
			t.Errorf("province totals %+v, want %+v", back.Totals, want)
		}
		sum := 0
		for _, c := range back.Communes {
			sum += c.Totals.Airings
			if c.Code == "25254" && (c.LastSync != nil || c.Totals != (report.Totals{})) {
				t.Errorf("never-synced commune: %+v", c)
			}
			if c.Code == "25252" && (c.Totals.Airings != 3 || c.Totals.Missed != 3 || c.LastSync == nil) {
				t.Errorf("commune A: %+v", c)
			}
		}
		if sum != back.Totals.Airings {
			t.Errorf("communes sum to %d airings, province says %d", sum, back.Totals.Airings)
		}
		var tthc report.TopicRow
		for _, tr := range back.Topics {
			if tr.Code == "tthc" {
				tthc = tr
			}
		}
		// Three communes × 4 airings a month; A's tthc airings: 3 (ids 0, 2, 4).
		if tthc.TargetAirings != 12 || !tthc.BelowTarget || tthc.Airings != 5 {
			t.Errorf("province tthc row %+v, want 5 airings of a target of 12, below target", tthc)
		}
		if len(rep.NotSynced()) != 1 || rep.NotSynced()[0].Code != "25254" {
			t.Errorf("not synced: %+v, want 25254 only", rep.NotSynced())
		}
		if len(rep.BelowTarget()) != 3 {
			t.Errorf("below target: %d communes, want all 3", len(rep.BelowTarget()))
		}
	})

	for _, format := range []string{"text", "csv", "html", "docx", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := province.WriteReport(&buf, rep, format, "vi"); err != nil {
				t.Fatal(err)
			}
			text := buf.String()
			if format == "text" {
				t.Log("\n" + text)
			}
			switch format {
			case "docx":
				zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
				if err != nil {
					t.Fatal(err)
				}
				text = ""
				for _, f := range zr.File {
					if f.Name == "word/document.xml" {
						rc, _ := f.Open()
						b, _ := io.ReadAll(rc)
						rc.Close()
						text = string(b)
					}
				}
			case "xlsx":
				f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				rows, err := f.GetRows(f.GetSheetList()[0])
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				for _, r := range rows {
					b.WriteString(strings.Join(r, "|") + "\n")
				}
				text = b.String()
				if !strings.Contains(text, "25252|Xã Tân Lập|") {
					t.Errorf("xlsx rows lack commune A's row:\n%s", text)
				}
			}
			for _, name := range []string{"Xã Tân Lập", "Xã Tân Tiến", "Xã Chưa Gửi"} {
				if !strings.Contains(text, name) {
					t.Errorf("%s lacks %s", format, name)
				}
			}
		})
	}
}

// A commune's figures in the province report are its station's own report
// of the same airings: minutes and distinct segments of completed airings
// only (an interrupted airing's partial play is not delivered time), and
// the counts, per topic and in total.
func TestProvinceReportEqualsTheStationReport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.commune(t, "25252", "Xã Tân Lập")
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var segIDs []int64
	segTopics := [][]string{{"tthc"}, {"tthc", "chinh-quyen-so"}, {"chinh-quyen-so"}, nil, {"an-ninh"}}
	for i, tp := range segTopics {
		id, _, err := st.AddSegment(ctx, playlist.Segment{Title: fmt.Sprintf("Tin %d", i), Path: fmt.Sprintf("/media/%d.wav", i),
			SHA256: strings.Repeat(string(rune('a'+i)), 64), Topics: tp, Duration: time.Duration(60+i*17) * time.Second,
			SampleRate: 48000, Channels: 1, BitDepth: 16, ImportedAt: time.Date(2024, 4, 1, 8, 0, 0, 0, ict), Priority: playlist.PriorityNormal})
		if err != nil {
			t.Fatal(err)
		}
		segIDs = append(segIDs, id)
	}
	statuses := []playlist.Status{playlist.StatusCompleted, playlist.StatusInterrupted, playlist.StatusCompleted, playlist.StatusMissed,
		playlist.StatusCompleted, playlist.StatusFailed, playlist.StatusCompleted}
	// From the last days of April into June: the report is of May.
	for i := range 60 {
		at := time.Date(2024, 4, 28, 6, 0, 0, 0, ict).Add(time.Duration(i) * 13 * time.Hour)
		k := (i * 3) % len(segIDs)
		d := time.Duration(60+k*17) * time.Second
		a := playlist.Airing{SegmentID: segIDs[k], Title: fmt.Sprintf("Tin %d", k), Topics: segTopics[k], Slot: "sang",
			ScheduledAt: at, Duration: d, Status: statuses[i%len(statuses)]}
		switch a.Status {
		case playlist.StatusCompleted:
			a.StartedAt, a.EndedAt, a.Played = at, at.Add(d), d
		case playlist.StatusInterrupted:
			a.StartedAt, a.EndedAt, a.Played = at, at.Add(d/3), d/3
		case playlist.StatusFailed:
			a.StartedAt, a.EndedAt, a.Played = at, at.Add(time.Second), 0
		}
		if _, err := st.LogClosed(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := st.LoggedAirings(ctx, "", time.Date(2024, 1, 1, 0, 0, 0, 0, ict), time.Date(2025, 1, 1, 0, 0, 0, 0, ict))
	if err != nil {
		t.Fatal(err)
	}
	batch := provinceapi.AiringBatch{Commune: "25252"}
	for _, r := range rows {
		batch.Airings = append(batch.Airings, wire(r))
	}
	if code := e.call(t, "POST", provinceapi.PathAirings, tok, batch, nil); code != http.StatusOK {
		t.Fatalf("ship: %d", code)
	}

	from, to := time.Date(2024, 5, 1, 0, 0, 0, 0, ict), time.Date(2024, 5, 31, 0, 0, 0, 0, ict)
	airings, err := st.Airings(ctx, "", from, to.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	station := report.Build(report.Input{Kind: report.KindMonth, From: from, To: to, Location: ict, Topics: topics, Airings: airings})
	p, err := province.ParsePeriod("2024-05", "", "", ict)
	if err != nil {
		t.Fatal(err)
	}
	prov, err := province.BuildReport(ctx, e.db, province.ReportInput{Period: p, Topics: topics, Location: ict})
	if err != nil {
		t.Fatal(err)
	}
	if len(prov.Communes) != 1 {
		t.Fatalf("%d communes in the province report, want 1", len(prov.Communes))
	}
	c := prov.Communes[0]
	if station.Totals.Interrupted == 0 || station.Totals.Segments < 3 || station.Totals.Minutes == 0 {
		t.Fatalf("the test's log lacks interrupted airings or segments: %+v", station.Totals)
	}
	if c.Totals != station.Totals {
		t.Errorf("commune totals at the province %+v, on the station %+v", c.Totals, station.Totals)
	}
	type figures struct {
		Airings, Segments, Interrupted, Missed, Failed int
		Minutes                                        float64
	}
	fig := func(r report.TopicRow) figures {
		return figures{r.Airings, r.Segments, r.Interrupted, r.Missed, r.Failed, r.Minutes}
	}
	want := map[string]figures{}
	for _, r := range station.Topics {
		want[r.Code] = fig(r)
	}
	got := map[string]figures{}
	for _, r := range c.Topics {
		got[r.Code] = fig(r)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("topics at the province\n%+v\non the station\n%+v", got, want)
	}
	// The province's own rows are this one commune's.
	if prov.Totals != station.Totals {
		t.Errorf("province totals %+v, the station's %+v", prov.Totals, station.Totals)
	}
}
