package library_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

const rate = 16000

// wavBytes is a 16-bit PCM mono 16 kHz WAV of ms milliseconds of a sine at
// freq Hz, with a LIST/INFO INAM chunk holding title when it is not empty.
func wavBytes(freq float64, ms int, title string) []byte {
	return wavFrames(freq, rate*ms/1000, title)
}

// wavFrames is wavBytes of a number of frames.
func wavFrames(freq float64, frames int, title string) []byte {
	data := make([]byte, 2*frames)
	for i := range frames {
		v := int16(0.3 * 32767 * math.Sin(2*math.Pi*freq*float64(i)/rate))
		binary.LittleEndian.PutUint16(data[2*i:], uint16(v))
	}
	var body bytes.Buffer
	le := func(v any) { binary.Write(&body, binary.LittleEndian, v) }
	body.WriteString("WAVE")
	body.WriteString("fmt ")
	le(uint32(16))
	le(uint16(1))        // PCM
	le(uint16(1))        // mono
	le(uint32(rate))     // sample rate
	le(uint32(rate * 2)) // byte rate
	le(uint16(2))        // block align
	le(uint16(16))       // bits per sample
	if title != "" {
		text := append([]byte(title), 0)
		if len(text)%2 == 1 {
			text = append(text, 0)
		}
		body.WriteString("LIST")
		le(uint32(4 + 8 + len(text)))
		body.WriteString("INFO")
		body.WriteString("INAM")
		le(uint32(len(text)))
		body.Write(text)
	}
	body.WriteString("data")
	le(uint32(len(data)))
	body.Write(data)
	var out bytes.Buffer
	out.WriteString("RIFF")
	binary.Write(&out, binary.LittleEndian, uint32(body.Len()))
	out.Write(body.Bytes())
	return out.Bytes()
}

func write(t *testing.T, path string, content []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var importedAt = time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)

func newImporter(t *testing.T) (*library.Importer, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	im := &library.Importer{Store: st, Topics: map[string]bool{"tthc": true, "chi-so": true, "bo-may": true},
		Now: func() time.Time { return importedAt }, LibraryDir: filepath.Join(t.TempDir(), "library")}
	return im, st
}

