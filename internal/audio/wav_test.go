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
	"strings"
	"testing"
	"time"
)

// chunk returns a RIFF chunk with its pad byte when the body is odd.
func chunk(id string, body []byte) []byte {
	b := append([]byte(id), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(body)))
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// fmtChunk builds a fmt chunk; extensible wraps tag in WAVE_FORMAT_EXTENSIBLE.
func fmtChunk(tag uint16, channels, rate, bits int, extensible bool) []byte {
	ba := channels * bits / 8
	b := binary.LittleEndian.AppendUint16(nil, tag)
	if extensible {
		b = binary.LittleEndian.AppendUint16(nil, wavFormatExtensible)
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*ba))
	b = binary.LittleEndian.AppendUint16(b, uint16(ba))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	if extensible {
		b = binary.LittleEndian.AppendUint16(b, 22)           // cbSize
		b = binary.LittleEndian.AppendUint16(b, uint16(bits)) // valid bits
		b = binary.LittleEndian.AppendUint32(b, 0)            // channel mask
		b = binary.LittleEndian.AppendUint16(b, tag)          // subformat GUID
		b = append(b, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71)
	}
	return chunk("fmt ", b)
}

// riffFile wraps chunks into a RIFF/WAVE image.
func riffFile(chunks ...[]byte) []byte {
	body := []byte("WAVE")
	for _, c := range chunks {
		body = append(body, c...)
	}
	b := append([]byte("RIFF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(body)))
	return append(b, body...)
}

// encodeSamples writes samples in [-1, 1] in the given format.
func encodeSamples(bits int, float bool, s []float64) []byte {
	var b []byte
	for _, v := range s {
		switch {
		case float && bits == 32:
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
		case float && bits == 64:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		case bits == 8:
			b = append(b, byte(int(math.Round(min(v*128, 127)))+128))
		case bits == 16:
			b = binary.LittleEndian.AppendUint16(b, uint16(int16(math.Round(min(v*(1<<15), 1<<15-1)))))
		case bits == 24:
			x := uint32(int32(math.Round(min(v*(1<<23), 1<<23-1))))
			b = append(b, byte(x), byte(x>>8), byte(x>>16))
		case bits == 32:
			b = binary.LittleEndian.AppendUint32(b, uint32(int32(math.Round(min(v*(1<<31), 1<<31-1)))))
		}
	}
	return b
}

// writeTestWAV writes a plain WAV file of frames frames whose sample for
// frame i, channel c is gen(i, c), and returns its path.
func writeTestWAV(t testing.TB, path string, rate, channels, bits int, float bool, frames int, gen func(i, c int) float64) string {
	t.Helper()
	s := make([]float64, 0, frames*channels)
	for i := range frames {
		for c := range channels {
			s = append(s, gen(i, c))
		}
	}
	tag := uint16(wavFormatPCM)
	if float {
		tag = wavFormatFloat
	}
	writeFile(t, path, riffFile(fmtChunk(tag, channels, rate, bits, false), chunk("data", encodeSamples(bits, float, s))))
	return path
}

func writeFile(t testing.TB, path string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readAll decodes a whole file.
func readAll(t *testing.T, path string) ([]float32, Info) {
	t.Helper()
	d, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer d.Close()
	var out []float32
	buf := make([]float32, 7*d.Info().Channels) // odd small reads on purpose
	for {
		n, err := d.Read(buf)
		out = append(out, buf[:n*d.Info().Channels]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
	}
	if n, err := d.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("Read after the end = %d, %v; want 0, EOF", n, err)
	}
	return out, d.Info()
}

func TestDecodeFormats(t *testing.T) {
	// Values exact in every format (8-bit has the coarsest step, 1/128).
	vals := []float64{0, 0.5, -0.5, -1, 0.25, 127.0 / 128, -0.75, 1.0 / 128}
	for _, tc := range []struct {
		name       string
		tag        uint16
		bits       int
		extensible bool
	}{
		{"pcm8", wavFormatPCM, 8, false},
		{"pcm16", wavFormatPCM, 16, false},
		{"pcm24", wavFormatPCM, 24, false},
		{"pcm32", wavFormatPCM, 32, false},
		{"float32", wavFormatFloat, 32, false},
		{"float64", wavFormatFloat, 64, false},
		{"ext-pcm16", wavFormatPCM, 16, true},
		{"ext-pcm24", wavFormatPCM, 24, true},
		{"ext-float32", wavFormatFloat, 32, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			float := tc.tag == wavFormatFloat
			data := encodeSamples(tc.bits, float, vals)
			img := riffFile(fmtChunk(tc.tag, 2, 22050, tc.bits, tc.extensible), chunk("data", data))
			path := writeFile(t, filepath.Join(t.TempDir(), "a.wav"), img)
			got, info := readAll(t, path)
			want := Info{Path: path, Format: "wav", SampleRate: 22050, Channels: 2, BitDepth: tc.bits, Float: float, Frames: 4}
			if info != want {
				t.Errorf("info = %+v, want %+v", info, want)
			}
			if len(got) != len(vals) {
				t.Fatalf("decoded %d samples, want %d", len(got), len(vals))
			}
			for i, v := range vals {
				if got[i] != float32(v) {
					t.Errorf("sample %d = %v, want %v", i, got[i], v)
				}
			}
			p, err := Probe(path)
			if err != nil || p != want {
				t.Errorf("Probe = %+v, %v; want %+v", p, err, want)
			}
			h, err := parseHeader(bytes.NewReader(img), int64(len(img)))
			if err != nil || !goAudioAgrees(bytes.NewReader(img), int64(len(img)), h) {
				t.Errorf("go-audio/wav reads this header differently (err %v)", err)
			}
		})
	}
}

func TestDecodeExactIntegers(t *testing.T) {
	data := binary.LittleEndian.AppendUint16(nil, 16384)
	data = binary.LittleEndian.AppendUint16(data, 0x8000) // -32768
	data = binary.LittleEndian.AppendUint16(data, 0x7FFF)
	data = binary.LittleEndian.AppendUint16(data, 0xC000) // -16384
	path := writeFile(t, filepath.Join(t.TempDir(), "a.wav"), riffFile(fmtChunk(1, 1, 8000, 16, false), chunk("data", data)))
	got, _ := readAll(t, path)
	want := []float32{0.5, -1, 32767.0 / 32768, -0.5}
	if !slicesEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// 8-bit is unsigned: 0x80 is zero, 0x00 is -1, 0xC0 is 0.5.
	path = writeFile(t, filepath.Join(t.TempDir(), "b.wav"), riffFile(fmtChunk(1, 1, 8000, 8, false), chunk("data", []byte{0x80, 0x00, 0xC0, 0xFF})))
	got, _ = readAll(t, path)
	want = []float32{0, -1, 0.5, 127.0 / 128}
	if !slicesEqual(got, want) {
		t.Errorf("8-bit: got %v, want %v", got, want)
	}
	// 24-bit: 0x400000 = 0.5, 0x800000 = -1.
	path = writeFile(t, filepath.Join(t.TempDir(), "c.wav"), riffFile(fmtChunk(1, 1, 8000, 24, false), chunk("data", []byte{0, 0, 0x40, 0, 0, 0x80})))
	got, _ = readAll(t, path)
	if want = []float32{0.5, -1}; !slicesEqual(got, want) {
		t.Errorf("24-bit: got %v, want %v", got, want)
	}
	// Floats beyond full scale pass (the gain brings them down; a loud
	// decoded MP3 is such a file), NaN becomes silence.
	fl := encodeSamples(32, true, []float64{1.5, -2, math.NaN(), 0.125})
	path = writeFile(t, filepath.Join(t.TempDir(), "d.wav"), riffFile(fmtChunk(3, 1, 8000, 32, false), chunk("data", fl)))
	got, _ = readAll(t, path)
	if want = []float32{1.5, -2, 0, 0.125}; !slicesEqual(got, want) {
		t.Errorf("float: got %v, want %v", got, want)
	}
}

func slicesEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestChunkLayouts(t *testing.T) {
	pcm := encodeSamples(16, false, []float64{0.5, -0.5, 0.25, -0.25, 0.125, -0.125}) // 3 stereo frames
	list := chunk("LIST", append([]byte("INFO"), append(chunk("IART", []byte("UBND xã\x00")), chunk("INAM", []byte("Bản tin CCHC số 1\x00"))...)...))
	fmt16 := fmtChunk(1, 2, 44100, 16, false)
	mono8 := fmtChunk(1, 1, 8000, 8, false)
	dataSize := func(size uint32, body []byte) []byte {
		c := chunk("data", body)
		binary.LittleEndian.PutUint32(c[4:], size)
		return c
	}
	for _, tc := range []struct {
		name   string
		img    []byte
		frames int64
		title  string
		first  float32
	}{
		{"list-before-data", riffFile(fmt16, list, chunk("data", pcm)), 3, "Bản tin CCHC số 1", 0.5},
		{"list-after-data", riffFile(fmt16, chunk("data", pcm), list), 3, "Bản tin CCHC số 1", 0.5},
		{"odd-unknown-chunk", riffFile(chunk("junk", []byte{1, 2, 3}), fmt16, chunk("bext", make([]byte, 5)), chunk("data", pcm)), 3, "", 0.5},
		{"fmt-after-list", riffFile(list, fmt16, chunk("data", pcm)), 3, "Bản tin CCHC số 1", 0.5},
		// An odd data chunk: the pad byte is not a sample, the LIST after it is read.
		{"odd-data-pad", riffFile(mono8, chunk("data", []byte{0xC0, 0x40, 0x80}), list), 3, "Bản tin CCHC số 1", 0.5},
		{"size-0-streamed", riffFile(fmt16, dataSize(0, pcm)), 3, "", 0.5},
		{"size-ffffffff-streamed", riffFile(fmt16, dataSize(0xFFFFFFFF, pcm)), 3, "", 0.5},
		// Streamed data ending in a partial frame: whole frames only.
		{"streamed-partial-frame", riffFile(fmt16, dataSize(0xFFFFFFFF, append(pcm, 1, 2))), 3, "", 0.5},
		{"rf64-streamed", append([]byte("RF64"), riffFile(fmt16, dataSize(0xFFFFFFFF, pcm))[4:]...), 3, "", 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "a.wav"), tc.img)
			info, err := Probe(path)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if info.Frames != tc.frames || info.Title != tc.title {
				t.Errorf("Probe = %d frames, title %q; want %d, %q", info.Frames, info.Title, tc.frames, tc.title)
			}
			got, _ := readAll(t, path)
			if int64(len(got)) != tc.frames*int64(info.Channels) || got[0] != tc.first {
				t.Errorf("decoded %v", got)
			}
			if tc.name == "odd-data-pad" && got[2] != 0 {
				t.Errorf("last sample %v, want 0 (the pad byte must not be decoded)", got[2])
			}
		})
	}
}

