package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// speechWAV is a recording of Vietnamese speech from the sample library
// (22.05 kHz mono, made with espeak-ng).
const speechWAV = "../../media/tthc/bo-phan-mot-cua.wav"

// mp3FrameSamples is the length of one MPEG-1 layer III frame.
const mp3FrameSamples = 1152

// encode runs ffmpeg on the first seconds of speech (or on in, when not
// empty) with the given output options and returns the output's path.
func encode(t testing.TB, in, out string, seconds float64, opts ...string) string {
	t.Helper()
	if in == "" {
		in = speechWAV
	}
	args := []string{"-nostdin", "-v", "error", "-y", "-i", in, "-t", strconv.FormatFloat(seconds, 'f', -1, 64)}
	run(t, "ffmpeg", append(append(args, opts...), out)...)
	return out
}

// run runs a reference tool, failing the test with its output.
func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s not on PATH: these tests make their files with it — install it (apt-get install %s)", name, name)
	}
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return out
}

// reference decodes path with ffmpeg to float32 at rate and channels.
func reference(t testing.TB, path string, rate, channels int) []float32 {
	t.Helper()
	b := run(t, "ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0",
		"-ar", strconv.Itoa(rate), "-ac", strconv.Itoa(channels), "-f", "f32le", "-")
	x := make([]float32, len(b)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x
}

// snrDB is the signal-to-noise ratio of got against want, over the
// shorter of the two; +Inf when they are equal.
func snrDB(want, got []float32) float64 {
	n := min(len(want), len(got))
	var s, e float64
	for i := range n {
		d := float64(want[i]) - float64(got[i])
		s += float64(want[i]) * float64(want[i])
		e += d * d
	}
	return 10 * math.Log10(s/e)
}

// correlation is the normalised correlation of a and b at lag 0.
func correlation(a, b []float32) float64 {
	n := min(len(a), len(b))
	var ab, aa, bb float64
	for i := range n {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// patchFrames applies f to the 4-byte header of every MPEG frame of an MP3
// made without tags, walking the frames by their sizes.
func patchFrames(t *testing.T, b []byte, f func(h []byte, i int)) int {
	t.Helper()
	n := 0
	for pos := 0; pos+4 <= len(b); {
		h := b[pos : pos+4]
		if h[0] != 0xFF || h[1]&0xE0 != 0xE0 {
			t.Fatalf("no frame header at %d", pos)
		}
		size := mpegFrameSize(h)
		f(h, n)
		n++
		pos += size
	}
	return n
}

// mpegFrameSize is the byte length of an MPEG-1/2 layer III frame.
func mpegFrameSize(h []byte) int {
	mpeg1 := h[1]&0x08 != 0
	rates1 := []int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}
	rates2 := []int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}
	srs := []int{44100, 48000, 32000}
	sr := srs[(h[2]>>2)&3]
	pad := int(h[2]>>1) & 1
	if mpeg1 {
		return 144*rates1[h[2]>>4]*1000/sr + pad
	}
	return 72*rates2[h[2]>>4]*1000/(sr/2) + pad
}

// TestMPEG2PaddedFramesDecodeRight: go-mp3 turned 22.05 kHz MP3s whose
// frames carry a padding byte into noise (correlation with the speech
// ≈ 0.1). Every one of those bitrates must now decode to the speech.
func TestMPEG2PaddedFramesDecodeRight(t *testing.T) {
	dir := t.TempDir()
	src := reference(t, speechWAV, 22050, 1)[:3*22050]
	for _, kbps := range []int{16, 24, 32, 80, 96, 144, 160} {
		t.Run(strconv.Itoa(kbps)+"k", func(t *testing.T) {
			path := encode(t, "", filepath.Join(dir, strconv.Itoa(kbps)+".mp3"), 3, "-ar", "22050", "-ac", "1", "-b:a", strconv.Itoa(kbps)+"k")
			got, info := readAll(t, path)
			if info.Format != "mp3" || info.SampleRate != 22050 || info.Channels != 1 {
				t.Fatalf("info %+v, want mp3 22050 Hz mono", info)
			}
			if snr := snrDB(reference(t, path, 22050, 1), got); snr < 60 {
				t.Errorf("SNR against ffmpeg %.1f dB, want ≥ 60", snr)
			}
			if c := correlation(src, got); c < 0.8 {
				t.Errorf("correlation with the speech %.3f, want ≥ 0.8 (noise is ≈ 0.1)", c)
			}
			// The Xing/Info frame is not audio and the encoder's delay
			// and padding are cut (gapless): the length is the source's.
			if d := info.Frames - 3*22050; d < 0 || d > 0 {
				t.Errorf("%d frames, the source has %d", info.Frames, 3*22050)
			}
		})
	}
}

// TestRateSwitchMidStream: two MP3s at different rates joined with cat
// (each with its ID3 tag and Info frame, the second with an ID3v1 tag too)
// play at the right speed: the file decodes at the higher rate, the
// 22.05 kHz part resampled up to it, neither played at the other's rate.
func TestRateSwitchMidStream(t *testing.T) {
	dir := t.TempDir()
	a := encode(t, "", filepath.Join(dir, "a.mp3"), 2, "-ar", "22050", "-ac", "1", "-b:a", "32k", "-metadata", "title=Phần một")
	b := encode(t, "", filepath.Join(dir, "b.mp3"), 2, "-ar", "44100", "-ac", "1", "-b:a", "64k", "-metadata", "title=Phần hai", "-write_id3v1", "1")
	ab := filepath.Join(dir, "ab.mp3")
	writeFile(t, ab, append(must(os.ReadFile(a)), must(os.ReadFile(b))...))
	for _, path := range []string{ab, filepath.Join(dir, "house.wav")} {
		if path != ab {
			if _, err := Convert(t.Context(), ab, path); err != nil {
				t.Fatal(err)
			}
		}
		got, info := readAll(t, path)
		if info.SampleRate != 44100 || info.Channels != 1 {
			t.Fatalf("%s: info %+v, want 44100 Hz mono", path, info)
		}
		// 2 s + 2 s, plus the second part's encoder delay, padding and
		// Info frame (no gapless trimming mid-stream): under 0.15 s more.
		if d := info.Duration().Seconds(); d < 4 || d > 4.15 {
			t.Fatalf("%s: lasts %.3f s, want 4–4.15 s (a part at the wrong speed would make it 3 or 6)", path, d)
		}
		src := reference(t, speechWAV, 44100, 1)
		if c := correlation(src[:2*44100], got[:2*44100]); c < 0.8 {
			t.Errorf("%s: first part: correlation %.3f with the speech", path, c)
		}
		// The second part starts after its encoder delay and Info frame:
		// find the best lag within 0.1 s.
		best := 0.0
		for lag := 0; lag < 4410; lag += 3 {
			start := 2*44100 + lag
			best = max(best, correlation(src[:44100], got[start:start+44100]))
		}
		if best < 0.8 {
			t.Errorf("%s: second part: correlation %.3f with the speech, want ≥ 0.8", path, best)
		}
	}
}

// TestMP3EdgeFilesImportAndDecodeRight: files that decoders' test suites
// hold, made here by patching ffmpeg's output.
func TestMP3EdgeFilesImportAndDecodeRight(t *testing.T) {
	dir := t.TempDir()
	plain := encode(t, "", filepath.Join(dir, "plain.mp3"), 3, "-ar", "22050", "-ac", "1", "-b:a", "32k", "-id3v2_version", "0", "-write_xing", "0")
	orig := must(os.ReadFile(plain))
	want := reference(t, plain, 22050, 1)
	for _, tc := range []struct {
		name  string
		patch func(b []byte) []byte
	}{
		{"reserved emphasis", func(b []byte) []byte {
			patchFrames(t, b, func(h []byte, _ int) { h[3] = h[3]&^3 | 2 })
			return b
		}},
		{"junk before the first frame, no ID3", func(b []byte) []byte {
			junk := bytes.Repeat([]byte("junk\x00\x01\x02"), 64)
			return append(junk, b...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".mp3"), tc.patch(bytes.Clone(orig)))
			if _, err := Probe(path); err != nil {
				t.Fatalf("Probe: %v", err)
			}
			got, info := readAll(t, path)
			if info.Channels != 1 || info.SampleRate != 22050 {
				t.Errorf("info %+v", info)
			}
			if len(got) < len(want)-mp3FrameSamples || len(got) > len(want)+mp3FrameSamples {
				t.Errorf("%d samples, the undamaged file decodes to %d", len(got), len(want))
			}
			if snr := snrDB(want, got); snr < 60 {
				t.Errorf("SNR against the unpatched file %.1f dB, want ≥ 60", snr)
			}
		})
	}
}

