package audio

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// ServeDevice is the output process's side of the device pipe (run by the
// hidden `scheduler audio-output` command): it opens the sound card with
// oto, tells the parent it is ready, and plays the frames the parent sends
// whenever oto asks for more. On a cut the parent asks it to flush: it drops
// what oto's player holds, so that the cut is heard after the device's own
// buffer only. It returns when the device fails (after telling the parent
// why), when the parent closes the pipe, or when ctx is done. It never
// logs: the parent does, once.
func ServeDevice(ctx context.Context, rate Rate, buffer time.Duration, device, tmpDir string, in io.Reader, out io.Writer) error {
	pw := &pipeWriter{w: out}
	sink, err := OpenOto(rate, buffer, device, tmpDir)
	if err != nil {
		_ = pw.fail(err)
		return err
	}
	if err := pw.send(pipeReady, uint32(sink.deviceFrames), 0, ""); err != nil {
		return fmt.Errorf("device pipe: %w", err)
	}
	// As in OtoSink.Run: at least a device period, or the output stutters;
	// and silence first, until the card is full (warmUp).
	playerBuffer := max(buffer, 50*time.Millisecond)
	r := newPipeSource(in, pw, int(rate.N(playerBuffer)), warmUp(rate, playerBuffer))
	player := sink.ctx.NewPlayer(r)
	r.player = player
	player.SetBufferSize(r.bufferFrames * Channels * 4)
	go r.receive()
	player.Play()
	defer player.Close()
	tick := time.NewTicker(deviceCheckEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case floor := <-r.flushes:
			if err := r.flush(floor); err != nil {
				return fmt.Errorf("device pipe: %w", err)
			}
		case err := <-r.readErr:
			if err == io.EOF {
				// The parent is done with us, once its log is closed:
				// it counted as heard what oto's writer still holds
				// (a device period, which oto does not report), so play
				// on (silence after it) for a device buffer before
				// leaving.
				time.Sleep(buffer)
				return nil
			}
			return fmt.Errorf("device pipe: %w", err)
		case <-tick.C:
			err := sink.ctx.Err()
			if err == nil {
				err = player.Err()
			}
			if err != nil {
				err = fmt.Errorf("%w: %v", ErrNoDevice, err)
				_ = pw.fail(err)
				return err
			}
		}
	}
}

// otoPlayer is what pipeSource needs of oto's Player.
type otoPlayer interface {
	BufferedSize() int
	Seek(offset int64, whence int) (int64, error)
}

// pipeSource is the child's player source: each read asks the parent for
// exactly the frames oto wants and passes them on as they come. A
// goroutine (receive) reads everything the parent sends.
type pipeSource struct {
	in           io.Reader
	pw           *pipeWriter
	player       otoPlayer
	bufferFrames int // oto's player buffer
	readErr      chan error
	flushes      chan int64
	warm         int // frames of silence still to give before asking the parent
	inbuf        []byte

	mu   sync.Mutex
	cond *sync.Cond
	// pending holds frames received and not yet given to the player;
	// asked is how many more were asked for and have not come.
	pending []byte
	asked   int
	// given counts the parent's frames handed to the player.
	given int64
	// flushing: a flush is under way; reads give nothing until the
	// player's buffer has been dropped.
	flushing bool
	// dropped and unsent are the flush's figures for the parent.
	dropped, unsent int
	err             error
}

func newPipeSource(in io.Reader, pw *pipeWriter, bufferFrames, warm int) *pipeSource {
	r := &pipeSource{in: in, pw: pw, bufferFrames: bufferFrames, warm: warm,
		readErr: make(chan error, 1), flushes: make(chan int64, 1)}
	r.cond = sync.NewCond(&r.mu)
	return r
}

// frameBytes is the size of one frame as oto plays it.
const frameBytes = Channels * 4