func TestHeaderErrors(t *testing.T) {
	pcm := encodeSamples(16, false, []float64{0.5, -0.5, 0.25, -0.25})
	fmt16 := fmtChunk(1, 2, 44100, 16, false)
	truncated := riffFile(fmt16, chunk("data", make([]byte, 4000)))[:44+1000]
	emptyDataThenList := riffFile(fmt16, chunk("data", nil), chunk("LIST", append([]byte("INFO"), chunk("INAM", []byte("x"))...)))
	for _, tc := range []struct {
		name string
		img  []byte
		want error
		msg  string
	}{
		// Not WAV: ffprobe finds no audio in them. (A WAV with
		// compressed samples goes to ffmpeg: TestPhoneFormatsDecode.)
		{"text", []byte("Đây là một tệp văn bản, không phải âm thanh.\n"), ErrNotWAV, "Invalid data"},
		{"empty", nil, ErrNotWAV, "empty file"},
		{"aiff", append([]byte("FORM\x00\x00\x00\x10AIFF"), make([]byte, 16)...), ErrNotWAV, "ffprobe"},
		{"12-bit-in-1-byte", riffFile(fmtChunk(1, 1, 8000, 12, false), chunk("data", pcm)), ErrBadHeader, "nBlockAlign 1 is narrower"},
		{"float16", riffFile(fmtChunk(3, 1, 8000, 16, false), chunk("data", pcm)), ErrUnsupported, "16-bit float"},
		{"rate-4000", riffFile(fmtChunk(1, 1, 4000, 16, false), chunk("data", pcm)), ErrUnsupported, "4000"},
		{"rate-384000", riffFile(fmtChunk(1, 1, 384000, 16, false), chunk("data", pcm)), ErrUnsupported, "384000"},
		{"zero-channels", riffFile(fmtChunk(1, 0, 44100, 16, false), chunk("data", pcm)), ErrBadHeader, "zero channels"},
		{"zero-rate", riffFile(fmtChunk(1, 2, 0, 16, false), chunk("data", pcm)), ErrBadHeader, "zero sample rate"},
		{"no-fmt", riffFile(chunk("data", pcm)), ErrNoFmt, "missing fmt"},
		{"short-fmt", riffFile(chunk("fmt ", []byte{1, 0, 2, 0}), chunk("data", pcm)), ErrBadHeader, "4 bytes"},
		{"no-data", riffFile(fmt16, chunk("LIST", []byte("INFO"))), ErrNoData, "no data chunk"},
		{"empty-data", riffFile(fmt16, chunk("data", nil)), ErrNoData, "no whole frame"},
		{"empty-data-then-list", emptyDataThenList, ErrNoData, "no whole frame"},
		{"partial-frame-only", riffFile(fmt16, chunk("data", []byte{1, 2})), ErrNoData, "no whole frame"},
		{"truncated", truncated, ErrTruncated, "data chunk declares 4000 bytes, file holds 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "a.wav"), tc.img)
			_, err := Probe(path)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Probe error = %v; want %v mentioning %q", err, tc.want, tc.msg)
			}
			for _, other := range []error{ErrNotWAV, ErrUnsupported, ErrBadHeader, ErrNoData, ErrTruncated} {
				if other != tc.want && errors.Is(err, other) && !(tc.want == ErrNoFmt && other == ErrBadHeader) {
					t.Errorf("error %v also matches %v", err, other)
				}
			}
			if tc.want == ErrTruncated {
				return // Open accepts it; see TestTruncatedRead
			}
			if d, err := Open(path); !errors.Is(err, tc.want) {
				t.Errorf("Open error = %v, want %v", err, tc.want)
				if d != nil {
					d.Close()
				}
			}
		})
	}
	if _, err := Probe(filepath.Join(t.TempDir(), "missing.wav")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestTruncatedRead(t *testing.T) {
	s := make([]float64, 2*1000)
	for i := range s {
		s[i] = 0.25
	}
	full := riffFile(fmtChunk(1, 2, 44100, 16, false), chunk("data", encodeSamples(16, false, s)))
	// Cut in the middle of frame 600 (4 bytes a frame, 44-byte header).
	path := writeFile(t, filepath.Join(t.TempDir(), "a.wav"), full[:44+600*4+3])
	d, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer d.Close()
	if d.Info().Frames != 1000 {
		t.Errorf("Frames = %d, want the header's 1000", d.Info().Frames)
	}
	buf := make([]float32, 2*256)
	total := 0
	for {
		n, err := d.Read(buf)
		total += n
		for _, v := range buf[:2*n] {
			if v != 0.25 {
				t.Fatalf("decoded %v, want 0.25", v)
			}
		}
		if err != nil {
			if !errors.Is(err, ErrTruncated) || errors.Is(err, io.EOF) {
				t.Errorf("err = %v, want ErrTruncated", err)
			}
			if n != 0 {
				t.Errorf("error came with %d frames", n)
			}
			break
		}
	}
	if total != 600 {
		t.Errorf("read %d frames, want the 600 whole frames that exist", total)
	}
	if _, err := d.Read(buf); !errors.Is(err, ErrTruncated) {
		t.Errorf("second read after truncation: %v", err)
	}
}

func TestInfoDuration(t *testing.T) {
	for _, tc := range []struct {
		i    Info
		want time.Duration
	}{
		{Info{SampleRate: 44100, Frames: 44100}, time.Second},
		{Info{SampleRate: 48000, Frames: 48000*90 + 24}, 90*time.Second + 500*time.Microsecond},
		{Info{SampleRate: 22050, Frames: 1}, 45351 * time.Nanosecond},
	} {
		if got := tc.i.Duration(); got != tc.want {
			t.Errorf("%+v: Duration = %v, want %v", tc.i, got, tc.want)
		}
	}
}

func TestNewStereo(t *testing.T) {
	dir := t.TempDir()
	// Mono: duplicated.
	mono := writeTestWAV(t, filepath.Join(dir, "mono.wav"), 8000, 1, 16, false, 5000, func(i, c int) float64 { return float64(i%7) / 8 })
	d, err := Open(mono)
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, NewStereo(d), 333)
	d.Close()
	if len(got) != 2*5000 {
		t.Fatalf("mono: %d samples, want %d", len(got), 2*5000)
	}
	for i := range 5000 {
		w := float32(i%7) / 8
		if got[2*i] != w || got[2*i+1] != w {
			t.Fatalf("mono frame %d = %v %v, want %v", i, got[2*i], got[2*i+1], w)
		}
	}
	// 5.1: L R C LFE Ls Rs, ITU downmix scaled to never clip.
	vals := []float64{0.5, -0.25, 0.125, 0.75, 0.25, -0.5}
	six := writeTestWAV(t, filepath.Join(dir, "six.wav"), 48000, 6, 24, false, 10, func(i, c int) float64 { return vals[c] })
	d, err = Open(six)
	if err != nil {
		t.Fatal(err)
	}
	got = drain(t, NewStereo(d), 4)
	d.Close()
	c := math.Sqrt2 / 2
	g := 1 / (1 + 2*c)
	wantL := g * (0.5 + c*0.125 + c*0.25)
	wantR := g * (-0.25 + c*0.125 + c*-0.5)
	if len(got) != 20 || math.Abs(float64(got[0])-wantL) > 1e-6 || math.Abs(float64(got[1])-wantR) > 1e-6 {
		t.Errorf("5.1 downmix = %v…, want %v %v", got[:2], wantL, wantR)
	}
	// Full scale on every channel stays within [-1, 1].
	loud := writeTestWAV(t, filepath.Join(dir, "loud.wav"), 48000, 6, 16, false, 10, func(i, c int) float64 { return -1 })
	d, _ = Open(loud)
	for _, v := range drain(t, NewStereo(d), 64) {
		if v < -1 || v > 1 {
			t.Fatalf("downmix clipped: %v", v)
		}
	}
	d.Close()
	// 3 channels: averaged.
	three := writeTestWAV(t, filepath.Join(dir, "three.wav"), 48000, 3, 16, false, 4, func(i, c int) float64 { return []float64{0.5, 0.25, -0.75}[c] })
	d, _ = Open(three)
	got = drain(t, NewStereo(d), 64)
	d.Close()
	if len(got) != 8 || got[0] != 0 || got[1] != 0 {
		t.Errorf("3-channel average = %v, want zeros", got)
	}
}

