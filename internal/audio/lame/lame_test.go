package lame

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// An encoded tone decodes, through ffmpeg, to the same tone at the same
// length: LAME was called right (rate, channels, bitrate, float scale).
func TestEncodeDecodesToTheTone(t *testing.T) {
	for _, ch := range []int{1, 2} {
		e, err := New(Options{Rate: 48000, Channels: ch, Kbps: 64})
		if err != nil {
			t.Fatal(err)
		}
		var mp3 []byte
		const secs = 2
		l := make([]float32, 960)
		r := make([]float32, 960)
		for i := 0; i < secs*48000/960; i++ {
			for k := range l {
				v := float32(0.5 * math.Sin(2*math.Pi*440*float64(i*960+k)/48000))
				l[k], r[k] = v, v
			}
			right := r
			if ch == 1 {
				right = nil
			}
			if mp3, err = e.Encode(mp3, l, right); err != nil {
				t.Fatal(err)
			}
		}
		delay := e.Delay()
		e.Close()
		if delay <= 0 || delay > 4000 {
			t.Fatalf("delay %d samples", delay)
		}
		// 64 kbps for ~2 s less the held-back frames.
		if want := 64000 / 8 * secs; len(mp3) < want*8/10 || len(mp3) > want*11/10 {
			t.Fatalf("%d channels: %d bytes of MP3 for %d s at 64 kbps (want about %d)", ch, len(mp3), secs, want)
		}
		if !bytes.HasPrefix(mp3, []byte{0xff}) || mp3[1]&0xe0 != 0xe0 {
			t.Fatalf("does not start with an MP3 frame sync: % x", mp3[:4])
		}
		path := filepath.Join(t.TempDir(), "t.mp3")
		if err := os.WriteFile(path, mp3, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "f32le", "-ar", "48000", "-").Output()
		if err != nil {
			t.Fatalf("ffmpeg: %v", err)
		}
		n := len(out) / 4 / ch
		var peak float64
		for i := 0; i < n*ch; i++ {
			v := math.Abs(float64(math.Float32frombits(uint32(out[4*i]) | uint32(out[4*i+1])<<8 | uint32(out[4*i+2])<<16 | uint32(out[4*i+3])<<24)))
			peak = max(peak, v)
		}
		if peak < 0.45 || peak > 0.6 {
			t.Errorf("%d channels: decoded peak %.3f, want about 0.5", ch, peak)
		}
		if n < (secs*48000-4000) || n > secs*48000+2000 {
			t.Errorf("%d channels: decoded %d samples, want about %d", ch, n, secs*48000)
		}
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	if _, err := New(Options{Rate: 48000, Channels: 3, Kbps: 64}); err == nil {
		t.Error("3 channels accepted")
	}
}
