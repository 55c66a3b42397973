package province_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/province"
	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/report"
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
		// Shipped: A 3 completed + 3 missed; B 4 completed + 2 failed.
		want := report.Totals{Airings: 7, Minutes: 10.5, Missed: 3, Failed: 2}
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
