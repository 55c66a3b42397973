package xlsx

import (
	"fmt"
	"strconv"
)

// Excel's limits on a worksheet.
const (
	MaxColumns = 16384   // column XFD
	MaxRows    = 1048576 // row 1048576
)

// ColumnName is the letters of column col, counted from 1: 1 is "A", 27 is
// "AA", 16384 is "XFD". It returns "" for a column out of range.
func ColumnName(col int) string {
	if col < 1 || col > MaxColumns {
		return ""
	}
	var b [3]byte
	i := len(b)
	for col > 0 {
		col--
		i--
		b[i] = byte('A' + col%26)
		col /= 26
	}
	return string(b[i:])
}

// CellName is the A1-style reference of the cell at column col and row row,
// both counted from 1: CellName(27, 10) is "AA10". It returns "" for a cell
// out of range.
func CellName(col, row int) string {
	if row < 1 || row > MaxRows {
		return ""
	}
	c := ColumnName(col)
	if c == "" {
		return ""
	}
	return c + strconv.Itoa(row)
}

// checkCell returns an error naming the cell if it is out of Excel's range.
func checkCell(col, row int) error {
	if col < 1 || col > MaxColumns || row < 1 || row > MaxRows {
		return fmt.Errorf("cell (column %d, row %d) is outside the sheet: columns go from 1 to %d, rows from 1 to %d",
			col, row, MaxColumns, MaxRows)
	}
	return nil
}

// checkRange orders the corners of a range and checks them.
func checkRange(c1, r1, c2, r2 int) (int, int, int, int, error) {
	if c1 > c2 {
		c1, c2 = c2, c1
	}
	if r1 > r2 {
		r1, r2 = r2, r1
	}
	if err := checkCell(c1, r1); err != nil {
		return 0, 0, 0, 0, err
	}
	if err := checkCell(c2, r2); err != nil {
		return 0, 0, 0, 0, err
	}
	return c1, r1, c2, r2, nil
}
