package web

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/words"
)

// The web app's names for the station's own values: topics by their names
// (never their codes), slots by their titles, days as dd/mm/yyyy. The
// spelling of durations, dates and numbers is internal/words'.

// topicName is a topic's name from config.yaml; short gives the short name
// for charts and narrow columns. An unknown code is shown as it is.
func (s *Server) topicName(code string, short bool) string {
	for _, t := range s.Config().Topics {
		if t.Code == code {
			if short {
				return words.ShortTopic(t.Code, t.Name)
			}
			return t.Name
		}
	}
	return code
}

// topicNames joins the short names of codes.
func (s *Server) topicNames(codes []string) string {
	var out []string
	for _, c := range codes {
		out = append(out, s.topicName(c, true))
	}
	return strings.Join(out, "; ")
}

// emergencySlot is the log's slot name of segments aired at once.
const emergencySlot = "emergency"

// slotTitle is a slot's title from config.yaml ("Chuyên mục CCHC buổi
// sáng"), "phát ngay" for what the operator aired at once.
func (s *Server) slotTitle(lang, name string) string {
	if name == emergencySlot {
		return tr(lang, "Phát ngay (ngoài lịch)", "Played at once (off schedule)")
	}
	for _, sl := range s.Config().Schedule.Slots {
		if sl.Name == name {
			if sl.Title != "" {
				return sl.Title
			}
			return name
		}
	}
	if name == "" {
		return "—"
	}
	return name
}

// dmy writes a YYYY-MM-DD date as dd/mm/yyyy ("" stays "").
func dmy(v string) string {
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return v
	}
	return t.Format("02/01/2006")
}

// uploadReason is why a file was refused, in the operator's words; the
// technical reason follows in brackets for whoever fixes the file.
func uploadReason(lang string, err error) string {
	tech := library.Reason(lang, err)
	if errors.Is(err, audio.ErrNotAudio) {
		return tr(lang, "Tệp này không phải bản ghi âm. Hãy chọn tệp .mp3, .m4a hoặc .wav.", "This file is not a recording. Choose an .mp3, .m4a or .wav file.")
	}
	if errors.Is(err, audio.ErrNotWAV) || errors.Is(err, audio.ErrUnsupported) || errors.Is(err, audio.ErrBadHeader) ||
		errors.Is(err, audio.ErrTruncated) || errors.Is(err, audio.ErrNoData) {
		return tr(lang, "Không đọc được bản ghi âm này", "This recording cannot be read") + " (" + tech + ")"
	}
	return tech
}

// firstAiring says when an uploaded segment would first air once approved:
// the programme of the next 14 days planned as if it were approved.
func (s *Server) firstAiring(ctx context.Context, seg playlist.Segment, lang string) string {
	if seg.Priority == playlist.PriorityEmergency {
		return tr(lang, "Bản tin khẩn cấp không xếp lịch — sau khi duyệt, phát bằng «Phát khẩn cấp».",
			"An emergency segment is not scheduled — once approved, air it with Emergency.")
	}
	wait := tr(lang, "Chờ lãnh đạo phê duyệt", "Awaiting the approver")
	if seg.Approved || !s.Config().Approval.Required {
		wait = tr(lang, "Đã vào thư viện", "In the library")
	}
	at, ok, err := s.App.FirstAiring(ctx, seg.ID, s.today(), 14, s.Now())
	if err != nil {
		return ""
	}
	if ok {
		when := words.ShortDateTime(lang, at.In(s.Location))
		if seg.Approved || !s.Config().Approval.Required {
			return wait + tr(lang, "; sẽ phát lần đầu ", "; it will first air ") + when
		}
		return wait + tr(lang, "; nếu được duyệt sẽ phát lần đầu ", "; once approved it will first air ") + when
	}
	return wait + tr(lang, "; chưa có chỗ trong lịch 14 ngày tới.", "; no room in the next 14 days' programme.")
}
