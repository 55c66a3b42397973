package station

import (
	"errors"

	"github.com/truyenthanh/cchc/internal/audio"
)

// deviceState is, for an output whose sound card can go away and come back
// (audio.DeviceWatcher), why it does not play now (nil while it does) and a
// channel closed at the next change. Other outputs never change: a nil
// channel and no error.
func (s *Station) deviceState() (<-chan struct{}, error) {
	if w, ok := s.Sink.(audio.DeviceWatcher); ok {
		return w.DeviceState()
	}
	return nil, nil
}

// lostReason is the reason logged for an airing cut by the loss of the
// sound card: "audio device error: " and what the card said.
func (s *Station) lostReason() string {
	_, err := s.deviceState()
	if err == nil {
		s.mu.Lock()
		err = s.sinkErr
		s.mu.Unlock()
	}
	if err == nil {
		return ReasonDeviceError
	}
	return ReasonDeviceError + ": " + audio.DeviceDetail(err)
}

// errDeviceLost ends a wait for frames to be heard when the card goes away.
var errDeviceLost = errors.New("audio device lost")
