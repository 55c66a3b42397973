package output

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/icecast"
)

// IcecastScheme is
// "icecast://USER:PASSWORD@HOST:PORT/MOUNT?codec=mp3&bitrate=64k&channels=1":
// a source of an Icecast 2 server, which fans the stream out to IP
// loudspeaker clusters (internal/icecast). PASSWORD may be ${ENV_NAME},
// read when the output opens (Env.Getenv). The password never shows: the
// sink's Name, and every error, give the spec without it. A server that
// cannot be reached now is the sink's to report (audio.DeviceWatcher,
// audio.ErrServerUnreachable); it keeps connecting.
func IcecastScheme() Scheme {
	return Scheme{
		Name: icecast.Scheme, Usage: "icecast://USER:PASSWORD@HOST:PORT/MOUNT", UsageVI: "icecast://NGƯỜI_DÙNG:MẬT_KHẨU@MÁY_CHỦ:CỔNG/MOUNT",
		Check: func(arg string) *Problem {
			if _, err := icecast.ParseSpec(icecast.Scheme + ":" + arg); err != nil {
				detail := strings.TrimPrefix(err.Error(), icecast.ErrSpec.Error()+" ")
				if _, after, ok := strings.Cut(detail, ": "); ok {
					detail = after // the spec itself is named by the Error
				}
				return &Problem{Problem: "is not a usable Icecast output: " + detail, ProblemVI: "không phải đầu ra Icecast dùng được: " + detail,
					Fix:   "write icecast://source:PASSWORD@HOST:PORT/MOUNT?codec=mp3&bitrate=64k&channels=1 (PASSWORD may be ${ENV_NAME})",
					FixVI: "ghi icecast://source:MẬT_KHẨU@MÁY_CHỦ:CỔNG/MOUNT?codec=mp3&bitrate=64k&channels=1 (MẬT_KHẨU có thể là ${TÊN_BIẾN_MÔI_TRƯỜNG})"}
			}
			return nil
		},
		Open: openIcecast,
	}
}

// icecastDialWait bounds how long opening waits for the first connection.
const icecastDialWait = 5 * time.Second

func openIcecast(ctx context.Context, sp Spec, env Env) (audio.Sink, error) {
	spec, err := icecast.ParseSpec(sp.Raw)
	if err != nil {
		return nil, err
	}
	getenv := env.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if spec, err = spec.WithEnv(getenv); err != nil {
		return nil, err
	}
	logger := env.Logger
	if logger != nil {
		logger = logger.With("component", "stream")
	}
	info := icecast.Info{Name: env.Stream.Name, Description: env.Stream.Description, Genre: env.Stream.Genre}
	sink := icecast.NewSink(spec, info, env.Rate, logger)
	if err := sink.Check(); err != nil {
		return nil, errors.New(err.Error() + " (MP3 takes audio.sample_rate 48000, 44100, 32000, or a half or a quarter of them)")
	}
	octx, cancel := context.WithTimeout(ctx, icecastDialWait)
	defer cancel()
	_ = sink.Open(octx) // a server that cannot be reached now is the sink's to report
	return sink, nil
}