// TestDamagedMP3Refused: a zeroed frame header mid-file (go-mp3 played a
// click) makes ffmpeg drop the rest of the stream: the file is refused,
// naming the file, the place and the cause.
func TestDamagedMP3Refused(t *testing.T) {
	dir := t.TempDir()
	plain := encode(t, "", filepath.Join(dir, "plain.mp3"), 3, "-ar", "22050", "-ac", "1", "-b:a", "32k", "-id3v2_version", "0", "-write_xing", "0")
	b := must(os.ReadFile(plain))
	patchFrames(t, b, func(h []byte, i int) {
		if i == 60 { // 60 × 576 samples: 1.57 s in
			copy(h, []byte{0, 0, 0, 0})
		}
	})
	path := writeFile(t, filepath.Join(dir, "damaged.mp3"), b)
	_, err := Probe(path)
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Probe: %v, want ErrDamaged", err)
	}
	if !strings.Contains(err.Error(), "0:01") || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "Header missing") {
		t.Errorf("error %q does not name the file, the place (0:01) and the cause", err)
	}
	if _, err := Open(path); !errors.Is(err, ErrDamaged) {
		t.Errorf("Open: %v, want ErrDamaged (nothing of it plays)", err)
	}
}

// TestLoudMP3NotClipped: an MP3 of a sine above full scale decodes above
// full scale; the gain, not the decoder, brings it down.
func TestLoudMP3NotClipped(t *testing.T) {
	dir := t.TempDir()
	const rate = 44100
	loud := writeTestWAV(t, filepath.Join(dir, "loud.wav"), rate, 2, 32, true, rate, func(i, c int) float64 {
		return 1.4 * math.Sin(2*math.Pi*440*float64(i)/rate)
	})
	path := encode(t, loud, filepath.Join(dir, "loud.mp3"), 1, "-b:a", "192k")
	got, _ := readAll(t, path)
	peak := 0.0
	for _, v := range got {
		peak = max(peak, math.Abs(float64(v)))
	}
	if peak < 1.2 {
		t.Fatalf("peak %.3f: clipped at full scale before the gain (want about 1.4)", peak)
	}
	a, err := Analyze(path)
	if err != nil {
		t.Fatal(err)
	}
	gain := NormalizeGain(a.LoudnessLUFS, a.TruePeakDBTP, a.Info.Channels, -16)
	if a.TruePeakDBTP+gain > TruePeakCeilingDBTP+1e-9 {
		t.Errorf("gain %.2f dB leaves the true peak at %.2f dBTP", gain, a.TruePeakDBTP+gain)
	}
}

