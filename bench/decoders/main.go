// Command decoders is the decoder-agreement bench: it makes a set of
// recordings from the sample library with ffmpeg (and sox for AMR) — every
// accepted format × 8/16/22.05/44.1/48 kHz × mono/stereo, MP3 at 16–320
// kbps — decodes each as the station does (PCM WAV with our own reader;
// anything else converted by the importer's path into the house WAV, then
// read by our reader) and as ffmpeg does, and prints a Markdown section with
// the SNR of ours against ffmpeg's. Combinations an encoder cannot make
// are listed as skipped, with the encoder's reason.
//
// usage: go run ./bench/decoders [-media DIR] [-seconds N] > section.md
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/library"
)

// format is one way a recording reaches the commune.
type format struct {
	name  string // as in the table
	ext   string
	lossy bool
	// args are ffmpeg's output options (rate and channels are added);
	// sox, when set, makes the file with sox instead.
	args []string
	sox  []string
	// only lists the rates and channel counts the format has (others are
	// skipped, saying why); bed mixes quiet pink noise (−26 dB) under the
	// speech, so that the AMR encoder never compresses the pauses (DTX).
	only []int
	bed  bool
}

var (
	rates    = []int{8000, 16000, 22050, 44100, 48000}
	mp3Rates = []int{16, 24, 32, 48, 64, 96, 128, 160, 192, 256, 320}
	formats  = []format{
		{name: "WAV 16-bit", ext: "wav", args: []string{"-c:a", "pcm_s16le"}},
		{name: "WAV 24-bit", ext: "wav", args: []string{"-c:a", "pcm_s24le"}},
		{name: "WAV float", ext: "wav", args: []string{"-c:a", "pcm_f32le"}},
		{name: "WAV µ-law", ext: "wav", lossy: true, args: []string{"-c:a", "pcm_mulaw"}},
		{name: "FLAC", ext: "flac", args: []string{"-c:a", "flac"}},
		{name: "M4A/AAC 64k", ext: "m4a", lossy: true, args: []string{"-c:a", "aac", "-b:a", "64k"}},
		{name: "Ogg Vorbis", ext: "ogg", lossy: true, args: []string{"-c:a", "libvorbis"}},
		{name: "Opus 32k", ext: "opus", lossy: true, args: []string{"-c:a", "libopus", "-b:a", "32k"}},
		{name: "WMA 64k", ext: "wma", lossy: true, args: []string{"-c:a", "wmav2", "-b:a", "64k"}},
		{name: "AMR-NB", ext: "amr", lossy: true, sox: []string{"-t", "amr-nb"}, only: []int{8000, 1}},
		{name: "AMR-NB, pauses under quiet noise", ext: "amr", lossy: true, sox: []string{"-t", "amr-nb"}, only: []int{8000, 1}, bed: true},
		{name: "AMR-WB", ext: "awb", lossy: true, sox: []string{"-t", "amr-wb"}, only: []int{16000, 1}},
	}
)

// result is one row of the table.
type result struct {
	format   string
	rate, ch int
	snr      float64
	skipped  string // the encoder could not make it
	refused  string // we refused it
	frames   int64
	lossy    bool
}

