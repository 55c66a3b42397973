// Package library imports recorded segments into the store: it checks each
// recording (PCM WAV, or anything ffmpeg decodes: MP3, M4A/AAC, Ogg, Opus,
// AMR, FLAC, WMA...), converts a compressed one into the library's house
// WAV, measures it, recognises files already imported by their SHA-256, and
// takes the topic from an option or the media/<topic-code>/ folder.
package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/title"
)

// JinglesDir is the media sub-folder of jingles, which are not segments.
const JinglesDir = "jingles"

// ErrNoTopic means a file has no topic: neither an option nor its folder.
var ErrNoTopic = errors.New("no topic")

// ErrUnknownTopic means a topic code is not in the configuration.
var ErrUnknownTopic = errors.New("unknown topic")

// Options apply to every file of one import.
type Options struct {
	Topics     []string
	Title      string
	ValidFrom  string
	ValidUntil string
	Priority   playlist.Priority
	// ApprovedBy, when not empty, records the new segments as approved by
	// that person (files already imported are left as they are).
	ApprovedBy string
}

// Result is the outcome for one file.
type Result struct {
	Path    string
	Segment playlist.Segment
	Existed bool
	Err     error
}

// Importer imports files into the store.
type Importer struct {
	Store  SegmentStore
	Topics map[string]bool // known topic codes
	Now    func() time.Time
	// LibraryDir is where a compressed recording is converted, by ffmpeg,
	// into the house format: a WAV of 32-bit float samples at the file's
	// own rate and channel count, named after the original's SHA-256. The
	// segment plays that WAV with our own reader (seekable, constant
	// memory, no ffmpeg on air); the original file is left where it is and
	// its SHA-256 identifies duplicates. Empty: the segment keeps the
	// original's path and ffmpeg decodes it each time it airs.
	LibraryDir string
}

// HouseExt is the extension of the house-format WAVs in LibraryDir.
const HouseExt = ".wav"

// audioExts are the file name extensions a folder walk picks up (compared
// without regard to case): what phones, messaging apps and offices send.
// A file named on the command line is imported whatever its name: the
// content decides (audio.Probe).
var audioExts = []string{".wav", ".mp3", ".m4a", ".aac", ".mp4", ".3gp", ".ogg", ".oga", ".opus", ".amr", ".awb", ".flac", ".wma", ".mp2", ".webm", ".caf", ".aif", ".aiff"}

// isAudioName reports whether a folder walk should pick up the file.
func isAudioName(path string) bool {
	ext := filepath.Ext(path)
	for _, e := range audioExts {
		if strings.EqualFold(ext, e) {
			return true
		}
	}
	return false
}

// Expand turns the paths given by the operator into files: a folder gives
// every recording below it (audioExts) (the jingles folder excepted), with the topic
// of its media/<topic-code>/ folder when there is one.
func (im *Importer) Expand(paths []string) (files []string, folderTopic map[string]string, err error) {
	folderTopic = map[string]string{}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			files = append(files, p) // unreadable ones are reported by Import
			if dir := filepath.Base(filepath.Dir(p)); im.Topics[dir] {
				folderTopic[p] = dir
			}
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == JinglesDir && path != p {
					return filepath.SkipDir
				}
				return nil
			}
			if !isAudioName(path) {
				return nil
			}
			found = append(found, path)
			rel, _ := filepath.Rel(p, path)
			parts := strings.Split(filepath.ToSlash(rel), "/")
			// The nearest enclosing folder named after a topic gives it;
			// the folder given itself counts too (import media/tthc).
			candidates := append([]string{filepath.Base(filepath.Clean(p))}, parts[:len(parts)-1]...)
			for i := len(candidates) - 1; i >= 0; i-- {
				if im.Topics[candidates[i]] {
					folderTopic[path] = candidates[i]
					break
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("read folder %s: %w", p, err)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, folderTopic, nil
}

// Import imports each file independently: a bad file is reported in its
// Result and changes nothing stored; good files are stored. progress, if not
// nil, is called before each file.
func (im *Importer) Import(ctx context.Context, paths []string, opts Options, progress func(done, total int, current string)) ([]Result, error) {
	for _, t := range opts.Topics {
		if !im.Topics[t] {
			return nil, fmt.Errorf("%w %q", ErrUnknownTopic, t)
		}
	}
	files, folderTopic, err := im.Expand(paths)
	if err != nil {
		return nil, err
	}
	now := im.Now
	if now == nil {
		now = time.Now
	}
	results := make([]Result, 0, len(files))
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		if progress != nil {
			progress(i, len(files), f)
		}
		r := Result{Path: f}
		topics := opts.Topics
		if len(topics) == 0 && folderTopic[f] != "" {
			topics = []string{folderTopic[f]}
		}
		if len(topics) == 0 {
			r.Err = ErrNoTopic
			results = append(results, r)
			continue
		}
		// A file already in the library (same SHA-256) is not analysed
		// again: reloading a large media folder stays cheap.
		if known, ok, err := im.known(ctx, f); err != nil {
			return results, err
		} else if ok {
			id, _, err := im.Store.AddSegment(ctx, known) // brings a retired one back, as before
			if err != nil {
				return append(results, Result{Path: f, Err: err}), fmt.Errorf("import %s: %w", f, err)
			}
			if r.Segment, err = im.Store.Segment(ctx, id); err != nil {
				return results, err
			}
			r.Existed = true
			results = append(results, r)
			continue
		}
		seg, err := im.measure(ctx, f)
		if err != nil {
			r.Err = err
			results = append(results, r)
			continue
		}
		seg.Topics = topics
		if t := title.Clean(opts.Title); t != "" {
			seg.Title = t
		}
		seg.ValidFrom, seg.ValidUntil = opts.ValidFrom, opts.ValidUntil
		seg.Priority = opts.Priority
		if seg.Priority == "" {
			seg.Priority = playlist.PriorityNormal
		}
		seg.ImportedAt = now()
		if opts.ApprovedBy != "" {
			seg.Approved, seg.ApprovedBy, seg.ApprovedAt = true, opts.ApprovedBy, seg.ImportedAt
		}
		id, existed, err := im.Store.AddSegment(ctx, seg)
		if err != nil {
			// Named in the results too: the caller prints them (a full
			// disk stops the import; the file is not stored).
			return append(results, Result{Path: f, Err: err}), fmt.Errorf("import %s: %w", f, err)
		}
		stored, err := im.Store.Segment(ctx, id)
		if err != nil {
			return results, err
		}
		r.Segment, r.Existed = stored, existed
		results = append(results, r)
	}
	if progress != nil {
		progress(len(files), len(files), "")
	}
	return results, nil
}

