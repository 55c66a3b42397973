// Package words holds the words the operator sees for the domain's values —
// statuses, priorities, log reasons, shortfalls — in Vietnamese and English.
package words

import (
	"regexp"
	"strings"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// Pick returns vi or en by lang ("en" gives English, anything else Vietnamese).
func Pick(lang, vi, en string) string {
	if lang == "en" {
		return en
	}
	return vi
}

// Status names an airing status.
func Status(lang string, s playlist.Status) string {
	switch s {
	case playlist.StatusCompleted:
		return Pick(lang, "đã phát", "completed")
	case playlist.StatusInterrupted:
		return Pick(lang, "bị gián đoạn", "interrupted")
	case playlist.StatusMissed:
		return Pick(lang, "bỏ lỡ", "missed")
	case playlist.StatusFailed:
		return Pick(lang, "lỗi phát", "failed")
	case playlist.StatusOpen:
		return Pick(lang, "đang phát", "on air")
	}
	return string(s)
}

// Priority names a priority.
func Priority(lang string, p playlist.Priority) string {
	switch p {
	case playlist.PriorityEmergency:
		return Pick(lang, "khẩn cấp", "emergency")
	case playlist.PriorityPriority:
		return Pick(lang, "ưu tiên", "priority")
	}
	return Pick(lang, "thông thường", "normal")
}

// reasons are the log's English reasons with their Vietnamese.
var reasons = map[string]string{
	"no audio device":                 "không có thiết bị âm thanh",
	"station stopped":                 "trạm dừng phát",
	"station restarted after a crash": "trạm khởi động lại sau sự cố",
	"station was not running":         "trạm không hoạt động",
	"slot could not start on time":    "khung giờ không bắt đầu đúng giờ",
	"audio device error":              "lỗi thiết bị âm thanh",
	"file unreadable":                 "không đọc được tệp",
	"stopped before it started":       "dừng trước khi phát",
	"no segment to air":               "không có bản tin để phát",
	"stopped by the operator":         "người vận hành dừng",
	"skipped by the operator":         "người vận hành bỏ qua",
	"paused past the end of the slot": "tạm dừng quá giờ kết thúc khung giờ",
	"emergency":                       "khẩn cấp",
	"silence in the output":           "lặng tiếng khi phát",
	// A stream output (station.ReasonServerUnreachable, ReasonServerLost).
	"cannot reach the streaming server":           "không kết nối được máy chủ phát trực tuyến",
	"lost the connection to the streaming server": "mất kết nối với máy chủ phát trực tuyến",
}

// missedBy are the heads of a reason naming an output of the zone that
// missed an airing the others played (station.ReasonMissedByStream,
// ReasonMissedByCard): "HEAD: OUTPUT (N s): WHY".
var missedBy = map[string]string{
	"not sent to the IP loudspeaker clusters": "không phát tới cụm loa IP",
	"not played on the sound card":            "không phát ra card âm thanh",
}

// missedDetail is "OUTPUT (N s)" and what follows.
var missedDetail = regexp.MustCompile(`^(.*) \((\d+) s\)(?:: (.*))?$`)

// Reason translates a log reason ("a; b: detail" keeps its detail).
func Reason(lang, r string) string {
	if lang == "en" || r == "" {
		return r
	}
	parts := strings.Split(r, "; ")
	for i, p := range parts {
		head, detail, hasDetail := strings.Cut(p, ": ")
		if vi, ok := missedBy[head]; ok {
			if m := missedDetail.FindStringSubmatch(detail); m != nil {
				parts[i] = vi + " (" + m[1] + ") trong " + m[2] + " giây"
				if m[3] != "" {
					parts[i] += ": " + Reason(lang, m[3])
				}
				continue
			}
		}
		if vi, ok := reasons[head]; ok {
			parts[i] = vi
			if hasDetail {
				parts[i] += ": " + detail
			}
		}
	}
	return strings.Join(parts, "; ")
}

// Shortfall explains why a slot occurrence could not be filled.
func Shortfall(lang string, r playlist.ShortfallReason) string {
	switch r {
	case playlist.ShortEmptyLibrary:
		return Pick(lang, "thư viện chưa có bản tin nào cho khung giờ này — hãy nạp thêm bản tin",
			"the library has no segment for this slot — import some")
	case playlist.ShortNoneEligible:
		return Pick(lang, "không có bản tin nào đã phê duyệt và còn hiệu lực vào ngày này — hãy phê duyệt hoặc nạp bản tin mới",
			"no segment is approved and valid on this date — approve or import some")
	case playlist.ShortAllRecent:
		return Pick(lang, "mọi bản tin phù hợp đã được xếp hoặc vừa phát gần đây — hãy nạp thêm bản tin",
			"every eligible segment is already queued or aired recently — import more")
	case playlist.ShortTooLong:
		return Pick(lang, "các bản tin còn lại dài hơn thời gian trống", "the remaining segments are longer than the time left")
	}
	return string(r)
}
