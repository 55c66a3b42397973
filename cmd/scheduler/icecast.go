package main

import (
	"fmt"

	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/output"
)

// streamInfo names the station's stream for the server and its listeners
// (ice-name, ice-description, ice-genre).
func (m *Main) streamInfo() output.StreamInfo {
	c := m.config().Station.Commune
	return output.StreamInfo{
		Name:        "Đài truyền thanh " + c,
		Description: "Chương trình truyền thanh cơ sở " + c,
		Genre:       "Truyền thanh cơ sở",
	}
}

// zoneStreamInfo names a zone's stream: the zone's name with the commune's.
func (m *Main) zoneStreamInfo(z config.Zone) output.StreamInfo {
	info := m.streamInfo()
	if z.Code == config.DefaultZone {
		return info
	}
	c := m.config().Station.Commune
	info.Name = z.Name + " — " + c
	info.Description = "Chương trình truyền thanh cơ sở " + c + ", " + z.Name + " (" + z.Code + ")"
	return info
}

// noServerBanner says loudly that the loudspeaker clusters fed by a stream
// will hear nothing.
func (m *Main) noServerBanner(err error) {
	fmt.Fprintf(m.Stderr, "\n!!! %s\n!!! %v\n!!! %s\n\n",
		m.T("KHÔNG KẾT NỐI ĐƯỢC MÁY CHỦ PHÁT TRỰC TUYẾN — CỤM LOA SẼ KHÔNG NHẬN ĐƯỢC CHƯƠNG TRÌNH.", "CANNOT REACH THE STREAMING SERVER — THE LOUDSPEAKER CLUSTERS WILL HEAR NOTHING."), err,
		m.T("Trạm vẫn chạy và thử kết nối lại liên tục; đến khi được, mỗi lượt phát được ghi là 'lỗi phát' (không kết nối được máy chủ phát trực tuyến). Kiểm tra Icecast (systemctl status icecast2), địa chỉ, cổng và mật khẩu nguồn.",
			"The station keeps running and keeps reconnecting; until it can, every airing is logged as failed (cannot reach the streaming server). Check Icecast (systemctl status icecast2), the address, port and source password."))
}
