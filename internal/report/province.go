package report

import (
	"encoding/json"
	"io"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/truyenthanh/cchc/internal/csvsafe"
	"github.com/truyenthanh/cchc/internal/playlist"
	cchcwords "github.com/truyenthanh/cchc/internal/words"
)

// ProvinceInput is what BuildProvince needs: the period, the plan's topics
// with their monthly targets for one commune, and each commune's log of the
// period summed up by the province's store.
type ProvinceInput struct {
	Kind     string
	From, To time.Time
	Location *time.Location
	// Topics are the plan's topics with the monthly targets every commune
	// is held to (the province's config.yaml, the same taxonomy as the
	// stations'); the province's targets are these times the communes.
	Topics   []playlist.Topic
	Communes []CommuneInput
	Header   Header
	Issued   time.Time
}

// CommuneInput is one commune of the province report.
type CommuneInput struct {
	Code, Name string
	// LastSync is the commune's last successful shipment; zero when never.
	LastSync time.Time
	// Topics are the commune's airings of the period by topic code (an
	// airing of two topics counts under each); Totals counts each once.
	Topics map[string]Tally
	Totals Tally
}

// Tally counts a group of closed airings, as the province's store sums
// them up.
type Tally struct {
	Completed, Interrupted, Missed, Failed int
	// CompletedMS is the time the completed airings played.
	CompletedMS int64
	// Segments is how many distinct segments completed an airing.
	Segments int
}

func (t Tally) add(o Tally) Tally {
	return Tally{Completed: t.Completed + o.Completed, Interrupted: t.Interrupted + o.Interrupted, Missed: t.Missed + o.Missed,
		Failed: t.Failed + o.Failed, CompletedMS: t.CompletedMS + o.CompletedMS, Segments: t.Segments + o.Segments}
}

// row is the tally as a topic row with its targets, as the station report
// fills it.
func (t Tally) row(base TopicRow) TopicRow {
	r := fill(base, &tally{airings: t.Completed, playedMS: t.CompletedMS, interrupted: t.Interrupted, missed: t.Missed, failed: t.Failed})
	r.Segments = t.Segments
	return r
}

func (t Tally) totals() Totals {
	return Totals{Airings: t.Completed, Minutes: round1(float64(t.CompletedMS) / 60000), Segments: t.Segments,
		Interrupted: t.Interrupted, Missed: t.Missed, Failed: t.Failed}
}

// Province is the province report: coverage by topic for each commune and
// for the province. Its JSON form is the contract of `scheduler province
// report --format json`.
type Province struct {
	Period   Period       `json:"period"`
	Communes []CommuneRow `json:"communes"`
	Topics   []TopicRow   `json:"topics"`
	Totals   Totals       `json:"totals"`

	Header   Header    `json:"-"`
	Issued   time.Time `json:"-"`
	location *time.Location
	from     time.Time
}

// CommuneRow is one commune's coverage, shaped like the station report.
type CommuneRow struct {
	Code     string     `json:"code"`
	Name     string     `json:"name"`
	LastSync *time.Time `json:"last_sync"`
	Topics   []TopicRow `json:"topics"`
	Totals   Totals     `json:"totals"`
}

// BelowTarget reports whether any of the commune's topics is below target.
func (c CommuneRow) BelowTarget() bool {
	for _, t := range c.Topics {
		if t.BelowTarget {
			return true
		}
	}
	return false
}

