// Package title cleans the titles of segments and airings where they enter
// the program (file names, WAV LIST/INFO and ID3 tags, --title, web form
// fields) and where they are printed to a terminal: a title is one line of
// plain text that cannot move the cursor, clear the screen or break a
// table.
//
// It is our own code (a dozen lines around one regular expression) because
// the libraries that strip ANSI sequences keep C0/C1 controls, newlines and
// broken UTF-8, which must go too.
package title

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// escapes matches terminal escape sequences (ECMA-48): CSI (ESC [ or the C1
// byte U+009B) with its parameters and final byte; OSC, DCS, SOS, PM and APC
// strings up to BEL or ST; and the other two-character ESC sequences.
var escapes = regexp.MustCompile(`(?:\x1b\[|\x{9b})[0-?]*[ -/]*[@-~]?` +
	`|(?:\x1b[\]PX^_]|[\x{90}\x{98}\x{9d}\x{9e}\x{9f}])[^\x07\x1b\x{9c}]*(?:\x07|\x1b\\|\x{9c})?` +
	`|\x1b[ -/]*[0-~]?`)

// Clean returns s as one line of plain text: terminal escape sequences and
// control characters (C0, DEL, C1) removed, line and paragraph breaks and
// tabs turned into spaces, runs of spaces collapsed, ends trimmed, broken
// UTF-8 dropped and the rest in NFC (a file name from a Mac arrives
// decomposed), so Vietnamese is kept as it was written.
func Clean(s string) string {
	if isPlain(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "")
	s = escapes.ReplaceAllString(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// isPlain reports whether s needs no cleaning (the usual case, kept cheap).
func isPlain(s string) bool {
	if s != strings.TrimSpace(s) || strings.Contains(s, "  ") || !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || (unicode.IsSpace(r) && r != ' ') || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}
