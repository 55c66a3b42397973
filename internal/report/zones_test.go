package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// threeZones are the zones of the fixtures below: the networks of three
// former communes.
var threeZones = []Zone{{Code: "thon-dong", Name: "Thôn Đông"}, {Code: "thon-tay", Name: "Thôn Tây"}, {Code: "xa-cu", Name: "Xã Yên Phú cũ"}}

// zoneFixture is the May 2024 fixture played in three zones: the airings
// dealt to them in turn.
func zoneFixture(t *testing.T) Input {
	t.Helper()
	in := fixture(t)
	in.Zones = threeZones
	for i := range in.Airings {
		in.Airings[i].Zone = threeZones[i%3].Code
	}
	return in
}

func zoneOf(t *testing.T, r Report, code string) ZoneReport {
	t.Helper()
	for _, z := range r.Zones {
		if z.Code == code {
			return z
		}
	}
	t.Fatalf("no zone %s in %+v", code, r.Zones)
	return ZoneReport{}
}

func TestZonesAddUp(t *testing.T) {
	in := zoneFixture(t)
	r := Build(in)
	if len(r.Zones) != 3 || !r.MultiZone() {
		t.Fatalf("zones = %d, want 3", len(r.Zones))
	}
	// Each zone's figures are its own airings' only.
	for _, z := range threeZones {
		var mine []int
		for i, a := range in.Airings {
			if a.Zone == z.Code {
				mine = append(mine, i)
			}
		}
		only := in
		only.Airings = nil
		for _, i := range mine {
			only.Airings = append(only.Airings, in.Airings[i])
		}
		only.Zones = []Zone{z}
		alone := Build(only) // that zone's log as a report of its own
		zr := zoneOf(t, r, z.Code)
		if zr.Name != z.Name {
			t.Errorf("zone %s named %q, want %q", z.Code, zr.Name, z.Name)
		}
		if zr.Totals != alone.Totals {
			t.Errorf("zone %s totals = %+v, want %+v", z.Code, zr.Totals, alone.Totals)
		}
		for _, row := range alone.Topics {
			got := rowOfTopics(t, zr.Topics, row.Code)
			if got.Airings != row.Airings || got.Minutes != row.Minutes || got.TargetAirings != row.TargetAirings ||
				got.BelowTarget != row.BelowTarget || !samePct(got.AchievedPct, row.AchievedPct) {
				t.Errorf("zone %s topic %s = %+v, want %+v", z.Code, row.Code, got, row)
			}
		}
	}
	// The commune adds the zones up; the target applies to each zone.
	plain := Build(fixture(t))
	for i, row := range r.Topics {
		one := plain.Topics[i]
		if row.Code != one.Code {
			t.Fatalf("topic %d = %s, want %s", i, row.Code, one.Code)
		}
		if row.TargetAirings != 3*one.TargetAirings || math.Abs(row.TargetMinutes-3*one.TargetMinutes) > 1e-9 {
			t.Errorf("%s: commune target %d lượt %.1f phút, want three zones' %d and %.1f", row.Code,
				row.TargetAirings, row.TargetMinutes, 3*one.TargetAirings, 3*one.TargetMinutes)
		}
		sumAirings, sumInterrupted := 0, 0
		var lowest *float64
		anyBelow := false
		for _, z := range r.Zones {
			zr := rowOfTopics(t, z.Topics, row.Code)
			sumAirings += zr.Airings
			sumInterrupted += zr.Interrupted
			if zr.AchievedPct != nil && (lowest == nil || *zr.AchievedPct < *lowest) {
				lowest = zr.AchievedPct
			}
			anyBelow = anyBelow || zr.BelowTarget
		}
		if row.Airings != sumAirings || row.Airings != one.Airings || row.Interrupted != sumInterrupted {
			t.Errorf("%s: commune %d airings %d interrupted, zones add up to %d and %d", row.Code, row.Airings, row.Interrupted, sumAirings, sumInterrupted)
		}
		if !samePct(row.AchievedPct, lowest) || row.BelowTarget != anyBelow {
			t.Errorf("%s: commune achieved %v below %v, want the lowest zone's %v, any below %v", row.Code, row.AchievedPct, row.BelowTarget, lowest, anyBelow)
		}
	}
	// tong-quan airs four times, 5 minutes each: no zone reaches 4 airings,
	// so the commune is below target even if it delivered 4 in all.
	tq := rowOf(t, r, "tong-quan")
	if !tq.BelowTarget || tq.Airings != 4 {
		t.Errorf("tong-quan = %+v, want below target with 4 airings", tq)
	}
	var short int
	for _, rs := range tq.Reasons {
		if rs.Kind == ReasonShortAirings {
			short = rs.Count
		}
	}
	if short != 12-4 {
		t.Errorf("tong-quan short by %d airings, want the zones' shortfalls added up: 8", short)
	}
	var tot Totals
	for _, z := range r.Zones {
		tot.Airings += z.Totals.Airings
		tot.Interrupted += z.Totals.Interrupted
		tot.Missed += z.Totals.Missed
		tot.Failed += z.Totals.Failed
	}
	if tot.Airings != r.Totals.Airings || tot.Interrupted != r.Totals.Interrupted || tot.Missed != r.Totals.Missed || tot.Failed != r.Totals.Failed {
		t.Errorf("zones' totals add up to %+v, commune's = %+v", tot, r.Totals)
	}
	for _, in := range r.Incidents {
		if in.Zone == "" || in.Zone == DefaultZone.Code {
			t.Errorf("incident %d has zone %q", in.ID, in.Zone)
		}
	}
}