// BuildProvince computes the province report. A commune's rows are filled
// as the station report fills its own (targets scaled to the period, the
// same achievement and reasons), so a commune reads the same figures at the
// province as on its station; the province's rows sum the communes' (their
// distinct segments too: segment ids are each station's own), against the
// targets times the number of communes.
func BuildProvince(in ProvinceInput) Province {
	loc := in.Location
	if loc == nil {
		loc = in.From.Location()
	}
	kind := normKind(in.Kind)
	from, to := civilOf(in.From, loc), civilOf(in.To, loc)
	scale := targetScale(kind, from, to)
	p := Province{
		Period:   Period{From: from.String(), To: to.String(), Kind: kind, Label: periodLabel(kind, from, to, "vi")},
		Communes: make([]CommuneRow, 0, len(in.Communes)),
		Header:   in.Header, Issued: in.Issued, location: loc, from: from.in(loc),
	}
	planned := map[string]bool{}
	var codes []string
	for _, t := range in.Topics {
		if !planned[t.Code] {
			planned[t.Code] = true
			codes = append(codes, t.Code)
		}
	}
	var unplanned []string
	for _, c := range in.Communes {
		for code := range c.Topics {
			if code != "" && !planned[code] {
				planned[code] = true
				unplanned = append(unplanned, code)
			}
		}
	}
	sort.Strings(unplanned)
	base := func(code string, communes float64) TopicRow {
		for _, t := range in.Topics {
			if t.Code == code {
				return TopicRow{Code: t.Code, Name: t.Name, PlanItem: t.PlanItem,
					TargetAirings: int(math.Round(float64(t.TargetAirings) * scale * communes)),
					TargetMinutes: round1(t.TargetMinutes * scale * communes)}
			}
		}
		return TopicRow{Code: code, Name: code, Unplanned: true}
	}
	all := map[string]Tally{}
	var total Tally
	for _, c := range in.Communes {
		row := CommuneRow{Code: c.Code, Name: c.Name, Totals: c.Totals.totals(), Topics: []TopicRow{}}
		if !c.LastSync.IsZero() {
			t := c.LastSync.In(loc)
			row.LastSync = &t
		}
		for _, code := range append(append([]string{}, codes...), unplanned...) {
			t := c.Topics[code]
			if base(code, 1).Unplanned && t == (Tally{}) {
				continue // another commune's unplanned topic
			}
			row.Topics = append(row.Topics, t.row(base(code, 1)))
			all[code] = all[code].add(t)
		}
		total = total.add(c.Totals)
		p.Communes = append(p.Communes, row)
	}
	n := float64(len(in.Communes))
	p.Topics = []TopicRow{}
	for _, code := range append(append([]string{}, codes...), unplanned...) {
		p.Topics = append(p.Topics, all[code].row(base(code, n)))
	}
	p.Totals = total.totals()
	sort.SliceStable(p.Communes, func(i, j int) bool { return p.Communes[i].Code < p.Communes[j].Code })
	return p
}

// NotSynced lists the communes that did not sync during the period: never,
// or last before the period began. Their figures may lack airings the
// station holds.
func (p Province) NotSynced() []CommuneRow {
	var out []CommuneRow
	for _, c := range p.Communes {
		if c.LastSync == nil || c.LastSync.Before(p.from) {
			out = append(out, c)
		}
	}
	return out
}

// BelowTarget lists the communes with a topic below target.
func (p Province) BelowTarget() []CommuneRow {
	var out []CommuneRow
	for _, c := range p.Communes {
		if c.BelowTarget() {
			out = append(out, c)
		}
	}
	return out
}

func (p Province) loc() *time.Location {
	if p.location == nil {
		return time.UTC
	}
	return p.location
}

// WriteJSON writes the report as indented JSON.
func (p Province) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

// provinceWords are the province report's own words, beside the station
// report's.
type provinceWords struct {
	Title, Subtitle                string
	SecCommunes, SecProvince       string
	SecBelow, SecNotSynced, NoneOK string
	ColCode, ColCommune, ColSync   string
	ColBelow, Never, Yes           string
	CsvHeader                      []string
}

