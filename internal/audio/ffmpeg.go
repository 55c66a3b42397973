package audio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Every file that is not a PCM WAV (MP3, M4A/AAC, Ogg Vorbis/Opus, AMR,
// FLAC, WMA, a compressed WAV...) is decoded by ffmpeg, the field's
// reference decoder, to 32-bit float at the file's own sample rate and
// channel count. We never decode a compressed format ourselves: go-mp3 once
// turned MPEG-2 MP3s into noise.

// formatWAV is Info.Format for a PCM WAV read by our own reader.
const formatWAV = "wav"

// maxStderr bounds an unterminated line of ffmpeg's log we keep.
const maxStderr = 16 << 10

// ffSource is a file ffprobe found an audio stream in.
type ffSource struct {
	info Info
	// tags are byte ranges of an MP3 that are tags left in the middle of
	// the stream (by joining files with cat): they are cut out before
	// ffmpeg reads the file, which would otherwise take them for damage.
	tags [][2]int64
	size int64
}

// ffprobeOutput is the part of `ffprobe -of json` we read.
type ffprobeOutput struct {
	Streams []struct {
		CodecType  string            `json:"codec_type"`
		CodecName  string            `json:"codec_name"`
		SampleRate string            `json:"sample_rate"`
		Channels   int               `json:"channels"`
		Tags       map[string]string `json:"tags"`
	} `json:"streams"`
	Format struct {
		FormatName string            `json:"format_name"`
		Tags       map[string]string `json:"tags"`
	} `json:"format"`
}

// lookTools finds ffprobe and ffmpeg.
func lookTools() (ffprobe, ffmpeg string, err error) {
	if ffprobe, err = exec.LookPath("ffprobe"); err == nil {
		ffmpeg, err = exec.LookPath("ffmpeg")
	}
	if err != nil {
		return "", "", fmt.Errorf("%w: only PCM WAV plays without it (apt-get install ffmpeg): %v", ErrNoDecoder, err)
	}
	return ffprobe, ffmpeg, nil
}

// probeFFmpeg asks ffprobe what the file at path holds and picks its first
// audio stream.
func probeFFmpeg(ctx context.Context, path string) (ffSource, error) {
	src := ffSource{info: Info{Path: path, BitDepth: 32, Float: true}}
	st, err := os.Stat(path)
	if err != nil {
		return src, err
	}
	src.size = st.Size()
	if st.Size() == 0 {
		return src, fmt.Errorf("%w: empty file", ErrNotAudio)
	}
	ffprobe, _, err := lookTools()
	if err != nil {
		return src, err
	}
	cmd := exec.CommandContext(ctx, ffprobe, "-v", "error", "-of", "json",
		"-show_entries", "format=format_name:format_tags=title:stream=codec_type,codec_name,sample_rate,channels:stream_tags=title",
		"file:"+path)
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return src, ctx.Err()
		}
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		return src, fmt.Errorf("%w: ffprobe: %s", ErrNotAudio, firstLine(string(stderr), err))
	}
	var p ffprobeOutput
	if err := json.Unmarshal(out, &p); err != nil {
		return src, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	for _, s := range p.Streams {
		if s.CodecType != "audio" {
			continue
		}
		src.info.Codec = s.CodecName
		src.info.SampleRate, _ = strconv.Atoi(s.SampleRate)
		src.info.Channels = s.Channels
		src.info.Title = tag(s.Tags, "title")
		break
	}
	if src.info.Codec == "" {
		return src, fmt.Errorf("%w: no audio stream (ffprobe reads it as %q)", ErrNotAudio, p.Format.FormatName)
	}
	if t := tag(p.Format.Tags, "title"); t != "" {
		src.info.Title = t
	}
	src.info.Format = shortFormat(p.Format.FormatName, src.info.Codec)
	switch {
	case src.info.Channels <= 0:
		return src, fmt.Errorf("%w: %s audio stream without channels", ErrBadHeader, src.info.Codec)
	case src.info.SampleRate <= 0:
		return src, fmt.Errorf("%w: %s audio stream without a sample rate", ErrBadHeader, src.info.Codec)
	case src.info.SampleRate < MinSampleRate || src.info.SampleRate > MaxSampleRate:
		return src, fmt.Errorf("%w: sample rate %d Hz outside %d–%d", ErrUnsupported, src.info.SampleRate, MinSampleRate, MaxSampleRate)
	}
	if src.info.Format == "mp3" {
		if src.tags, err = midStreamTags(path, src.size); err != nil {
			return src, err
		}
	}
	return src, nil
}

