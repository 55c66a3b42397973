package title_test

import (
	"testing"

	"github.com/truyenthanh/cchc/internal/title"
)

func TestClean(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain Vietnamese kept", "Bản tin cải cách hành chính số 3", "Bản tin cải cách hành chính số 3"},
		{"newline and tab", "Dòng một\nDòng hai\tba", "Dòng một Dòng hai ba"},
		{"CRLF and trim", "  Tiêu đề\r\n", "Tiêu đề"},
		{"collapse spaces", "Một   hai    ba", "Một hai ba"},
		{"colour escape", "\x1b[31mĐỎ\x1b[0m thường", "ĐỎ thường"},
		{"clear screen", "\x1b[2J\x1b[HBản tin", "Bản tin"},
		{"OSC title with BEL", "\x1b]0;pwned\x07Bản tin", "Bản tin"},
		{"OSC hyperlink with ST", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"C1 CSI", "a\u009b31mb", "ab"},
		{"C0 and DEL", "a\x00b\x07c\x7fd", "abcd"},
		{"bare ESC", "a\x1bb", "a"},
		{"line separator", "a\u2028b", "a b"},
		{"broken UTF-8", "a\xffb", "ab"},
		{"decomposed to NFC", "Tha\u0300nh", "Thành"},
		{"only controls", "\x1b[2J\n\t", ""},
		{"formula left alone", "=1+1", "=1+1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := title.Clean(c.in); got != c.want {
				t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
			}
			if got := title.Clean(title.Clean(c.in)); got != c.want {
				t.Errorf("Clean is not idempotent on %q: %q", c.in, got)
			}
		})
	}
}
