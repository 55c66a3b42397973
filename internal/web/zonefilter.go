package web

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/contract"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// zoneFilter is the zone picker of the schedule, log and report pages: the
// zone= query parameter, "" for every zone. It is shown only when the
// station has more than one zone.
type zoneFilter struct {
	Shown    bool // more than one zone
	Label    string
	Selected string
	Options  []option
}

// parseZone reads zone= from q: a code of the configured zones or empty.
// An unknown code gives the messages (Vietnamese, English) that name it
// and list the zones.
func (s *Server) parseZone(q url.Values) (code, vi, en string, ok bool) {
	code = q.Get("zone")
	if code == "" {
		return "", "", "", true
	}
	cfg := s.Config()
	if _, found := cfg.Zone(code); found {
		return code, "", "", true
	}
	var known []string
	for _, z := range cfg.ZoneList() {
		known = append(known, z.Code+" ("+z.Name+")")
	}
	list := strings.Join(known, ", ")
	return "", fmt.Sprintf("zone=%q: không có vùng phát này; các vùng phát: %s", code, list),
		fmt.Sprintf("zone=%q: no such zone; the zones are: %s", code, list), false
}

// zoneFilterFor is the picker with code selected.
func (s *Server) zoneFilterFor(code, lang string) zoneFilter {
	zones := s.Config().ZoneList()
	f := zoneFilter{Shown: len(zones) > 1, Label: tr(lang, "Vùng phát", "Zone"), Selected: code}
	f.Options = append(f.Options, option{Value: "", Label: tr(lang, "tất cả các vùng", "every zone"), Selected: code == ""})
	for _, z := range zones {
		f.Options = append(f.Options, option{Value: z.Code, Label: z.Name, Selected: z.Code == code})
	}
	return f
}

// zoneName is what the pages call the zone with that code: its name, or
// the code of a zone the configuration no longer has.
func (s *Server) zoneName(code string) string {
	if code == "" {
		code = playlist.DefaultZone
	}
	if z, ok := s.Config().Zone(code); ok {
		return z.Name
	}
	return code
}

// zonePlans is the programme of one zone on the schedule page.
type zonePlans struct {
	Zone  config.Zone
	Plans []playlist.Plan
}

// planZones groups the commune's programme (each plan names its zone) by
// zone, in config order: only the zone with code only, when set.
func (s *Server) planZones(plans []playlist.Plan, only string) []zonePlans {
	var out []zonePlans
	for _, z := range s.Config().ZoneList() {
		if only != "" && z.Code != only {
			continue
		}
		zp := zonePlans{Zone: z}
		for _, p := range plans {
			if p.Zone == z.Code || p.Zone == "" && z.Code == playlist.DefaultZone {
				zp.Plans = append(zp.Plans, p)
			}
		}
		out = append(out, zp)
	}
	return out
}

// zoneOccurrences is the JSON of a zone's programme.
func (s *Server) zoneOccurrences(zones []zonePlans, lang string) []contract.Occurrence {
	out := []contract.Occurrence{}
	for _, z := range zones {
		for _, p := range z.Plans {
			o := contract.FromPlan(p, s.Location, lang)
			o.Zone = z.Zone.Code
			out = append(out, o)
		}
	}
	return out
}
