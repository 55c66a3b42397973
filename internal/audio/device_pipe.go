package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"unsafe"
)

// The device pipe is how the station talks to the process that holds the
// sound card (see DeviceSink, and ServeDevice in internal/audio/alsa, which
// speaks it through DeviceEnd). A card that went away is reopened by a new
// process, cleanly, while the station goes on.
//
// The child asks and the parent answers, so that the parent's deck is
// pulled at the very moment the card has room, as it is in-process. Every
// message is a 16-byte header, kind, a, b, c (uint32 little-endian):
//
//	child → parent:
//	  pipeReady   a = frames the card holds beyond what requests report
//	              (0: snd_pcm_delay reports all of it)
//	  pipeRequest a = frames wanted, b = frames sent before and not yet heard
//	  pipeFailed  a = length of the error text that follows
//	  pipeDropped (the answer to pipeFlush) a = frames dropped from what
//	              the card held, b = frames asked for or received but not yet
//	              given to the card (they play next), c = frames wanted now
//	parent → child:
//	  pipeFrames  a = frames that follow, float32 little-endian, interleaved
//	              stereo (what the card plays as it is): the answer to a request,
//	              in the order asked
//	  pipeFlush   a, b = low and high halves of the count of frames (received
//	              by this child) from which on it may drop what it holds: a
//	              cut (see Deck.SetFlusher)
const (
	pipeReady uint32 = iota + 1
	pipeRequest
	pipeFailed
	pipeDropped
	pipeFrames
	pipeFlush
)

// pipeHeader is the length of a message's header.
const pipeHeader = 16

// maxPipeText bounds an error text read from the child.
const maxPipeText = 4096

type pipeMsg struct {
	kind, a, b, c uint32
	text          string
}

// pipeWriter sends messages; on each side two goroutines may write (the
// child's player and its watcher; the parent's server and a cut), so
// writes are serialised.
type pipeWriter struct {
	mu  sync.Mutex
	w   io.Writer
	hdr [pipeHeader]byte
}

func (p *pipeWriter) send(kind, a, b uint32, text string) error {
	return p.sendMsg(pipeMsg{kind: kind, a: a, b: b, text: text}, nil)
}

// sendMsg writes m's header, then its text or payload.
func (p *pipeWriter) sendMsg(m pipeMsg, payload []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	binary.LittleEndian.PutUint32(p.hdr[0:], m.kind)
	binary.LittleEndian.PutUint32(p.hdr[4:], m.a)
	binary.LittleEndian.PutUint32(p.hdr[8:], m.b)
	binary.LittleEndian.PutUint32(p.hdr[12:], m.c)
	if _, err := p.w.Write(p.hdr[:]); err != nil {
		return err
	}
	if m.text != "" {
		_, err := io.WriteString(p.w, m.text)
		return err
	}
	if len(payload) > 0 {
		_, err := p.w.Write(payload)
		return err
	}
	return nil
}

func (p *pipeWriter) fail(err error) error {
	text := err.Error()
	if len(text) > maxPipeText {
		text = text[:maxPipeText]
	}
	return p.send(pipeFailed, uint32(len(text)), 0, text)
}

// readPipeMsg reads one message's header (and an error's text); a
// pipeFrames message's samples follow it and are the caller's to read.
func readPipeMsg(r io.Reader) (pipeMsg, error) {
	var hdr [pipeHeader]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return pipeMsg{}, err
	}
	m := pipeMsg{kind: binary.LittleEndian.Uint32(hdr[0:]), a: binary.LittleEndian.Uint32(hdr[4:]),
		b: binary.LittleEndian.Uint32(hdr[8:]), c: binary.LittleEndian.Uint32(hdr[12:])}
	switch m.kind {
	case pipeReady, pipeRequest, pipeDropped, pipeFrames, pipeFlush:
	case pipeFailed:
		if m.a > maxPipeText {
			return m, fmt.Errorf("device pipe: error text of %d bytes", m.a)
		}
		text := make([]byte, m.a)
		if _, err := io.ReadFull(r, text); err != nil {
			return m, err
		}
		m.text = string(text)
	default:
		return m, errors.New("device pipe: unknown message")
	}
	return m, nil
}

// DeviceEnd is the output process's end of the device pipe (see
// internal/audio/alsa): it tells the station what the card does and asks
// it for frames.
type DeviceEnd struct {
	in io.Reader
	pw *pipeWriter
}

// NewDeviceEnd speaks the device pipe over in (from the station) and out
// (to it).
func NewDeviceEnd(in io.Reader, out io.Writer) *DeviceEnd {
	return &DeviceEnd{in: in, pw: &pipeWriter{w: out}}
}

// Ready says the card is open; held is how many frames it holds beyond
// what Request reports as buffered (0 when that is all of it).
func (e *DeviceEnd) Ready(held int) error { return e.pw.send(pipeReady, uint32(held), 0, "") }

// Request asks for frames; buffered is how many frames sent before are not
// yet heard.
func (e *DeviceEnd) Request(frames, buffered int) error {
	return e.pw.send(pipeRequest, uint32(frames), uint32(max(0, buffered)), "")
}

// Fail tells the station why the card does not play.
func (e *DeviceEnd) Fail(err error) error { return e.pw.fail(err) }

// Dropped answers a flush: dropped frames will never be heard; unsent were
// asked for or received but not yet given to the card (they play next);
// want more are asked for now (0: none).
func (e *DeviceEnd) Dropped(dropped, unsent, want int) error {
	return e.pw.sendMsg(pipeMsg{kind: pipeDropped, a: uint32(dropped), b: uint32(unsent), c: uint32(want)}, nil)
}

// DeviceMsg is what the station sent: frames (Frames > 0, their samples
// read into the buffer given to Receive) or a flush of what the card holds
// from the frame Floor on (counted from the first frame this process got).
type DeviceMsg struct {
	Frames int
	Flush  bool
	Floor  int64
}

// Receive reads the station's next message; a message of frames is read
// into buf (interleaved stereo float32 little-endian samples; buf grows
// when it is too small) and returned with it.
func (e *DeviceEnd) Receive(buf []float32) (DeviceMsg, []float32, error) {
	m, err := readPipeMsg(e.in)
	if err != nil {
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return DeviceMsg{}, buf, err
	}
	switch m.kind {
	case pipeFrames:
		n := int(m.a)
		if cap(buf) < n*Channels {
			buf = make([]float32, n*Channels)
		}
		buf = buf[:n*Channels]
		if err := readSamples(e.in, buf); err != nil {
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			return DeviceMsg{}, buf, err
		}
		return DeviceMsg{Frames: n}, buf, nil
	case pipeFlush:
		return DeviceMsg{Flush: true, Floor: int64(m.a) | int64(m.b)<<32}, buf, nil
	}
	return DeviceMsg{}, buf, fmt.Errorf("unexpected message %d from the station", m.kind)
}

// readSamples reads float32 little-endian samples into buf.
func readSamples(r io.Reader, buf []float32) error {
	if len(buf) == 0 {
		return nil
	}
	if littleEndian {
		_, err := io.ReadFull(r, unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf)*4))
		return err
	}
	raw := make([]byte, len(buf)*4)
	if _, err := io.ReadFull(r, raw); err != nil {
		return err
	}
	for i := range buf {
		buf[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:]))
	}
	return nil
}
