package main

import (
	"encoding/csv"
	"io"
)

// newCSV starts a CSV for the operator: UTF-8 with a BOM, so that Excel
// shows Vietnamese.
func newCSV(w io.Writer) *csv.Writer {
	io.WriteString(w, "\uFEFF")
	return csv.NewWriter(w)
}
