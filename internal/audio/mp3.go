package audio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hajimehoshi/go-mp3"
)

// Formats a file can be recognised as, by its content (never its name).
const (
	formatWAV = "wav"
	formatMP3 = "mp3"
)

// mp3SyncSearch is how far past an ID3v2 tag we look for the first MPEG
// audio frame (encoders may pad the tag with zeros or leave a little junk).
const mp3SyncSearch = 4096

// mp3Layout locates the MPEG audio frames inside an MP3 file: between the
// ID3v2 tag(s) at the start and the APEv2/ID3v1 tags at the end.
type mp3Layout struct {
	start, end int64
	title      string // ID3v2 TIT2
}

// sniff tells a file's format from its first bytes: RIFF/WAVE is WAV; an
// ID3v2 tag or an MPEG audio frame header at the start (after the tag) is
// MP3. Anything else is an error wrapping ErrNotAudio (and so ErrNotWAV); an
// MPEG stream we cannot decode (layer I or II, MPEG-2.5, free bitrate) wraps
// ErrUnsupported.
func sniff(r io.ReaderAt, size int64) (string, mp3Layout, error) {
	var head [12]byte
	n, _ := r.ReadAt(head[:], 0)
	b := head[:n]
	if n >= 12 && (string(b[:4]) == "RIFF" || string(b[:4]) == "RF64") && string(b[8:12]) == "WAVE" {
		return formatWAV, mp3Layout{}, nil
	}
	var m mp3Layout
	tagged := false
	for {
		t, ok := readID3v2(r, m.start, size)
		if !ok {
			break
		}
		if m.title == "" {
			m.title = t.title(r, m.start)
		}
		m.start += t.size
		tagged = true
	}
	m.end = mp3TagsEnd(r, m.start, size)
	search := int64(0)
	if tagged {
		search = mp3SyncSearch
	}
	for off := m.start; off <= m.start+search && off+4 <= m.end; off++ {
		var h [4]byte
		if _, err := r.ReadAt(h[:], off); err != nil {
			break
		}
		hdr, ok := parseMPEGHeader(h)
		if !ok {
			continue
		}
		m.start = off
		if err := hdr.supported(); err != nil {
			return formatMP3, m, err
		}
		return formatMP3, m, nil
	}
	switch {
	case size < 12:
		return "", m, fmt.Errorf("%w: file too short (%d bytes)", ErrNotAudio, size)
	case tagged:
		return "", m, fmt.Errorf("%w: an ID3 tag but no MPEG audio frame after it", ErrNotAudio)
	}
	return "", m, fmt.Errorf("%w: no RIFF/WAVE signature and no MP3 frame", ErrNotAudio)
}

// mp3TagsEnd returns where the audio ends: before an ID3v1 tag ("TAG", the
// last 128 bytes) and an APEv2 tag ("APETAGEX" footer) at the end of file.
func mp3TagsEnd(r io.ReaderAt, start, size int64) int64 {
	end := size
	var tag [3]byte
	if end-128 >= start {
		if _, err := r.ReadAt(tag[:], end-128); err == nil && string(tag[:]) == "TAG" {
			end -= 128
		}
	}
	var ape [32]byte
	if end-32 >= start {
		if _, err := r.ReadAt(ape[:], end-32); err == nil && string(ape[:8]) == "APETAGEX" {
			n := int64(uint32(ape[12]) | uint32(ape[13])<<8 | uint32(ape[14])<<16 | uint32(ape[15])<<24)
			if ape[23]&0x80 != 0 { // a header precedes the items
				n += 32
			}
			if end-n >= start {
				end -= n
			}
		}
	}
	return end
}

// mpegHeader is the 4-byte header of an MPEG audio frame.
type mpegHeader struct {
	version int // 1, 2, or 25 for MPEG-2.5
	layer   int // 1, 2 or 3
	bitrate int // index; 0 is "free"
}

// parseMPEGHeader reads a frame header: the 11-bit sync (0xFFE) and fields
// that are not reserved.
func parseMPEGHeader(b [4]byte) (mpegHeader, bool) {
	if b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return mpegHeader{}, false
	}
	v, l := (b[1]>>3)&3, (b[1]>>1)&3
	br, sr := b[2]>>4, (b[2]>>2)&3
	if v == 1 || l == 0 || br == 15 || sr == 3 {
		return mpegHeader{}, false
	}
	h := mpegHeader{version: [4]int{25, 0, 2, 1}[v], layer: 4 - int(l), bitrate: int(br)}
	return h, true
}

// supported reports what go-mp3 cannot decode.
func (h mpegHeader) supported() error {
	switch {
	case h.layer != 3:
		return fmt.Errorf("%w: MPEG layer %s (MP%d); only MP3 (layer III) can be played", ErrUnsupported, strings.Repeat("I", h.layer), h.layer)
	case h.version == 25:
		return fmt.Errorf("%w: MPEG-2.5 (sample rates below 16 kHz) MP3", ErrUnsupported)
	case h.bitrate == 0:
		return fmt.Errorf("%w: free-format bitrate MP3", ErrUnsupported)
	}
	return nil
}

// newMP3 opens the MPEG frames of f with go-mp3, reading through a buffer.
// go-mp3 scans every frame header once here to learn the length.
func newMP3(f *os.File, path string, m mp3Layout) (*mp3.Decoder, Info, error) {
	info := Info{Path: path, Format: formatMP3, Channels: 2, BitDepth: 16, Title: m.title}
	sec := io.NewSectionReader(f, m.start, m.end-m.start)
	d, err := mp3.NewDecoder(&bufferedSection{s: sec, b: bufio.NewReaderSize(sec, readBufferSize)})
	switch {
	case errors.Is(err, io.EOF):
		return nil, info, fmt.Errorf("%w: no whole MPEG audio frame", ErrNoData)
	case err != nil:
		return nil, info, fmt.Errorf("%w: %v", ErrBadHeader, err)
	}
	info.SampleRate = d.SampleRate()
	// go-mp3 always decodes to 16-bit stereo: 4 bytes a frame.
	info.Frames = d.Length() / 4
	if info.Frames <= 0 {
		return nil, info, fmt.Errorf("%w: no whole MPEG audio frame", ErrNoData)
	}
	if info.SampleRate < MinSampleRate || info.SampleRate > MaxSampleRate {
		return nil, info, fmt.Errorf("%w: sample rate %d Hz outside %d–%d", ErrUnsupported, info.SampleRate, MinSampleRate, MaxSampleRate)
	}
	return d, info, nil
}

// bufferedSection buffers reads from a section of a file and can seek, as
// go-mp3 needs to learn the length (it reads a few bytes at a time).
type bufferedSection struct {
	s *io.SectionReader
	b *bufio.Reader
}

func (r *bufferedSection) Read(p []byte) (int, error) { return r.b.Read(p) }

func (r *bufferedSection) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekCurrent {
		off -= int64(r.b.Buffered())
	}
	n, err := r.s.Seek(off, whence)
	r.b.Reset(r.s)
	return n, err
}
