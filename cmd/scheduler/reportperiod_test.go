package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestReportPeriodsAsWrittenByHand asks for periods the way the commune
// writes them, and for impossible ones.
func TestReportPeriodsAsWrittenByHand(t *testing.T) {
	data := simulatedLog(t)
	for _, c := range []struct {
		args     []string
		from, to string
	}{
		{[]string{"--month", "5/2024"}, "2024-05-01", "2024-05-31"},
		{[]string{"--month", "T05/2024"}, "2024-05-01", "2024-05-31"},
		{[]string{"--quarter", "Q2/2024"}, "2024-04-01", "2024-06-30"},
	} {
		var r struct{ Period struct{ From, To string } }
		if err := json.Unmarshal([]byte(mustRun(t, data, append([]string{"report", "--format", "json"}, c.args...)...)), &r); err != nil {
			t.Fatal(err)
		}
		if r.Period.From != c.from || r.Period.To != c.to {
			t.Errorf("%v: %+v, want %s–%s", c.args, r.Period, c.from, c.to)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--month", "13/2026"}, `lỗi: Tháng không hợp lệ: "13/2026" — hãy chọn tháng dạng 11/2026`},
		{[]string{"report", "--quarter", "Q5/2026"}, `lỗi: Quý không hợp lệ: "Q5/2026"`},
		{[]string{"--lang", "en", "report", "--year", "26"}, `error: Invalid year: "26" — choose a year like 2026`},
	} {
		if r := run(t, data, nil, c.args...); r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q, want 2 with %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
