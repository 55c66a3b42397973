package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// threeZoneConfig is the shipped config with three zones on null outputs:
// the morning slot airs in every zone, the evening one in xa-cu only.
func threeZoneConfig(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	evening := "    - name: chieu\n"
	if !strings.Contains(s, evening) {
		t.Fatal("the shipped config has no evening slot chieu")
	}
	s = strings.Replace(s, evening, evening+"      zones: [xa-cu]\n", 1)
	s += `
zones:
  - code: thon-dong
    name: "Thôn Đông"
    outputs: [null]
  - code: thon-tay
    name: "Thôn Tây"
    outputs: [null]
  - code: xa-cu
    name: "Xã Yên Phú cũ"
    outputs: [null]
`
	return writeConfig(t, "zones.yaml", s)
}

// zoneTopicJSON is a topic's line of the report JSON.
type zoneTopicJSON struct {
	Code          string `json:"code"`
	TargetAirings int    `json:"target_airings"`
	Airings       int    `json:"airings"`
	Interrupted   int    `json:"interrupted"`
	Missed        int    `json:"missed"`
	Failed        int    `json:"failed"`
}

// zoneTotalsJSON is the totals of the report JSON (the commune's or a zone's).
type zoneTotalsJSON struct {
	Airings     int `json:"airings"`
	Interrupted int `json:"interrupted"`
	Missed      int `json:"missed"`
	Failed      int `json:"failed"`
}

type zoneReportJSON struct {
	Zone   string          `json:"zone"`
	Topics []zoneTopicJSON `json:"topics"`
	Totals zoneTotalsJSON  `json:"totals"`
	Zones  []struct {
		Code   string          `json:"code"`
		Name   string          `json:"name"`
		Topics []zoneTopicJSON `json:"topics"`
		Totals zoneTotalsJSON  `json:"totals"`
	} `json:"zones"`
}

type zoneAiringJSON struct {
	ID     int64    `json:"id"`
	Topics []string `json:"topics"`
	Slot   string   `json:"slot"`
	Status string   `json:"status"`
	Zone   string   `json:"zone"`
}

