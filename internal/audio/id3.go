package audio

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"unicode/utf16"
)

// maxID3Read bounds how much of an ID3v2 tag we read into memory looking for
// the title: frames past it (after a large picture, say) are not seen.
const maxID3Read = 1 << 20

// id3v2Tag is the header of an ID3v2 tag.
type id3v2Tag struct {
	major byte  // 2, 3 or 4
	flags byte  // tag flags
	size  int64 // the whole tag: header, body and footer
}

// readID3v2 reads the ID3v2 tag header at off; ok is false when there is
// none.
func readID3v2(r io.ReaderAt, off, size int64) (id3v2Tag, bool) {
	var b [10]byte
	if off+10 > size {
		return id3v2Tag{}, false
	}
	if _, err := r.ReadAt(b[:], off); err != nil || string(b[:3]) != "ID3" || b[3] < 2 || b[3] > 4 || b[4] == 0xFF {
		return id3v2Tag{}, false
	}
	body, ok := syncsafe(b[6:10])
	if !ok {
		return id3v2Tag{}, false
	}
	t := id3v2Tag{major: b[3], flags: b[5], size: 10 + body}
	if t.major == 4 && t.flags&0x10 != 0 {
		t.size += 10 // footer
	}
	return t, true
}

// syncsafe decodes a 28-bit "synchsafe" integer (7 bits per byte).
func syncsafe(b []byte) (int64, bool) {
	var v int64
	for _, c := range b {
		if c >= 0x80 {
			return 0, false
		}
		v = v<<7 | int64(c)
	}
	return v, true
}

// title returns the tag's title (TIT2, or TT2 in ID3v2.2), or "".
func (t id3v2Tag) title(r io.ReaderAt, off int64) string {
	body := make([]byte, min(t.size-10, maxID3Read))
	n, _ := r.ReadAt(body, off+10)
	body = body[:n]
	if t.major < 4 && t.flags&0x80 != 0 {
		body = unsync(body) // the whole tag is unsynchronised
	}
	// Skip the extended header.
	if t.flags&0x40 != 0 && t.major >= 3 && len(body) >= 4 {
		var ext int64
		if t.major == 3 {
			ext = 4 + int64(binary.BigEndian.Uint32(body))
		} else {
			ext, _ = syncsafe(body[:4])
		}
		if ext > int64(len(body)) {
			return ""
		}
		body = body[ext:]
	}
	idLen, hdrLen, want := 4, 10, "TIT2"
	if t.major == 2 {
		idLen, hdrLen, want = 3, 6, "TT2"
	}
	for len(body) >= hdrLen && body[0] != 0 {
		id := string(body[:idLen])
		var n int64
		var flags uint16
		switch t.major {
		case 2:
			n = int64(body[3])<<16 | int64(body[4])<<8 | int64(body[5])
		case 3:
			n = int64(binary.BigEndian.Uint32(body[4:8]))
			flags = binary.BigEndian.Uint16(body[8:10])
		default:
			n, _ = syncsafe(body[4:8])
			flags = binary.BigEndian.Uint16(body[8:10])
		}
		if n > int64(len(body)-hdrLen) {
			return ""
		}
		data := body[hdrLen : hdrLen+int(n)]
		body = body[hdrLen+int(n):]
		if id != want {
			continue
		}
		switch t.major {
		case 3:
			if flags&0x00C0 != 0 { // compressed or encrypted
				return ""
			}
			if flags&0x0020 != 0 && len(data) > 0 { // group byte
				data = data[1:]
			}
		case 4:
			if flags&0x000C != 0 { // compressed or encrypted
				return ""
			}
			if flags&0x0040 != 0 && len(data) > 0 { // group byte
				data = data[1:]
			}
			if flags&0x0001 != 0 && len(data) >= 4 { // data length indicator
				data = data[4:]
			}
			if flags&0x0002 != 0 {
				data = unsync(data)
			}
		}
		return id3Text(data)
	}
	return ""
}

// unsync undoes ID3 unsynchronisation: FF 00 becomes FF.
func unsync(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte{0xFF, 0x00}, []byte{0xFF})
}

// id3Text decodes the first string of an ID3v2 text frame: an encoding byte
// (0 ISO-8859-1, 1 UTF-16 with BOM, 2 UTF-16BE, 3 UTF-8), then the text.
func id3Text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	enc, b := b[0], b[1:]
	var s string
	switch enc {
	case 0:
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		s = string(r)
	case 1, 2:
		bigEndian := enc == 2
		if len(b) >= 2 && enc == 1 {
			switch {
			case b[0] == 0xFE && b[1] == 0xFF:
				bigEndian, b = true, b[2:]
			case b[0] == 0xFF && b[1] == 0xFE:
				b = b[2:]
			}
		}
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			v := binary.LittleEndian.Uint16(b[i:])
			if bigEndian {
				v = binary.BigEndian.Uint16(b[i:])
			}
			if v == 0 {
				break
			}
			u = append(u, v)
		}
		s = string(utf16.Decode(u))
	case 3:
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		s = string(b)
	default:
		return ""
	}
	return strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
}
