package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	cchcwords "github.com/truyenthanh/cchc/internal/words"
)

// words are the fixed words of the form in one language.
type words struct {
	lang              string
	nation, motto     string
	docNo             string // prefix of the document number line
	title             string
	subtitle          string // followed by the period label
	periodLine        string
	secTopics         string
	secTotals         string
	secIncidents      string
	colNo, colTopic   string
	colTargetAirings  string
	colTargetMinutes  string
	colAirings        string
	colMinutes        string
	colSegments       string
	colPct            string
	total             string
	belowFlag         string
	unplanned         string
	belowHeading      string
	multiTopicNote    string
	totAirings        string
	totMinutes        string
	totSegments       string
	totInterrupted    string
	totMissed         string
	totFailed         string
	noIncidents       string
	manual, emergency string // slot words
	played, playedOf  string
	chainHead         string // Sprintf: short hash, airing id, seq, short hash
	chainNone         string
	minutesUnit       string
	recipients        string
	csvHeader         []string

	// The calendar.
	secDays     string
	daysNote    string
	daysLegend  string // the incident letters of the HTML calendar
	weekdays    [7]string
	incLetters  [3]string // interrupted, missed, failed
	dayHeadings []string  // XLSX "By day" sheet
	// HTML.
	docTitle     string // <title>, followed by the period label
	chartTitle   string
	chartTarget  string
	noTarget     string
	incHeadings  []string
	airingsShort string // "lượt"
	// XLSX.
	sheetSummary, sheetLog, sheetDays string
	logHeadings                       []string
	dateTimeFormat, dateFormat        string
	// Zones.
	zoneLine     string // Sprintf: the zone's name, its code (a report of one zone)
	zonesHeading string // the per-zone part of section I
	zonesNote    string // what the commune-wide target and achievement mean
	zoneHeading  string // Sprintf: the zone's name, its code
	unlistedZone string // a zone found in the log but not in the configuration
	colZone      string
	// colListeners heads the XLSX log's listeners column (stream outputs).
	colListeners string
	allZones     string // the commune-wide rows of the CSV and the XLSX zone sheet
	sheetZones   string
}

