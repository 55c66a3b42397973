package main

import (
	"io"

	"github.com/truyenthanh/cchc/internal/csvsafe"
)

// newCSV starts a CSV for the operator: UTF-8 with a BOM, so that Excel
// shows Vietnamese, with every cell guarded against formula injection.
func newCSV(w io.Writer) *csvsafe.Writer {
	io.WriteString(w, "\uFEFF")
	return csvsafe.NewWriter(w)
}
