package province

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/provinceapi"
)

// levelPriority is a wire level as the store keeps it: the segment
// priority the stations give the bulletin.
var levelPriority = map[string]playlist.Priority{
	provinceapi.LevelNormal:    playlist.PriorityNormal,
	provinceapi.LevelPriority:  playlist.PriorityPriority,
	provinceapi.LevelEmergency: playlist.PriorityEmergency,
}

func wireLevel(p playlist.Priority) string {
	for l, q := range levelPriority {
		if q == p {
			return l
		}
	}
	return string(p)
}

// audioExt names an audio file's format by its first bytes: the extension
// a station needs to import it. The store keeps the audio, not its name,
// so the name the stations see is "bulletin-ID" with this extension. "" is
// not a format the stations import.
func audioExt(b []byte) string {
	switch {
	case len(b) >= 12 && bytes.Equal(b[:4], []byte("RIFF")) && bytes.Equal(b[8:12], []byte("WAVE")):
		return ".wav"
	case len(b) >= 4 && bytes.Equal(b[:4], []byte("fLaC")):
		return ".flac"
	case len(b) >= 4 && bytes.Equal(b[:4], []byte("OggS")):
		return ".ogg"
	case len(b) >= 12 && bytes.Equal(b[4:8], []byte("ftyp")):
		return ".m4a"
	case len(b) >= 3 && bytes.Equal(b[:3], []byte("ID3")):
		return ".mp3"
	case len(b) >= 2 && b[0] == 0xFF && b[1]&0xE0 == 0xE0: // an MPEG audio frame
		if b[1]&0x06 == 0 { // layer bits 00: ADTS AAC
			return ".aac"
		}
		return ".mp3"
	}
	return ""
}

// wireBulletin is a stored bulletin as the stations read it: its file
// name as uploaded (for a bulletin stored before names were kept,
// "bulletin-ID" and ext, the extension its audio tells), its zones and
// validity.
func wireBulletin(b pgstore.Bulletin, ext string) provinceapi.Bulletin {
	topics := b.Topics
	if topics == nil {
		topics = []string{}
	}
	name := b.FileName
	if name == "" {
		name = "bulletin-" + strconv.FormatInt(b.ID, 10) + ext
	}
	var zones []string
	if len(b.Zones) > 0 {
		zones = b.Zones
	}
	return provinceapi.Bulletin{ID: b.ID, Level: wireLevel(b.Level), Title: b.Title, Topics: topics, SHA256: b.SHA256,
		FileName: name, Size: b.Size, Zones: zones, ValidFrom: b.ValidFrom, ValidTo: b.ValidTo, CreatedAt: b.CreatedAt, CreatedBy: b.CreatedBy}
}

// bulletinDetails are what an operator may add to a bulletin: its file's
// name, the zones it plays in, when it is valid.
type bulletinDetails struct {
	FileName           string
	Zones              []string
	ValidFrom, ValidTo time.Time
}

func newBulletin(level, title string, topics, communes []string, d bulletinDetails, now time.Time, by string) pgstore.Bulletin {
	return pgstore.Bulletin{Level: levelPriority[level], Title: title, Topics: topics, Communes: communes, FileName: d.FileName,
		Zones: d.Zones, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, CreatedAt: now, CreatedBy: by}
}

// uploadName is the name a bulletin's file is stored under: as uploaded
// (its base name), with the extension its audio tells when the name has
// none the stations take, so that a station can name its copy by it.
func uploadName(name, ext string) string {
	name = strings.TrimSpace(name[strings.LastIndexAny(name, `/\`)+1:])
	if name == "" {
		name = "bulletin"
	}
	if !audioExts[strings.ToLower(filepath.Ext(name))] {
		name += ext
	}
	return name
}

// parseZones reads the form's zone codes: separated by commas or spaces,
// none meaning every zone of the target communes.
func parseZones(s string) ([]string, bool) {
	var out []string
	for _, z := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		z = strings.ToLower(z)
		if !pgstore.ValidZoneCode(z) {
			return nil, false
		}
		out = append(out, z)
	}
	return out, true
}

// parseValidity reads a validity bound typed in the form: a date
// (YYYY-MM-DD; the start of that day for from, its end for to) or a date
// and time (YYYY-MM-DDTHH:MM, the browser's datetime-local) in loc; ""
// is no bound.
func parseValidity(s string, end bool, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, loc); err == nil {
		return t, true
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		t = t.AddDate(0, 0, 1).Add(-time.Millisecond) // the last instant of the day
	}
	return t, true
}

// extCache remembers each bulletin's file extension: the store lists
// bulletins without their audio, and the audio tells the format.
type extCache struct {
	mu  sync.Mutex
	ext map[int64]string
}

// bulletinExt is a bulletin's extension, from the cache or, the first
// time, from its audio (read for a commune it was sent to).
func (s *Server) bulletinExt(ctx context.Context, commune string, b pgstore.Bulletin) (string, error) {
	s.exts.mu.Lock()
	ext, ok := s.exts.ext[b.ID]
	s.exts.mu.Unlock()
	if ok {
		return ext, nil
	}
	if commune == "" && len(b.Communes) > 0 {
		commune = b.Communes[0]
	}
	audio, _, err := s.Store.BulletinAudio(ctx, commune, b.ID)
	if err != nil {
		return "", err
	}
	ext = audioExt(audio)
	s.exts.mu.Lock()
	if s.exts.ext == nil {
		s.exts.ext = map[int64]string{}
	}
	s.exts.ext[b.ID] = ext
	s.exts.mu.Unlock()
	return ext, nil
}