var vi = words{
	zoneLine:         "Vùng phát: %s (%s)",
	zonesHeading:     "Kết quả theo từng vùng phát:",
	zonesNote:        "Chỉ tiêu áp dụng cho từng vùng phát: chỉ tiêu toàn xã là tổng chỉ tiêu các vùng, tỷ lệ đạt toàn xã là tỷ lệ của vùng thấp nhất; lĩnh vực đạt chỉ tiêu khi mọi vùng đều đạt.",
	zoneHeading:      "Vùng %s (%s)",
	unlistedZone:     "vùng không còn trong cấu hình, không có chỉ tiêu",
	colZone:          "Vùng phát",
	colListeners:     "Cụm loa nhận",
	allZones:         "Toàn xã (cộng các vùng)",
	sheetZones:       "Theo vùng",
	lang:             "vi",
	nation:           "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
	motto:            "Độc lập - Tự do - Hạnh phúc",
	docNo:            "Số: …/",
	title:            "BÁO CÁO",
	subtitle:         "Kết quả tuyên truyền cải cách hành chính trên hệ thống truyền thanh xã ",
	periodLine:       "Kỳ báo cáo: từ ngày %s đến ngày %s.",
	secTopics:        "I. KẾT QUẢ TUYÊN TRUYỀN THEO LĨNH VỰC",
	secTotals:        "II. TỔNG HỢP",
	secIncidents:     "III. CÁC LƯỢT PHÁT KHÔNG HOÀN THÀNH",
	colNo:            "STT",
	colTopic:         "Lĩnh vực",
	colTargetAirings: "Chỉ tiêu\n(lượt)",
	colTargetMinutes: "Chỉ tiêu\n(phút)",
	colAirings:       "Đã phát\n(lượt)",
	colMinutes:       "Phút",
	colSegments:      "Số bản\ntin",
	colPct:           "% chỉ\ntiêu",
	total:            "Tổng cộng",
	belowFlag:        "⚠ chưa đạt",
	unplanned:        "(mã không có trong kế hoạch)",
	belowHeading:     "Lĩnh vực chưa đạt chỉ tiêu:",
	multiTopicNote:   "Ghi chú: bản tin thuộc nhiều lĩnh vực được tính cho từng lĩnh vực; dòng Tổng cộng tính mỗi lượt phát một lần. Chỉ tính các lượt đã phát hoàn thành.",
	totAirings:       "Số lượt đã phát hoàn thành",
	totMinutes:       "Tổng thời lượng đã phát",
	totSegments:      "Số bản tin đã phát",
	totInterrupted:   "Số lượt bị gián đoạn",
	totMissed:        "Số lượt bỏ lỡ",
	totFailed:        "Số lượt lỗi phát",
	noIncidents:      "Không có.",
	manual:           "Phát ngay",
	emergency:        "Phát khẩn cấp",
	played:           "đã phát",
	playedOf:         "trên",
	chainHead:        "Xác thực nhật ký phát: đầu chuỗi băm đến hết kỳ báo cáo là %s (lượt phát #%d, thứ tự %d trong chuỗi); kiểm tra nhật ký vẫn giữ nguyên bằng lệnh: scheduler log verify --head %s",
	chainNone:        "Xác thực nhật ký phát: đến hết kỳ báo cáo nhật ký chưa có lượt phát nào đã đóng.",
	minutesUnit:      "phút",
	recipients:       "Nơi nhận:",
	csvHeader: []string{"Mã lĩnh vực", "Lĩnh vực", "Chỉ tiêu (lượt)", "Chỉ tiêu (phút)",
		"Đã phát (lượt)", "Phút", "Số bản tin", "% chỉ tiêu"},

	secDays:      "IV. KẾT QUẢ THEO NGÀY",
	daysNote:     "Số lượt đã phát hoàn thành mỗi ngày (- là ngày không có lượt nào); dấu ! đánh dấu ngày có lượt bị gián đoạn, bỏ lỡ hoặc lỗi phát (xem mục III).",
	daysLegend:   "Mỗi ô: ngày, số lượt đã phát hoàn thành và số phút; G: bị gián đoạn, B: bỏ lỡ, L: lỗi phát.",
	weekdays:     [7]string{"T2", "T3", "T4", "T5", "T6", "T7", "CN"},
	incLetters:   [3]string{"G", "B", "L"},
	dayHeadings:  []string{"Ngày", "Thứ", "Đã phát (lượt)", "Phút", "Bị gián đoạn", "Bỏ lỡ", "Lỗi phát"},
	docTitle:     "Báo cáo CCHC trên hệ thống truyền thanh xã",
	chartTitle:   "Tỷ lệ đạt chỉ tiêu theo lĩnh vực (%)",
	chartTarget:  "chỉ tiêu",
	noTarget:     "không giao chỉ tiêu",
	incHeadings:  []string{"STT", "Thời gian", "Khung giờ", "Bản tin", "Tình trạng", "Lý do"},
	airingsShort: "lượt",
	sheetSummary: "Tổng hợp",
	sheetLog:     "Nhật ký phát",
	sheetDays:    "Theo ngày",
	logHeadings: []string{"Mã lượt", "Giờ theo lịch", "Bắt đầu", "Kết thúc", "Khung giờ", "Mã bản tin",
		"Tên bản tin", "Lĩnh vực", "Đã phát (giây)", "Tình trạng", "Lý do"},
	dateTimeFormat: "dd/mm/yyyy hh:mm:ss",
	dateFormat:     "dd/mm/yyyy",
}

