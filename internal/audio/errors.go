package audio

import "errors"

// Sentinel errors for what callers branch on. Every error returned by this
// package's readers wraps one of them (or an *os.PathError from opening the
// file) with detail about what was wrong; test with errors.Is.
var (
	// ErrNotWAV: the file is not a RIFF/WAVE file (a text file, an empty
	// file). Every ErrNotAudio error is also an ErrNotWAV error.
	ErrNotWAV = errors.New("not a WAV file")
	// ErrNotAudio: the file is neither WAV (RIFF/WAVE) nor MP3 (an ID3v2
	// tag or an MPEG audio frame at the start). errors.Is(err, ErrNotWAV)
	// holds for it too, for callers written before MP3 was accepted.
	ErrNotAudio error = notAudioError{}
	// ErrUnsupported: a format we do not decode: a WAV with a compressed
	// format tag (ADPCM, MP3-in-WAV, ...), an unusual bit depth or a sample
	// rate outside 8000–192000 Hz; an MPEG layer I or II file, MPEG-2.5 or a
	// free-format bitrate.
	ErrUnsupported = errors.New("unsupported audio format")
	// ErrBadHeader: the WAV fmt chunk is missing or says nonsense (zero
	// channels, zero sample rate), or the first MP3 frame cannot be read.
	ErrBadHeader = errors.New("bad audio header")
	// ErrNoData: there is no data chunk, or it holds no whole frame; an MP3
	// holds no whole MPEG audio frame.
	ErrNoData = errors.New("no audio data")
	// ErrTruncated: the data chunk declares more bytes than the file holds;
	// an MP3 ends or breaks before the frames its headers count.
	ErrTruncated = errors.New("audio file truncated")
)

// notAudioError is ErrNotAudio: its own sentinel that also matches ErrNotWAV.
type notAudioError struct{}

func (notAudioError) Error() string { return "not a WAV or MP3 file" }

func (notAudioError) Is(target error) bool { return target == ErrNotWAV }
