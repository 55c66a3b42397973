// Package csvsafe guards the CSV files the program writes against formula
// injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins
// with =, +, -, @, a tab or a carriage return as a formula, so such a cell
// is written with a single quote in front, which the spreadsheet shows as
// text. A cell that is a plain decimal number (-23.5, +1, 1e-3) is written
// as it is: it stays a number, and a number cannot run anything.
//
// Every CSV writer of the program (log, segments, the web API, the report)
// is a csvsafe.Writer.
package csvsafe

import (
	"encoding/csv"
	"io"
	"regexp"
)

var number = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// Cell returns a cell safe to open in a spreadsheet.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !number.MatchString(s) {
			return "'" + s
		}
	}
	return s
}

// Writer is a csv.Writer whose Write guards every cell (see Cell).
type Writer struct {
	*csv.Writer
}

// NewWriter returns a guarded CSV writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one row, each cell guarded; row is not changed.
func (w *Writer) Write(row []string) error {
	safe := make([]string, len(row))
	for i, c := range row {
		safe[i] = Cell(c)
	}
	return w.Writer.Write(safe)
}