var en = words{
	zoneLine:         "Zone: %s (%s)",
	zonesHeading:     "Results by zone:",
	zonesNote:        "The target applies to each zone: the commune's target is the sum of the zones' targets and its achievement the lowest zone's; a topic meets its target when every zone does.",
	zoneHeading:      "Zone %s (%s)",
	unlistedZone:     "zone no longer in the configuration, no targets",
	colZone:          "Zone",
	colListeners:     "Clusters receiving",
	allZones:         "Whole commune (zones added up)",
	sheetZones:       "By zone",
	lang:             "en",
	nation:           "SOCIALIST REPUBLIC OF VIET NAM",
	motto:            "Independence - Freedom - Happiness",
	docNo:            "No.: …/",
	title:            "REPORT",
	subtitle:         "Results of administrative-reform communication on the commune radio, ",
	periodLine:       "Reporting period: %s to %s.",
	secTopics:        "I. RESULTS BY TOPIC",
	secTotals:        "II. TOTALS",
	secIncidents:     "III. AIRINGS NOT COMPLETED",
	colNo:            "No.",
	colTopic:         "Topic",
	colTargetAirings: "Target\n(airings)",
	colTargetMinutes: "Target\n(min)",
	colAirings:       "Aired\n(airings)",
	colMinutes:       "Minutes",
	colSegments:      "Segments",
	colPct:           "% of\ntarget",
	total:            "Total",
	belowFlag:        "⚠ below target",
	unplanned:        "(code not in the plan)",
	belowHeading:     "Topics below target:",
	multiTopicNote:   "Note: a segment tagged with several topics counts for each of them; the Total row counts each airing once. Only completed airings count.",
	totAirings:       "Completed airings",
	totMinutes:       "Minutes aired",
	totSegments:      "Distinct segments aired",
	totInterrupted:   "Interrupted airings",
	totMissed:        "Missed airings",
	totFailed:        "Failed airings",
	noIncidents:      "None.",
	manual:           "Play now",
	emergency:        "Emergency",
	played:           "played",
	playedOf:         "of",
	chainHead:        "Airing log seal: the hash chain's head at the end of the period is %s (airing #%d, chain position %d); check that the log still holds it with: scheduler log verify --head %s",
	chainNone:        "Airing log seal: no airing had been closed in the log by the end of the period.",
	minutesUnit:      "min",
	recipients:       "Recipients:",
	csvHeader: []string{"code", "name", "target_airings", "target_minutes",
		"airings", "minutes", "segments", "achieved_pct"},

	secDays:      "IV. DAY BY DAY",
	daysNote:     "Completed airings each day (- is a day without any airing); ! marks a day with an interrupted, missed or failed airing (see III).",
	daysLegend:   "Each cell: the day, completed airings and minutes; I: interrupted, M: missed, F: failed.",
	weekdays:     [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
	incLetters:   [3]string{"I", "M", "F"},
	dayHeadings:  []string{"Date", "Day", "Aired (airings)", "Minutes", "Interrupted", "Missed", "Failed"},
	docTitle:     "Administrative-reform communication on the commune radio",
	chartTitle:   "Percentage of target achieved by topic",
	chartTarget:  "target",
	noTarget:     "no target set",
	incHeadings:  []string{"No.", "Time", "Slot", "Segment", "Status", "Reason"},
	airingsShort: "airings",
	sheetSummary: "Summary",
	sheetLog:     "Airing log",
	sheetDays:    "By day",
	logHeadings: []string{"Airing id", "Scheduled", "Started", "Ended", "Slot", "Segment id",
		"Title", "Topics", "Played (s)", "Status", "Reason"},
	dateTimeFormat: "yyyy-mm-dd hh:mm:ss",
	dateFormat:     "yyyy-mm-dd",
}

// wordsFor returns the words of lang: "vi" (or "") or "en".
func wordsFor(lang string) (words, error) {
	switch strings.ToLower(strings.TrimSpace(lang)) {
	case "", "vi":
		return vi, nil
	case "en":
		return en, nil
	}
	return words{}, fmt.Errorf("language %q: want vi or en", lang)
}

// num formats v with one decimal, with a decimal comma in Vietnamese.
func (w words) num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if w.lang == "vi" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (w words) status(s string) string {
	if w.lang == "en" {
		return s
	}
	switch s {
	case "completed":
		return "đã phát"
	case "interrupted":
		return "bị gián đoạn"
	case "missed":
		return "bỏ lỡ"
	case "failed":
		return "lỗi phát"
	case "open":
		return "đang phát"
	}
	return s
}

// issuedLine is "Tân Lập, ngày 05 tháng 02 năm 2026" (Decree 30/2020: a day
// below 10 and months 1 and 2 take a leading zero) or "Tân Lập, 5 February
// 2026"; blanks when the date is unknown.
func (w words) issuedLine(commune string, t time.Time) string {
	var date string
	switch {
	case w.lang == "en" && t.IsZero():
		date = "… … …"
	case w.lang == "en":
		date = fmt.Sprintf("%d %s %d", t.Day(), monthsEN[t.Month()-1], t.Year())
	case t.IsZero():
		date = "ngày … tháng … năm …"
	default:
		m := strconv.Itoa(int(t.Month()))
		if t.Month() <= 2 {
			m = "0" + m
		}
		date = fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), m, t.Year())
	}
	if commune == "" {
		return date
	}
	return commune + ", " + date
}

