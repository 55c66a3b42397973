package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ffmpegF32 decodes path with ffmpeg to mono float32 at 48 kHz (the left
// channel of a stereo file).
func ffmpegF32(t *testing.T, path string) []float32 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-af", "pan=mono|c0=c0", "-ar", "48000", "-f", "f32le", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v", path, err)
	}
	x := make([]float32, len(out)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(out[4*i:]))
	}
	return x
}

// TestImportedMP3PlaysAsRecorded is the reproduction: a 22.05 kHz
// 32 kbps MP3 (go-mp3 played it as noise) imported and played to a file
// sounds like the speech it was made from; a WAV under 1 ms beside it is
// refused by name, the good files after it still import, and the summary
// is printed before exit 2.
func TestImportedMP3PlaysAsRecorded(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	speech, _ := filepath.Abs("../../media/tthc/bo-phan-mot-cua.wav")
	mp3 := filepath.Join(dir, "a-x.mp3")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", speech, "-t", "4", "-ar", "22050", "-ac", "1", "-b:a", "32k", mp3).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	tiny := filepath.Join(dir, "b-tiny.wav")
	if out, err := exec.Command("sox", "-n", "-r", "16000", "-c", "1", "-b", "16", tiny, "synth", "0.0005", "sine", "440").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v\n%s", err, out)
	}
	good := filepath.Join(dir, "c-good.wav")
	writeTone(t, good, "1")

	r := run(t, data, nil, "segments", "import", "--topic", "tthc", mp3, tiny, good)
	if r.code != 2 {
		t.Fatalf("import: exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "b-tiny.wav") || !strings.Contains(r.stderr, "quá ngắn") {
		t.Errorf("the tiny WAV is not refused by name with its reason: %s", r.stderr)
	}
	if !strings.Contains(r.stdout, "nạp thành công: 2, bị từ chối: 1") {
		t.Errorf("no summary, or not 2 imported and 1 refused: %s", r.stdout)
	}

	out := filepath.Join(dir, "out.wav")
	mustRun(t, data, "play", "--output", "file:"+out, "1")
	var log []airingJSON
	json.Unmarshal([]byte(mustRun(t, data, "log", "--json")), &log)
	if len(log) != 1 || log[0].Status != "completed" || log[0].PlayedMS < 3990 || log[0].PlayedMS > 4010 {
		t.Fatalf("log %+v, want one completed airing of 4 s", log)
	}
	src, got := ffmpegF32(t, speech)[:4*48000], ffmpegF32(t, out)
	// Best correlation within ±5 ms (the two resamplers' delays differ).
	best := 0.0
	for lag := -240; lag <= 240; lag++ {
		var ab, aa, bb float64
		for i := 480; i < len(src)-480 && i+lag < len(got); i++ {
			a, b := float64(src[i]), float64(got[i+lag])
			ab, aa, bb = ab+a*b, aa+a*a, bb+b*b
		}
		best = max(best, ab/math.Sqrt(aa*bb))
	}
	if best < 0.8 {
		t.Fatalf("what played correlates %.3f with the speech, want ≥ 0.8 (noise is ≈ 0.1)", best)
	}
	if _, err := os.Stat(filepath.Join(data, "library")); err != nil {
		t.Errorf("no house WAV folder: %v", err)
	}
}