func provinceWordsFor(lang string) provinceWords {
	if lang == "en" {
		return provinceWords{
			Title: "PROVINCE REPORT", Subtitle: "CCHC propaganda on the communes' loudspeaker networks",
			SecCommunes: "I. COVERAGE BY COMMUNE", SecProvince: "II. COVERAGE BY TOPIC, WHOLE PROVINCE",
			SecBelow: "III. COMMUNES BELOW TARGET", SecNotSynced: "IV. COMMUNES THAT DID NOT SYNC IN THE PERIOD",
			NoneOK: "None.", ColCode: "Code", ColCommune: "Commune", ColSync: "Last sync", ColBelow: "Topics below target",
			Never: "never", Yes: "yes",
			CsvHeader: []string{"commune_code", "commune_name", "last_sync", "topic_code", "topic_name", "target_airings",
				"target_minutes", "airings", "minutes", "segments", "achieved_pct", "below_target"},
		}
	}
	return provinceWords{
		Title: "BÁO CÁO TỔNG HỢP CẤP TỈNH", Subtitle: "Kết quả tuyên truyền cải cách hành chính trên hệ thống truyền thanh các xã",
		SecCommunes: "I. KẾT QUẢ THEO XÃ", SecProvince: "II. KẾT QUẢ THEO LĨNH VỰC TOÀN TỈNH",
		SecBelow: "III. CÁC XÃ CHƯA ĐẠT CHỈ TIÊU", SecNotSynced: "IV. CÁC XÃ CHƯA ĐỒNG BỘ TRONG KỲ",
		NoneOK: "Không có.", ColCode: "Mã", ColCommune: "Xã", ColSync: "Đồng bộ lần cuối", ColBelow: "Lĩnh vực chưa đạt",
		Never: "chưa bao giờ", Yes: "có",
		CsvHeader: []string{"ma_xa", "ten_xa", "dong_bo_lan_cuoi", "ma_linh_vuc", "linh_vuc", "chi_tieu_luot",
			"chi_tieu_phut", "luot_phat", "so_phut", "so_ban_tin", "ty_le_dat_pct", "chua_dat"},
	}
}

// syncText is a commune's last sync as the printed forms show it.
func (p Province) syncText(pw provinceWords, c CommuneRow) string {
	if c.LastSync == nil {
		return pw.Never
	}
	return c.LastSync.In(p.loc()).Format("02/01/2006 15:04")
}

// belowNames is the names of a commune's topics below target.
func belowNames(c CommuneRow) []string {
	var out []string
	for _, t := range c.Topics {
		if t.BelowTarget {
			out = append(out, t.Name)
		}
	}
	return out
}

// WriteCSV writes one row per commune and topic, then the province's rows
// (empty commune code), UTF-8 with a byte-order mark.
func (p Province) WriteCSV(w io.Writer, lang string) error {
	pw := provinceWordsFor(lang)
	if _, err := w.Write(bom); err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(pw.CsvHeader); err != nil {
		return err
	}
	write := func(code, name, sync string, t TopicRow) error {
		pct, ta, tm, below := "", "", "", ""
		if t.AchievedPct != nil {
			pct = dec(*t.AchievedPct)
		}
		if t.TargetAirings > 0 {
			ta = strconv.Itoa(t.TargetAirings)
		}
		if t.TargetMinutes > 0 {
			tm = dec(t.TargetMinutes)
		}
		if t.BelowTarget {
			below = pw.Yes
		}
		return cw.Write([]string{code, name, sync, t.Code, t.Name, ta, tm, strconv.Itoa(t.Airings), dec(t.Minutes),
			strconv.Itoa(t.Segments), pct, below})
	}
	for _, c := range p.Communes {
		sync := ""
		if c.LastSync != nil {
			sync = c.LastSync.In(p.loc()).Format(time.RFC3339)
		}
		for _, t := range c.Topics {
			if err := write(c.Code, c.Name, sync, t); err != nil {
				return err
			}
		}
	}
	province := cchcwords.Pick(lang, "Toàn tỉnh", "Whole province")
	for _, t := range p.Topics {
		if err := write("", province, "", t); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// in is the day's midnight in loc.
func (c civil) in(loc *time.Location) time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, loc) }
