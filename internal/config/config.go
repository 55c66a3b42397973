// Package config loads config.yaml: defaults, strict decoding (unknown keys
// are errors with their line), environment overrides through viper, and
// Validate, whose errors name the key, the bad value, the line and the fix.
package config

import (
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
)

// Config is the whole of config.yaml.
type Config struct {
	Station  Station  `yaml:"station" mapstructure:"station"`
	Audio    Audio    `yaml:"audio" mapstructure:"audio"`
	Schedule Schedule `yaml:"schedule" mapstructure:"schedule"`
	Approval Approval `yaml:"approval" mapstructure:"approval"`
	Topics   []Topic  `yaml:"topics" mapstructure:"topics"`
	Report   Report   `yaml:"report" mapstructure:"report"`
	Web      Web      `yaml:"web" mapstructure:"web"`
	// Zones are the parts of the loudspeaker network that each play their
	// own programme at the same time; empty is one zone, DefaultZone,
	// playing to audio.output. Read them through ZoneList.
	Zones []Zone `yaml:"zones" mapstructure:"zones"`
}

// Zone is one loudspeaker network of the commune (vùng phát): its own
// timetable (the slots that name it, and those that name no zone) on its
// own outputs.
type Zone struct {
	// Code names the zone in slots, the log and the CLI: [a-z0-9-]+.
	Code string `yaml:"code" mapstructure:"code"`
	// Name is what the operator reads.
	Name string `yaml:"name" mapstructure:"name"`
	// Outputs are audio.output specs; the zone plays to all of them.
	Outputs []string `yaml:"outputs" mapstructure:"outputs"`
	// Clusters is how many stream receivers (IP loudspeaker clusters) the
	// zone expects; 0 when it has none.
	Clusters int `yaml:"clusters" mapstructure:"clusters"`
}

// DefaultZone is the code of the one zone of a config without zones:; it
// is also the zone of every airing logged before zones existed.
const DefaultZone = playlist.DefaultZone

// DefaultZoneName is DefaultZone's name.
const DefaultZoneName = "Toàn xã"

// ZoneList is the zones in force, in config order: those under zones:, or
// the one zone DefaultZone playing to audio.output. Every caller reads
// zones through it.
func (c Config) ZoneList() []Zone {
	if len(c.Zones) == 0 {
		return []Zone{{Code: DefaultZone, Name: DefaultZoneName, Outputs: []string{c.Audio.Output}}}
	}
	return c.Zones
}

// Zone returns the zone with that code.
func (c Config) Zone(code string) (Zone, bool) {
	for _, z := range c.ZoneList() {
		if z.Code == code {
			return z, true
		}
	}
	return Zone{}, false
}

// ZoneSlots is the slots of the zone's timetable, in config order: those
// that name the zone and those that name none.
func (c Config) ZoneSlots(code string) []Slot {
	var out []Slot
	for _, s := range c.Schedule.Slots {
		if s.InZone(code) {
			out = append(out, s)
		}
	}
	return out
}

// Station is who we are and where state lives.
type Station struct {
	Commune  string `yaml:"commune" mapstructure:"commune"`
	Timezone string `yaml:"timezone" mapstructure:"timezone"`
	DataDir  string `yaml:"data_dir" mapstructure:"data_dir"`
	MediaDir string `yaml:"media_dir" mapstructure:"media_dir"`
	Language string `yaml:"language" mapstructure:"language"`
}

// Audio is the output side.
type Audio struct {
	// Output is auto, alsa, alsa:DEVICE, file:PATH.wav or null.
	Output     string        `yaml:"output" mapstructure:"output"`
	SampleRate int           `yaml:"sample_rate" mapstructure:"sample_rate"`
	Buffer     time.Duration `yaml:"buffer" mapstructure:"buffer"`
	Gap        time.Duration `yaml:"gap" mapstructure:"gap"`
	// Normalize brings every segment to TargetLUFS as it plays, its true
	// peak kept at or below −1 dBTP.
	Normalize  bool    `yaml:"normalize" mapstructure:"normalize"`
	TargetLUFS float64 `yaml:"target_lufs" mapstructure:"target_lufs"`
	// SilenceAlert notes in an airing's log row any stretch of output
	// below -60 dBFS at least this long (dead air); 0 turns it off.
	SilenceAlert time.Duration `yaml:"silence_alert" mapstructure:"silence_alert"`
	// TrimSilence cuts each segment's leading and trailing silence (below
	// -60 dBFS, measured at import) as it plays; the planner counts the
	// length that remains.
	TrimSilence bool `yaml:"trim_silence" mapstructure:"trim_silence"`
}

