package xlsx

import (
	"strings"
	"unicode/utf8"
)

// maxCellChars is Excel's limit on the text of a cell, in UTF-16 units.
const maxCellChars = 32767

// validXMLRune reports whether XML 1.0 allows r in a document.
func validXMLRune(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// cleanText drops the characters XML cannot hold (control characters,
// invalid UTF-8), truncates s to Excel's limit on a cell and escapes
// Excel's own "_xHHHH_" notation, so that the cell reads back as s.
func cleanText(s string) string {
	var b strings.Builder
	units := 0
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				continue // invalid UTF-8
			}
		}
		if !validXMLRune(r) {
			continue
		}
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > maxCellChars {
			break
		}
		units += n
		// Excel reads "_x000D_" as a carriage return: a literal one is
		// written with its underscore escaped as _x005F_.
		if r == '_' && isEscapeAt(s[i:]) {
			b.WriteString("_x005F")
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isEscapeAt reports whether s starts with "_xHHHH_".
func isEscapeAt(s string) bool {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// escape writes s as XML character data or an attribute value (attr),
// dropping the characters XML cannot hold.
func escape(b *strings.Builder, s string, attr bool) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				continue
			}
		}
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case r == '\r':
			b.WriteString("&#xD;") // a raw CR would be read as LF
		case r == '\n' && attr:
			b.WriteString("&#xA;") // raw white space in an attribute reads as a space
		case r == '\t' && attr:
			b.WriteString("&#x9;")
		case validXMLRune(r):
			b.WriteRune(r)
		}
	}
}

// needsPreserve reports whether s starts or ends with white space, which
// XML readers drop unless told xml:space="preserve".
func needsPreserve(s string) bool {
	if s == "" {
		return false
	}
	first, last := s[0], s[len(s)-1]
	return strings.IndexByte(" \t\r\n", first) >= 0 || strings.IndexByte(" \t\r\n", last) >= 0
}
