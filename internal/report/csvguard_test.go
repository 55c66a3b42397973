package report

import (
	"bytes"
	"strings"
	"testing"
)

// A topic name from config.yaml that looks like a formula is written as
// text; the numbers stay numbers.
func TestCSVGuardsFormulaCells(t *testing.T) {
	pct := -12.5
	r := Report{Topics: []TopicRow{{Code: "tthc", Name: `=HYPERLINK("http://x","y")`, TargetAirings: 4, Airings: 1, Minutes: 2.5, AchievedPct: &pct}}}
	var b bytes.Buffer
	if err := r.WriteCSV(&b, "vi"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, `tthc,"'=HYPERLINK(""http://x"",""y"")",4,,1,2.5,0,-12.5`) {
		t.Fatalf("report CSV:\n%s", out)
	}
}
