package audio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-audio/wav"
)

// Sample rates we accept, inclusive.
const (
	MinSampleRate = 8000
	MaxSampleRate = 192000
)

// WAV format tags (wFormatTag) we decode, and a few we name in errors.
const (
	wavFormatPCM        = 0x0001
	wavFormatFloat      = 0x0003
	wavFormatExtensible = 0xFFFE
)

var formatTagNames = map[uint16]string{
	0x0002: "Microsoft ADPCM",
	0x0006: "A-law",
	0x0007: "µ-law",
	0x0011: "IMA ADPCM",
	0x0031: "GSM 6.10",
	0x0050: "MPEG",
	0x0055: "MP3",
}

// maxListChunk bounds the LIST chunk we read into memory for the title.
const maxListChunk = 1 << 20

// Info describes an audio file as its header says.
type Info struct {
	Path string
	// Format is "wav" for a PCM WAV read by our own reader; for a file
	// decoded by ffmpeg, a short name of its container or codec ("mp3",
	// "m4a", "ogg", "opus", "amr", "flac", "wma", ...), fit for a file
	// name extension.
	Format     string
	SampleRate int
	Channels   int  // the file's own channel count (a mono MP3 is 1)
	BitDepth   int  // bits per sample: 8, 16, 24, 32 or 64 for PCM; 32 (float) for decoded files
	Float      bool // IEEE float samples (format tag 3, EXTENSIBLE float, or decoded by ffmpeg)
	Frames     int64
	Title      string // WAV: LIST/INFO INAM; otherwise the title tag ffprobe reads (ID3 TIT2, ©nam, TITLE...)
	Codec      string // for a file decoded by ffmpeg, its codec (mp3, aac, opus...); "" for PCM WAV
}

// Duration is how long the file plays, exactly Frames at SampleRate.
func (i Info) Duration() time.Duration { return Rate(i.SampleRate).D(i.Frames) }

// header is what the chunk walk learns about a file.
type header struct {
	Info
	dataOff  int64 // offset of the first PCM byte
	dataLen  int64 // bytes of whole frames to decode (from the header)
	declared int64 // data size the header declares; -1 when "until the end of file" (0 or 0xFFFFFFFF)
	fileSize int64
	order    binary.ByteOrder // little-endian (RIFF, RF64) or big-endian (RIFX)
	// container is the bits each sample occupies: BitDepth, or more when
	// nBlockAlign is wider than the samples (24-bit samples in 4-byte
	// slots, the valid bits at the top, as ffmpeg reads them).
	container int
}

// blockAlign is the size of one frame in bytes.
func (h header) blockAlign() int { return h.Channels * (h.container / 8) }

// Probe reads and validates the header of the audio file at path; the
// format is told by the content, whatever the file's name. A PCM WAV
// (RIFF, RF64 or big-endian RIFX) is read by our own reader without
// decoding any audio: Frames comes from its data chunk. Anything else
// (MP3, M4A/AAC, Ogg, Opus, AMR, FLAC, WMA, a compressed WAV...) is probed
// with ffprobe and decoded once with ffmpeg to count its frames exactly and
// to find damage. Errors wrap ErrNotWAV (ErrNotAudio), ErrUnsupported,
// ErrBadHeader, ErrNoData, ErrTruncated, ErrDamaged or ErrNoDecoder; on
// error the returned Info holds whatever the header did say.
func Probe(path string) (Info, error) {
	return ProbeContext(context.Background(), path)
}

// ProbeContext is Probe with a context that stops ffmpeg.
func ProbeContext(ctx context.Context, path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{Path: path, Format: formatWAV}, err
	}
	defer f.Close()
	h, err := readHeader(f, path)
	if errors.Is(err, errForeign) {
		f.Close()
		src, err := probeFFmpeg(ctx, path)
		if err != nil {
			return src.info, err
		}
		err = src.count(ctx)
		return src.info, err
	}
	if err != nil {
		return h.Info, err
	}
	if h.declared >= 0 && h.dataOff+h.declared > h.fileSize {
		return h.Info, fmt.Errorf("%w: data chunk declares %d bytes, file holds %d",
			ErrTruncated, h.declared, h.fileSize-h.dataOff)
	}
	return h.Info, nil
}

