package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/output"
)

// CronParser parses slot specs: five fields (minute hour day month weekday)
// or six with seconds first, and descriptors such as @daily.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseCron parses a slot's cron spec.
func ParseCron(spec string) (cron.Schedule, error) {
	return cronParser.Parse(spec)
}

var codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Validate checks every value and returns the first problem as *Error.
func (c Config) Validate() error {
	bad := func(key, value, problem, problemVI, fix, fixVI string) error {
		return &Error{Key: key, Value: value, Problem: problem, ProblemVI: problemVI, Fix: fix, FixVI: fixVI}
	}
	if strings.TrimSpace(c.Station.Commune) == "" {
		return bad("station.commune", "", "is empty", "đang trống", "write the commune's name, e.g. Tân Lập", "ghi tên xã, ví dụ Tân Lập")
	}
	if _, err := time.LoadLocation(c.Station.Timezone); err != nil || c.Station.Timezone == "" || c.Station.Timezone == "Local" {
		return bad("station.timezone", c.Station.Timezone, "is not a known time zone", "không phải múi giờ hợp lệ",
			"use Asia/Ho_Chi_Minh", "dùng Asia/Ho_Chi_Minh")
	}
	if c.Station.DataDir == "" {
		return bad("station.data_dir", "", "is empty", "đang trống", "give a folder for the database, e.g. ./data", "chỉ một thư mục chứa cơ sở dữ liệu, ví dụ ./data")
	}
	if c.Station.MediaDir == "" {
		return bad("station.media_dir", "", "is empty", "đang trống", "give the media folder, e.g. ./media", "chỉ thư mục bản tin, ví dụ ./media")
	}
	if c.Station.Language != "vi" && c.Station.Language != "en" {
		return bad("station.language", c.Station.Language, "is not a supported language", "không phải ngôn ngữ được hỗ trợ", "use vi or en", "dùng vi hoặc en")
	}
	if _, err := output.Parse(c.Audio.Output); err != nil {
		var oe *output.Error
		if !errors.As(err, &oe) {
			return err
		}
		return bad("audio.output", output.Redact(c.Audio.Output), "is not an output: it "+oe.Problem.Problem, "không phải đầu ra hợp lệ: "+oe.ProblemVI,
			oe.Fix, oe.FixVI)
	}
	switch c.Audio.SampleRate {
	case 8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000:
	default:
		return bad("audio.sample_rate", fmt.Sprint(c.Audio.SampleRate), "is not a usual sound-card rate", "không phải tần số lấy mẫu thông dụng",
			"use 48000 or 44100", "dùng 48000 hoặc 44100")
	}
	if c.Audio.Buffer < 20*time.Millisecond || c.Audio.Buffer > 2*time.Second {
		return bad("audio.buffer", c.Audio.Buffer.String(), "is out of range", "nằm ngoài khoảng cho phép",
			"use a value from 20ms to 2s, e.g. 500ms", "dùng giá trị từ 20ms đến 2s, ví dụ 500ms")
	}
	if c.Audio.Gap < 0 || c.Audio.Gap > 30*time.Second {
		return bad("audio.gap", c.Audio.Gap.String(), "is out of range", "nằm ngoài khoảng cho phép",
			"use 0s to 30s, e.g. 1s", "dùng từ 0s đến 30s, ví dụ 1s")
	}
	if c.Audio.TargetLUFS < -40 || c.Audio.TargetLUFS > -5 {
		return bad("audio.target_lufs", fmt.Sprint(c.Audio.TargetLUFS), "is out of range", "nằm ngoài khoảng cho phép",
			"use -40 to -5 LUFS, e.g. -16 for speech over loudspeakers", "dùng từ -40 đến -5 LUFS, ví dụ -16 cho lời nói qua loa")
	}
	if c.Audio.SilenceAlert < 0 || c.Audio.SilenceAlert > time.Hour {
		return bad("audio.silence_alert", c.Audio.SilenceAlert.String(), "is out of range", "nằm ngoài khoảng cho phép",
			"use 0s (off) to 1h, e.g. 10s", "dùng từ 0s (tắt) đến 1h, ví dụ 10s")
	}
	if c.Schedule.NoRepeat < 0 || c.Schedule.NoRepeat > 31*24*time.Hour {
		return bad("schedule.no_repeat", c.Schedule.NoRepeat.String(), "is out of range", "nằm ngoài khoảng cho phép",
			"use 0s to 744h, e.g. 20h", "dùng từ 0s đến 744h, ví dụ 20h")
	}
	if c.Schedule.MissedHorizon < 0 || c.Schedule.MissedHorizon > 90*24*time.Hour {
		return bad("schedule.missed_horizon", c.Schedule.MissedHorizon.String(), "is out of range", "nằm ngoài khoảng cho phép",
			"use 0s to 2160h, e.g. 168h (7 days)", "dùng từ 0s đến 2160h, ví dụ 168h (7 ngày)")
	}
	if len(c.Topics) == 0 {
		return bad("topics", "", "lists no topic", "chưa có lĩnh vực nào",
			"list the plan's topics with code and name", "liệt kê các lĩnh vực của kế hoạch, có code và name")
	}
	codes := map[string]bool{}
	for i, t := range c.Topics {
		key := fmt.Sprintf("topics[%d]", i)
		if !codeRE.MatchString(t.Code) {
			return bad(key+".code", t.Code, "is not a topic code", "không phải mã lĩnh vực hợp lệ",
				"use lower-case letters, digits and dashes, e.g. tthc", "dùng chữ thường không dấu, số và gạch ngang, ví dụ tthc")
		}
		if codes[t.Code] {
			return bad(key+".code", t.Code, "is listed twice", "bị lặp lại", "give each topic its own code", "mỗi lĩnh vực một mã riêng")
		}
		codes[t.Code] = true
		if strings.TrimSpace(t.Name) == "" {
			return bad(key+".name", "", "is empty", "đang trống", "write the topic's name as in the plan", "ghi tên lĩnh vực như trong kế hoạch")
		}
		if t.TargetAirings < 0 {
			return bad(key+".target_airings", fmt.Sprint(t.TargetAirings), "is negative", "là số âm", "use 0 or more", "dùng số từ 0 trở lên")
		}
		if t.TargetMinutes < 0 {
			return bad(key+".target_minutes", fmt.Sprint(t.TargetMinutes), "is negative", "là số âm", "use 0 or more", "dùng số từ 0 trở lên")
		}
	}
	zones, err := c.validateZones()
	if err != nil {
		return err
	}
	if len(c.Schedule.Slots) == 0 {
		return bad("schedule.slots", "", "lists no slot", "chưa có khung giờ phát nào",
			"add a slot with name, cron and length", "thêm khung giờ với name, cron và length")
	}
	names := map[string]bool{}
	for i, s := range c.Schedule.Slots {
		key := fmt.Sprintf("schedule.slots[%d]", i)
		if !codeRE.MatchString(s.Name) || s.Name == "manual" {
			return bad(key+".name", s.Name, "is not a slot name", "không phải tên khung giờ hợp lệ",
				"use lower-case letters, digits and dashes, e.g. sang (not 'manual')", "dùng chữ thường không dấu, số và gạch ngang, ví dụ sang (không dùng 'manual')")
		}
		if names[s.Name] {
			return bad(key+".name", s.Name, "is used by two slots", "bị trùng giữa hai khung giờ", "give each slot its own name", "mỗi khung giờ một tên riêng")
		}
		names[s.Name] = true
		if _, err := ParseCron(s.Cron); err != nil {
			return bad(key+".cron", s.Cron, "is not a cron spec ("+err.Error()+")", "không phải lịch cron hợp lệ ("+err.Error()+")",
				`write "minute hour day month weekday", e.g. "0 6 * * 1-6" for 06:00 Monday to Saturday (a 6th leading field gives seconds)`,
				`viết "phút giờ ngày tháng thứ", ví dụ "0 6 * * 1-6" là 06:00 từ thứ Hai đến thứ Bảy (thêm trường thứ 6 ở đầu cho giây)`)
		}
		if s.Length < time.Second || s.Length > 6*time.Hour {
			return bad(key+".length", s.Length.String(), "is out of range", "nằm ngoài khoảng cho phép",
				"use 1s to 6h, e.g. 10m", "dùng từ 1s đến 6h, ví dụ 10m")
		}
		for _, j := range []struct{ key, path string }{{key + ".intro", s.Intro}, {key + ".outro", s.Outro}} {
			if j.path == "" {
				continue
			}
			if err := CheckJingle(j.path); err != nil {
				return bad(j.key, j.path, "cannot be played as a jingle: "+err.Error(), "không phát được làm nhạc hiệu: "+err.Error(),
					"give the path of a readable recording (WAV, MP3, M4A...) (relative to the working folder), e.g. media/jingles/intro.wav, or remove the key",
					"ghi đường dẫn tới một tệp WAV hoặc MP3 đọc được (tính từ thư mục làm việc), ví dụ media/jingles/intro.wav, hoặc bỏ khóa này")
			}
		}
		for j, code := range s.Zones {
			if !zones[code] {
				return &Error{Key: fmt.Sprintf("%s.zones[%d]", key, j), Value: code,
					Problem:   fmt.Sprintf("slot %s names zone %q, which is not listed under zones", s.Name, code),
					ProblemVI: fmt.Sprintf("khung giờ %s ghi vùng %q, không có trong danh sách vùng (zones)", s.Name, code),
					Fix:       "use one of the codes under zones (" + strings.Join(c.zoneCodes(), ", ") + "), or leave zones empty for every zone",
					FixVI:     "dùng một mã có trong phần zones (" + strings.Join(c.zoneCodes(), ", ") + "), hoặc để trống để phát ở mọi vùng"}
			}
		}
		for j, code := range s.Topics {
			if !codes[code] {
				return bad(fmt.Sprintf("%s.topics[%d]", key, j), code, "is not a topic listed under topics", "không có trong danh sách lĩnh vực (topics)",
					"use one of the codes under topics", "dùng một mã có trong phần topics")
			}
		}
	}
	if c.Schedule.AfterEmergency != "resume" && c.Schedule.AfterEmergency != "drop" {
		return bad("schedule.after_emergency", c.Schedule.AfterEmergency, "is not a choice", "không phải lựa chọn hợp lệ",
			"use resume or drop", "dùng resume (phát tiếp phần còn lại) hoặc drop (bỏ phần còn lại)")
	}
	var quiet []QuietSpan
	for i, q := range c.Schedule.QuietHours {
		span, err := ParseQuietHours(q)
		if err != nil {
			return bad(fmt.Sprintf("schedule.quiet_hours[%d]", i), q, "is not a span of the day", "không phải khoảng giờ hợp lệ",
				"write HH:MM-HH:MM, e.g. 21:00-05:00 (it may cross midnight)", "viết GG:PP-GG:PP, ví dụ 21:00-05:00 (có thể qua nửa đêm)")
		}
		quiet = append(quiet, span)
	}
	for i, s := range c.Schedule.Slots {
		for j, d := range s.DaysOff {
			if _, _, err := ParseDayOff(d); err != nil {
				return bad(fmt.Sprintf("schedule.slots[%d].days_off[%d]", i, j), d, "is not a day or a range of days", "không phải ngày hoặc khoảng ngày hợp lệ",
					"write YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, e.g. 2025-01-28..2025-02-02 for Tết", "viết YYYY-MM-DD hoặc YYYY-MM-DD..YYYY-MM-DD, ví dụ 2025-01-28..2025-02-02 cho Tết")
			}
		}
	}
	if err := c.checkOverlaps(quiet); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(c.Web.Listen); err != nil {
		return bad("web.listen", c.Web.Listen, "is not host:port", "không có dạng máy:cổng", "use e.g. 127.0.0.1:8080", "dùng ví dụ 127.0.0.1:8080")
	}
	if c.Web.MaxUploadMB < 1 || c.Web.MaxUploadMB > 4096 {
		return bad("web.max_upload_mb", fmt.Sprint(c.Web.MaxUploadMB), "is out of range", "nằm ngoài khoảng cho phép",
			"use 1 to 4096 (MiB), e.g. 200", "dùng từ 1 đến 4096 (MiB), ví dụ 200")
	}
	if c.Web.SessionTTL < time.Minute || c.Web.SessionTTL > 30*24*time.Hour {
		return bad("web.session_ttl", c.Web.SessionTTL.String(), "is out of range", "nằm ngoài khoảng cho phép",
			"use 1m to 720h, e.g. 12h", "dùng từ 1m đến 720h, ví dụ 12h")
	}
	for _, p := range c.Web.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return bad("web.trusted_proxies", p, "is not an IP address or CIDR range", "không phải địa chỉ IP hay dải CIDR",
					"use e.g. 127.0.0.1 or 10.0.0.0/8", "dùng ví dụ 127.0.0.1 hoặc 10.0.0.0/8")
			}
		}
	}
	if err := c.Province.validate(); err != nil {
		return err
	}
	return nil
}