func TestOpenStream(t *testing.T) {
	path := writeTestWAV(t, filepath.Join(t.TempDir(), "a.wav"), 44100, 1, 16, false, 44100, func(i, c int) float64 {
		return 0.5 * math.Sin(2*math.Pi*440*float64(i)/44100)
	})
	s, info, closer, err := OpenStream(path, 48000)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	if info.SampleRate != 44100 || info.Channels != 1 || info.Frames != 44100 {
		t.Errorf("info = %+v", info)
	}
	out := drain(t, s, 1000)
	if len(out) != 2*48000 {
		t.Errorf("%d frames, want 48000", len(out)/2)
	}
	db, amp, _ := thdN(channel(out, 1)[4800:43200], 48000, 440)
	if db > -80 || math.Abs(amp-0.5) > 0.001 {
		t.Errorf("440 Hz through OpenStream: THD+N %.1f dB, amplitude %.4f", db, amp)
	}
	if _, _, _, err := OpenStream(filepath.Join(t.TempDir(), "nope.wav"), 48000); err == nil {
		t.Error("OpenStream of a missing file succeeded")
	}
}

// TestSoxFixture decodes a file written by sox (24-bit stereo, which sox
// writes as WAVE_FORMAT_EXTENSIBLE) and compares with sox's own conversion.
func TestSoxFixture(t *testing.T) {
	sox, err := exec.LookPath("sox")
	if err != nil {
		t.Skip("sox not on PATH; this cross-check needs it")
	}
	dir := t.TempDir()
	wav := filepath.Join(dir, "sox.wav")
	raw := filepath.Join(dir, "sox.f32")
	if out, err := exec.Command(sox, "-n", "-r", "32000", "-c", "2", "-b", "24", wav, "synth", "0.5", "sine", "300", "sine", "500", "vol", "0.5").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v\n%s", err, out)
	}
	if out, err := exec.Command(sox, wav, "-t", "f32", "-e", "floating-point", "-b", "32", raw).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v\n%s", err, out)
	}
	got, info := readAll(t, wav)
	if info.SampleRate != 32000 || info.Channels != 2 || info.BitDepth != 24 || info.Frames != 16000 {
		t.Errorf("info = %+v", info)
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)/4 != len(got) {
		t.Fatalf("decoded %d samples, sox %d", len(got), len(b)/4)
	}
	for i := range got {
		w := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if math.Abs(float64(got[i]-w)) > 1e-6 {
			t.Fatalf("sample %d = %v, sox says %v", i, got[i], w)
		}
	}
}

