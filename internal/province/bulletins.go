package province

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"time"

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

// wireBulletin is a stored bulletin as the stations read it.
func wireBulletin(b pgstore.Bulletin, ext string) provinceapi.Bulletin {
	topics := b.Topics
	if topics == nil {
		topics = []string{}
	}
	return provinceapi.Bulletin{ID: b.ID, Level: wireLevel(b.Level), Title: b.Title, Topics: topics, SHA256: b.SHA256,
		FileName: "bulletin-" + strconv.FormatInt(b.ID, 10) + ext, Size: b.Size, CreatedAt: b.CreatedAt, CreatedBy: b.CreatedBy}
}

func newBulletin(level, title string, topics, communes []string, now time.Time, by string) pgstore.Bulletin {
	return pgstore.Bulletin{Level: levelPriority[level], Title: title, Topics: topics, Communes: communes, CreatedAt: now, CreatedBy: by}
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