// TestMonoMP3StaysMono: a mono MP3 is one channel, measured as the mono
// source is (go-mp3 doubled it into stereo, 3 LU too loud).
func TestMonoMP3StaysMono(t *testing.T) {
	dir := t.TempDir()
	path := encode(t, "", filepath.Join(dir, "mono.mp3"), 5, "-ar", "22050", "-ac", "1", "-b:a", "64k")
	wav := encode(t, "", filepath.Join(dir, "mono.wav"), 5, "-c:a", "pcm_s16le")
	a, err := Analyze(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Analyze(wav)
	if err != nil {
		t.Fatal(err)
	}
	if a.Info.Channels != 1 {
		t.Fatalf("mono MP3 reported with %d channels", a.Info.Channels)
	}
	if d := a.LoudnessLUFS - w.LoudnessLUFS; math.Abs(d) > 0.5 {
		t.Errorf("MP3 %.2f LUFS, its WAV source %.2f LUFS", a.LoudnessLUFS, w.LoudnessLUFS)
	}
}

// TestPhoneFormatsDecode: what phones, Zalo and the district send decodes,
// sample for sample as ffmpeg decodes it, and sounds like the speech.
func TestPhoneFormatsDecode(t *testing.T) {
	dir := t.TempDir()
	// Speech over quiet pink noise (−26 dB), so that sox's AMR encoder never
	// switches to silence compression (DTX), which ffmpeg cannot decode
	// (TestAMRWithDTXRefused).
	src16 := filepath.Join(dir, "src16.wav")
	run(t, "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", speechWAV, "-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=22050:amplitude=1",
		"-filter_complex", "[1]volume=0.05[s];[0][s]amix=inputs=2:duration=first:normalize=0", "-t", "3", "-ar", "16000", "-ac", "1", src16)
	amr := filepath.Join(dir, "zalo.amr")
	run(t, "sox", src16, "-r", "8000", "-c", "1", "-t", "amr-nb", amr) // ffmpeg has no AMR encoder
	for _, tc := range []struct {
		file, format, codec string
		opts                []string
		rate, channels      int
	}{
		{"phone.m4a", "m4a", "aac", []string{"-ar", "44100", "-ac", "1", "-c:a", "aac", "-b:a", "64k", "-metadata", "title=Bản tin sáng"}, 44100, 1},
		{"district.aac", "aac", "aac", []string{"-ar", "48000", "-ac", "2", "-c:a", "aac", "-b:a", "96k", "-f", "adts"}, 48000, 2},
		{"voice.ogg", "ogg", "vorbis", []string{"-ar", "44100", "-ac", "2", "-c:a", "libvorbis", "-metadata", "title=Bản tin sáng"}, 44100, 2},
		{"zalo.opus", "opus", "opus", []string{"-ac", "1", "-c:a", "libopus", "-b:a", "24k"}, 48000, 1},
		{"archive.flac", "flac", "flac", []string{"-ar", "48000", "-ac", "2", "-c:a", "flac", "-metadata", "title=Bản tin sáng"}, 48000, 2},
		{"office.wma", "wma", "wmav2", []string{"-ar", "44100", "-ac", "2", "-c:a", "wmav2", "-b:a", "64k"}, 44100, 2},
		{"video.3gp", "m4a", "aac", []string{"-ar", "16000", "-ac", "1", "-c:a", "aac", "-b:a", "32k", "-f", "3gp"}, 16000, 1},
		{"pbx.wav", "wav", "pcm_mulaw", []string{"-ar", "8000", "-ac", "1", "-c:a", "pcm_mulaw"}, 8000, 1},
		{"recorder.wav", "wav", "adpcm_ima_wav", []string{"-ar", "22050", "-ac", "2", "-c:a", "adpcm_ima_wav"}, 22050, 2},
		{"zalo.amr", "amr", "amr_nb", nil, 8000, 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if tc.opts != nil {
				encode(t, src16, path, 3, tc.opts...)
			}
			info, err := Probe(path)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if info.Format != tc.format || info.Codec != tc.codec || info.SampleRate != tc.rate || info.Channels != tc.channels {
				t.Errorf("info %+v, want %s (%s) %d Hz %d ch", info, tc.format, tc.codec, tc.rate, tc.channels)
			}
			if strings.Contains(strings.Join(tc.opts, " "), "title=") && info.Title != "Bản tin sáng" {
				t.Errorf("title %q", info.Title)
			}
			if d := info.Duration().Seconds(); d < 2.9 || d > 3.2 {
				t.Errorf("lasts %.3f s, want about 3", d)
			}
			got, _ := readAll(t, path)
			if int64(len(got)) != info.Frames*int64(info.Channels) {
				t.Errorf("decoded %d samples, Probe counted %d frames", len(got), info.Frames)
			}
			if snr := snrDB(reference(t, path, tc.rate, tc.channels), got); snr < 60 {
				t.Errorf("SNR against ffmpeg %.1f dB, want ≥ 60", snr)
			}
		})
	}
}