// TestSimulateThreeZonesReportsAgreeWithLog simulates a month of three
// zones and checks the report's zones against the log: counts by zone,
// topic and status from `log --json` equal the report JSON's zones[], the
// commune's figures are their sum, and --zone filters the log, the preview
// and the report.
func TestSimulateThreeZonesReportsAgreeWithLog(t *testing.T) {
	data := t.TempDir()
	cfg := threeZoneConfig(t)
	sched := func(args ...string) string {
		t.Helper()
		return mustRun(t, data, append([]string{"--config", cfg}, args...)...)
	}
	sched("segments", "import", "media")
	sched("segments", "approve", "--all")
	sched("simulate", "--from", "2024-05-01", "--to", "2024-05-31")

	var log []zoneAiringJSON
	if err := json.Unmarshal([]byte(sched("log", "--from", "2024-05-01", "--to", "2024-05-31", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	var rep zoneReportJSON
	if err := json.Unmarshal([]byte(sched("report", "--month", "2024-05", "--json")), &rep); err != nil {
		t.Fatal(err)
	}

	// Counts from the log: [zone][topic][status], and [zone][""][status]
	// for the totals (each airing once).
	counts := map[string]map[string]map[string]int{}
	add := func(zone, topic, status string) {
		if counts[zone] == nil {
			counts[zone] = map[string]map[string]int{}
		}
		if counts[zone][topic] == nil {
			counts[zone][topic] = map[string]int{}
		}
		counts[zone][topic][status]++
	}
	for _, a := range log {
		add(a.Zone, "", a.Status)
		for _, tp := range a.Topics {
			add(a.Zone, tp, a.Status)
		}
		if a.Slot == "chieu" && a.Zone != "xa-cu" {
			t.Errorf("airing %d: the evening slot aired in %s, it is xa-cu's only", a.ID, a.Zone)
		}
	}
	for _, z := range []string{"thon-dong", "thon-tay", "xa-cu"} {
		if counts[z][""]["completed"] == 0 {
			t.Fatalf("zone %s completed nothing in a simulated month", z)
		}
	}
	// xa-cu has the evening slot too: more occurrences in its log (with
	// no_repeat 20h the twelve segments of the morning leave the evening
	// empty: missed, honestly).
	rows := func(z string) (n int) {
		for _, c := range counts[z][""] {
			n += c
		}
		return n
	}
	if rows("xa-cu") <= rows("thon-dong") {
		t.Errorf("xa-cu (two slots a day) logged %d airings, thon-dong (one) %d", rows("xa-cu"), rows("thon-dong"))
	}
	if len(rep.Zones) != 3 {
		t.Fatalf("report zones = %d, want 3", len(rep.Zones))
	}
	var sum struct{ airings, interrupted, missed, failed int }
	for _, z := range rep.Zones {
		c := counts[z.Code]
		if z.Totals.Airings != c[""]["completed"] || z.Totals.Interrupted != c[""]["interrupted"] || z.Totals.Missed != c[""]["missed"] || z.Totals.Failed != c[""]["failed"] {
			t.Errorf("zone %s: report totals %+v, log has %v", z.Code, z.Totals, c[""])
		}
		for _, tp := range z.Topics {
			if tp.Airings != c[tp.Code]["completed"] || tp.Interrupted != c[tp.Code]["interrupted"] || tp.Missed != c[tp.Code]["missed"] || tp.Failed != c[tp.Code]["failed"] {
				t.Errorf("zone %s topic %s: report %d/%d/%d/%d, log %v", z.Code, tp.Code, tp.Airings, tp.Interrupted, tp.Missed, tp.Failed, c[tp.Code])
			}
		}
		sum.airings += z.Totals.Airings
		sum.interrupted += z.Totals.Interrupted
		sum.missed += z.Totals.Missed
		sum.failed += z.Totals.Failed
	}
	if rep.Totals.Airings != sum.airings || rep.Totals.Interrupted != sum.interrupted || rep.Totals.Missed != sum.missed || rep.Totals.Failed != sum.failed {
		t.Errorf("commune totals %+v, zones add up to %+v", rep.Totals, sum)
	}
	for i, tp := range rep.Topics {
		var airings, target int
		for _, z := range rep.Zones {
			airings += z.Topics[i].Airings
			target += z.Topics[i].TargetAirings
		}
		if tp.Airings != airings || tp.TargetAirings != target || tp.TargetAirings != 3*rep.Zones[0].Topics[i].TargetAirings {
			t.Errorf("commune %s: %d airings of target %d; zones add up to %d of %d", tp.Code, tp.Airings, tp.TargetAirings, airings, target)
		}
	}

	// log --zone: that zone's rows, and all of them.
	var tay []zoneAiringJSON
	json.Unmarshal([]byte(sched("log", "--from", "2024-05-01", "--to", "2024-05-31", "--zone", "thon-tay", "--json")), &tay)
	n := 0
	for _, a := range log {
		if a.Zone == "thon-tay" {
			n++
		}
	}
	if len(tay) != n || n == 0 {
		t.Errorf("log --zone thon-tay: %d rows, the log has %d of thon-tay", len(tay), n)
	}
	for _, a := range tay {
		if a.Zone != "thon-tay" {
			t.Fatalf("log --zone thon-tay listed airing %d of %s", a.ID, a.Zone)
		}
	}
	if text := sched("log", "--from", "2024-05-06", "--zone", "xa-cu"); !strings.Contains(text, "VÙNG") || !strings.Contains(text, "xa-cu") || strings.Contains(text, "thon-dong") {
		t.Errorf("log text of xa-cu:\n%s", text)
	}
	if csv := sched("log", "--from", "2024-05-06", "--format", "csv"); !strings.Contains(strings.SplitN(csv, "\n", 2)[0], ",zone") {
		t.Errorf("log CSV has no zone column:\n%.300s", csv)
	}

	// report --zone: the zone's figures, as in the commune's report.
	var cu zoneReportJSON
	json.Unmarshal([]byte(sched("report", "--month", "2024-05", "--zone", "xa-cu", "--json")), &cu)
	if cu.Zone != "xa-cu" || cu.Totals != rep.Zones[2].Totals || len(cu.Zones) != 1 {
		t.Errorf("report --zone xa-cu: %+v, the commune's report says %+v", cu.Totals, rep.Zones[2].Totals)
	}
	if text := sched("report", "--month", "2024-05"); !strings.Contains(text, "Kết quả theo từng vùng phát") || !strings.Contains(text, "Vùng Xã Yên Phú cũ (xa-cu)") {
		t.Errorf("the text report has no per-zone section:\n%s", text)
	}

	// schedule preview: zone by zone; --zone one zone.
	var occ []struct {
		Zone string `json:"zone"`
		Slot string `json:"slot"`
	}
	json.Unmarshal([]byte(sched("schedule", "preview", "--from", "2024-06-03", "--days", "1", "--zone", "xa-cu", "--json")), &occ)
	if len(occ) != 2 || occ[0].Zone != "xa-cu" || occ[1].Slot != "chieu" {
		t.Errorf("preview --zone xa-cu of a Monday = %+v, want its two slots", occ)
	}
	json.Unmarshal([]byte(sched("schedule", "preview", "--from", "2024-06-03", "--days", "1", "--json")), &occ)
	if len(occ) != 4 || occ[0].Zone != "thon-dong" || occ[3].Zone != "xa-cu" {
		t.Errorf("preview of every zone = %+v, want thon-dong, thon-tay, then xa-cu's two", occ)
	}
	if text := sched("schedule", "preview", "--from", "2024-06-03", "--days", "1"); strings.Count(text, "##### Vùng phát") != 3 {
		t.Errorf("preview text is not grouped by zone:\n%s", text)
	}

	// An unknown zone: exit 2, naming it and the zones there are.
	for _, args := range [][]string{{"log", "--zone", "thon-bac"}, {"report", "--month", "2024-05", "--zone", "thon-bac"}, {"schedule", "preview", "--zone", "thon-bac"}} {
		r := run(t, data, nil, append([]string{"--config", cfg}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, `"thon-bac"`) || !strings.Contains(r.stderr, "thon-dong (Thôn Đông), thon-tay (Thôn Tây), xa-cu (Xã Yên Phú cũ)") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming thon-bac and the zones", args, r.code, r.stderr)
		}
	}
}
