package audio

import "io"

// ID3 tags are read by ffprobe (the title) and skipped by ffmpeg at the
// start of an MP3. We only need to know where an ID3v2 tag ends, to cut
// out the tags that joining MP3s with cat leaves mid-stream (see
// midStreamTags).

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