func (r *pipeSource) Read(p []byte) (int, error) {
	frames := len(p) / frameBytes
	if frames == 0 {
		return 0, nil
	}
	if r.warm > 0 {
		n := min(frames, r.warm)
		r.warm -= n
		clear(p[:n*frameBytes])
		return n * frameBytes, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 && r.asked == 0 && !r.flushing && r.err == nil {
		buffered := r.player.BufferedSize() / frameBytes
		r.asked = frames
		if err := r.pw.send(pipeRequest, uint32(frames), uint32(buffered), ""); err != nil {
			r.fail(err)
		}
	}
	for len(r.pending) == 0 && r.asked > 0 && !r.flushing && r.err == nil {
		r.cond.Wait()
	}
	if r.flushing {
		return 0, nil // oto tries again a millisecond later
	}
	if len(r.pending) == 0 && r.err != nil {
		if r.err == io.EOF {
			clear(p[:frames*frameBytes]) // playing out: see ServeDevice
			return frames * frameBytes, nil
		}
		return 0, r.err
	}
	n := copy(p[:frames*frameBytes], r.pending)
	r.pending = r.pending[:copy(r.pending, r.pending[n:])]
	r.given += int64(n / frameBytes)
	return n, nil
}

// fail records err for the readers and reports it to ServeDevice (r.mu held).
func (r *pipeSource) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.cond.Broadcast()
	select {
	case r.readErr <- err:
	default:
	}
}

// receive reads what the parent sends: frames into pending, flush requests
// to ServeDevice.
func (r *pipeSource) receive() {
	for {
		m, err := readPipeMsg(r.in)
		if err == nil {
			switch m.kind {
			case pipeFrames:
				err = r.receiveFrames(int(m.a))
			case pipeFlush:
				select {
				case r.flushes <- int64(m.a) | int64(m.b)<<32:
				default: // one is waiting already; it drops as much
				}
			default:
				err = fmt.Errorf("unexpected message %d from the station", m.kind)
			}
		}
		if err != nil {
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			r.mu.Lock()
			r.fail(err)
			r.mu.Unlock()
			return
		}
	}
}

func (r *pipeSource) receiveFrames(frames int) error {
	// Only this goroutine reads the pipe: into a buffer of its own, then
	// onto pending under the lock (a copy of a few hundred kilobytes a
	// second, while readers may take from pending meanwhile).
	if cap(r.inbuf) < frames*frameBytes {
		r.inbuf = make([]byte, frames*frameBytes)
	}
	buf := r.inbuf[:frames*frameBytes]
	if _, err := io.ReadFull(r.in, buf); err != nil {
		return err
	}
	r.mu.Lock()
	r.pending = append(r.pending, buf...)
	r.asked = max(0, r.asked-frames)
	r.cond.Broadcast()
	r.mu.Unlock()
	return nil
}

// flush drops what oto's player holds, if all of it is at or after the
// parent's frame floor (counted as r.given counts), and tells the parent.
// oto's Seek empties the player and, with the player's lock held, calls
// Seek below, which gets the frames that play next before oto asks for
// them: the device, which takes from the player under the same lock, never
// finds it empty.
func (r *pipeSource) flush(floor int64) error {
	r.mu.Lock()
	r.flushing = true
	r.cond.Broadcast()
	r.mu.Unlock()
	// A read under way returns nothing now; what the player holds stays
	// put until the Seek (oto's device only takes from it, a period at a
	// time; a take in the microseconds between here and the Seek would be
	// counted as dropped).
	held := r.player.BufferedSize() / frameBytes
	r.mu.Lock()
	r.unsent = len(r.pending)/frameBytes + r.asked
	ok := held > 0 && r.given-int64(held) >= floor && r.err == nil
	if !ok {
		r.flushing = false
		r.cond.Broadcast()
		unsent := r.unsent
		r.mu.Unlock()
		return r.pw.sendMsg(pipeMsg{kind: pipeDropped, b: uint32(unsent)}, nil)
	}
	r.dropped = held
	r.mu.Unlock()
	_, err := r.player.Seek(0, io.SeekCurrent)
	return err
}

// Seek is called by oto's Player.Seek once the player's buffer is empty,
// with the player locked: it tells the parent what was dropped and waits
// for the frames that fill the player again.
func (r *pipeSource) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.flushing {
		return 0, nil
	}
	r.asked += r.bufferFrames
	err := r.pw.sendMsg(pipeMsg{kind: pipeDropped, a: uint32(r.dropped), b: uint32(r.unsent), c: uint32(r.bufferFrames)}, nil)
	if err != nil {
		r.fail(err)
	}
	for r.asked > 0 && r.err == nil {
		r.cond.Wait()
	}
	r.given -= int64(r.dropped)
	r.flushing, r.dropped = false, 0
	r.cond.Broadcast()
	return 0, r.err
}
