package web

import (
	"context"
	"fmt"
	"time"

	"github.com/truyenthanh/cchc/internal/words"
)

// ProvinceStatus is the station's reporting to the province (issue 16), as
// the station knows it without asking the province.
type ProvinceStatus struct {
	URL      string
	LastSync time.Time // zero when never
	// Behind is how many closed airings the province does not have yet,
	// and when the oldest of them was scheduled.
	Behind      int64
	Oldest      time.Time
	LastError   string
	LastErrorAt time.Time
}

// provinceJSON is the "province" object of /api/status.
type provinceJSON struct {
	URL          string  `json:"url"`
	LastSync     *string `json:"last_sync"` // null when never
	Behind       int64   `json:"behind"`    // airings not yet shipped
	BehindOldest *string `json:"behind_oldest"`
	BehindAgeMS  int64   `json:"behind_age_ms"`
	LastError    string  `json:"last_error,omitempty"`
	Text         string  `json:"text"`
}

// province reads the reporting status; nil when the station has no
// province (or the status cannot be read: the page still loads).
func (s *Server) province(ctx context.Context, lang string) *provinceJSON {
	if s.Province == nil {
		return nil
	}
	p, err := s.Province(ctx)
	if err != nil {
		s.Logger.Warn("province status", "err", err)
		return nil
	}
	now := s.Now()
	out := &provinceJSON{URL: p.URL, Behind: p.Behind, LastError: p.LastError}
	if !p.LastSync.IsZero() {
		t := p.LastSync.In(s.Location).Format(time.RFC3339)
		out.LastSync = &t
		out.Text = fmt.Sprintf("%s %s (%s %s)", tr(lang, "Đồng bộ lần cuối", "Last sync"), words.DateTime(lang, p.LastSync.In(s.Location)),
			words.Ago(lang, now.Sub(p.LastSync)), tr(lang, "trước", "ago"))
	} else {
		out.Text = tr(lang, "Chưa đồng bộ lần nào với tỉnh", "Never synced with the province")
	}
	if p.Behind > 0 && !p.Oldest.IsZero() {
		t := p.Oldest.In(s.Location).Format(time.RFC3339)
		out.BehindOldest, out.BehindAgeMS = &t, now.Sub(p.Oldest).Milliseconds()
		out.Text += fmt.Sprintf(" · %s %d %s, %s %s", tr(lang, "còn", "behind by"), p.Behind, tr(lang, "lượt phát chưa gửi", "airings not yet shipped"),
			tr(lang, "cũ nhất cách đây", "the oldest"), words.Ago(lang, now.Sub(p.Oldest))+tr(lang, "", " ago"))
	} else {
		out.Text += " · " + tr(lang, "tỉnh đã có đủ nhật ký", "the province has the whole log")
	}
	if p.LastError != "" {
		out.Text += " · " + tr(lang, "lần thử gần nhất lỗi: ", "last try failed: ") + p.LastError
	}
	return out
}