// IsPCMWAV reports whether our own reader plays the file at path (a PCM or
// float WAV, whatever its header's other faults): false means ffmpeg
// decodes it.
func IsPCMWAV(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = readHeader(f, path)
	return !errors.Is(err, errForeign), nil
}

// errForeign: not a PCM WAV: hand the file to ffmpeg.
var errForeign = errors.New("not a PCM WAV")

// readHeader walks the RIFF chunks of f and validates the format. A data
// chunk longer than the file is not an error here (see Probe and Decoder).
// A file without a WAV signature, or a WAV whose samples are compressed,
// gives an error wrapping errForeign.
func readHeader(f *os.File, path string) (header, error) {
	st, err := f.Stat()
	if err != nil {
		return header{Info: Info{Path: path, Format: formatWAV}}, err
	}
	h, err := parseHeader(f, st.Size())
	h.Path = path
	h.Format = formatWAV
	return h, err
}

// parseHeader reads the header of a WAV image of the given size. Our own
// walk finds every chunk (it copes with data sizes of 0 and 0xFFFFFFFF, odd
// chunks, trailing LIST chunks, RF64, the EXTENSIBLE subformat); see
// goAudioAgrees for how it is checked against go-audio/wav.
func parseHeader(r io.ReaderAt, size int64) (header, error) {
	h, fmtChunk, err := walkChunks(r, size)
	if err != nil {
		return h, err
	}
	if fmtChunk == nil {
		return h, fmt.Errorf("%w: %w (the chunk that says how the samples are stored)", ErrBadHeader, ErrNoFmt)
	}
	if err := h.parseFmt(fmtChunk); err != nil {
		return h, err
	}
	if h.dataOff == 0 {
		return h, fmt.Errorf("%w: no data chunk", ErrNoData)
	}
	// The reference reader's view wins where it can be trusted and differs
	// in nothing but what our walk also found; a disagreement means a file
	// go-audio misreads (see goAudioHeader), and our walk stands.
	if rate, ch, bits, off, ok := goAudioHeader(r, size, h); ok && rate == h.SampleRate && ch == h.Channels && bits == h.BitDepth {
		h.dataOff = off
	}
	ba := int64(h.blockAlign())
	h.dataLen -= h.dataLen % ba // whole frames only; a partial last frame is dropped
	h.Frames = h.dataLen / ba
	if h.Frames == 0 {
		return h, fmt.Errorf("%w: data chunk holds no whole frame (%d bytes)", ErrNoData, h.dataLen)
	}
	return h, nil
}

