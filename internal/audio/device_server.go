package audio

import (
	"context"
	"fmt"
	"io"
	"time"
)

// ServeDevice is the output process's side of the device pipe (run by the
// hidden `scheduler audio-output` command): it opens the sound card with
// oto, tells the parent it is ready, and plays the frames the parent sends
// whenever oto asks for more. It returns when the device fails (after
// telling the parent why), when the parent closes the pipe, or when ctx is
// done. It never logs: the parent does, once.
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
	r := &pipeSource{in: in, pw: pw, readErr: make(chan error, 1), warm: warmUp(rate, playerBuffer)}
	player := sink.ctx.NewPlayer(r)
	r.player = player
	player.SetBufferSize(int(rate.N(playerBuffer)) * Channels * 4)
	player.Play()
	defer player.Close()
	tick := time.NewTicker(deviceCheckEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-r.readErr:
			if err == io.EOF {
				return nil // the parent is done with us
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

// pipeSource is the child's player source: each read asks the parent for
// exactly the frames oto wants and passes them on untouched.
type pipeSource struct {
	in      io.Reader
	pw      *pipeWriter
	player  interface{ BufferedSize() int }
	readErr chan error
	warm    int // frames of silence still to give before asking the parent
}

func (r *pipeSource) Read(p []byte) (int, error) {
	frames := len(p) / (Channels * 4)
	if frames == 0 {
		return 0, nil
	}
	if r.warm > 0 {
		n := min(frames, r.warm)
		r.warm -= n
		clear(p[:n*Channels*4])
		return n * Channels * 4, nil
	}
	buffered := r.player.BufferedSize() / (Channels * 4)
	if err := r.pw.send(pipeRequest, uint32(frames), uint32(buffered), ""); err != nil {
		r.report(err)
		return 0, err
	}
	n, err := io.ReadFull(r.in, p[:frames*Channels*4])
	if err != nil {
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		r.report(err)
		return n / (Channels * 4) * (Channels * 4), err
	}
	return n, nil
}

func (r *pipeSource) report(err error) {
	select {
	case r.readErr <- err:
	default:
	}
}
