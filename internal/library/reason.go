package library

import (
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
	case errors.Is(err, audio.ErrNotAudio):
		return t("không phải tệp âm thanh WAV hay MP3 (nội dung tệp không phải RIFF/WAVE hay MP3, dù tên tệp là gì) — hãy xuất lại ở định dạng WAV PCM hoặc MP3", "not a WAV or MP3 file (its content is neither RIFF/WAVE nor MP3, whatever its name) — export it again as PCM WAV or MP3")
	case errors.Is(err, audio.ErrNotWAV):
		return t("không phải tệp WAV (thiếu phần đầu RIFF/WAVE) — hãy xuất lại ở định dạng WAV PCM", "not a WAV file (no RIFF/WAVE header) — export it again as PCM WAV")
	case errors.Is(err, audio.ErrUnsupported):
		return t("định dạng âm thanh chưa hỗ trợ (WAV nén hoặc độ sâu bit lạ, MP2, MP3 MPEG-2.5) — hãy chuyển sang WAV PCM 16-bit hoặc MP3", "unsupported audio encoding (compressed WAV or odd bit depth, MP2, MPEG-2.5 MP3) — convert it to 16-bit PCM WAV or MP3")
	case errors.Is(err, audio.ErrBadHeader):
		return t("phần đầu WAV hỏng (số kênh hoặc tần số bằng 0) — hãy xuất lại tệp", "broken WAV header (zero channels or rate) — export the file again")
	case errors.Is(err, audio.ErrNoData):
		return t("tệp không có dữ liệu âm thanh — hãy ghi âm hoặc xuất lại", "the file holds no audio — record or export it again")
	case errors.Is(err, audio.ErrTruncated):
		return t("tệp bị cắt cụt (thiếu dữ liệu so với phần đầu) — hãy chép lại tệp đầy đủ", "the file is truncated (less data than its header says) — copy the whole file again")
	}
	return err.Error()
}

// Measure checks and measures one file as Import does — WAV or MP3 told by
// its content, length, loudness, SHA-256 — without storing anything. The
// segment's Path is the file's absolute path.
func (im *Importer) Measure(path string) (playlist.Segment, error) {
	return im.measure(path)
}
