package words

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	for _, tt := range []struct {
		d      time.Duration
		vi, en string
	}{
		{6*time.Minute + 47*time.Second, "6 phút 47 giây", "6 min 47 s"},
		{5 * time.Minute, "5 phút", "5 min"},
		{45*time.Second + 600*time.Millisecond, "46 giây", "46 s"},
		{time.Hour + 5*time.Minute, "1 giờ 5 phút", "1 h 5 min"},
		{2*time.Hour + 3*time.Second, "2 giờ 3 giây", "2 h 3 s"},
		{300 * time.Millisecond, "0 giây", "0 s"},
	} {
		if got := Duration("vi", tt.d); got != tt.vi {
			t.Errorf("Duration(vi, %s) = %q, want %q", tt.d, got, tt.vi)
		}
		if got := Duration("en", tt.d); got != tt.en {
			t.Errorf("Duration(en, %s) = %q, want %q", tt.d, got, tt.en)
		}
	}
}