func stored(t *testing.T, st *store.Store) []playlist.Segment {
	t.Helper()
	segs, err := st.Segments(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	return segs
}

func TestImportFolder(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	media := filepath.Join(root, "media")
	a := write(t, filepath.Join(media, "tthc", "a.wav"), wavBytes(440, 500, ""))
	nested := write(t, filepath.Join(media, "chi-so", "2024", "thang5.WAV"), wavBytes(550, 400, ""))
	write(t, filepath.Join(media, "jingles", "j.wav"), wavBytes(660, 300, ""))
	write(t, filepath.Join(media, "README.md"), []byte("# Thư mục bản tin\n"))
	write(t, filepath.Join(media, "tthc", "ghi-chu.txt"), []byte("không phải âm thanh"))

	tests := []struct {
		name   string
		path   string
		topics map[string][]string // file → topics
	}{
		{"media folder", media, map[string][]string{a: {"tthc"}, nested: {"chi-so"}}},
		{"topic folder itself", filepath.Join(media, "tthc"), map[string][]string{a: {"tthc"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, st := newImporter(t)
			var calls [][2]int
			results, err := im.Import(ctx, []string{tt.path}, library.Options{}, func(done, total int, _ string) {
				calls = append(calls, [2]int{done, total})
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != len(tt.topics) {
				t.Fatalf("results = %d %+v, want %d", len(results), results, len(tt.topics))
			}
			for _, r := range results {
				if r.Err != nil {
					t.Errorf("%s: %v", r.Path, r.Err)
					continue
				}
				want, ok := tt.topics[r.Path]
				if !ok {
					t.Errorf("unexpected file %s imported", r.Path)
					continue
				}
				if !reflect.DeepEqual(r.Segment.Topics, want) {
					t.Errorf("%s: topics %v, want %v", r.Path, r.Segment.Topics, want)
				}
				if r.Existed || r.Segment.ID == 0 || !filepath.IsAbs(r.Segment.Path) {
					t.Errorf("%s: existed %v id %d path %q", r.Path, r.Existed, r.Segment.ID, r.Segment.Path)
				}
				if r.Segment.SampleRate != rate || r.Segment.Channels != 1 || r.Segment.BitDepth != 16 {
					t.Errorf("%s: format %d Hz %d ch %d bit", r.Path, r.Segment.SampleRate, r.Segment.Channels, r.Segment.BitDepth)
				}
				if r.Segment.Priority != playlist.PriorityNormal || r.Segment.Approved || !r.Segment.ImportedAt.Equal(importedAt) {
					t.Errorf("%s: priority %q approved %v imported %v", r.Path, r.Segment.Priority, r.Segment.Approved, r.Segment.ImportedAt)
				}
			}
			if n := len(stored(t, st)); n != len(tt.topics) {
				t.Errorf("stored %d segments, want %d", n, len(tt.topics))
			}
			n := len(tt.topics)
			if len(calls) != n+1 || calls[n] != [2]int{n, n} {
				t.Errorf("progress calls %v, want %d then (%d, %d)", calls, n, n, n)
			}
		})
	}
}

func TestImportMeasures(t *testing.T) {
	im, _ := newImporter(t)
	path := write(t, filepath.Join(t.TempDir(), "tthc", "b.wav"), wavBytes(1000, 750, ""))
	results, err := im.Import(context.Background(), []string{path}, library.Options{Topics: []string{"tthc"}}, nil)
	if err != nil || len(results) != 1 || results[0].Err != nil {
		t.Fatalf("import: %v %+v", err, results)
	}
	s := results[0].Segment
	if s.Duration != 750*time.Millisecond {
		t.Errorf("duration %v, want 750ms", s.Duration)
	}
	if len(s.SHA256) != 64 {
		t.Errorf("sha256 %q", s.SHA256)
	}
	// A sine at 0.3 of full scale peaks near -10.5 dBFS; K-weighted loudness is near that.
	if s.TruePeakDBTP > -9 || s.TruePeakDBTP < -12 {
		t.Errorf("true peak %.2f dBTP, want about -10.5", s.TruePeakDBTP)
	}
	if math.IsInf(s.LoudnessLUFS, 0) || s.LoudnessLUFS > -5 || s.LoudnessLUFS < -20 {
		t.Errorf("loudness %.2f LUFS, want a finite level near -13", s.LoudnessLUFS)
	}
}

func TestImportNoTopic(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	loose := write(t, filepath.Join(root, "loose.wav"), wavBytes(440, 300, ""))
	misc := write(t, filepath.Join(root, "media", "khac", "m.wav"), wavBytes(450, 300, ""))
	inTopic := write(t, filepath.Join(root, "tthc", "named.wav"), wavBytes(460, 300, ""))
	tests := []struct {
		name    string
		path    string
		opts    library.Options
		wantErr error
		topics  []string
	}{
		{"loose file", loose, library.Options{}, library.ErrNoTopic, nil},
		{"folder not named after a topic", filepath.Join(root, "media"), library.Options{}, library.ErrNoTopic, nil},
		{"loose file with --topic", loose, library.Options{Topics: []string{"bo-may", "tthc"}}, nil, []string{"bo-may", "tthc"}},
		{"--topic wins over the folder", filepath.Join(root, "media"), library.Options{Topics: []string{"chi-so"}}, nil, []string{"chi-so"}},
		{"file under a topic folder given by name", inTopic, library.Options{}, nil, []string{"tthc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, st := newImporter(t)
			results, err := im.Import(ctx, []string{tt.path}, tt.opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != 1 {
				t.Fatalf("results %+v, want one", results)
			}
			r := results[0]
			if r.Path != loose && r.Path != misc && r.Path != inTopic {
				t.Errorf("result path %q", r.Path)
			}
			if tt.wantErr != nil {
				if !errors.Is(r.Err, tt.wantErr) {
					t.Errorf("err = %v, want %v", r.Err, tt.wantErr)
				}
				if n := len(stored(t, st)); n != 0 {
					t.Errorf("stored %d segments, want 0", n)
				}
				return
			}
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if !reflect.DeepEqual(r.Segment.Topics, tt.topics) {
				t.Errorf("topics %v, want %v", r.Segment.Topics, tt.topics)
			}
		})
	}
}

func TestImportUnknownTopicOption(t *testing.T) {
	im, st := newImporter(t)
	path := write(t, filepath.Join(t.TempDir(), "a.wav"), wavBytes(440, 300, ""))
	_, err := im.Import(context.Background(), []string{path}, library.Options{Topics: []string{"tthc", "khong-co"}}, nil)
	if !errors.Is(err, library.ErrUnknownTopic) {
		t.Fatalf("err = %v, want ErrUnknownTopic", err)
	}
	if n := len(stored(t, st)); n != 0 {
		t.Errorf("stored %d segments, want 0", n)
	}
}

func TestImportBadFileDoesNotStopGoodOnes(t *testing.T) {
	im, st := newImporter(t)
	dir := filepath.Join(t.TempDir(), "tthc")
	bad := write(t, filepath.Join(dir, "x.wav"), []byte("đây là văn bản, không phải WAV\n"))
	empty := write(t, filepath.Join(dir, "empty.wav"), nil)
	good := write(t, filepath.Join(dir, "good.wav"), wavBytes(440, 300, ""))
	missing := filepath.Join(dir, "missing.wav")
	results, err := im.Import(context.Background(), []string{bad, missing, empty, good}, library.Options{Topics: []string{"tthc"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 4 {
		t.Fatalf("results = %d, want 4", len(results))
	}
	tests := []struct {
		path string
		want error // nil = imported
	}{
		{bad, audio.ErrNotWAV},
		{missing, os.ErrNotExist},
		{empty, audio.ErrNotWAV},
		{good, nil},
	}
	for i, tt := range tests {
		r := results[i]
		if r.Path != tt.path {
			t.Errorf("result %d is %s, want %s", i, r.Path, tt.path)
		}
		if tt.want == nil {
			if r.Err != nil || r.Segment.ID == 0 {
				t.Errorf("%s: err %v id %d, want imported", filepath.Base(r.Path), r.Err, r.Segment.ID)
			}
			continue
		}
		if !errors.Is(r.Err, tt.want) {
			t.Errorf("%s: err = %v, want one wrapping %v", filepath.Base(r.Path), r.Err, tt.want)
		}
	}
	segs := stored(t, st)
	if len(segs) != 1 || segs[0].Title != "good" {
		t.Errorf("stored %+v, want only good.wav", segs)
	}
}

func TestImportTwice(t *testing.T) {
	ctx := context.Background()
	im, st := newImporter(t)
	dir := t.TempDir()
	content := wavBytes(440, 300, "")
	first := write(t, filepath.Join(dir, "tthc", "a.wav"), content)
	copyOf := write(t, filepath.Join(dir, "chi-so", "a-copy.wav"), content)
	opts := library.Options{Topics: []string{"tthc"}}

	r1, err := im.Import(ctx, []string{first}, opts, nil)
	if err != nil || r1[0].Err != nil {
		t.Fatalf("first import: %v %+v", err, r1)
	}
	tests := []struct {
		name string
		path string
	}{{"same file", first}, {"same content elsewhere", copyOf}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r2, err := im.Import(ctx, []string{tt.path}, library.Options{Topics: []string{"chi-so"}}, nil)
			if err != nil || r2[0].Err != nil {
				t.Fatalf("import again: %v %+v", err, r2)
			}
			if !r2[0].Existed || r2[0].Segment.ID != r1[0].Segment.ID {
				t.Errorf("existed %v id %d, want true and %d", r2[0].Existed, r2[0].Segment.ID, r1[0].Segment.ID)
			}
			if !reflect.DeepEqual(r2[0].Segment.Topics, []string{"tthc"}) || r2[0].Segment.Path != first {
				t.Errorf("stored segment changed: topics %v path %s", r2[0].Segment.Topics, r2[0].Segment.Path)
			}
		})
	}
	if n := len(stored(t, st)); n != 1 {
		t.Errorf("stored %d segments, want 1", n)
	}
}

func TestImportTitleAndOptions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tthc")
	tests := []struct {
		name  string
		file  string
		inam  string
		opts  library.Options
		title string
	}{
		{"INAM title", "ban-tin-01.wav", "Dịch vụ công trực tuyến", library.Options{}, "Dịch vụ công trực tuyến"},
		{"INAM of even length", "b2.wav", "Một cửa", library.Options{}, "Một cửa"},
		{"no INAM: file name", "ban-tin-02.wav", "", library.Options{}, "ban-tin-02"},
		{"blank INAM: file name", "ban-tin-03.wav", "   ", library.Options{}, "ban-tin-03"},
		{"--title wins", "ban-tin-04.wav", "Tên trong tệp", library.Options{Title: "Tên do cán bộ đặt"}, "Tên do cán bộ đặt"},
		{"options stored", "ban-tin-05.wav", "", library.Options{ValidFrom: "2024-05-01", ValidUntil: "2024-05-31",
			Priority: playlist.PriorityPriority}, "ban-tin-05"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, _ := newImporter(t)
			path := write(t, filepath.Join(dir, tt.file), wavBytes(300+float64(50*i), 300, tt.inam))
			if info, err := audio.Probe(path); err != nil || info.Frames != rate*300/1000 {
				t.Fatalf("test WAV: %+v %v", info, err)
			}
			opts := tt.opts
			opts.Topics = []string{"tthc"}
			results, err := im.Import(context.Background(), []string{path}, opts, nil)
			if err != nil || len(results) != 1 || results[0].Err != nil {
				t.Fatalf("import: %v %+v", err, results)
			}
			s := results[0].Segment
			if s.Title != tt.title {
				t.Errorf("title %q, want %q", s.Title, tt.title)
			}
			wantPrio := tt.opts.Priority
			if wantPrio == "" {
				wantPrio = playlist.PriorityNormal
			}
			if s.ValidFrom != tt.opts.ValidFrom || s.ValidUntil != tt.opts.ValidUntil || s.Priority != wantPrio {
				t.Errorf("options not stored: valid %q..%q priority %q", s.ValidFrom, s.ValidUntil, s.Priority)
			}
		})
	}
}

func TestImportCancelled(t *testing.T) {
	im, st := newImporter(t)
	path := write(t, filepath.Join(t.TempDir(), "tthc", "a.wav"), wavBytes(440, 300, ""))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := im.Import(ctx, []string{path}, library.Options{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := len(stored(t, st)); n != 0 {
		t.Errorf("stored %d segments, want 0", n)
	}
}

// mp3File encodes a stereo 44.1 kHz sine of the given length to path with
// ffmpeg, titled title (ID3v2) when it is not empty.
func mp3File(t *testing.T, path string, seconds int, title string) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg not on PATH: the MP3 import test encodes its file with it — install it (apt-get install ffmpeg)")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=1000:duration=" + strconv.Itoa(seconds),
		"-ac", "2", "-ar", "44100", "-b:a", "128k", "-f", "mp3"}
	if title != "" {
		args = append(args, "-metadata", "title="+title)
	}
	if out, err := exec.Command(ffmpeg, append(args, path)...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return path
}

func TestImportMP3(t *testing.T) {
	ctx := context.Background()
	im, st := newImporter(t)
	media := filepath.Join(t.TempDir(), "media")
	const title = "Dịch vụ công trực tuyến"
	x := mp3File(t, filepath.Join(media, "tthc", "x.mp3"), 3, title)
	upper := mp3File(t, filepath.Join(media, "chi-so", "Y.MP3"), 2, "")
	wav := write(t, filepath.Join(media, "tthc", "a.wav"), wavBytes(440, 500, ""))
	write(t, filepath.Join(media, "tthc", "notes.mp3.txt"), []byte("không phải âm thanh"))

	results, err := im.Import(ctx, []string{media}, library.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]playlist.Segment{}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Path, r.Err)
			continue
		}
		got[r.Path] = r.Segment
	}
	if len(results) != 3 || len(got) != 3 {
		t.Fatalf("imported %d of %d results, want x.mp3, Y.MP3 and a.wav: %+v", len(got), len(results), results)
	}
	seg := got[x]
	if seg.Title != title || !reflect.DeepEqual(seg.Topics, []string{"tthc"}) {
		t.Errorf("x.mp3: title %q topics %v, want %q [tthc]", seg.Title, seg.Topics, title)
	}
	if seg.SampleRate != 44100 || seg.Channels != 2 || seg.BitDepth != 32 {
		t.Errorf("x.mp3: %d Hz %d ch %d bit, want 44100 Hz 2 ch 32-bit float (the house format)", seg.SampleRate, seg.Channels, seg.BitDepth)
	}
	// The Info frame is not audio and the encoder's delay and padding are
	// cut: exactly the 3 s encoded.
	if seg.Duration != 3*time.Second {
		t.Errorf("x.mp3: duration %v, want 3 s", seg.Duration)
	}
	// It plays from the house WAV; the original, untouched, gives the
	// SHA-256.
	if filepath.Dir(seg.Path) != im.LibraryDir || filepath.Ext(seg.Path) != ".wav" {
		t.Errorf("x.mp3 plays from %s, want a WAV in %s", seg.Path, im.LibraryDir)
	}
	if info, err := audio.Probe(seg.Path); err != nil || info.Format != "wav" || !info.Float {
		t.Errorf("house file %s: %+v, %v", seg.Path, info, err)
	}
	if sum := sha256.Sum256(mustRead(t, x)); seg.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("x.mp3: SHA-256 %s is not the original's", seg.SHA256)
	}
	if math.IsInf(seg.LoudnessLUFS, 0) || math.Abs(seg.LoudnessLUFS-(-21.5)) > 1 {
		t.Errorf("x.mp3: loudness %.2f LUFS, want about -21.5 (a sine at 1/8 full scale)", seg.LoudnessLUFS)
	}
	if s := got[upper]; s.Title != "Y" || !reflect.DeepEqual(s.Topics, []string{"chi-so"}) {
		t.Errorf("Y.MP3: title %q topics %v, want the file name and chi-so", s.Title, s.Topics)
	}
	if _, ok := got[wav]; !ok {
		t.Errorf("a.wav not imported beside the MP3s")
	}
	if n := len(stored(t, st)); n != 3 {
		t.Errorf("stored %d segments, want 3", n)
	}

	// Refused by content, whatever the name: a text file named .mp3.
	bad := write(t, filepath.Join(media, "tthc", "fake.mp3"), []byte("đây là văn bản, không phải MP3\n"))
	results, err = im.Import(ctx, []string{bad}, library.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || !errors.Is(results[0].Err, audio.ErrNotWAV) || !errors.Is(results[0].Err, audio.ErrNotAudio) {
		t.Errorf("fake.mp3: %+v, want an error wrapping ErrNotAudio and ErrNotWAV", results)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ffmpegEncode makes path from a sine with ffmpeg's output options.
func ffmpegEncode(t *testing.T, path string, opts ...string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=2"}, opts...)
	if out, err := exec.Command("ffmpeg", append(args, path)...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return path
}

// TestImportPhoneFormats: a folder of what phones, Zalo and the district
// send imports, each played from its house WAV; imported again, each is
// recognised by the original's SHA-256.
func TestImportPhoneFormats(t *testing.T) {
	ctx := context.Background()
	im, st := newImporter(t)
	dir := filepath.Join(t.TempDir(), "media", "tthc")
	files := []string{
		ffmpegEncode(t, filepath.Join(dir, "zalo.m4a"), "-ac", "1", "-c:a", "aac", "-metadata", "title=Bản tin Zalo"),
		ffmpegEncode(t, filepath.Join(dir, "phone.ogg"), "-c:a", "libvorbis"),
		ffmpegEncode(t, filepath.Join(dir, "voice.opus"), "-c:a", "libopus"),
		ffmpegEncode(t, filepath.Join(dir, "archive.FLAC"), "-c:a", "flac"),
		ffmpegEncode(t, filepath.Join(dir, "office.wma"), "-c:a", "wmav2"),
		ffmpegEncode(t, filepath.Join(dir, "clip.3gp"), "-ar", "16000", "-c:a", "aac"),
	}
	results, err := im.Import(ctx, []string{filepath.Dir(dir)}, library.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(files) {
		t.Fatalf("%d results for %d files: the folder walk missed some", len(results), len(files))
	}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s refused: %s (%v)", r.Path, library.Reason("vi", r.Err), r.Err)
			continue
		}
		s := r.Segment
		// What ffmpeg decodes: exactly 2 s where the container records
		// the encoder's delay and padding (MP4 edit list, Ogg, FLAC); up to
		// one AAC frame more in a 3GP, which does not.
		if d := s.Duration - 2*time.Second; d < -5*time.Millisecond || d > 70*time.Millisecond {
			t.Errorf("%s: duration %v, want 2 s", r.Path, s.Duration)
		}
		if filepath.Dir(s.Path) != im.LibraryDir || math.IsInf(s.LoudnessLUFS, 0) {
			t.Errorf("%s: path %s, loudness %.1f", r.Path, s.Path, s.LoudnessLUFS)
		}
	}
	if results[len(results)-1].Segment.Title != "Bản tin Zalo" {
		t.Errorf("zalo.m4a title %q, want its tag", results[len(results)-1].Segment.Title)
	}
	again, err := im.Import(ctx, []string{filepath.Dir(dir)}, library.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again {
		if !r.Existed || r.Err != nil {
			t.Errorf("%s imported again: existed %v, %v", r.Path, r.Existed, r.Err)
		}
	}
	if n := len(stored(t, st)); n != len(files) {
		t.Errorf("stored %d segments, want %d", n, len(files))
	}
}

// TestImportRefusesAndGoesOn: a WAV under a millisecond (it aborted the
// whole import on the store's duration_ms > 0), a silent file and a damaged
// MP3 are each refused with their own reason; the good file after them is
// imported.
func TestImportRefusesAndGoesOn(t *testing.T) {
	ctx := context.Background()
	im, st := newImporter(t)
	dir := filepath.Join(t.TempDir(), "tthc")
	tiny := write(t, filepath.Join(dir, "a-tiny.wav"), wavFrames(440, 10, "")) // 0.6 ms
	silent := write(t, filepath.Join(dir, "b-silent.wav"), wavBytes(0, 3000, ""))
	quiet := ffmpegEncode(t, filepath.Join(dir, "c-hiss.flac"), "-af", "volume=0.0005", "-c:a", "flac") // −72 dBFS
	nofmt := write(t, filepath.Join(dir, "d-nofmt.wav"), append([]byte("RIFF\x0c\x01\x00\x00WAVEdata\x00\x01\x00\x00"), make([]byte, 256)...))
	good := write(t, filepath.Join(dir, "z-good.wav"), wavBytes(440, 500, ""))
	results, err := im.Import(ctx, []string{dir}, library.Options{}, nil)
	if err != nil {
		t.Fatalf("the import stopped: %v", err)
	}
	want := map[string]error{tiny: audio.ErrTooShort, silent: audio.ErrSilent, quiet: audio.ErrSilent, nofmt: audio.ErrNoFmt, good: nil}
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d", len(results), len(want))
	}
	reasons := map[string]bool{}
	for _, r := range results {
		if !errors.Is(r.Err, want[r.Path]) || (want[r.Path] == nil) != (r.Err == nil) {
			t.Errorf("%s: %v, want %v", filepath.Base(r.Path), r.Err, want[r.Path])
		}
		if r.Err != nil {
			vi := library.Reason("vi", r.Err)
			if vi == r.Err.Error() {
				t.Errorf("%s: no reason in words for %v", filepath.Base(r.Path), r.Err)
			}
			reasons[vi] = true
		}
	}
	if len(reasons) != 3 {
		t.Errorf("reasons %v: want one each for too short, silent and no fmt", reasons)
	}
	if segs := stored(t, st); len(segs) != 1 || segs[0].Duration != 500*time.Millisecond {
		t.Errorf("stored %+v, want the good file only", segs)
	}
	// The refused FLAC's conversion does not stay behind.
	if entries, _ := os.ReadDir(im.LibraryDir); len(entries) != 0 {
		t.Errorf("library folder holds %d files, want none", len(entries))
	}
}

// TestImportWithoutFFmpeg: on a machine without ffmpeg a compressed file is
// refused saying to install it; a WAV beside it still imports.
func TestImportWithoutFFmpeg(t *testing.T) {
	ctx := context.Background()
	im, _ := newImporter(t)
	dir := filepath.Join(t.TempDir(), "tthc")
	mp3 := ffmpegEncode(t, filepath.Join(dir, "a.mp3"), "-b:a", "64k")
	wav := write(t, filepath.Join(dir, "b.wav"), wavBytes(440, 500, ""))
	t.Setenv("PATH", t.TempDir())
	results, err := im.Import(ctx, []string{dir}, library.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || !errors.Is(results[0].Err, audio.ErrNoDecoder) || results[1].Err != nil {
		t.Fatalf("results %+v, want %s refused for want of ffmpeg and %s imported", results, mp3, wav)
	}
	if r := library.Reason("vi", results[0].Err); !strings.Contains(r, "cài ffmpeg") {
		t.Errorf("reason %q does not say to install ffmpeg", r)
	}
}
