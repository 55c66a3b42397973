package words

import (
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

func TestReasonTranslatesKnownPartsAndKeepsDetail(t *testing.T) {
	cases := []struct{ lang, in, want string }{
		{"vi", "no audio device", "không có thiết bị âm thanh"},
		{"en", "no audio device", "no audio device"},
		{"vi", "station was not running; no segment to air", "trạm không hoạt động; không có bản tin để phát"},
		{"vi", "file unreadable: open /x.wav: no such file", "không đọc được tệp: open /x.wav: no such file"},
		{"vi", "something new", "something new"},
		// An output of the zone that missed an airing the others played.
		{"vi", "not sent to the IP loudspeaker clusters: icecast://src:***@127.0.0.1:8000/dong (12 s): lost the connection to the streaming server: EOF",
			"không phát tới cụm loa IP (icecast://src:***@127.0.0.1:8000/dong) trong 12 giây: mất kết nối với máy chủ phát trực tuyến: EOF"},
		{"vi", "not played on the sound card: alsa:hw:1 (3 s): audio device error: unplugged; silence in the output: 2.0 s",
			"không phát ra card âm thanh (alsa:hw:1) trong 3 giây: lỗi thiết bị âm thanh: unplugged; lặng tiếng khi phát: 2.0 s"},
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

func TestDisplayLayer(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{6*time.Minute + 47*time.Second, "6 phút 47 giây"}, {10 * time.Minute, "10 phút"}, {0, "0 giây"}, {time.Hour + 5*time.Minute, "1 giờ 5 phút"}, {1499 * time.Millisecond, "1 giây"}} {
		if got := Duration("vi", tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := Duration("en", 6*time.Minute+47*time.Second); got != "6 min 47 s" {
		t.Errorf("English duration %q", got)
	}
	at := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	if got := DateTime("vi", at); got != "Thứ Hai 07/12/2026 06:00" {
		t.Errorf("DateTime %q", got)
	}
	if got := ShortDateTime("vi", at.AddDate(0, 0, 6)); got != "Chủ Nhật 13/12 06:00" {
		t.Errorf("ShortDateTime %q", got)
	}
	if got := Decimal("vi", 3.25, 1); got != "3,2" && got != "3,3" {
		t.Errorf("Decimal %q", got)
	}
	if got := Decimal("en", 6.3, 1); got != "6.3" {
		t.Errorf("English decimal %q", got)
	}
	if got := ShortTopic("tthc", "Cải cách thủ tục hành chính; một cửa"); got != "Thủ tục hành chính" {
		t.Errorf("ShortTopic %q", got)
	}
	if got := ShortTopic("moi", "Phòng chống thiên tai, bão lũ"); got != "Phòng chống thiên tai" {
		t.Errorf("ShortTopic fallback %q", got)
	}
	for d, want := range map[time.Duration]string{30 * time.Second: "vừa xong", 12*time.Minute + 40*time.Second: "12 phút", 3*time.Hour + 5*time.Minute: "3 giờ 5 phút", 50 * time.Hour: "2 ngày"} {
		if got := Ago("vi", d); got != want {
			t.Errorf("Ago(%v) = %q, want %q", d, got, want)
		}
	}
}
