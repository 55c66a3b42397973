package words

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is the display layer of the web app: durations, dates and
// numbers as the operator reads them, never Go's or ISO's formats. (The
// report package spells its own; unifying the two is left for later.)

// Duration spells a length: "6 phút 47 giây", "10 phút", "1 giờ 5 phút",
// "45 giây" ("6 min 47 s" in English), rounded to the second.
func Duration(lang string, d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = -d
	}
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	add := func(n int, vi, en string) {
		parts = append(parts, strconv.Itoa(n)+" "+Pick(lang, vi, en))
	}
	if h > 0 {
		add(h, "giờ", "h")
	}
	if m > 0 {
		add(m, "phút", "min")
	}
	if s > 0 || len(parts) == 0 {
		add(s, "giây", "s")
	}
	return strings.Join(parts, " ")
}

var weekdaysVI = [...]string{"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// Weekday names a day of the week: "Thứ Hai", "Chủ Nhật" (English: "Monday").
func Weekday(lang string, t time.Time) string {
	return Pick(lang, weekdaysVI[t.Weekday()], t.Weekday().String())
}

// Date is "Thứ Hai 07/12/2026" (English: "Monday 07/12/2026").
func Date(lang string, t time.Time) string {
	return Weekday(lang, t) + " " + t.Format("02/01/2006")
}

// DateTime is "Thứ Hai 07/12/2026 06:00".
func DateTime(lang string, t time.Time) string {
	return Date(lang, t) + " " + t.Format("15:04")
}

// ShortDateTime is "Thứ Hai 07/12 06:00", for a date of this year.
func ShortDateTime(lang string, t time.Time) string {
	return Weekday(lang, t) + " " + t.Format("02/01 15:04")
}

// Stamp is a moment of the past, "07/12/2026 06:00:05".
func Stamp(t time.Time) string { return t.Format("02/01/2006 15:04:05") }

// Decimal writes v with prec decimals, with a decimal comma in Vietnamese.
func Decimal(lang string, v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Ago is how long ago a moment was: "vừa xong", "12 phút", "3 giờ 5 phút",
// "2 ngày".
func Ago(lang string, d time.Duration) string {
	switch {
	case d < time.Minute:
		return Pick(lang, "vừa xong", "just now")
	case d < 48*time.Hour:
		return Duration(lang, d.Truncate(time.Minute))
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " " + Pick(lang, "ngày", "days")
}

// shortTopics are short names of the plan's topics, for charts and narrow
// columns (the full name is in config.yaml).
var shortTopics = map[string]string{
	"tong-quan":      "Ý nghĩa, mục tiêu CCHC",
	"chu-truong":     "Chủ trương, pháp luật về CCHC",
	"the-che":        "Cải cách thể chế",
	"tthc":           "Thủ tục hành chính",
	"bo-may":         "Tổ chức bộ máy",
	"cong-vu":        "Công vụ, công chức",
	"tai-chinh-cong": "Tài chính công",
	"chinh-quyen-so": "Chính quyền số",
	"chi-so":         "Chỉ số CCHC, SIPAS",
	"khen-thuong":    "Khen thưởng điển hình",
}

// ShortTopic is a topic's short name: the plan's own for its codes, else
// the name up to its first ";" or "," cut to 28 letters.
func ShortTopic(code, name string) string {
	if s, ok := shortTopics[code]; ok {
		return s
	}
	if name == "" {
		return code
	}
	if i := strings.IndexAny(name, ";,"); i > 0 {
		name = name[:i]
	}
	if utf8.RuneCountInString(name) > 28 {
		r := []rune(name)
		name = strings.TrimSpace(string(r[:27])) + "…"
	}
	return name
}