// TestAMRWithDTXRefused: an AMR recording with silence compression (DTX)
// is one ffmpeg cannot decode: refused as unsupported, saying why.
func TestAMRWithDTXRefused(t *testing.T) {
	dir := t.TempDir()
	amr := filepath.Join(dir, "dtx.amr")
	run(t, "sox", speechWAV, "-r", "8000", "-c", "1", "-t", "amr-nb", amr)
	_, err := Probe(amr)
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "dtx") {
		t.Fatalf("Probe: %v, want ErrUnsupported naming DTX", err)
	}
}

// TestNotAudioRefused: a file with no audio stream is refused whatever its
// name.
func TestNotAudioRefused(t *testing.T) {
	dir := t.TempDir()
	text := writeFile(t, filepath.Join(dir, "bản tin.mp3"), []byte("Đây là một tệp văn bản, không phải âm thanh.\n"))
	id3Only := writeFile(t, filepath.Join(dir, "id3.mp3"), append([]byte("ID3\x04\x00\x00\x00\x00\x00\x05"), []byte("\x00\x00\x00\x00\x00plain text after the tag")...))
	empty := writeFile(t, filepath.Join(dir, "empty.m4a"), nil)
	png := filepath.Join(dir, "picture.m4a")
	run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=size=16x16:duration=0.1", "-frames:v", "1", "-f", "image2", "-c:v", "png", png)
	for _, tc := range []struct{ name, path string }{
		{"text", text}, {"id3-then-text", id3Only}, {"empty", empty}, {"picture", png},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Probe(tc.path)
			if !errors.Is(err, ErrNotAudio) || !errors.Is(err, ErrNotWAV) {
				t.Fatalf("Probe: %v, want ErrNotAudio", err)
			}
			if _, err := Open(tc.path); !errors.Is(err, ErrNotAudio) {
				t.Errorf("Open: %v, want ErrNotAudio", err)
			}
			if _, err := Analyze(tc.path); !errors.Is(err, ErrNotAudio) {
				t.Errorf("Analyze: %v, want ErrNotAudio", err)
			}
		})
	}
}