func rowOfTopics(t *testing.T, rows []TopicRow, code string) TopicRow {
	t.Helper()
	for _, r := range rows {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("no topic %s", code)
	return TopicRow{}
}

func samePct(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// TestZonesInEveryFormat: the per-zone section in text, HTML, CSV, JSON,
// XLSX and DOCX.
func TestZonesInEveryFormat(t *testing.T) {
	r := Build(zoneFixture(t))
	for _, tt := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"may2024-zones.vi.txt", func(b *bytes.Buffer) error { return r.WriteText(b, "vi") }},
		{"may2024-zones.en.txt", func(b *bytes.Buffer) error { return r.WriteText(b, "en") }},
		{"may2024-zones.vi.csv", func(b *bytes.Buffer) error { return r.WriteCSV(b, "vi") }},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, b.Bytes())
			for _, z := range threeZones {
				if !strings.Contains(b.String(), z.Name) {
					t.Errorf("no zone %s", z.Name)
				}
			}
		})
	}
	t.Run("csv", func(t *testing.T) {
		var b bytes.Buffer
		if err := r.WriteCSV(&b, "vi"); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.Bytes(), bom))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "Vùng phát" {
			t.Errorf("header = %q, want the zone first", rows[0])
		}
		per := map[string]int{}
		for _, row := range rows[1:] {
			if row[1] != "" {
				per[row[0]]++
			}
		}
		for _, name := range []string{"Toàn xã (cộng các vùng)", "Thôn Đông", "Thôn Tây", "Xã Yên Phú cũ"} {
			if per[name] != len(r.Topics) {
				t.Errorf("%d topic rows for %s, want %d", per[name], name, len(r.Topics))
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		var b bytes.Buffer
		if err := r.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Zones []struct {
				Code, Name string
				Topics     []TopicRow
				Totals     Totals
			}
		}
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Zones) != 3 || got.Zones[2].Code != "xa-cu" || got.Zones[2].Name != "Xã Yên Phú cũ" || len(got.Zones[0].Topics) != len(r.Topics) {
			t.Errorf("zones = %+v", got.Zones)
		}
	})
	t.Run("html", func(t *testing.T) {
		var b bytes.Buffer
		if err := r.WriteHTML(&b, "vi"); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(b.String(), `<table class="topics">`); n != 4 {
			t.Errorf("%d topic tables, want the commune's and three zones'", n)
		}
		if !strings.Contains(b.String(), "Vùng Thôn Tây (thon-tay)") {
			t.Error("no heading for Thôn Tây")
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		f := openXLSX(t, r, "vi")
		sheets := f.GetSheetList()
		if len(sheets) != 4 || sheets[3] != "Theo vùng" {
			t.Fatalf("sheets = %q, want the zones' sheet last", sheets)
		}
		rows, err := f.GetRows("Theo vùng")
		if err != nil {
			t.Fatal(err)
		}
		var dong int
		for _, row := range rows {
			if len(row) > 5 && row[0] == "Thôn Đông" && row[1] == "tong-quan" {
				dong++
				if want := strings.TrimSpace(rowOfTopics(t, zoneOf(t, r, "thon-dong").Topics, "tong-quan").Name); row[2] != want {
					t.Errorf("topic name %q", row[2])
				}
			}
		}
		if dong != 1 {
			t.Errorf("%d rows of tong-quan in Thôn Đông, want 1", dong)
		}
		log, err := f.GetRows("Nhật ký phát")
		if err != nil {
			t.Fatal(err)
		}
		if got := log[0][len(log[0])-1]; got != "Vùng phát" {
			t.Errorf("last column of the log = %q, want the zone", got)
		}
		if got := log[1][11]; got != "thon-tay" && got != "thon-dong" && got != "xa-cu" {
			t.Errorf("zone of the first airing = %q", got)
		}
	})
	t.Run("docx", func(t *testing.T) {
		var b bytes.Buffer
		if err := r.WriteDOCX(&b, "vi"); err != nil {
			t.Fatal(err)
		}
		dump := string(docxDump(t, docxParts(t, b.Bytes())["word/document.xml"]))
		for _, w := range []string{"Kết quả theo từng vùng phát:", "Vùng Thôn Đông (thon-dong)", "Vùng Xã Yên Phú cũ (xa-cu)"} {
			if !strings.Contains(dump, w) {
				t.Errorf("the DOCX has no %q", w)
			}
		}
	})
}

