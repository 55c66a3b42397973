package audio

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
)

// readBufferSize is the size of the Decoder's read buffer and the most
// bytes one Read decodes: memory stays constant however long the file is.
const readBufferSize = 64 << 10

// Decoder reads the samples of an audio file as float32, chunk by chunk: a
// PCM WAV with our own reader, anything else from an ffmpeg child process.
type Decoder struct {
	f       *os.File
	r       io.Reader // the WAV's bytes from the data chunk on, or ffmpeg's float32 output
	info    Info
	ba      int   // bytes per frame
	left    int64 // frames still to read according to the header (or ffmpeg's first pass)
	scratch []byte
	err     error // sticky: io.EOF or a truncation error
	decode  func(dst []float32, src []byte)
	dataOff int64 // WAV: offset of the first PCM byte (for Skip)
	// A file ffmpeg decodes: the process and its error output.
	cmd    *exec.Cmd
	pipe   io.ReadCloser
	cancel context.CancelFunc
	log    *ffLog
	src    ffSource
}

// Open opens the audio file at path (told by its content) and validates
// its header. A data chunk that declares more than the file holds is not an
// error here: Read returns the whole frames that exist and then an error
// wrapping ErrTruncated, so a file damaged after import plays as far as it
// can. (Probe reports it.) A file that is not a PCM WAV is decoded by ffmpeg
// twice: once here, to learn its exact length and refuse damage
// (ErrDamaged) before anything plays, then as Read asks.
func Open(path string) (*Decoder, error) {
	return OpenContext(context.Background(), path)
}