// measure checks and measures one file; a compressed one is first
// converted into the house format (see LibraryDir).
func (im *Importer) measure(ctx context.Context, path string) (playlist.Segment, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return playlist.Segment{}, err
	}
	sum, err := fileSHA256(abs)
	if err != nil {
		return playlist.Segment{}, err
	}
	play, tag := abs, ""
	pcm, err := audio.IsPCMWAV(abs)
	if err != nil {
		return playlist.Segment{}, err
	}
	if !pcm && im.LibraryDir != "" {
		house, src, err := im.convert(ctx, abs, sum)
		if err != nil {
			return playlist.Segment{}, err
		}
		play, tag = house, src.Title
	}
	seg, err := measurePlayable(play)
	if err != nil {
		if play != abs {
			os.Remove(play)
		}
		return playlist.Segment{}, err
	}
	// A tag that is only control characters or spaces falls back to the
	// next source: the file's own header, then its name.
	name := title.Clean(tag)
	if name == "" {
		name = title.Clean(seg.Title)
	}
	if name == "" {
		name = title.Clean(strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs)))
	}
	seg.Title, seg.SHA256 = name, sum
	return seg, nil
}

// convert decodes the compressed file at abs into the house WAV named after
// its SHA-256, unless an earlier import left it there.
func (im *Importer) convert(ctx context.Context, abs, sum string) (string, audio.Info, error) {
	if err := os.MkdirAll(im.LibraryDir, 0o750); err != nil {
		return "", audio.Info{}, fmt.Errorf("library folder: %w", err)
	}
	house, err := filepath.Abs(filepath.Join(im.LibraryDir, sum+HouseExt))
	if err != nil {
		return "", audio.Info{}, err
	}
	part := house + ".part"
	src, err := audio.Convert(ctx, abs, part)
	if err != nil {
		return "", src, err
	}
	if err := os.Rename(part, house); err != nil {
		os.Remove(part)
		return "", src, fmt.Errorf("library folder: %w", err)
	}
	return house, src, nil
}

// measurePlayable probes and analyses the file that will play; Title is
// what its own header says.
func measurePlayable(path string) (playlist.Segment, error) {
	info, err := audio.Probe(path)
	if err != nil {
		return playlist.Segment{}, err
	}
	if info.Frames == 0 {
		return playlist.Segment{}, audio.ErrNoData
	}
	// The log counts whole milliseconds: less than one is not a recording.
	if info.Duration() < time.Millisecond {
		return playlist.Segment{}, fmt.Errorf("%w: %d samples at %d Hz (%v)", audio.ErrTooShort, info.Frames, info.SampleRate, info.Duration())
	}
	an, err := audio.Analyze(path)
	if err != nil {
		return playlist.Segment{}, err
	}
	if an.SamplePeakDBFS < audio.SilenceThresholdDBFS {
		return playlist.Segment{}, fmt.Errorf("%w: its loudest sample is %.1f dBFS, below %d dBFS, for all of its %v",
			audio.ErrSilent, an.SamplePeakDBFS, audio.SilenceThresholdDBFS, info.Duration().Round(time.Millisecond))
	}
	return playlist.Segment{
		Title: info.Title, Path: path,
		Duration: info.Duration(), SampleRate: info.SampleRate, Channels: info.Channels, BitDepth: info.BitDepth,
		LoudnessLUFS: an.LoudnessLUFS, TruePeakDBTP: an.TruePeakDBTP,
		SilenceStart: an.SilenceStart, SilenceEnd: an.SilenceEnd, SilenceKnown: true,
	}, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// known returns the stored segment with the file's SHA-256, if any. A file
// that cannot be read is not known (measure reports why).
func (im *Importer) known(ctx context.Context, path string) (playlist.Segment, bool, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return playlist.Segment{}, false, nil
	}
	seg, err := im.Store.SegmentBySHA(ctx, sum)
	if errors.Is(err, store.ErrNotFound) {
		return playlist.Segment{}, false, nil
	}
	return seg, err == nil, err
}