// TestReportOfOneZone: report --zone names the zone and has no per-zone
// section; a commune of one zone prints as before zones.
func TestReportOfOneZone(t *testing.T) {
	in := zoneFixture(t)
	var mine []int
	for i, a := range in.Airings {
		if a.Zone == "thon-tay" {
			mine = append(mine, i)
		}
	}
	only := in
	only.Airings = nil
	for _, i := range mine {
		only.Airings = append(only.Airings, in.Airings[i])
	}
	only.Only = &threeZones[1]
	r := Build(only)
	if r.MultiZone() || r.Zone != "thon-tay" || len(r.Zones) != 1 {
		t.Fatalf("zone %q, %d zones", r.Zone, len(r.Zones))
	}
	if r.Totals.Airings+r.Totals.Interrupted+r.Totals.Missed+r.Totals.Failed == 0 {
		t.Fatal("Thôn Tây has no airings: the fixture is wrong")
	}
	if got := rowOf(t, r, "tthc").TargetAirings; got != 6 {
		t.Errorf("tthc target = %d, want one zone's 6", got)
	}
	text := mustText(t, r, "vi")
	if !strings.Contains(text, "Vùng phát: Thôn Tây (thon-tay)") || strings.Contains(text, "Kết quả theo từng vùng phát") {
		t.Errorf("the report of one zone:\n%s", text)
	}
	var b bytes.Buffer
	if err := r.WriteCSV(&b, "vi"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nThôn Tây,tthc,") {
		t.Errorf("the CSV rows do not name the zone:\n%s", b.String())
	}
}

// TestUnlistedZone: airings of a zone the configuration no longer has
// count in the commune and get a zone of their own, without targets.
func TestUnlistedZone(t *testing.T) {
	in := zoneFixture(t)
	in.Airings[1].Zone = "thon-bac"
	r := Build(in)
	if len(r.Zones) != 4 {
		t.Fatalf("zones = %d, want the three and thon-bac", len(r.Zones))
	}
	z := r.Zones[3]
	if z.Code != "thon-bac" || !z.Unlisted || z.Totals.Airings != 1 {
		t.Errorf("zone = %+v, want thon-bac unlisted with 1 airing", z)
	}
	for _, row := range z.Topics {
		if row.TargetAirings != 0 || row.TargetMinutes != 0 || row.BelowTarget {
			t.Errorf("thon-bac %s has a target: %+v", row.Code, row)
		}
	}
	if got := rowOf(t, r, "tthc").TargetAirings; got != 18 {
		t.Errorf("commune tthc target = %d, want the three listed zones' 18", got)
	}
	if !strings.Contains(mustText(t, r, "vi"), "thon-bac (thon-bac) — vùng không còn trong cấu hình") {
		t.Error("the text does not flag the unlisted zone")
	}
}