// monthLabel is "Tháng 5/2024" or "May 2024".
func (w words) monthLabel(c civil) string {
	if w.lang == "en" {
		return fmt.Sprintf("%s %d", monthsEN[c.m-1], c.y)
	}
	return fmt.Sprintf("Tháng %d/%d", int(c.m), c.y)
}

// weekday names a day of the week, Monday first as Vietnamese calendars are.
func (w words) weekday(d time.Weekday) string { return w.weekdays[(int(d)+6)%7] }

func (w words) periodDate(c civil) string {
	if w.lang == "en" {
		return dateEN(c)
	}
	return dateVI(c)
}

// chainLine is the sentence that prints the chain head.
func (w words) chainLine(h *ChainHead) string {
	if h == nil {
		return w.chainNone
	}
	return fmt.Sprintf(w.chainHead, h.Short(), h.AiringID, h.Seq, h.Short())
}

// playedLine is "(đã phát 2 phút 30 giây trên 5 phút)" for an airing that
// played part of its length, "" when nothing played.
func (w words) playedLine(playedMS, durationMS int64) string {
	if playedMS <= 0 {
		return ""
	}
	s := w.played + " " + cchcwords.Duration(w.lang, time.Duration(playedMS)*time.Millisecond)
	if durationMS > 0 {
		s += " " + w.playedOf + " " + cchcwords.Duration(w.lang, time.Duration(durationMS)*time.Millisecond)
	}
	return "(" + s + ")"
}

// TextIn says the reason in lang ("vi" or "en"; anything else is "vi").
func (r Reason) TextIn(lang string) string {
	isEN := lang == "en"
	switch r.Kind {
	case ReasonNoneCompleted:
		if isEN {
			return "no completed airing"
		}
		return "chưa có lượt phát hoàn thành nào"
	case ReasonMissed:
		if isEN {
			return plural(r.Count, "missed airing")
		}
		return fmt.Sprintf("%d lượt bỏ lỡ", r.Count)
	case ReasonInterrupted:
		if isEN {
			return plural(r.Count, "interrupted airing")
		}
		return fmt.Sprintf("%d lượt bị gián đoạn", r.Count)
	case ReasonFailed:
		if isEN {
			return plural(r.Count, "failed airing")
		}
		return fmt.Sprintf("%d lượt lỗi phát", r.Count)
	case ReasonShortAirings:
		if isEN {
			return plural(r.Count, "airing") + " short of the target"
		}
		return fmt.Sprintf("thiếu %d lượt so với chỉ tiêu", r.Count)
	case ReasonShortMinutes:
		if isEN {
			return en.num(r.Minutes) + " minutes short of the target"
		}
		return fmt.Sprintf("thiếu %s phút so với chỉ tiêu", vi.num(r.Minutes))
	}
	return r.Text
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
