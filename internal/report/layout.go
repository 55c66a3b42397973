package report

import (
	"strings"
	"unicode"
)

// width is the number of terminal columns s takes: one per rune, none for
// combining marks (Vietnamese typed in decomposed form) and format
// characters, two for wide East Asian characters.
func width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case isWide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

func isWide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || // Hangul Jamo
		(r >= 0x2e80 && r <= 0xa4cf && r != 0x303f) || // CJK … Yi
		(r >= 0xac00 && r <= 0xd7a3) || // Hangul syllables
		(r >= 0xf900 && r <= 0xfaff) || // CJK compatibility ideographs
		(r >= 0xfe30 && r <= 0xfe4f) ||
		(r >= 0xff00 && r <= 0xff60) || // full-width forms
		(r >= 0xffe0 && r <= 0xffe6) ||
		(r >= 0x1f300 && r <= 0x1faff) || // pictographs
		(r >= 0x20000 && r <= 0x3fffd))
}

func padRight(s string, w int) string {
	if n := width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func padLeft(s string, w int) string {
	if n := width(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

func center(s string, w int) string {
	n := width(s)
	if n >= w {
		return s
	}
	left := (w - n) / 2
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", w-n-left)
}

// wrap breaks s into lines of at most w columns at spaces; a word longer
// than w is cut. Explicit "\n" start a new line. It returns at least one line.
func wrap(s string, w int) []string {
	if w < 1 {
		w = 1
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			for width(word) > w {
				if line != "" {
					out = append(out, line)
					line = ""
				}
				head, rest := cut(word, w)
				out = append(out, head)
				word = rest
			}
			switch {
			case line == "":
				line = word
			case width(line)+1+width(word) <= w:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
		}
		out = append(out, line)
	}
	return out
}

// cut splits s after w columns.
func cut(s string, w int) (string, string) {
	n := 0
	for i, r := range s {
		rw := width(string(r))
		if n+rw > w && n > 0 {
			return s[:i], s[i:]
		}
		n += rw
	}
	return s, ""
}

// columns lays two blocks side by side: the left one in lw columns, the
// right one in rw columns, each line centred (or left-aligned when
// leftAlign) in its column.
func columns(left, right []string, lw, rw int, leftAlign bool) []string {
	n := max(len(left), len(right))
	out := make([]string, 0, n)
	for i := range n {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		if leftAlign {
			l = padRight(l, lw)
		} else {
			l = center(l, lw)
		}
		out = append(out, strings.TrimRight(l+center(r, rw), " "))
	}
	return out
}

// wrapAll wraps each line of lines to w columns.
func wrapAll(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		out = append(out, wrap(l, w)...)
	}
	return out
}

// column of a text table.
type column struct {
	head  string // may hold "\n"
	max   int    // wrap cells wider than this; 0 means never wrap
	right bool   // align right (numbers)
}

const colGap = "  "

// table renders a text table: a rule, the header, a rule, the body rows, a
// rule, the foot rows and a closing rule. Cells may span several lines.
func table(cols []column, body, foot [][]string) []string {
	widths := make([]int, len(cols))
	for i, c := range cols {
		for _, l := range strings.Split(c.head, "\n") {
			widths[i] = max(widths[i], width(l))
		}
	}
	for _, rows := range [][][]string{body, foot} {
		for _, row := range rows {
			for i, cell := range row {
				for _, l := range strings.Split(cell, "\n") {
					w := width(l)
					if cols[i].max > 0 {
						w = min(w, max(cols[i].max, widths[i]))
					}
					widths[i] = max(widths[i], w)
				}
			}
		}
	}
	total := len(colGap) * (len(cols) - 1)
	for _, w := range widths {
		total += w
	}
	rule := strings.Repeat("─", total)

	render := func(cells []string, head bool) []string {
		split := make([][]string, len(cols))
		h := 0
		for i := range cols {
			var cell string
			if i < len(cells) {
				cell = cells[i]
			}
			if head {
				split[i] = strings.Split(cell, "\n")
			} else {
				split[i] = wrap(cell, widths[i])
			}
			h = max(h, len(split[i]))
		}
		out := make([]string, h)
		for ln := range h {
			parts := make([]string, len(cols))
			for i, c := range cols {
				var s string
				if ln < len(split[i]) {
					s = split[i][ln]
				}
				switch {
				case head:
					parts[i] = center(s, widths[i])
				case c.right:
					parts[i] = padLeft(s, widths[i])
				default:
					parts[i] = padRight(s, widths[i])
				}
			}
			out[ln] = strings.TrimRight(strings.Join(parts, colGap), " ")
		}
		return out
	}

	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.head
	}
	out := []string{rule}
	out = append(out, render(heads, true)...)
	out = append(out, rule)
	for _, row := range body {
		out = append(out, render(row, false)...)
	}
	if len(foot) > 0 {
		out = append(out, rule)
		for _, row := range foot {
			out = append(out, render(row, false)...)
		}
	}
	return append(out, rule)
}