// Schedule is the timetable.
type Schedule struct {
	NoRepeat time.Duration `yaml:"no_repeat" mapstructure:"no_repeat"`
	// MissedHorizon is how far back, after downtime, passed occurrences are
	// logged as missed.
	MissedHorizon time.Duration `yaml:"missed_horizon" mapstructure:"missed_horizon"`
	// QuietHours are spans of the day ("HH:MM-HH:MM", may cross midnight) in
	// which nothing but an emergency plays: no slot may reach into them.
	QuietHours []string `yaml:"quiet_hours" mapstructure:"quiet_hours"`
	// AfterEmergency is what happens to the rest of a slot an emergency
	// cut: "resume" airs what had not started in the time left, "drop"
	// leaves it to the quota.
	AfterEmergency string `yaml:"after_emergency" mapstructure:"after_emergency"`
	Slots          []Slot `yaml:"slots" mapstructure:"slots"`
}

// Slot is one recurring programme slot (khung giờ phát).
type Slot struct {
	Name   string        `yaml:"name" mapstructure:"name"`
	Title  string        `yaml:"title" mapstructure:"title"`
	Cron   string        `yaml:"cron" mapstructure:"cron"`
	Length time.Duration `yaml:"length" mapstructure:"length"`
	// Topics restricts the slot to these topic codes; empty allows all.
	Topics []string `yaml:"topics" mapstructure:"topics"`
	// DaysOff are dates (YYYY-MM-DD) or ranges (YYYY-MM-DD..YYYY-MM-DD) on
	// which the slot does not occur, e.g. Tết.
	DaysOff []string `yaml:"days_off" mapstructure:"days_off"`
	// Intro and Outro are jingles (any recording audio.Open reads) played before the slot's
	// first segment and after its last, separated by audio.gap; a relative
	// path is from the working folder, like station.media_dir.
	Intro string `yaml:"intro" mapstructure:"intro"`
	Outro string `yaml:"outro" mapstructure:"outro"`
	// Zones are the codes of the zones the slot airs in; empty is every
	// zone.
	Zones []string `yaml:"zones" mapstructure:"zones"`
}

// InZone says whether the slot airs in the zone with that code.
func (s Slot) InZone(code string) bool {
	if len(s.Zones) == 0 {
		return true
	}
	for _, z := range s.Zones {
		if z == code {
			return true
		}
	}
	return false
}

// Approval says whether a leader must approve a segment before it airs.
type Approval struct {
	Required bool `yaml:"required" mapstructure:"required"`
}

// Topic is one content area of the plan with its monthly targets.
type Topic struct {
	Code          string  `yaml:"code" mapstructure:"code"`
	Name          string  `yaml:"name" mapstructure:"name"`
	PlanItem      string  `yaml:"plan_item" mapstructure:"plan_item"`
	TargetAirings int     `yaml:"target_airings" mapstructure:"target_airings"`
	TargetMinutes float64 `yaml:"target_minutes" mapstructure:"target_minutes"`
}

// Report holds the administrative header and footer of the monthly report.
type Report struct {
	Superior    string   `yaml:"superior" mapstructure:"superior"`
	Committee   string   `yaml:"committee" mapstructure:"committee"`
	DocSuffix   string   `yaml:"doc_suffix" mapstructure:"doc_suffix"`
	Recipients  []string `yaml:"recipients" mapstructure:"recipients"`
	SignerTitle string   `yaml:"signer_title" mapstructure:"signer_title"`
	SignerName  string   `yaml:"signer_name" mapstructure:"signer_name"`
}

// Web is the operator web app.
type Web struct {
	Listen string `yaml:"listen" mapstructure:"listen"`
	// MaxUploadMB is the largest audio file the web app accepts, in MiB.
	MaxUploadMB int `yaml:"max_upload_mb" mapstructure:"max_upload_mb"`
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration `yaml:"session_ttl" mapstructure:"session_ttl"`
	// TrustedProxies are the addresses (IP or CIDR) of reverse proxies
	// whose X-Forwarded-Proto and X-Forwarded-For the web app believes:
	// behind one that says https, the session cookie is Secure.
	TrustedProxies []string `yaml:"trusted_proxies" mapstructure:"trusted_proxies"`
}

// Default returns the configuration used for every key config.yaml leaves out.
func Default() Config {
	return Config{
		Station: Station{
			Commune:  "Tân Lập",
			Timezone: "Asia/Ho_Chi_Minh",
			DataDir:  "./data",
			MediaDir: "./media",
			Language: "vi",
		},
		Audio: Audio{
			Output:       "auto",
			SampleRate:   48000,
			Buffer:       500 * time.Millisecond,
			Gap:          time.Second,
			Normalize:    true,
			TargetLUFS:   -16,
			SilenceAlert: 10 * time.Second,
		},
		Schedule: Schedule{
			NoRepeat:       24 * time.Hour,
			MissedHorizon:  7 * 24 * time.Hour,
			AfterEmergency: "resume",
		},
		Approval: Approval{Required: true},
		Report:   Report{DocSuffix: "BC-UBND"},
		Web:      Web{Listen: "127.0.0.1:8080", MaxUploadMB: 200, SessionTTL: 12 * time.Hour},
	}
}
