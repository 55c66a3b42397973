package audio

import (
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// mp3FrameSamples is the length of one MPEG-1 layer III frame.
const mp3FrameSamples = 1152

// makeMP3 encodes a stereo sine of the given length and rate to an MP3 with
// ffmpeg, with extra ffmpeg output options (tags), and returns its path.
func makeMP3(t *testing.T, dir, name string, seconds float64, rate int, extra ...string) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg not on PATH: the MP3 tests encode their files with it — install it (apt-get install ffmpeg)")
	}
	path := filepath.Join(dir, name)
	args := []string{"-v", "error", "-y", "-f", "lavfi",
		"-i", "sine=frequency=1000:duration=" + strconv.FormatFloat(seconds, 'f', -1, 64),
		"-ac", "2", "-ar", strconv.Itoa(rate), "-b:a", "128k", "-f", "mp3"}
	args = append(append(args, extra...), path)
	if out, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return path
}

func TestProbeMP3(t *testing.T) {
	dir := t.TempDir()
	const title = "Dịch vụ công"
	for _, tc := range []struct {
		name, file string
		rate       int
		extra      []string
		title      string
	}{
		{"id3v2.4-utf8", "a.mp3", 44100, []string{"-metadata", "title=" + title}, title},
		{"id3v2.3-utf16", "b.mp3", 44100, []string{"-metadata", "title=" + title, "-id3v2_version", "3"}, title},
		{"no-tag-48k", "c.mp3", 48000, []string{"-id3v2_version", "0", "-write_xing", "0"}, ""},
		{"id3v1-too", "d.mp3", 44100, []string{"-metadata", "title=" + title, "-write_id3v1", "1"}, title},
		{"mpeg2-22k", "e.mp3", 22050, []string{"-metadata", "title=" + title}, title},
		{"named-wav", "actually-mp3.wav", 44100, []string{"-metadata", "title=" + title}, title},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const seconds = 3
			path := makeMP3(t, dir, tc.file, seconds, tc.rate, tc.extra...)
			info, err := Probe(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != "mp3" || info.SampleRate != tc.rate || info.Channels != 2 || info.BitDepth != 16 || info.Float {
				t.Errorf("info = %+v, want mp3 %d Hz 2 ch 16-bit", info, tc.rate)
			}
			if info.Title != tc.title {
				t.Errorf("title %q, want %q", info.Title, tc.title)
			}
			// The decoded stream adds the encoder delay and padding (and
			// the silent Xing/LAME frame) to the audio: at most one frame
			// of padding plus 0.1 s.
			want := int64(seconds * tc.rate)
			if info.Frames < want || info.Frames > want+mp3FrameSamples+int64(tc.rate)/10 {
				t.Errorf("frames %d (%v), want %d (%ds) plus at most one frame and 0.1 s", info.Frames, info.Duration(), want, seconds)
			}
			// Frames is exactly what the decoder produces.
			d, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Info() != info {
				t.Errorf("Open info %+v, Probe %+v", d.Info(), info)
			}
			buf := make([]float32, 4096)
			var n int64
			var peak float64
			for {
				k, err := d.Read(buf)
				for _, v := range buf[:2*k] {
					peak = math.Max(peak, math.Abs(float64(v)))
				}
				n += int64(k)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if n != info.Frames {
				t.Errorf("decoded %d frames, Probe said %d", n, info.Frames)
			}
			if peak < 0.05 || peak > 0.3 { // lavfi's sine is at 1/8 full scale
				t.Errorf("peak %.3f, want about 0.125", peak)
			}
		})
	}
}

