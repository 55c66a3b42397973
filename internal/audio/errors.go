package audio

import "errors"

// Sentinel errors for what callers branch on. Every error returned by this
// package's readers wraps one of them (or an *os.PathError from opening the
// file) with detail about what was wrong; test with errors.Is.
var (
	// ErrNotWAV: the file is not a RIFF/WAVE file (a text file, an MP3, an
	// empty file).
	ErrNotWAV = errors.New("not a WAV file")
	// ErrUnsupported: a WAV file in a format we do not decode: a compressed
	// format tag (ADPCM, MP3-in-WAV, ...), an unusual bit depth or a sample
	// rate outside 8000–192000 Hz.
	ErrUnsupported = errors.New("unsupported WAV format")
	// ErrBadHeader: the fmt chunk is missing or says nonsense (zero
	// channels, zero sample rate).
	ErrBadHeader = errors.New("bad WAV header")
	// ErrNoData: there is no data chunk, or it holds no whole frame.
	ErrNoData = errors.New("no audio data")
	// ErrTruncated: the data chunk declares more bytes than the file holds.
	ErrTruncated = errors.New("WAV file truncated")
)