// OpenContext is Open with a context that stops ffmpeg.
func OpenContext(ctx context.Context, path string) (*Decoder, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	h, err := readHeader(f, path)
	if errors.Is(err, errForeign) {
		f.Close()
		return openFFmpeg(ctx, path)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if _, err := f.Seek(h.dataOff, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	d := &Decoder{
		f:       f,
		r:       bufio.NewReaderSize(f, readBufferSize),
		info:    h.Info,
		ba:      h.blockAlign(),
		left:    h.Frames,
		decode:  sampleDecoder(h.container, h.Float, h.order),
		dataOff: h.dataOff,
	}
	return d, nil
}

// openFFmpeg counts the frames of a file ffmpeg decodes, then starts
// decoding it for Read.
func openFFmpeg(ctx context.Context, path string) (*Decoder, error) {
	src, err := probeFFmpeg(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := src.count(ctx); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	cmd, pipe, log, err := src.start(ctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &Decoder{
		r:      bufio.NewReaderSize(pipe, readBufferSize),
		info:   src.info,
		ba:     4 * src.info.Channels,
		left:   src.info.Frames,
		decode: sampleDecoder(32, true, binary.LittleEndian),
		cmd:    cmd, pipe: pipe, cancel: cancel, log: log, src: src,
	}, nil
}

// Info returns the header information.
func (d *Decoder) Info() Info { return d.info }

// Read decodes up to len(dst)/Channels() frames (interleaved, the file's own
// channel count, samples in [-1, 1]) and returns how many it decoded. At the
// end it returns 0, io.EOF. If the file holds fewer frames than its header
// says, Read returns the whole frames that exist and then 0 and an error
// wrapping ErrTruncated.
func (d *Decoder) Read(dst []float32) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if d.left == 0 {
		d.err = io.EOF
		return 0, d.err
	}
	ch := d.info.Channels
	frames := int64(len(dst) / ch)
	frames = min(frames, d.left, int64(max(1, readBufferSize/d.ba)))
	if frames == 0 {
		return 0, nil
	}
	n := int(frames) * d.ba
	if cap(d.scratch) < n {
		d.scratch = make([]byte, n)
	}
	buf := d.scratch[:n]
	got, err := io.ReadFull(d.r, buf)
	if err != nil {
		whole := got / d.ba
		held := d.info.Frames - d.left + int64(whole)
		switch {
		case !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
			d.err = fmt.Errorf("read %s: %w", d.info.Path, err)
			return 0, d.err
		case d.cmd != nil:
			d.err = fmt.Errorf("%w: %s: ffmpeg decoded %d frames, then %d: %s",
				ErrTruncated, d.info.Path, d.info.Frames, held, firstLine(d.log.String(), err))
		default:
			d.err = fmt.Errorf("%w: %s: data chunk declares %d frames, file holds %d",
				ErrTruncated, d.info.Path, d.info.Frames, held)
		}
		d.left = 0
		if whole == 0 {
			return 0, d.err
		}
		frames = int64(whole)
		buf = buf[:whole*d.ba]
	} else {
		d.left -= frames
	}
	d.decode(dst[:int(frames)*ch], buf)
	return int(frames), nil
}

// Close closes the file, or stops ffmpeg.
func (d *Decoder) Close() error {
	if d.err == nil {
		d.err = errors.New("decoder closed")
	}
	if d.cmd != nil {
		d.cancel()
		d.pipe.Close()
		d.cmd.Wait() // killed: its exit status says nothing
		return nil
	}
	return d.f.Close()
}

// sampleDecoder returns the function that turns samples of the given
// container width and byte order into float32. The formats were validated
// by parseFmt. Float samples are not clamped: a loud file's peaks above
// full scale reach the gain intact (NaN and infinities become 0).
func sampleDecoder(bits int, float bool, order binary.ByteOrder) func(dst []float32, src []byte) {
	le := sampleDecoderLE(bits, float)
	if order != binary.BigEndian || bits == 8 {
		return le
	}
	w := bits / 8
	return func(dst []float32, src []byte) {
		src = src[:w*len(dst)]
		for i := 0; i < len(src); i += w {
			s := src[i : i+w]
			for a, b := 0, w-1; a < b; a, b = a+1, b-1 {
				s[a], s[b] = s[b], s[a]
			}
		}
		le(dst, src)
	}
}

// sampleDecoderLE is sampleDecoder for little-endian samples.
func sampleDecoderLE(bits int, float bool) func(dst []float32, src []byte) {
	switch {
	case float && bits == 32:
		return func(dst []float32, src []byte) {
			for i := range dst {
				dst[i] = finite(float64(math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))))
			}
		}
	case float && bits == 64:
		return func(dst []float32, src []byte) {
			for i := range dst {
				dst[i] = finite(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
			}
		}
	case bits == 8: // unsigned, 128 is zero
		return func(dst []float32, src []byte) {
			for i := range dst {
				dst[i] = float32(int(src[i])-128) / 128
			}
		}
	case bits == 16:
		return func(dst []float32, src []byte) {
			src = src[:2*len(dst)]
			for i := range dst {
				dst[i] = float32(int16(uint16(src[2*i])|uint16(src[2*i+1])<<8)) * (1.0 / (1 << 15))
			}
		}
	case bits == 24:
		return func(dst []float32, src []byte) {
			for i := range dst {
				b := src[3*i : 3*i+3]
				v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
				dst[i] = float32(v) / (1 << 23)
			}
		}
	default: // 32-bit integer
		return func(dst []float32, src []byte) {
			for i := range dst {
				dst[i] = float32(float64(int32(binary.LittleEndian.Uint32(src[4*i:]))) / (1 << 31))
			}
		}
	}
}

// finite passes a float sample on; NaN and infinities become 0.
func finite(v float64) float32 {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32 {
		return 0
	}
	return float32(v)
}

// NewStereo converts the decoder's output to stereo: mono is duplicated to
// both sides, stereo passes as is, 5.1 (L R C LFE Ls Rs) is downmixed with
// the ITU-R BS.775 coefficients (C and surrounds at −3 dB, LFE dropped),
// scaled so the mix cannot clip; any other layout is averaged into both
// sides. Errors from the decoder pass through.
func NewStereo(d *Decoder) Streamer {
	ch := d.info.Channels
	if ch == Channels {
		return StreamerFunc(d.Read)
	}
	var buf []float32
	return StreamerFunc(func(dst []float32) (int, error) {
		frames := len(dst) / Channels
		if frames == 0 {
			return 0, nil
		}
		if ch == 1 {
			// Decode into the second half of dst, then spread forwards.
			n, err := d.Read(dst[frames : 2*frames])
			for i := range n {
				v := dst[frames+i]
				dst[2*i], dst[2*i+1] = v, v
			}
			return n, err
		}
		if cap(buf) < frames*ch {
			buf = make([]float32, frames*ch)
		}
		n, err := d.Read(buf[:frames*ch])
		downmix(dst[:n*Channels], buf[:n*ch], ch)
		return n, err
	})
}

// downmix mixes frames of ch channels into stereo.
func downmix(dst, src []float32, ch int) {
	if ch == 6 {
		const (
			c = math.Sqrt2 / 2
			g = 1 / (1 + c + c)
		)
		for i := 0; i < len(dst)/2; i++ {
			f := src[6*i : 6*i+6]
			l := float64(f[0]) + c*float64(f[2]) + c*float64(f[4])
			r := float64(f[1]) + c*float64(f[2]) + c*float64(f[5])
			dst[2*i], dst[2*i+1] = float32(g*l), float32(g*r)
		}
		return
	}
	for i := 0; i < len(dst)/2; i++ {
		var s float64
		for _, v := range src[ch*i : ch*i+ch] {
			s += float64(v)
		}
		v := float32(s / float64(ch))
		dst[2*i], dst[2*i+1] = v, v
	}
}

// OpenStream opens the audio file at path as a stereo Streamer at outRate,
// resampling when the file's rate differs. Close the returned Closer when
// done. Errors wrap this package's sentinels.
func OpenStream(path string, outRate int) (Streamer, Info, io.Closer, error) {
	d, err := Open(path)
	if err != nil {
		return nil, Info{}, nil, err
	}
	s := NewResampler(NewStereo(d), d.info.SampleRate, outRate)
	return s, d.info, d, nil
}