// validateZones checks zones: and returns the set of zone codes in force.
func (c Config) validateZones() (map[string]bool, error) {
	codes := map[string]bool{}
	for i, z := range c.Zones {
		key := fmt.Sprintf("zones[%d]", i)
		bad := func(field, value, problem, problemVI, fix, fixVI string) error {
			return &Error{Key: key + field, Value: value, Problem: problem, ProblemVI: problemVI, Fix: fix, FixVI: fixVI}
		}
		if !codeRE.MatchString(z.Code) {
			return nil, bad(".code", z.Code, "is not a zone code", "không phải mã vùng hợp lệ",
				"use lower-case letters, digits and dashes, e.g. thon-1", "dùng chữ thường không dấu, số và gạch ngang, ví dụ thon-1")
		}
		if codes[z.Code] {
			return nil, bad(".code", z.Code, "is listed twice", "bị lặp lại", "give each zone its own code", "mỗi vùng một mã riêng")
		}
		codes[z.Code] = true
		if strings.TrimSpace(z.Name) == "" {
			return nil, bad(".name", "", "is empty", "đang trống", "write the zone's name, e.g. Thôn Đông", "ghi tên vùng, ví dụ Thôn Đông")
		}
		if len(z.Outputs) == 0 {
			return nil, bad(".outputs", "", "lists no output", "chưa có đầu ra nào",
				"list at least one output, e.g. [alsa:hw:1,0]", "liệt kê ít nhất một đầu ra, ví dụ [alsa:hw:1,0]")
		}
		for j, o := range z.Outputs {
			if _, err := output.Parse(o); err != nil {
				var oe *output.Error
				if !errors.As(err, &oe) {
					return nil, err
				}
				return nil, bad(fmt.Sprintf(".outputs[%d]", j), output.Redact(o), "is not an output: it "+oe.Problem.Problem, "không phải đầu ra hợp lệ: "+oe.ProblemVI,
					oe.Fix, oe.FixVI)
			}
		}
		if z.Clusters < 0 {
			return nil, bad(".clusters", fmt.Sprint(z.Clusters), "is negative", "là số âm", "use 0 or more", "dùng số từ 0 trở lên")
		}
	}
	if len(c.Zones) == 0 {
		codes[DefaultZone] = true
	}
	return codes, nil
}