// tag looks a tag up whatever its case (Vorbis comments are upper case).
func tag(tags map[string]string, key string) string {
	for k, v := range tags {
		if strings.EqualFold(k, key) {
			return strings.TrimSpace(strings.ToValidUTF8(v, "\uFFFD"))
		}
	}
	return ""
}

// shortFormat names a file's format as a file name extension would.
func shortFormat(formatName, codec string) string {
	switch {
	case codec == "opus":
		return "opus"
	case strings.HasPrefix(formatName, "mov,mp4,m4a"):
		return "m4a"
	case formatName == "asf":
		return "wma"
	case formatName == "amr":
		return "amr"
	}
	name, _, _ := strings.Cut(formatName, ",")
	return name
}

// firstLine returns the first non-empty line of ffmpeg's error output, or
// err's text.
func firstLine(s string, err error) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return err.Error()
}

// ignorable reports whether an ffmpeg error line says nothing about the
// audio: the raw muxer's complaint about timestamps when the sample rate
// changes mid-stream (the samples themselves are right).
func ignorable(line string) bool {
	return strings.Contains(line, "non monotonically increasing dts")
}

// start runs ffmpeg decoding the source to 32-bit float samples at its
// rate and channel count on the returned pipe. -xerror makes the first
// frame ffmpeg cannot decode fatal, so that how far the output got says
// where the damage is. Its log goes to an ffLog.
func (s ffSource) start(ctx context.Context) (*exec.Cmd, io.ReadCloser, *ffLog, error) {
	_, ffmpeg, err := lookTools()
	if err != nil {
		return nil, nil, nil, err
	}
	args := []string{"-hide_banner", "-nostats", "-v", "level+verbose", "-xerror"}
	var in io.Reader
	if len(s.tags) > 0 {
		r, err := s.withoutTags()
		if err != nil {
			return nil, nil, nil, err
		}
		in = r
		args = append(args, "-f", "mp3", "-i", "pipe:0")
	} else {
		args = append(args, "-nostdin", "-i", "file:"+s.info.Path)
	}
	args = append(args, "-map", "0:a:0", "-vn", "-sn", "-dn",
		"-ar", strconv.Itoa(s.info.SampleRate), "-ac", strconv.Itoa(s.info.Channels),
		"-c:a", "pcm_f32le", "-f", "f32le", "pipe:1")
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.Stdin = in
	log := &ffLog{}
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("start ffmpeg: %w", err)
	}
	return cmd, out, log, nil
}

// decode decodes the whole source into w (raw little-endian float32,
// interleaved) and returns the frames written and the highest sample rate
// the decoder delivered. Damage ffmpeg reports fails with ErrDamaged,
// naming where it is.
func (s ffSource) decode(ctx context.Context, w io.Writer) (frames int64, top int, err error) {
	cmd, out, log, err := s.start(ctx)
	if err != nil {
		return 0, 0, err
	}
	n, copyErr := io.Copy(w, out)
	waitErr := cmd.Wait()
	frames = n / int64(4*s.info.Channels)
	if ctx.Err() != nil {
		return frames, 0, ctx.Err()
	}
	if copyErr != nil {
		return frames, 0, fmt.Errorf("decode %s: %w", s.info.Path, copyErr)
	}
	if err := s.verdict(log, waitErr, frames); err != nil {
		return frames, 0, err
	}
	if frames == 0 {
		return 0, 0, fmt.Errorf("%w: %s decodes to nothing", ErrNoData, s.info.Format)
	}
	return frames, log.topRate(), nil
}

// count decodes the source once to learn its exact length and refuse
// damage. A stream whose rate rises mid-way (two MP3s joined) is counted
// again at the highest rate, which the whole file is then decoded at: the
// lower part is resampled up rather than the higher one down.
func (s *ffSource) count(ctx context.Context) error {
	frames, top, err := s.decode(ctx, io.Discard)
	if err == nil && top > s.info.SampleRate && top <= MaxSampleRate {
		s.info.SampleRate = top
		frames, _, err = s.decode(ctx, io.Discard)
	}
	s.info.Frames = frames
	return err
}

// verdict turns ffmpeg's exit and log into our error: nil when it decoded
// the whole file without an error. Warnings (an estimated duration, say)
// do not count, but one may be all ffmpeg says when it stops.
func (s ffSource) verdict(log *ffLog, waitErr error, frames int64) error {
	errs, warn := log.result()
	if waitErr == nil && len(errs) == 0 {
		return nil
	}
	var msg string
	switch {
	case len(errs) > 0:
		msg = errs[0]
	case warn != "":
		msg = warn
	default:
		msg = waitErr.Error()
	}
	if strings.Contains(msg, "ecoder") && (strings.Contains(msg, "not found") || strings.Contains(msg, "no decoder")) {
		return fmt.Errorf("%w: no decoder for %s in this ffmpeg: %s", ErrUnsupported, s.info.Codec, msg)
	}
	if strings.Contains(msg, "not implemented") || strings.Contains(msg, "Not yet implemented") {
		// A feature of the codec this ffmpeg does not decode (AMR's
		// silence compression, DTX): not damage, but nothing we can play.
		return fmt.Errorf("%w: %s: ffmpeg cannot decode a feature of this %s file: %s", ErrUnsupported, s.info.Path, s.info.Codec, msg)
	}
	at := Rate(s.info.SampleRate).D(frames)
	return fmt.Errorf("%w: %s: ffmpeg cannot decode it from %d:%02d on: %s", ErrDamaged, s.info.Path,
		int(at.Minutes()), int(at.Seconds())%60, msg)
}

