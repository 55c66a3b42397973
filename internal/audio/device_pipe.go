package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// The device pipe is how the station talks to the process that holds the
// sound card (see DeviceSink and ServeDevice). oto allows one Context per
// process and keeps a failed one for good, so the only way to get the sound
// card back after it went away is a new process.
//
// The child asks and the parent answers, so that the parent's deck is
// pulled at the very moment oto wants samples, as it is in-process:
//
//	child → parent: 12-byte messages, kind, a, b (uint32 little-endian)
//	  pipeReady   a = device buffer in frames
//	  pipeRequest a = frames wanted, b = frames still buffered by oto's player
//	  pipeFailed  a = length of the error text that follows
//	parent → child: exactly the frames asked for, float32 little-endian,
//	  interleaved stereo (what oto plays as it is).
const (
	pipeReady uint32 = iota + 1
	pipeRequest
	pipeFailed
)

// maxPipeText bounds an error text read from the child.
const maxPipeText = 4096

type pipeMsg struct {
	kind, a, b uint32
	text       string
}

// pipeWriter sends the child's messages; the player and the watcher both
// write, so writes are serialised.
type pipeWriter struct {
	mu  sync.Mutex
	w   io.Writer
	hdr [12]byte
}

func (p *pipeWriter) send(kind, a, b uint32, text string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	binary.LittleEndian.PutUint32(p.hdr[0:], kind)
	binary.LittleEndian.PutUint32(p.hdr[4:], a)
	binary.LittleEndian.PutUint32(p.hdr[8:], b)
	if _, err := p.w.Write(p.hdr[:]); err != nil {
		return err
	}
	if text != "" {
		_, err := io.WriteString(p.w, text)
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

// readPipeMsg reads one message from the child.
func readPipeMsg(r io.Reader) (pipeMsg, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return pipeMsg{}, err
	}
	m := pipeMsg{kind: binary.LittleEndian.Uint32(hdr[0:]), a: binary.LittleEndian.Uint32(hdr[4:]), b: binary.LittleEndian.Uint32(hdr[8:])}
	switch m.kind {
	case pipeReady, pipeRequest:
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