func main() {
	media := flag.String("media", "media", "the sample library")
	seconds := flag.Float64("seconds", 4, "length of each test recording")
	flag.Parse()
	if err := run(context.Background(), *media, *seconds); err != nil {
		fmt.Fprintln(os.Stderr, "decoders:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, media string, seconds float64) error {
	work, err := os.MkdirTemp("", "decoders")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// The source: two different spoken bulletins from media/, one per side
	// (so that stereo is not two equal channels), at 48 kHz.
	srcs, err := filepath.Glob(filepath.Join(media, "*", "*.wav"))
	if err != nil || len(srcs) < 2 {
		return fmt.Errorf("need two WAVs under %s/<topic>/", media)
	}
	sort.Strings(srcs)
	source := filepath.Join(work, "source.wav")
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", srcs[0], "-i", srcs[1],
		"-filter_complex", "[0][1]amerge=inputs=2,aresample=48000", "-t", fmt.Sprint(seconds), "-c:a", "pcm_f32le", source).CombinedOutput(); err != nil {
		return fmt.Errorf("making the source: %v\n%s", err, out)
	}
	bed := filepath.Join(work, "bed.wav")
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", source, "-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=48000:amplitude=1",
		"-filter_complex", "[1]volume=0.05[s];[0][s]amix=inputs=2:duration=first:normalize=0", "-c:a", "pcm_f32le", bed).CombinedOutput(); err != nil {
		return fmt.Errorf("making the source with a tone: %v\n%s", err, out)
	}
	start := time.Now()
	var rows []result
	for _, f := range formats {
		for _, rate := range rates {
			for _, ch := range []int{1, 2} {
				src := source
				if f.bed {
					src = bed
				}
				rows = append(rows, one(ctx, work, src, f, f.name, f.args, rate, ch))
			}
		}
	}
	for _, kbps := range mp3Rates {
		for _, rate := range rates {
			for _, ch := range []int{1, 2} {
				name := fmt.Sprintf("MP3 %d kbps", kbps)
				rows = append(rows, one(ctx, work, source, format{ext: "mp3", lossy: true}, name,
					[]string{"-c:a", "libmp3lame", "-b:a", fmt.Sprintf("%dk", kbps)}, rate, ch))
			}
		}
	}
	write(os.Stdout, rows, seconds, time.Since(start), srcs[:2])
	return nil
}

// one makes, decodes both ways and compares one combination.
func one(ctx context.Context, work, source string, f format, name string, args []string, rate, ch int) result {
	r := result{format: name, rate: rate, ch: ch, lossy: f.lossy}
	if f.only != nil && (rate != f.only[0] || ch != f.only[1]) {
		r.skipped = fmt.Sprintf("%s is %g kHz mono only", name, float64(f.only[0])/1000)
		return r
	}
	path := filepath.Join(work, fmt.Sprintf("%s-%d-%d.%s", strings.NewReplacer(" ", "", "/", "", "µ", "u", ",", "").Replace(name), rate, ch, f.ext))
	var cmd *exec.Cmd
	if f.sox != nil {
		sargs := append([]string{source, "-r", strconv.Itoa(rate), "-c", strconv.Itoa(ch)}, f.sox...)
		cmd = exec.CommandContext(ctx, "sox", append(sargs, path)...)
	} else {
		fargs := append([]string{"-nostdin", "-v", "error", "-y", "-i", source, "-ar", strconv.Itoa(rate), "-ac", strconv.Itoa(ch)}, args...)
		cmd = exec.CommandContext(ctx, "ffmpeg", append(fargs, path)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		r.skipped = shorten(strings.ReplaceAll(lastLine(string(out), err), path, "F"))
		if f.ext == "opus" {
			r.skipped = "libopus takes 8, 12, 16, 24 or 48 kHz"
		}
		return r
	}
	ours, info, err := decodeOurs(ctx, path, work)
	if err != nil {
		r.refused = shorten(strings.ReplaceAll(err.Error(), path+": ", ""))
		return r
	}
	r.frames = info.Frames
	ref, err := decodeFFmpeg(ctx, path, info.SampleRate, info.Channels)
	if err != nil {
		r.refused = "ffmpeg: " + err.Error()
		return r
	}
	r.snr = snr(ref, ours)
	if len(ref) != len(ours) {
		r.refused = fmt.Sprintf("length differs: ours %d samples, ffmpeg %d", len(ours), len(ref))
	}
	return r
}

// decodeOurs decodes as the library does: a PCM WAV directly, anything
// else through the importer's conversion into the house WAV.
func decodeOurs(ctx context.Context, path, work string) ([]float32, audio.Info, error) {
	play := path
	pcm, err := audio.IsPCMWAV(path)
	if err != nil {
		return nil, audio.Info{}, err
	}
	if !pcm {
		play = filepath.Join(work, "house"+library.HouseExt)
		if _, err := audio.Convert(ctx, path, play); err != nil {
			return nil, audio.Info{}, err
		}
		defer os.Remove(play)
	}
	d, err := audio.Open(play)
	if err != nil {
		return nil, audio.Info{}, err
	}
	defer d.Close()
	var out []float32
	buf := make([]float32, 8192*d.Info().Channels)
	for {
		n, err := d.Read(buf)
		out = append(out, buf[:n*d.Info().Channels]...)
		if errors.Is(err, io.EOF) {
			return out, d.Info(), nil
		}
		if err != nil {
			return nil, audio.Info{}, err
		}
	}
}

// decodeFFmpeg is the reference: ffmpeg's own decode at the rate and
// channel count we decoded to.
func decodeFFmpeg(ctx context.Context, path string, rate, ch int) ([]float32, error) {
	out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0",
		"-ar", strconv.Itoa(rate), "-ac", strconv.Itoa(ch), "-f", "f32le", "-").Output()
	if err != nil {
		return nil, err
	}
	x := make([]float32, len(out)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(out[4*i:]))
	}
	return x, nil
}

