package library

import (
	"context"
	"errors"
	"os"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/words"
)

// Reason explains why a file was refused, in the operator's language (vi or
// en), and what to do about it. Errors it does not know give their text.
func Reason(lang string, err error) string {
	t := func(vi, en string) string { return words.Pick(lang, vi, en) }
	switch {
	case errors.Is(err, ErrNoTopic):
		return t("chưa có lĩnh vực — đặt tệp trong media/<mã-lĩnh-vực>/ hoặc dùng --topic", "no topic — put it under media/<topic-code>/ or use --topic")
	case errors.Is(err, os.ErrNotExist):
		return t("không tìm thấy tệp — kiểm tra lại đường dẫn", "file not found — check the path")
	case errors.Is(err, audio.ErrNoDecoder):
		return t("máy này chưa cài ffmpeg nên chưa đọc được tệp nén (MP3, M4A...) — cài ffmpeg (apt-get install ffmpeg) hoặc gửi tệp WAV",
			"ffmpeg is not installed, so compressed files (MP3, M4A...) cannot be read — install ffmpeg (apt-get install ffmpeg) or send a WAV file")
	case errors.Is(err, audio.ErrNotAudio):
		return t("tệp này không phải tệp âm thanh (không tìm thấy bản ghi âm nào trong tệp, dù tên tệp là gì) — hãy chọn tệp ghi âm MP3, M4A hoặc WAV",
			"this file is not an audio file (no recording found in it, whatever its name) — choose an MP3, M4A or WAV recording")
	case errors.Is(err, audio.ErrNotWAV):
		return t("không phải tệp WAV (thiếu phần đầu RIFF/WAVE) — hãy xuất lại ở định dạng WAV PCM", "not a WAV file (no RIFF/WAVE header) — export it again as PCM WAV")
	case errors.Is(err, audio.ErrDamaged):
		return t("tệp bị hỏng: có đoạn không giải mã được (xem vị trí phút:giây trong ngoặc), nếu phát sẽ bị mất tiếng hoặc ra tiếng rè — hãy xin gửi lại tệp gốc",
			"the file is damaged: part of it cannot be decoded (see the minute:second in brackets) and would air as a gap or noise — ask for the original file again")
	case errors.Is(err, audio.ErrSilent):
		return t("tệp chỉ có im lặng (không nghe thấy tiếng nào) — kiểm tra lại bản ghi âm",
			"the file is silent throughout (nothing can be heard) — check the recording")
	case errors.Is(err, audio.ErrTooShort):
		return t("tệp quá ngắn (chưa đến 1 phần nghìn giây âm thanh) — hãy ghi âm hoặc xuất lại",
			"the file is too short (under a millisecond of sound) — record or export it again")
	case errors.Is(err, audio.ErrNoFmt):
		return t("tệp WAV thiếu phần mô tả định dạng (khối fmt), không biết cách đọc âm thanh — hãy xuất lại tệp",
			"the WAV file has no format description (fmt chunk), so its sound cannot be read — export the file again")
	case errors.Is(err, audio.ErrUnsupported):
		return t("bản ghi âm dùng kiểu mã hoá chưa đọc được (xem chi tiết trong ngoặc) — hãy chuyển sang MP3 hoặc WAV rồi nạp lại",
			"the recording uses an encoding that cannot be read (details in brackets) — convert it to MP3 or WAV and import it again")
	case errors.Is(err, audio.ErrBadHeader):
		return t("phần đầu tệp hỏng (số kênh, tần số hoặc cỡ khung vô lý) — hãy xuất lại tệp", "broken file header (channels, rate or frame size make no sense) — export the file again")
	case errors.Is(err, audio.ErrNoData):
		return t("tệp không có dữ liệu âm thanh — hãy ghi âm hoặc xuất lại", "the file holds no audio — record or export it again")
	case errors.Is(err, audio.ErrTruncated):
		return t("tệp bị cắt cụt (thiếu dữ liệu so với phần đầu) — hãy chép lại tệp đầy đủ", "the file is truncated (less data than its header says) — copy the whole file again")
	}
	return err.Error()
}

// Measure checks and measures one file as Import does — the format told by
// its content, length, loudness, SHA-256 — without storing anything. The
// segment's Path is the file that will play: the house WAV when a
// compressed file was converted into LibraryDir, else the file's absolute
// path.
func (im *Importer) Measure(path string) (playlist.Segment, error) {
	return im.measure(context.Background(), path)
}
