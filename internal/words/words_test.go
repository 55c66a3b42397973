package words

import (
	"testing"

	"github.com/truyenthanh/cchc/internal/playlist"
)

func TestReasonTranslatesKnownPartsAndKeepsDetail(t *testing.T) {
	cases := []struct{ lang, in, want string }{
		{"vi", "no audio device", "không có thiết bị âm thanh"},
		{"en", "no audio device", "no audio device"},
		{"vi", "station was not running; no segment to air", "trạm không hoạt động; không có bản tin để phát"},
		{"vi", "file unreadable: open /x.wav: no such file", "không đọc được tệp: open /x.wav: no such file"},
		{"vi", "something new", "something new"},
		{"vi", "", ""},
	}
	for _, c := range cases {
		if got := Reason(c.lang, c.in); got != c.want {
			t.Errorf("Reason(%q, %q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

func TestStatusAndPriorityWords(t *testing.T) {
	if got := Status("vi", playlist.StatusCompleted); got != "đã phát" {
		t.Errorf("completed in Vietnamese: %q", got)
	}
	if got := Status("vi", playlist.StatusMissed); got != "bỏ lỡ" {
		t.Errorf("missed in Vietnamese: %q", got)
	}
	if got := Status("en", playlist.StatusInterrupted); got != "interrupted" {
		t.Errorf("interrupted in English: %q", got)
	}
	if got := Priority("vi", playlist.PriorityEmergency); got != "khẩn cấp" {
		t.Errorf("emergency in Vietnamese: %q", got)
	}
	for _, r := range []playlist.ShortfallReason{playlist.ShortEmptyLibrary, playlist.ShortNoneEligible, playlist.ShortAllRecent, playlist.ShortTooLong} {
		if Shortfall("vi", r) == Shortfall("en", r) || Shortfall("vi", r) == string(r) {
			t.Errorf("shortfall %s is not translated", r)
		}
	}
}

func TestReasonsOfEmergencyAndDeadAir(t *testing.T) {
	if got := Reason("vi", "emergency"); got != "khẩn cấp" {
		t.Errorf("emergency: %q", got)
	}
	if got := Reason("vi", "silence in the output: 12.0 s"); got != "lặng tiếng khi phát: 12.0 s" {
		t.Errorf("dead air: %q", got)
	}
}