// ffLog keeps what matters of ffmpeg's log (-v level+verbose) as it is
// written: the first error lines (not the ignorable ones), the last
// warning, and the highest sample rate the decoder delivered (each filter
// graph configuration logs it).
type ffLog struct {
	mu      sync.Mutex
	partial []byte
	errs    []string
	warn    string
	top     int
}

const maxLogErrors = 8

var (
	ffLevel     = regexp.MustCompile(`(?:^|\] )\[(panic|fatal|error|warning|info|verbose|debug|trace)\] `)
	ffGraphRate = regexp.MustCompile(`^\[graph_\d+_in_\S+ @ 0x[0-9a-f]+\] \[verbose\] tb:\S+ samplefmt:\S+ samplerate:(\d+)`)
)

func (l *ffLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.line(strings.TrimSpace(string(l.partial[:i])))
		l.partial = l.partial[i+1:]
	}
	if len(l.partial) > maxStderr { // a line without end: keep its start
		l.line(string(l.partial))
		l.partial = l.partial[:0]
	}
	return len(p), nil
}

func (l *ffLog) line(s string) {
	m := ffLevel.FindStringSubmatch(s)
	level := "error" // an untagged line: take it seriously
	if m != nil {
		level = m[1]
	}
	switch {
	case s == "" || ignorable(s):
	case level == "warning":
		l.warn = cleanLine(s)
	case level == "panic" || level == "fatal" || level == "error":
		if len(l.errs) < maxLogErrors {
			l.errs = append(l.errs, cleanLine(s))
		}
	default:
		if g := ffGraphRate.FindStringSubmatch(s); g != nil {
			if r, err := strconv.Atoi(g[1]); err == nil {
				l.top = max(l.top, r)
			}
		}
	}
}

func (l *ffLog) result() (errs []string, warn string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.partial) > 0 {
		l.line(strings.TrimSpace(string(l.partial)))
		l.partial = nil
	}
	return slices.Clone(l.errs), l.warn
}

func (l *ffLog) topRate() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.top
}

// String is the log's first error, or its last warning.
func (l *ffLog) String() string {
	errs, warn := l.result()
	if len(errs) > 0 {
		return errs[0]
	}
	return warn
}

// ffLogPrefix is the "[mp3float @ 0x55f60aae6680] [error] " ffmpeg puts
// before its messages.
var ffLogPrefix = regexp.MustCompile(`^(?:\[([\w.-]+) @ 0x[0-9a-f]+\] )?\[(?:warning|error|fatal|panic)\] `)

// cleanLine drops the address and level from an ffmpeg log line.
func cleanLine(l string) string {
	m := ffLogPrefix.FindStringSubmatch(l)
	switch {
	case m == nil:
		return l
	case m[1] == "":
		return l[len(m[0]):]
	}
	return m[1] + ": " + l[len(m[0]):]
}

// withoutTags returns the file's bytes with the mid-stream tags cut out.
func (s ffSource) withoutTags() (io.Reader, error) {
	f, err := os.Open(s.info.Path)
	if err != nil {
		return nil, err
	}
	var parts []io.Reader
	pos := int64(0)
	for _, t := range s.tags {
		parts = append(parts, io.NewSectionReader(f, pos, t[0]-pos))
		pos = t[1]
	}
	parts = append(parts, io.NewSectionReader(f, pos, s.size-pos), closeOnEOF{f})
	return io.MultiReader(parts...), nil
}

// closeOnEOF closes a file once the reader before it is used up.
type closeOnEOF struct{ f *os.File }

func (c closeOnEOF) Read([]byte) (int, error) {
	c.f.Close()
	return 0, io.EOF
}

