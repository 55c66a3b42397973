package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFormatProgress(t *testing.T) {
	cases := []struct {
		lang        string
		done, total int
		current     string
		elapsed     time.Duration
		want        string
	}{
		{"vi", 0, 10, "media/tthc/mot-cua.wav", 0, "0/10 (0%) · mot-cua.wav"},
		{"vi", 3, 10, "/srv/media/tthc/mot-cua.wav", 30 * time.Second, "3/10 (30%) · còn 1m10s · mot-cua.wav"},
		{"en", 1, 3, "a.mp3", 1500 * time.Millisecond, "1/3 (33%) · left 3s · a.mp3"},
		{"vi", 9, 10, "z.wav", 90 * time.Second, "9/10 (90%) · còn 10s · z.wav"},
	}
	for _, c := range cases {
		m := &Main{lang: c.lang}
		if got := m.formatProgress(c.done, c.total, c.current, c.elapsed); got != c.want {
			t.Errorf("formatProgress(%d, %d, %q, %v) = %q, want %q", c.done, c.total, c.current, c.elapsed, got, c.want)
		}
	}
}

func TestProgressRewritesOneLineAndClearsIt(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	m := &Main{lang: "vi"}
	p := m.progressTo(&buf, clock)
	p(0, 2, "a.wav")
	now = now.Add(2 * time.Second)
	p(1, 2, "b.wav")
	p(2, 2, "")
	want := "\r\033[K0/2 (0%) · a.wav\r\033[K1/2 (50%) · còn 2s · b.wav\r\033[K"
	if buf.String() != want {
		t.Errorf("progress wrote %q, want %q", buf.String(), want)
	}
	// One file: nothing to show.
	buf.Reset()
	p = m.progressTo(&buf, clock)
	p(0, 1, "a.wav")
	p(1, 1, "")
	if buf.Len() != 0 {
		t.Errorf("progress of a single file wrote %q", buf.String())
	}
}

func TestProgressIsQuietWhenNotATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, m := range []*Main{
		{Stdout: w, Stderr: w},               // a pipe
		{Stdout: f, Stderr: f},               // a file
		{Stdout: &bytes.Buffer{}, Stderr: w}, // not even a file
	} {
		if m.progressPrinter() != nil {
			t.Errorf("progress shown with stdout %T, stderr %T that are not terminals", m.Stdout, m.Stderr)
		}
	}
}

// TestImportOfAFolderIsQuietInAPipe imports a folder through the binary,
// its output going to pipes: only the results, no progress line.
func TestImportOfAFolderIsQuietInAPipe(t *testing.T) {
	data := t.TempDir()
	media := filepath.Join(t.TempDir(), "tthc")
	os.MkdirAll(media, 0o755)
	for _, n := range []string{"a", "b", "c"} {
		writeTone(t, filepath.Join(media, n+".wav"), "0.5")
	}
	r := run(t, data, nil, "segments", "import", media)
	if r.code != 0 {
		t.Fatalf("import: exit %d: %s", r.code, r.stderr)
	}
	for _, s := range []string{r.stdout, r.stderr} {
		if strings.Contains(s, "\r") || strings.Contains(s, "\033[K") || strings.Contains(s, "1/3") {
			t.Errorf("progress written to a pipe: %q", s)
		}
	}
	if strings.Count(r.stdout, "\n") < 3 {
		t.Errorf("the results are missing: %q", r.stdout)
	}
}

// TestImportOfAFolderShowsProgressOnATerminal runs the import under
// script(1), which gives it a pseudo-terminal: the progress line appears.
func TestImportOfAFolderShowsProgressOnATerminal(t *testing.T) {
	data := t.TempDir()
	media := filepath.Join(t.TempDir(), "tthc")
	os.MkdirAll(media, 0o755)
	for _, n := range []string{"a", "b", "c"} {
		writeTone(t, filepath.Join(media, n+".wav"), "0.5")
	}
	cmd := exec.Command("script", "-q", "-e", "-c", binPath+" --data "+data+" segments import "+media, "/dev/null")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script (util-linux): %v: %s", err, out)
	}
	for _, want := range []string{"\r\033[K1/3 (33%) · còn ", "a.wav", "c.wav"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("terminal output lacks %q: %q", want, out)
		}
	}
}
