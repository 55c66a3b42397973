package web

import (
	"fmt"

	"github.com/truyenthanh/cchc/internal/station"
)

// diskFullBanner says, loudly, that the airing log cannot be written: on
// every page, and in /api/status for the live page.
func (s *Server) diskFullBanner(lang string, h station.LogHeld) string {
	since := h.Since.In(s.Location)
	return tr(lang,
		fmt.Sprintf("⚠ Ổ ĐĨA ĐÃ ĐẦY — nhật ký phát không ghi được từ %s. Trạm vẫn phát đúng lịch và đang giữ %d bản ghi trong bộ nhớ, sẽ tự ghi khi có chỗ trống. Hãy giải phóng dung lượng ổ đĩa ngay: nếu trạm dừng trước đó, các bản ghi này sẽ mất.",
			since.Format("15:04 02/01/2006"), h.Pending),
		fmt.Sprintf("⚠ THE DISK IS FULL — the airing log cannot be written since %s. The station keeps to its timetable and holds %d records in memory, written as soon as there is space. Free disk space now: if the station stops first, these records are lost.",
			since.Format("2006-01-02 15:04"), h.Pending))
}