// midStreamTags finds ID3v2 and ID3v1 tags after the start of an MP3 that
// sit between two MPEG frames, as `cat a.mp3 b.mp3` leaves them. A tag at
// the very start or end is left alone: ffmpeg reads those itself.
func midStreamTags(path string, size int64) ([][2]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	first := int64(0)
	for {
		t, ok := readID3v2(f, first, size)
		if !ok {
			break
		}
		first += t.size
	}
	var tags [][2]int64
	const chunk = 1 << 20
	buf := make([]byte, chunk+16)
	for off := first + 1; off < size; off += chunk {
		n, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		b := buf[:n]
		for i := 0; i < min(n, chunk); i++ {
			at := off + int64(i)
			if len(tags) > 0 && at < tags[len(tags)-1][1] {
				continue
			}
			var end int64
			switch {
			case b[i] == 'I' && bytes.HasPrefix(b[i:], []byte("ID3")):
				t, ok := readID3v2(f, at, size)
				if !ok {
					continue
				}
				end = at + t.size
			case b[i] == 'T' && bytes.HasPrefix(b[i:], []byte("TAG")) && at+128 < size:
				end = at + 128
			default:
				continue
			}
			if end < size && frameFollows(f, end, size) {
				tags = append(tags, [2]int64{at, end})
			}
		}
	}
	return tags, nil
}

// frameFollows reports whether an MPEG audio frame header (or another tag)
// starts at off.
func frameFollows(r io.ReaderAt, off, size int64) bool {
	var h [4]byte
	if off+4 > size {
		return false
	}
	if _, err := r.ReadAt(h[:], off); err != nil {
		return false
	}
	if string(h[:3]) == "ID3" || string(h[:3]) == "TAG" {
		return true
	}
	v, l, br, sr := (h[1]>>3)&3, (h[1]>>1)&3, h[2]>>4, (h[2]>>2)&3
	return h[0] == 0xFF && h[1]&0xE0 == 0xE0 && v != 1 && l != 0 && br != 15 && sr != 3
}

// Convert decodes the file at src with ffmpeg into a WAV of 32-bit float
// samples at dst (the source's own rate and channel count): the house
// format the library plays with our own reader. dst is written in full or
// removed. It returns the source's Info (format, codec, title) with the
// frames decoded. A PCM WAV needs no conversion: IsPCMWAV tells which.
func Convert(ctx context.Context, src, dst string) (Info, error) {
	s, err := probeFFmpeg(ctx, src)
	if err != nil {
		return s.info, err
	}
	f, err := os.Create(dst)
	if err != nil {
		return s.info, err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(dst)
		}
	}()
	var frames int64
	for {
		if err := f.Truncate(0); err != nil {
			return s.info, fmt.Errorf("write %s: %w", dst, err)
		}
		if _, err := f.WriteAt(floatWAVHeader(s.info.SampleRate, s.info.Channels, 0), 0); err != nil {
			return s.info, fmt.Errorf("write %s: %w", dst, err)
		}
		if _, err := f.Seek(44, io.SeekStart); err != nil {
			return s.info, err
		}
		w := bufio.NewWriterSize(f, readBufferSize)
		var top int
		frames, top, err = s.decode(ctx, w)
		s.info.Frames = frames
		if err != nil {
			return s.info, err
		}
		if err := w.Flush(); err != nil {
			return s.info, fmt.Errorf("write %s: %w", dst, err)
		}
		if top <= s.info.SampleRate || top > MaxSampleRate {
			break
		}
		// The rate rose mid-stream (two MP3s joined): decode it all
		// again at the highest rate (see count).
		s.info.SampleRate = top
	}
	data := frames * int64(4*s.info.Channels)
	if _, err := f.WriteAt(floatWAVHeader(s.info.SampleRate, s.info.Channels, data), 0); err != nil {
		return s.info, fmt.Errorf("write %s: %w", dst, err)
	}
	if err := f.Sync(); err != nil {
		return s.info, fmt.Errorf("write %s: %w", dst, err)
	}
	if err := f.Close(); err != nil {
		return s.info, fmt.Errorf("write %s: %w", dst, err)
	}
	ok = true
	return s.info, nil
}

// floatWAVHeader is the 44-byte header of a 32-bit float WAV holding data
// bytes of samples. Past 4 GiB the sizes say 0xFFFFFFFF: "to the end of
// the file", which our reader honours.
func floatWAVHeader(rate, channels int, data int64) []byte {
	size := uint32(0xFFFFFFFF)
	riff := uint32(0xFFFFFFFF)
	if data+36 < 0xFFFFFFFF {
		size, riff = uint32(data), uint32(data+36)
	}
	h := make([]byte, 0, 44)
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, riff)
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, wavFormatFloat)
	h = binary.LittleEndian.AppendUint16(h, uint16(channels))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate*channels*4))
	h = binary.LittleEndian.AppendUint16(h, uint16(channels*4))
	h = binary.LittleEndian.AppendUint16(h, 32)
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, size)
	return h
}
