package alsa

/*
#cgo LDFLAGS: -lasound
#include <alsa/asoundlib.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

// cchc_open opens name for playback of interleaved float32 stereo at rate,
// without blocking calls, with about buffer_us of buffer in periods of
// about period_us; it starts playing once a period is written. It returns
// 0 or a negative errno and which step failed.
static int cchc_open(snd_pcm_t **pcm, const char *name, unsigned int rate, unsigned int buffer_us,
		unsigned int period_us, snd_pcm_uframes_t *buffer, snd_pcm_uframes_t *period, const char **step) {
	int err;
	*step = "snd_pcm_open";
	if ((err = snd_pcm_open(pcm, name, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK)) < 0) {
		*pcm = NULL;
		return err;
	}
	snd_pcm_hw_params_t *hw;
	snd_pcm_hw_params_alloca(&hw);
	*step = "snd_pcm_hw_params_any";
	if ((err = snd_pcm_hw_params_any(*pcm, hw)) < 0) goto fail;
	*step = "access (interleaved)";
	if ((err = snd_pcm_hw_params_set_access(*pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0) goto fail;
	*step = "format (32-bit float)";
	if ((err = snd_pcm_hw_params_set_format(*pcm, hw, SND_PCM_FORMAT_FLOAT_LE)) < 0) goto fail;
	*step = "channels (2)";
	if ((err = snd_pcm_hw_params_set_channels(*pcm, hw, 2)) < 0) goto fail;
	*step = "rate";
	if ((err = snd_pcm_hw_params_set_rate(*pcm, hw, rate, 0)) < 0) goto fail;
	*step = "buffer time";
	if ((err = snd_pcm_hw_params_set_buffer_time_near(*pcm, hw, &buffer_us, NULL)) < 0) goto fail;
	*step = "period time";
	if ((err = snd_pcm_hw_params_set_period_time_near(*pcm, hw, &period_us, NULL)) < 0) goto fail;
	*step = "snd_pcm_hw_params";
	if ((err = snd_pcm_hw_params(*pcm, hw)) < 0) goto fail;
	snd_pcm_hw_params_get_buffer_size(hw, buffer);
	snd_pcm_hw_params_get_period_size(hw, period, NULL);

	snd_pcm_sw_params_t *sw;
	snd_pcm_sw_params_alloca(&sw);
	*step = "snd_pcm_sw_params_current";
	if ((err = snd_pcm_sw_params_current(*pcm, sw)) < 0) goto fail;
	*step = "start threshold";
	if ((err = snd_pcm_sw_params_set_start_threshold(*pcm, sw, *period)) < 0) goto fail;
	*step = "avail min";
	if ((err = snd_pcm_sw_params_set_avail_min(*pcm, sw, *period)) < 0) goto fail;
	*step = "snd_pcm_sw_params";
	if ((err = snd_pcm_sw_params(*pcm, sw)) < 0) goto fail;
	*step = "snd_pcm_prepare";
	if ((err = snd_pcm_prepare(*pcm)) < 0) goto fail;
	return 0;
fail:
	snd_pcm_close(*pcm);
	*pcm = NULL;
	return err;
}

// cchc_wait waits until the device takes a period (1), wake_fd is readable
// or closed at the other end (2), timeout_ms passes (0), or the device fails
// (a negative errno).
static int cchc_wait(snd_pcm_t *pcm, int wake_fd, int timeout_ms) {
	struct pollfd fds[17];
	int n = snd_pcm_poll_descriptors_count(pcm);
	if (n < 0) return n;
	if (n > 16) return -EINVAL;
	if ((n = snd_pcm_poll_descriptors(pcm, fds, n)) < 0) return n;
	fds[n].fd = wake_fd;
	fds[n].events = POLLIN;
	fds[n].revents = 0;
	int r = poll(fds, n + 1, timeout_ms);
	if (r < 0) return errno == EINTR ? 0 : -errno;
	if (r == 0) return 0;
	if (fds[n].revents & (POLLIN | POLLHUP | POLLERR)) return 2; // a message, or the end of the pipe
	unsigned short revents = 0;
	int err = snd_pcm_poll_descriptors_revents(pcm, fds, n, &revents);
	if (err < 0) return err;
	if (revents & (POLLERR | POLLNVAL)) {
		snd_pcm_state_t st = snd_pcm_state(pcm);
		if (st == SND_PCM_STATE_XRUN) return 1; // an underrun: avail says so
		if (st == SND_PCM_STATE_DISCONNECTED) return -ENODEV;
		return -EIO;
	}
	return 1;
}
*/
import "C"

