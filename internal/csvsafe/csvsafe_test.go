package csvsafe_test

import (
	"strings"
	"testing"

	"github.com/truyenthanh/cchc/internal/csvsafe"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\",\"y\")": "'=HYPERLINK(\"http://x\",\"y\")",
		"+84 912 345 678":                "'+84 912 345 678",
		"-2+3":                           "'-2+3",
		"-cmd|' /C calc'!A0":             "'-cmd|' /C calc'!A0",
		"@SUM(A1:A9)":                    "'@SUM(A1:A9)",
		"\t=1":                           "'\t=1",
		"\r=1":                           "'\r=1",
		"-Inf":                           "'-Inf",
		"Bản tin = số 3":                 "Bản tin = số 3",
		"":                               "",
		// Numbers stay numbers.
		"-23.5": "-23.5",
		"-1":    "-1",
		"+1":    "+1",
		"-.5":   "-.5",
		"-1e-3": "-1e-3",
		"1500":  "1500",
	} {
		if got := csvsafe.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterGuardsEveryCell(t *testing.T) {
	var b strings.Builder
	w := csvsafe.NewWriter(&b)
	row := []string{"1", "=1+1", "-23.0", "@x"}
	if err := w.Write(row); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if got, want := b.String(), "1,'=1+1,-23.0,'@x\n"; got != want {
		t.Fatalf("wrote %q, want %q", got, want)
	}
	if row[1] != "=1+1" {
		t.Fatalf("Write changed the caller's row: %q", row)
	}
}
