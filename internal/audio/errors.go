package audio

import "errors"

// Sentinel errors for what callers branch on. Every error returned by this
// package's readers wraps one of them (or an *os.PathError from opening the
// file) with detail about what was wrong; test with errors.Is.
var (
	// ErrNotWAV: the file is not a RIFF/WAVE file (a text file, an empty
	// file). Every ErrNotAudio error is also an ErrNotWAV error.
	ErrNotWAV = errors.New("not a WAV file")
	// ErrNotAudio: the file is neither WAV nor anything ffmpeg finds an
	// audio stream in (a text file, a picture, a document).
	// errors.Is(err, ErrNotWAV) holds for it too, for callers written
	// before compressed formats were accepted.
	ErrNotAudio error = notAudioError{}
	// ErrUnsupported: a PCM WAV with an unusual bit depth, or a sample rate
	// outside 8000–192000 Hz (PCM or decoded), or an audio stream ffmpeg
	// finds but has no decoder for.
	ErrUnsupported = errors.New("unsupported audio format")
	// ErrBadHeader: the WAV fmt chunk is missing or says nonsense (zero
	// channels, zero sample rate, a frame narrower than its samples).
	ErrBadHeader = errors.New("bad audio header")
	// ErrNoData: there is no data chunk, or it holds no whole frame; a
	// compressed file decodes to nothing.
	ErrNoData = errors.New("no audio data")
	// ErrTruncated: the data chunk declares more bytes than the file holds;
	// a compressed file decodes to fewer frames than it did when it was
	// checked.
	ErrTruncated = errors.New("audio file truncated")
	// ErrNoFmt: a WAV without its fmt chunk (the one that says how the
	// samples are stored). It comes wrapped together with ErrBadHeader.
	ErrNoFmt = errors.New("missing fmt chunk")
	// ErrDamaged: ffmpeg reported frames it could not decode: part of the
	// recording would be lost or turned into noise.
	ErrDamaged = errors.New("damaged audio")
	// ErrNoDecoder: a compressed file (not PCM WAV) and no ffmpeg on the
	// machine to decode it.
	ErrNoDecoder = errors.New("ffmpeg not installed")
	// ErrTooShort: under a millisecond of audio.
	ErrTooShort = errors.New("audio too short")
	// ErrSilent: the whole file is below SilenceThresholdDBFS.
	ErrSilent = errors.New("audio is silent throughout")
)

// notAudioError is ErrNotAudio: its own sentinel that also matches ErrNotWAV.
type notAudioError struct{}

func (notAudioError) Error() string { return "not an audio file" }

func (notAudioError) Is(target error) bool { return target == ErrNotWAV }