import (
	"fmt"
	"time"
	"unsafe"

	"github.com/truyenthanh/cchc/internal/audio"
)

// pcm is an ALSA playback device opened for interleaved float32 stereo,
// written to without blocking calls (see wait).
type pcm struct {
	h              *C.snd_pcm_t
	name           string
	rate           audio.Rate
	buffer, period int // in frames
}

// openPCM opens device ("" is ALSA's default) at rate with about buffer of
// buffer, in periods of about half of it (ALSA's pulse plugin makes them a
// third).
func openPCM(device string, rate audio.Rate, buffer time.Duration) (*pcm, error) {
	if device == "" {
		device = "default"
	}
	name := C.CString(device)
	defer C.free(unsafe.Pointer(name))
	var h *C.snd_pcm_t
	var bufFrames, perFrames C.snd_pcm_uframes_t
	var step *C.char
	us := C.uint(buffer / time.Microsecond)
	if err := C.cchc_open(&h, name, C.uint(rate), us, us/2, &bufFrames, &perFrames, &step); err < 0 {
		return nil, fmt.Errorf("%w: ALSA device %q: %s: %s", audio.ErrNoDevice, device, C.GoString(step), strerror(err))
	}
	return &pcm{h: h, name: device, rate: rate, buffer: int(bufFrames), period: int(perFrames)}, nil
}

func strerror(err C.int) string { return C.GoString(C.snd_strerror(err)) }

// errno is a negative ALSA return value as an error naming the call.
func (p *pcm) errno(call string, err C.int) error {
	return fmt.Errorf("%w: ALSA device %q: %s: %s", audio.ErrNoDevice, p.name, call, strerror(err))
}

// wait blocks until the device takes a period (ready), wakeFD is readable
// (woken: it is checked first) or timeout passes (neither).
func (p *pcm) wait(wakeFD int, timeout time.Duration) (ready, woken bool, err error) {
	r := C.cchc_wait(p.h, C.int(wakeFD), C.int(timeout/time.Millisecond))
	if r < 0 {
		return false, false, p.errno("poll", r)
	}
	return r == 1, r == 2, nil
}

// avail is how many frames the device can take now; an underrun is
// recovered from (the device is prepared again, and takes a whole buffer).
func (p *pcm) avail() (int, error) {
	n := C.snd_pcm_avail_update(p.h)
	if n == -C.EPIPE {
		if err := C.snd_pcm_prepare(p.h); err < 0 {
			return 0, p.errno("snd_pcm_prepare after an underrun", err)
		}
		n = C.snd_pcm_avail_update(p.h)
	}
	if n < 0 {
		return 0, p.errno("snd_pcm_avail_update", C.int(n))
	}
	return int(n), nil
}

// delay is how many frames written are not yet heard.
func (p *pcm) delay() int {
	var d C.snd_pcm_sframes_t
	if C.snd_pcm_delay(p.h, &d) < 0 || d < 0 {
		return 0
	}
	return int(d)
}

// write writes frames (interleaved stereo; the device has room for them).
func (p *pcm) write(samples []float32) error {
	for len(samples) > 0 {
		frames := len(samples) / audio.Channels
		n := C.snd_pcm_writei(p.h, unsafe.Pointer(&samples[0]), C.snd_pcm_uframes_t(frames))
		switch {
		case n == -C.EAGAIN:
			if _, _, err := p.wait(-1, 100*time.Millisecond); err != nil {
				return err
			}
			continue
		case n == -C.EPIPE:
			if err := C.snd_pcm_prepare(p.h); err < 0 {
				return p.errno("snd_pcm_prepare after an underrun", err)
			}
			continue
		case n < 0:
			return p.errno("snd_pcm_writei", C.int(n))
		}
		samples = samples[int(n)*audio.Channels:]
	}
	return nil
}

// drop discards what the device holds and makes it ready for new frames.
func (p *pcm) drop() error {
	if err := C.snd_pcm_drop(p.h); err < 0 {
		return p.errno("snd_pcm_drop", err)
	}
	if err := C.snd_pcm_prepare(p.h); err < 0 {
		return p.errno("snd_pcm_prepare", err)
	}
	return nil
}

// drain plays out what the device holds, waiting at most limit.
func (p *pcm) drain(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if C.snd_pcm_state(p.h) != C.SND_PCM_STATE_RUNNING || p.delay() <= 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *pcm) close() {
	if p.h != nil {
		C.snd_pcm_close(p.h)
		p.h = nil
	}
}