// TestMissingFFmpeg: without ffmpeg a compressed file gets a clear error;
// a WAV still plays.
func TestMissingFFmpeg(t *testing.T) {
	dir := t.TempDir()
	mp3 := encode(t, "", filepath.Join(dir, "a.mp3"), 1, "-b:a", "64k")
	wav := encode(t, "", filepath.Join(dir, "a.wav"), 1, "-c:a", "pcm_s16le")
	t.Setenv("PATH", dir)
	if _, err := Probe(mp3); !errors.Is(err, ErrNoDecoder) {
		t.Errorf("Probe without ffmpeg: %v, want ErrNoDecoder", err)
	}
	if _, err := Probe(wav); err != nil {
		t.Errorf("Probe of a WAV without ffmpeg: %v", err)
	}
}

// TestConvertIsFFmpegsDecode: the house WAV holds exactly ffmpeg's samples
// and the source's title.
func TestConvertIsFFmpegsDecode(t *testing.T) {
	dir := t.TempDir()
	path := encode(t, "", filepath.Join(dir, "a.m4a"), 2, "-ac", "2", "-c:a", "aac", "-metadata", "title=Thủ tục hành chính")
	house := filepath.Join(dir, "house.wav")
	info, err := Convert(t.Context(), path, house)
	if err != nil {
		t.Fatal(err)
	}
	if info.Title != "Thủ tục hành chính" || info.Format != "m4a" {
		t.Errorf("info %+v", info)
	}
	got, hinfo := readAll(t, house)
	if hinfo.Format != "wav" || !hinfo.Float || hinfo.Frames != info.Frames || hinfo.Channels != 2 || hinfo.SampleRate != info.SampleRate {
		t.Errorf("house WAV %+v, source %+v", hinfo, info)
	}
	if snr := snrDB(reference(t, path, info.SampleRate, 2), got); !math.IsInf(snr, 1) {
		t.Errorf("house WAV differs from ffmpeg's decode: SNR %.1f dB", snr)
	}
	// A damaged source leaves nothing behind.
	bad := writeFile(t, filepath.Join(dir, "bad.m4a"), []byte("not audio"))
	if _, err := Convert(t.Context(), bad, filepath.Join(dir, "bad.wav")); !errors.Is(err, ErrNotAudio) {
		t.Errorf("Convert: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.wav")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed conversion left its output: %v", err)
	}
}

func TestOpenStreamMP3(t *testing.T) {
	path := encode(t, "", filepath.Join(t.TempDir(), "a.mp3"), 3, "-ar", "44100", "-ac", "2", "-b:a", "128k")
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
	if want := (info.Frames*48000 + 44100 - 1) / 44100; n != want || info.Frames != 3*44100 {
		t.Errorf("streamed %d frames at 48 kHz of %d at 44.1 kHz, want %d of %d", n, info.Frames, want, 3*44100)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