// snr is the signal-to-noise ratio of got against want in dB (+Inf when
// equal).
func snr(want, got []float32) float64 {
	var s, e float64
	for i := range min(len(want), len(got)) {
		d := float64(want[i]) - float64(got[i])
		s += float64(want[i]) * float64(want[i])
		e += d * d
	}
	return 10 * math.Log10(s/e)
}

// shorten keeps a message to its first sentence, at most 140 characters.
func shorten(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i+1]
	}
	if r := []rune(s); len(r) > 140 {
		s = string(r[:140]) + "…"
	}
	return s
}

func lastLine(out string, err error) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return err.Error()
}

// write prints the section.
func write(w io.Writer, rows []result, seconds float64, took time.Duration, srcs []string) {
	fmt.Fprintln(w, "## Decoder agreement with ffmpeg")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Command: `go run ./bench/decoders` (bench/decoders.sh), %s. Source: %.0f s of %s (left) and %s (right) at 48 kHz;\n",
		time.Now().UTC().Format("2006-01-02"), seconds, srcs[0], srcs[1])
	fmt.Fprintln(w, "each row is encoded from it with ffmpeg (AMR with sox), decoded as the station does (PCM WAV by our reader; anything else")
	fmt.Fprintln(w, "converted by ffmpeg into the house WAV at import, then read by our reader) and by ffmpeg itself (`-f f32le`).")
	fmt.Fprintln(w, "SNR of ours against ffmpeg's; goal ≥ 60 dB for PCM, ≥ 40 dB for lossy, or refused with a reason. `∞`: the same samples.")
	fmt.Fprintf(w, "The whole set took %.0f s.\n\n", took.Seconds())
	fmt.Fprintln(w, "| format | rate | mono | stereo |")
	fmt.Fprintln(w, "|---|---|---|---|")
	cell := func(r result) string {
		switch {
		case r.skipped != "":
			return "skipped (" + strings.ReplaceAll(r.skipped, "|", "/") + ")"
		case r.refused != "":
			return "**refused**: " + strings.ReplaceAll(r.refused, "|", "/")
		}
		goal := 60.0
		if r.lossy {
			goal = 40
		}
		mark := "ok"
		if r.snr < goal {
			mark = "**BELOW GOAL**"
		}
		v := "∞"
		if !math.IsInf(r.snr, 1) {
			v = fmt.Sprintf("%.1f dB", r.snr)
		}
		return v + " " + mark
	}
	var ok, below, skipped, refused int
	for i := 0; i+1 < len(rows); i += 2 {
		m, s := rows[i], rows[i+1]
		fmt.Fprintf(w, "| %s | %g kHz | %s | %s |\n", m.format, float64(m.rate)/1000, cell(m), cell(s))
		for _, r := range []result{m, s} {
			switch {
			case r.skipped != "":
				skipped++
			case r.refused != "":
				refused++
			case r.snr >= 40 && (r.lossy || r.snr >= 60):
				ok++
			default:
				below++
			}
		}
	}
	fmt.Fprintf(w, "\n%d decoded within the goal, %d below it, %d refused, %d skipped (the encoder cannot make them).\n", ok, below, refused, skipped)
}