func TestAnalyzeMP3AgainstFFmpeg(t *testing.T) {
	path := makeMP3(t, t.TempDir(), "a.mp3", 3, 44100, "-metadata", "title=Dịch vụ công")
	a, err := Analyze(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffmpeg", "-nostats", "-hide_banner", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	m := ffmpegSummary.FindSubmatch(out)
	if m == nil {
		t.Fatalf("cannot parse ffmpeg summary:\n%s", out)
	}
	want, _ := strconv.ParseFloat(string(m[1]), 64)
	t.Logf("ours %.2f LUFS, ffmpeg %.1f LUFS", a.LoudnessLUFS, want)
	if math.Abs(a.LoudnessLUFS-want) > 0.5 {
		t.Errorf("integrated %.2f LUFS, ffmpeg %.1f", a.LoudnessLUFS, want)
	}
	if a.Info.Format != "mp3" {
		t.Errorf("format %q", a.Info.Format)
	}
	// The encoder delay is leading silence, less than 0.1 s.
	if a.SilenceStart <= 0 || a.SilenceStart > a.Info.Duration()/20 {
		t.Errorf("leading silence %v", a.SilenceStart)
	}
}

func TestOpenStreamMP3(t *testing.T) {
	path := makeMP3(t, t.TempDir(), "a.mp3", 3, 44100)
	s, info, c, err := OpenStream(path, 48000)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]float32, 2*1000)
	var n int64
	for {
		k, err := s.Stream(buf)
		n += int64(k)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Exactly the resampled length of the decoded stream, which is 3 s
	// plus the encoder's delay and padding (< one frame + 0.1 s).
	if want := (info.Frames*48000 + 44100 - 1) / 44100; n != want {
		t.Errorf("streamed %d frames at 48 kHz, want %d", n, want)
	}
	if n < 3*48000 || n > 3*48000+(mp3FrameSamples*48000/44100)+4800 {
		t.Errorf("streamed %d frames, want about %d", n, 3*48000)
	}
}

func TestNotAudioRefused(t *testing.T) {
	dir := t.TempDir()
	text := writeFile(t, filepath.Join(dir, "bản tin.mp3"), []byte("Đây là một tệp văn bản, không phải âm thanh.\n"))
	id3Only := writeFile(t, filepath.Join(dir, "id3.mp3"), append([]byte("ID3\x04\x00\x00\x00\x00\x00\x05"), []byte("\x00\x00\x00\x00\x00plain text after the tag")...))
	mp2 := filepath.Join(dir, "layer2.mp3")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "mp2", "-f", "mp2", mp2).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name, path string
		want       error
	}{
		{"text", text, ErrNotAudio},
		{"id3-then-text", id3Only, ErrNotAudio},
		{"mp2", mp2, ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Probe(tc.path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Probe: %v, want %v", err, tc.want)
			}
			if tc.want == ErrNotAudio && !errors.Is(err, ErrNotWAV) {
				t.Errorf("Probe: %v is not ErrNotWAV", err)
			}
			if _, err := Open(tc.path); !errors.Is(err, tc.want) {
				t.Errorf("Open: %v, want %v", err, tc.want)
			}
			if _, err := Analyze(tc.path); !errors.Is(err, tc.want) {
				t.Errorf("Analyze: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestTruncatedMP3(t *testing.T) {
	dir := t.TempDir()
	full := makeMP3(t, dir, "a.mp3", 3, 44100, "-id3v2_version", "0")
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	// Cut in the middle of a frame: the frames before it still play.
	cut := writeFile(t, filepath.Join(dir, "cut.mp3"), b[:len(b)/2+100])
	info, err := Probe(cut)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(cut)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	buf := make([]float32, 4096)
	var n int64
	for {
		k, err := d.Read(buf)
		n += int64(k)
		if err != nil {
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, io.EOF) {
				t.Fatalf("read: %v", err)
			}
			break
		}
	}
	if n < info.Frames-mp3FrameSamples || n > info.Frames {
		t.Errorf("decoded %d frames of %d", n, info.Frames)
	}
	if n < 44100 {
		t.Errorf("decoded only %d frames of a file cut at half of 3 s", n)
	}
}

func TestID3Text(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"latin1", []byte("\x00Caf\xe9\x00"), "Café"},
		{"utf16-le-bom", []byte("\x01\xff\xfeD\x00\xcb\x1e\x00\x00"), "Dị"},
		{"utf16-be-bom", []byte("\x01\xfe\xff\x00D\x1e\xcb"), "Dị"},
		{"utf16be", []byte("\x02\x00D\x1e\xcb\x00\x00"), "Dị"},
		{"utf8", []byte("\x03D\xe1\xbb\x8b\x00other"), "Dị"},
		{"bad-encoding", []byte("\x07x"), ""},
		{"empty", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := id3Text(tc.in); got != tc.want {
				t.Errorf("id3Text = %q, want %q", got, tc.want)
			}
		})
	}
}