// TestWAVEdges: WAVs third-party tools write that our reader once got
// wrong, each decoded as ffmpeg decodes it.
func TestWAVEdges(t *testing.T) {
	dir := t.TempDir()
	le := encode(t, "", filepath.Join(dir, "le.wav"), 2, "-ac", "2", "-c:a", "pcm_s16le")
	want, _ := readAll(t, le)

	t.Run("big-endian RIFX", func(t *testing.T) {
		rifx := filepath.Join(dir, "rifx.wav")
		run(t, "sox", le, "-B", rifx)
		if b := must(os.ReadFile(rifx)); string(b[:4]) != "RIFX" {
			t.Fatalf("sox wrote %q, want RIFX", b[:4])
		}
		got, info := readAll(t, rifx)
		if info.Format != "wav" || info.Channels != 2 || info.BitDepth != 16 {
			t.Errorf("info %+v", info)
		}
		if !slicesEqual(got, want) {
			t.Errorf("RIFX decodes differently from the same samples little-endian (SNR %.1f dB)", snrDB(want, got))
		}
	})

	t.Run("24-bit samples in 4-byte slots", func(t *testing.T) {
		// nBlockAlign 8 for two 24-bit channels: each sample is the top
		// three bytes of a 4-byte slot.
		var data []byte
		for _, v := range want {
			s := int32(math.Round(float64(v)*(1<<23))) << 8
			data = binary.LittleEndian.AppendUint32(data, uint32(s))
		}
		f := fmtChunk(1, 2, 22050, 24, false)
		binary.LittleEndian.PutUint32(f[8+8:], 22050*8) // byte rate
		binary.LittleEndian.PutUint16(f[8+12:], 8)      // nBlockAlign
		path := writeFile(t, filepath.Join(dir, "slots.wav"), riffFile(f, chunk("data", data)))
		got, info := readAll(t, path)
		if info.BitDepth != 24 || info.Frames != int64(len(want)/2) {
			t.Errorf("info %+v, want 24-bit, %d frames", info, len(want)/2)
		}
		if snr := snrDB(want, got); snr < 90 {
			t.Errorf("SNR against the samples %.1f dB, want ≥ 90 (noise before)", snr)
		}
		if snr := snrDB(reference(t, path, 22050, 2), got); snr < 60 {
			t.Errorf("SNR against ffmpeg %.1f dB, want ≥ 60", snr)
		}
	})

	t.Run("missing fmt chunk", func(t *testing.T) {
		path := writeFile(t, filepath.Join(dir, "nofmt.wav"), riffFile(chunk("data", make([]byte, 400))))
		_, err := Probe(path)
		if !errors.Is(err, ErrNoFmt) {
			t.Fatalf("Probe: %v, want ErrNoFmt (not blamed on zero channels or rate)", err)
		}
		if strings.Contains(err.Error(), "zero") {
			t.Errorf("error %q blames zero channels or rate", err)
		}
	})
}
