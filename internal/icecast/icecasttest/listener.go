package icecasttest

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Listener records a mount as an IP loudspeaker receiver would hear it:
// ffmpeg opens the stream over HTTP and decodes it to mono float samples.
type Listener struct {
	t    testing.TB
	cmd  *exec.Cmd
	path string
	done chan struct{}
	logs *tail
	rate int
}

// Listen starts recording url at rate (mono).
func Listen(t testing.TB, url string, rate int) *Listener {
	t.Helper()
	l := &Listener{t: t, path: filepath.Join(t.TempDir(), "rec.f32"), done: make(chan struct{}), logs: &tail{max: 8 << 10}, rate: rate}
	// A forced format and no probing: the receiver starts decoding at once.
	l.cmd = exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "mp3", "-probesize", "2048", "-analyzeduration", "0",
		"-i", url, "-f", "f32le", "-ac", "1", "-ar", strconv.Itoa(rate), "-flush_packets", "1", "-y", l.path)
	l.cmd.Stderr = l.logs
	if err := l.cmd.Start(); err != nil {
		t.Fatalf("ffmpeg (apt-get install ffmpeg): %v", err)
	}
	go func() { l.cmd.Wait(); close(l.done) }()
	t.Cleanup(func() { l.stop() })
	return l
}

// Stop ends the recording and returns it.
func (l *Listener) Stop() []float32 {
	l.stop()
	raw, err := os.ReadFile(l.path)
	if err != nil {
		l.t.Fatalf("the listener recorded nothing: %v (ffmpeg: %s)", err, l.logs.String())
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return out
}

// Exited reports whether ffmpeg has ended (the stream it read ended).
func (l *Listener) Exited() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

func (l *Listener) stop() {
	l.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-l.done:
	case <-time.After(5 * time.Second):
		l.cmd.Process.Kill()
		<-l.done
	}
}

// Align finds where ref starts in rec: the first sound in rec (above
// -40 dBFS) gives a rough place, refined within ±search samples by the
// correlation of the whole of ref. It returns the offset and the Pearson
// correlation there (0 when rec holds no sound or is too short).
func Align(rec, ref []float32, search int) (offset int, corr float64) {
	onset := -1
	for i, v := range rec {
		if math.Abs(float64(v)) > 0.01 {
			onset = i
			break
		}
	}
	refOnset := 0
	for i, v := range ref {
		if math.Abs(float64(v)) > 0.01 {
			refOnset = i
			break
		}
	}
	if onset < 0 {
		return 0, 0
	}
	best, bestAt := -2.0, 0
	for lag := max(0, onset-refOnset-search); lag <= onset-refOnset+search; lag++ {
		if lag+len(ref) > len(rec) {
			break
		}
		if c := Pearson(rec[lag:lag+len(ref)], ref); c > best {
			best, bestAt = c, lag
		}
	}
	if best < -1 {
		return 0, 0
	}
	return bestAt, best
}

// Pearson is the correlation coefficient of two equally long signals.
func Pearson(a, b []float32) float64 {
	n := min(len(a), len(b))
	var sa, sb, saa, sbb, sab float64
	for i := 0; i < n; i++ {
		x, y := float64(a[i]), float64(b[i])
		sa += x
		sb += y
		saa += x * x
		sbb += y * y
		sab += x * y
	}
	fn := float64(n)
	cov := sab - sa*sb/fn
	va, vb := saa-sa*sa/fn, sbb-sb*sb/fn
	if va <= 0 || vb <= 0 {
		return 0
	}
	return cov / math.Sqrt(va*vb)
}