// walkChunks is our own RIFF walk. It returns the header with the data
// chunk located (dataOff 0 when absent) and the raw fmt chunk body.
func walkChunks(r io.ReaderAt, size int64) (header, []byte, error) {
	h := header{fileSize: size, order: binary.LittleEndian}
	var riff [12]byte
	if size < 12 {
		return h, nil, fmt.Errorf("%w: %w: file too short (%d bytes)", errForeign, ErrNotWAV, size)
	}
	if _, err := r.ReadAt(riff[:], 0); err != nil {
		return h, nil, fmt.Errorf("%w: %w: %v", errForeign, ErrNotWAV, err)
	}
	magic := string(riff[0:4])
	if (magic != "RIFF" && magic != "RF64" && magic != "RIFX") || string(riff[8:12]) != "WAVE" {
		return h, nil, fmt.Errorf("%w: %w: no RIFF/WAVE signature", errForeign, ErrNotWAV)
	}
	if magic == "RIFX" {
		h.order = binary.BigEndian // the same chunks, every number big-endian
	}
	var fmtChunk []byte
	pos := int64(12)
	for pos+8 <= size {
		var ch [8]byte
		if _, err := r.ReadAt(ch[:], pos); err != nil {
			return h, fmtChunk, err
		}
		id := string(ch[0:4])
		csize := int64(h.order.Uint32(ch[4:8]))
		body := pos + 8
		switch id {
		case "fmt ":
			if fmtChunk != nil {
				break // the first one counts
			}
			n := min(csize, 64, size-body)
			fmtChunk = make([]byte, n)
			if _, err := r.ReadAt(fmtChunk, body); err != nil {
				return h, nil, fmt.Errorf("%w: reading fmt chunk: %v", ErrBadHeader, err)
			}
		case "LIST":
			if h.Title == "" && csize <= maxListChunk && body+csize <= size {
				buf := make([]byte, csize)
				if _, err := r.ReadAt(buf, body); err == nil {
					h.Title = infoTitle(buf)
				}
			}
		case "data":
			if h.dataOff != 0 {
				break // the first one counts
			}
			h.dataOff = body
			rest := size - body
			switch {
			case csize == 0xFFFFFFFF, csize == 0 && rest > 0 && !looksLikeChunks(r, body, size, h.order):
				// Written by a recorder streaming to a pipe: the audio runs
				// to the end of the file.
				h.declared = -1
				h.dataLen = rest
				return h, fmtChunk, nil
			case csize > rest:
				// Truncated: there is nothing after the data.
				h.declared = csize
				h.dataLen = csize
				return h, fmtChunk, nil
			}
			h.declared = csize
			h.dataLen = csize
		}
		if body+csize > size {
			break // a broken chunk at the end: ignore it
		}
		pos = body + csize + csize&1 // chunks are word-aligned: skip the pad byte
	}
	return h, fmtChunk, nil
}

// looksLikeChunks reports whether the bytes from pos to size are a clean
// sequence of RIFF chunks (printable IDs, sizes that fit), as after an empty
// data chunk followed by metadata.
func looksLikeChunks(r io.ReaderAt, pos, size int64, order binary.ByteOrder) bool {
	for pos < size {
		if pos+8 > size {
			return false
		}
		var ch [8]byte
		if _, err := r.ReadAt(ch[:], pos); err != nil {
			return false
		}
		for _, c := range ch[:4] {
			if c < 0x20 || c > 0x7e {
				return false
			}
		}
		csize := int64(order.Uint32(ch[4:8]))
		pos += 8 + csize + csize&1
		if pos > size+1 {
			return false
		}
	}
	return true
}

// infoTitle returns the INAM entry of a LIST/INFO chunk body, or "".
func infoTitle(b []byte) string {
	if len(b) < 4 || string(b[:4]) != "INFO" {
		return ""
	}
	b = b[4:]
	for len(b) >= 8 {
		id := string(b[:4])
		n := int(binary.LittleEndian.Uint32(b[4:8]))
		b = b[8:]
		if n > len(b) {
			n = len(b)
		}
		if id == "INAM" {
			v := b[:n]
			if i := bytes.IndexByte(v, 0); i >= 0 {
				v = v[:i]
			}
			return strings.TrimSpace(strings.ToValidUTF8(string(v), "\uFFFD"))
		}
		b = b[min(n+n&1, len(b)):]
	}
	return ""
}