// zoneCodes lists the codes of the zones in force.
func (c Config) zoneCodes() []string {
	var out []string
	for _, z := range c.ZoneList() {
		out = append(out, z.Code)
	}
	return out
}

// checkOverlaps looks two weeks ahead for two slots whose occurrences
// overlap, and for a slot that reaches into quiet hours.
func (c Config) checkOverlaps(quiet []QuietSpan) error {
	loc, _ := time.LoadLocation(c.Station.Timezone)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, 14)
	type span = overlapSpan
	var spans []span
	for i, s := range c.Schedule.Slots {
		sched, _ := ParseCron(s.Cron)
		for t := sched.Next(start.Add(-time.Second)); t.Before(end); t = sched.Next(t) {
			for j, q := range quiet {
				if q.Overlaps(t, t.Add(s.Length)) {
					return &Error{Key: fmt.Sprintf("schedule.slots[%d].cron", i), Value: s.Cron,
						Problem:   fmt.Sprintf("slot %s at %s (%s long) runs into the quiet hours %s", s.Name, t.Format("15:04:05"), s.Length, c.Schedule.QuietHours[j]),
						ProblemVI: fmt.Sprintf("khung giờ %s lúc %s (dài %s) rơi vào giờ yên lặng %s", s.Name, t.Format("15:04:05"), s.Length, c.Schedule.QuietHours[j]),
						Fix:       "move the slot, or change schedule.quiet_hours", FixVI: "dời khung giờ, hoặc sửa schedule.quiet_hours"}
				}
			}
			spans = append(spans, span{i, t, t.Add(s.Length)})
			if len(spans) > 20000 {
				break
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool {
		if !spans[i].start.Equal(spans[j].start) {
			return spans[i].start.Before(spans[j].start)
		}
		return spans[i].slot < spans[j].slot
	})
	// Slots of different zones may overlap: each zone is checked on its own.
	for _, z := range c.ZoneList() {
		var mine []span
		for _, sp := range spans {
			if c.Schedule.Slots[sp.slot].InZone(z.Code) {
				mine = append(mine, sp)
			}
		}
		if err := c.firstOverlap(mine); err != nil {
			return err
		}
	}
	return nil
}

// overlapSpan is one occurrence of a slot.
type overlapSpan struct {
	slot       int
	start, end time.Time
}

// firstOverlap reports the first two of spans (sorted by start) that
// overlap.
func (c Config) firstOverlap(spans []overlapSpan) error {
	// Keep the span that reaches furthest; any later start before its end overlaps.
	for i := 1; i < len(spans); i++ {
		a, b := spans[i-1], spans[i]
		if b.start.Before(a.end) {
			sa, sb := c.Schedule.Slots[a.slot], c.Schedule.Slots[b.slot]
			key := fmt.Sprintf("schedule.slots[%d].cron", b.slot)
			return &Error{Key: key, Value: sb.Cron,
				Problem:   fmt.Sprintf("slot %s starting %s overlaps slot %s (%s, %s long)", sb.Name, b.start.Format("Mon 15:04:05"), sa.Name, a.start.Format("Mon 15:04:05"), sa.Length),
				ProblemVI: fmt.Sprintf("khung giờ %s lúc %s trùng với khung giờ %s (%s, dài %s)", sb.Name, b.start.Format("15:04:05"), sa.Name, a.start.Format("15:04:05"), sa.Length),
				Fix:       "move one of them or shorten the first", FixVI: "dời một khung giờ hoặc rút ngắn khung giờ trước"}
		}
		if a.end.After(b.end) {
			spans[i].end, spans[i].slot, spans[i].start = a.end, a.slot, a.start
		}
	}
	return nil
}

// CheckJingle checks that the file at path is there, readable, and a WAV or
// MP3 with audio in it.
func CheckJingle(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errors.New("file not found")
		}
		return err
	}
	st, err := f.Stat()
	f.Close()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return errors.New("is a folder")
	}
	if _, err := audio.Probe(path); err != nil {
		return err
	}
	return nil
}
