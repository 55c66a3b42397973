package main

import (
	"context"
	"fmt"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/icecast"
)

// icecastSink opens a stream output: an Icecast mount fed as a source. A
// server that cannot be reached now is said loudly; the sink is returned
// all the same and keeps trying, and the station logs the airings that
// come meanwhile as failed (cannot reach the streaming server).
func (m *Main) icecastSink(spec icecast.Spec) (audio.Sink, error) {
	getenv := func(name string) string {
		v, _ := m.LookupEnv(name)
		return v
	}
	spec, err := spec.WithEnv(getenv)
	if err != nil {
		return nil, badInput("audio.output: %v", err)
	}
	sink := icecast.NewSink(spec, m.streamInfo(), audio.Rate(m.cfg.Audio.SampleRate), m.logger.With("component", "stream"))
	if err := sink.Check(); err != nil {
		return nil, badInput("audio.output: %v: %s", err, m.T("MP3 cần audio.sample_rate 48000, 44100 hoặc 32000 (hoặc một nửa, một phần tư)",
			"MP3 needs audio.sample_rate 48000, 44100 or 32000 (or a half or a quarter of them)"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*sink.DialTimeout)
	defer cancel()
	if err := sink.Open(ctx); err != nil {
		fmt.Fprintf(m.Stderr, "\n!!! %s\n!!! %v\n!!! %s\n\n",
			m.T("KHÔNG KẾT NỐI ĐƯỢC MÁY CHỦ PHÁT TRỰC TUYẾN — CỤM LOA SẼ KHÔNG NHẬN ĐƯỢC CHƯƠNG TRÌNH.", "CANNOT REACH THE STREAMING SERVER — THE LOUDSPEAKER CLUSTERS WILL HEAR NOTHING."), err,
			m.T("Trạm vẫn chạy và thử kết nối lại liên tục; đến khi được, mỗi lượt phát được ghi là 'lỗi phát' (không kết nối được máy chủ phát trực tuyến). Kiểm tra Icecast (systemctl status icecast2), địa chỉ, cổng và mật khẩu nguồn.",
				"The station keeps running and keeps reconnecting; until it can, every airing is logged as failed (cannot reach the streaming server). Check Icecast (systemctl status icecast2), the address, port and source password."))
		m.logger.Error("cannot reach the streaming server", "output", sink.Name(), "err", err)
	}
	return sink, nil
}

// streamInfo names the stream for the server and its listeners (ice-name,
// ice-description, ice-genre).
func (m *Main) streamInfo() icecast.Info {
	c := m.config().Station.Commune
	return icecast.Info{
		Name:        "Đài truyền thanh " + c,
		Description: "Chương trình truyền thanh cơ sở " + c,
		Genre:       "Truyền thanh cơ sở",
	}
}