// parseFmt decodes and validates the fmt chunk body. A compressed format
// tag (ADPCM, A-law, µ-law, GSM, MP3 in WAV...) is not an error: the file
// goes to ffmpeg (errForeign).
func (h *header) parseFmt(b []byte) error {
	if len(b) < 16 {
		return fmt.Errorf("%w: fmt chunk is %d bytes, want at least 16", ErrBadHeader, len(b))
	}
	o := h.order
	tag := o.Uint16(b[0:2])
	h.Channels = int(o.Uint16(b[2:4]))
	h.SampleRate = int(o.Uint32(b[4:8]))
	align := int(o.Uint16(b[12:14]))
	h.BitDepth = int(o.Uint16(b[14:16]))
	if tag == wavFormatExtensible {
		if len(b) < 40 {
			return fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE fmt chunk is %d bytes, want 40", ErrBadHeader, len(b))
		}
		tag = o.Uint16(b[24:26]) // the subformat GUID starts with the format tag
	}
	switch tag {
	case wavFormatPCM:
	case wavFormatFloat:
		h.Float = true
	default:
		name := formatTagNames[tag]
		if name == "" {
			name = "unknown"
		}
		return fmt.Errorf("%w: format tag 0x%04X (%s)", errForeign, tag, name)
	}
	if h.Channels == 0 {
		return fmt.Errorf("%w: zero channels", ErrBadHeader)
	}
	if h.SampleRate == 0 {
		return fmt.Errorf("%w: zero sample rate", ErrBadHeader)
	}
	if h.SampleRate < MinSampleRate || h.SampleRate > MaxSampleRate {
		return fmt.Errorf("%w: sample rate %d Hz outside %d–%d", ErrUnsupported, h.SampleRate, MinSampleRate, MaxSampleRate)
	}
	kind := "integer"
	if h.Float {
		kind = "float"
	}
	h.container = h.BitDepth
	packed := h.Channels * ((h.BitDepth + 7) / 8)
	switch {
	case align == 0 || align == packed:
		// The usual case (and a zero nBlockAlign, taken as packed).
	case align < packed:
		return fmt.Errorf("%w: nBlockAlign %d is narrower than %d channels of %d-bit samples", ErrBadHeader, align, h.Channels, h.BitDepth)
	case !h.Float && align%h.Channels == 0 && (align/h.Channels == 2 || align/h.Channels == 3 || align/h.Channels == 4):
		// Samples in wider slots (24-bit samples in 4-byte slots): the
		// valid bits are at the top of each slot, so the slot is read as
		// a sample of its own width.
		h.container = 8 * align / h.Channels
	default:
		return fmt.Errorf("%w: nBlockAlign %d for %d channels of %d-bit %s samples", ErrUnsupported, align, h.Channels, h.BitDepth, kind)
	}
	ok := false
	if h.Float {
		ok = h.BitDepth == 32 || h.BitDepth == 64
	} else {
		ok = h.container == 8 || h.container == 16 || h.container == 24 || h.container == 32
		ok = ok && h.BitDepth > 0 && h.BitDepth <= h.container
	}
	if !ok {
		return fmt.Errorf("%w: %d-bit %s samples", ErrUnsupported, h.BitDepth, kind)
	}
	return nil
}

// goAudioHeader reads the fmt chunk and finds the data chunk with
// go-audio/wav, the project's reference WAV reader. It reports ok=false
// where go-audio cannot be trusted: streamed (size 0 or 0xFFFFFFFF) or
// truncated data chunks, malformed files it panics on. go-audio alone is not
// enough (it drops the EXTENSIBLE subformat, rounds odd data sizes up into
// the pad byte), so parseHeader walks the chunks itself as well and the
// tests prove the two agree on every file both understand.
func goAudioHeader(r io.ReaderAt, size int64, h header) (rate, channels, bits int, dataOff int64, ok bool) {
	if h.dataOff == 0 || h.declared < 0 || h.dataOff+h.declared > size || h.order != binary.LittleEndian || h.container != h.BitDepth {
		return 0, 0, 0, 0, false
	}
	defer func() {
		if recover() != nil { // go-audio on a malformed file
			ok = false
		}
	}()
	sr := io.NewSectionReader(r, 0, size)
	d := wav.NewDecoder(sr)
	d.ReadInfo()
	if d.Err() != nil || d.NumChans == 0 || d.SampleRate == 0 {
		return 0, 0, 0, 0, false
	}
	if err := d.FwdToPCM(); err != nil || d.PCMChunk == nil {
		return 0, 0, 0, 0, false
	}
	off, err := sr.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, 0, 0, 0, false
	}
	return int(d.SampleRate), int(d.NumChans), int(d.BitDepth), off, true
}

// goAudioAgrees reports whether go-audio reads the header as our walk does.
func goAudioAgrees(r io.ReaderAt, size int64, h header) bool {
	rate, ch, bits, off, ok := goAudioHeader(r, size, h)
	return ok && rate == h.SampleRate && ch == h.Channels && bits == h.BitDepth && off == h.dataOff
}
