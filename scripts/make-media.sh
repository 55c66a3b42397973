#!/usr/bin/env bash
# make-media.sh - regenerate the sample media library shipped in media/.
#
# Produces short Vietnamese speech bulletins (espeak-ng, voice "vi") for every
# CCHC plan topic, plus two chime jingles (sox), so the demo works offline.
#
#   media/<topic-code>/<name>.wav   speech segments, one folder per topic code
#   media/jingles/intro.wav         ascending chime, not speech
#   media/jingles/outro.wav         descending chime, not speech
#
# Processing of every speech segment:
#   espeak-ng (22050 Hz mono) -> sox: channels, `rate -v`, peak-normalise to
#   -3 dBFS, 0.3 s of silence at both ends -> ffmpeg: LIST/INFO INAM title,
#   PCM 16-bit, bit-exact (no "Lavf" ISFT tag).
# Most files are 16000 Hz mono; on purpose one is 22050 Hz mono and one is
# 44100 Hz stereo, so that importing the library exercises resampling and
# channel conversion.
#
# The output is deterministic: espeak-ng is deterministic, sox runs without
# dithering (-D) and ffmpeg runs with -bitexact. Running the script twice gives
# byte-identical files. Existing files with the same names are overwritten;
# other files in media/ are left alone.
#
# Usage: scripts/make-media.sh [MEDIA_DIR]    (default: <repo>/media)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
media_dir="${1:-$repo_root/media}"

# Speech settings: espeak-ng Northern Vietnamese voice, slightly slower than
# the default 175 words/min so it stays clear through outdoor loudspeakers.
voice="vi"
speed=165
pad_s=0.3
peak_db=-3

# --- tool checks --------------------------------------------------------------
missing=0
need() { # need COMMAND DEBIAN_PACKAGE
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "make-media: '$1' not found; install it with: apt-get install $2" >&2
    missing=1
  fi
}
need espeak-ng espeak-ng
need sox sox
need ffmpeg ffmpeg
[ "$missing" -eq 0 ] || exit 1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# tag_wav IN OUT TITLE - copy IN to OUT as PCM 16-bit with an INAM title.
tag_wav() {
  ffmpeg -nostdin -hide_banner -loglevel error -y \
    -i "$1" -map_metadata -1 -metadata title="$3" \
    -c:a pcm_s16le -bitexact -fflags +bitexact "$2"
}

# --- speech segments ------------------------------------------------------------
# One line per segment: topic|file|rate|channels|title|text
#   topic    topic code from DESIGN.md (also the folder name)
#   file     file name inside media/<topic>/
#   rate     output sample rate in Hz; channels: 1 = mono, 2 = stereo
#   title    Vietnamese title written to the LIST/INFO INAM chunk
#   text     what espeak-ng says (numbers as digits are read correctly;
#            avoid abbreviations such as CCHC, espeak-ng spells them out)
segments="$(cat <<'TABLE'
tong-quan|y-nghia-cai-cach-hanh-chinh.wav|16000|1|Ý nghĩa của cải cách hành chính|Chuyên mục cải cách hành chính. Cải cách hành chính nhằm xây dựng nền hành chính phục vụ, lấy người dân làm trung tâm. Năm qua, xã Tân Lập đã giải quyết đúng hạn hầu hết hồ sơ của người dân. Mời bà con cùng giám sát và góp ý cho chính quyền.
chu-truong|trach-nhiem-nguoi-dung-dau.wav|16000|1|Trách nhiệm người đứng đầu trong cải cách hành chính|Thực hiện chủ trương của Đảng và Nhà nước, Chủ tịch Ủy ban nhân dân xã Tân Lập trực tiếp chỉ đạo công tác cải cách hành chính. Người đứng đầu chịu trách nhiệm nếu hồ sơ của người dân bị chậm trễ. Mọi phản ánh, xin gửi về Ủy ban nhân dân xã.
the-che|gop-y-du-thao-quy-dinh.wav|16000|1|Góp ý dự thảo quy định mới|Cải cách thể chế là làm cho quy định rõ ràng, dễ hiểu, dễ thực hiện. Ủy ban nhân dân xã Tân Lập đang niêm yết dự thảo quy định mới tại trụ sở xã và nhà văn hóa các thôn. Mời bà con đọc kỹ và góp ý trước ngày 30 của tháng này.
tthc|dich-vu-cong-truc-tuyen.wav|16000|1|Dịch vụ công trực tuyến toàn trình|Ủy ban nhân dân xã Tân Lập thông báo: từ ngày 1 tháng 7, người dân có thể nộp hồ sơ đăng ký khai sinh, khai tử trên Cổng dịch vụ công quốc gia. Hồ sơ được giải quyết trực tuyến toàn trình, không cần đến trụ sở Ủy ban nhân dân xã.
tthc|bo-phan-mot-cua.wav|22050|1|Bộ phận một cửa xã Tân Lập|Bộ phận một cửa của xã Tân Lập làm việc sáng từ 7 giờ, chiều từ 13 giờ 30, các ngày làm việc trong tuần. Mọi thủ tục hành chính đều được công khai hồ sơ, thời hạn và lệ phí. Bà con không phải nộp thêm khoản nào ngoài quy định.
bo-may|sap-xep-bo-may-tinh-gon.wav|16000|1|Sắp xếp tổ chức bộ máy tinh gọn|Thực hiện chủ trương tinh gọn bộ máy, xã Tân Lập đã sắp xếp lại các thôn và bộ phận chuyên môn. Bộ máy mới hoạt động hiệu lực, hiệu quả hơn và tiết kiệm chi phí cho ngân sách. Mọi thủ tục của người dân vẫn được giải quyết bình thường, không bị gián đoạn.
cong-vu|van-hoa-cong-vu.wav|16000|1|Văn hóa công vụ, thái độ phục vụ nhân dân|Cán bộ, công chức xã Tân Lập cam kết thực hiện văn hóa công vụ: tận tụy, lịch sự, đúng hẹn với người dân. Nếu gặp thái độ phiền hà, sách nhiễu, xin bà con phản ánh qua hòm thư góp ý hoặc đường dây nóng của Ủy ban nhân dân xã.
tai-chinh-cong|cong-khai-ngan-sach-xa.wav|16000|1|Công khai ngân sách xã|Ủy ban nhân dân xã Tân Lập thông báo: dự toán ngân sách xã năm nay đã được công khai tại trụ sở xã và nhà văn hóa các thôn. Mọi khoản thu, chi đều qua Kho bạc Nhà nước, tiết kiệm và minh bạch. Mời bà con theo dõi, giám sát.
chinh-quyen-so|thanh-toan-truc-tuyen.wav|44100|2|Thanh toán trực tuyến phí, lệ phí|Từ nay, người dân xã Tân Lập có thể nộp phí, lệ phí thủ tục hành chính qua tài khoản ngân hàng hoặc ví điện tử. Kết quả giải quyết được trả bản điện tử, có giá trị như bản giấy. Bà con đỡ phải đi lại, tiết kiệm được thời gian.
chinh-quyen-so|tai-khoan-dinh-danh-dien-tu.wav|16000|1|Tài khoản định danh điện tử|Ủy ban nhân dân xã Tân Lập đề nghị bà con đăng ký tài khoản định danh điện tử mức độ 2 tại Công an xã. Với tài khoản này, bà con nộp hồ sơ trên Cổng dịch vụ công mà không cần giấy tờ. Tổ công nghệ số cộng đồng ở các thôn sẽ hướng dẫn.
chi-so|khao-sat-su-hai-long.wav|16000|1|Khảo sát sự hài lòng của người dân|Hằng năm, tỉnh tổ chức khảo sát sự hài lòng của người dân đối với cơ quan hành chính nhà nước. Nếu được mời trả lời phiếu khảo sát, xin bà con đánh giá trung thực, khách quan. Ý kiến của bà con giúp nâng cao Chỉ số cải cách hành chính của xã.
khen-thuong|bieu-duong-dien-hinh.wav|16000|1|Biểu dương tập thể, cá nhân điển hình|Ủy ban nhân dân xã Tân Lập biểu dương bộ phận một cửa và thôn Đông Hòa có nhiều cách làm hay trong cải cách hành chính. Chị Nguyễn Thị Thu Hoa, công chức tư pháp hộ tịch, được tặng giấy khen vì luôn giải quyết hồ sơ sớm hạn và tận tình hướng dẫn người dân.
TABLE
)"

count=0
while IFS='|' read -r topic file rate channels title text; do
  [ -n "$topic" ] || continue
  out_dir="$media_dir/$topic"
  mkdir -p "$out_dir"
  printf '%s\n' "$text" >"$tmp/text.txt"
  # -b 1: the text file is UTF-8, whatever the locale says.
  espeak-ng -v "$voice" -s "$speed" -b 1 -f "$tmp/text.txt" -w "$tmp/speech.wav"
  # -D: no dither, so the output is reproducible. `gain -6` leaves headroom
  # for the resampler (espeak-ng peaks near full scale); normalise before
  # padding so the added silence stays digital zero.
  sox -D "$tmp/speech.wav" -b 16 -e signed-integer "$tmp/processed.wav" \
    gain -6 channels "$channels" rate -v "$rate" gain -n "$peak_db" pad "$pad_s" "$pad_s"
  tag_wav "$tmp/processed.wav" "$out_dir/$file" "$title"
  echo "make-media: $topic/$file"
  count=$((count + 1))
done <<<"$segments"

# --- jingles ----------------------------------------------------------------------
# A soft bell-like chime: each note is a sine plus a quiet octave overtone with
# a short attack and a long logarithmic decay; notes start 0.25 s apart, then a
# light reverb. 16000 Hz mono, like the bulk of the library.
jingle_rate=16000
# A pure tone sounds much louder than speech at the same peak: a -12 dBFS
# peak puts the chimes near the speech loudness (about -22 LUFS).
jingle_peak_db=-12

# note FREQ OUT - one 1.2 s chime note.
note() {
  sox -D -n -r "$jingle_rate" -c 1 -b 16 "$tmp/n_a.wav" synth 1.2 sine "$1"
  sox -D -n -r "$jingle_rate" -c 1 -b 16 "$tmp/n_b.wav" synth 1.2 sine "$(awk -v f="$1" 'BEGIN { print 2 * f }')"
  sox -D -m -v 0.8 "$tmp/n_a.wav" -v 0.2 "$tmp/n_b.wav" "$2" \
    fade h 0.03 fade l 0 1.2 1.1
}

# chime OUT TITLE FREQ... - notes 0.25 s apart, mixed, reverb, normalised.
chime() {
  local out="$1" title="$2" i=0 inputs=()
  shift 2
  for f in "$@"; do
    note "$f" "$tmp/c_$i.wav"
    sox -D "$tmp/c_$i.wav" "$tmp/d_$i.wav" pad "$(awk -v i="$i" 'BEGIN { print 0.25 * i }')"
    inputs+=("$tmp/d_$i.wav")
    i=$((i + 1))
  done
  sox -D -m "${inputs[@]}" -b 16 "$tmp/chime.wav" \
    reverb 40 50 60 gain -n "$jingle_peak_db" pad 0.05 0.1
  tag_wav "$tmp/chime.wav" "$out" "$title"
}

mkdir -p "$media_dir/jingles"
# C major arpeggio up (C5 E5 G5 C6) and down (C6 G5 E5 C5).
chime "$media_dir/jingles/intro.wav" "Nhạc hiệu mở đầu" 523.25 659.26 783.99 1046.50
echo "make-media: jingles/intro.wav"
chime "$media_dir/jingles/outro.wav" "Nhạc hiệu kết thúc" 1046.50 783.99 659.26 523.25
echo "make-media: jingles/outro.wav"

echo "make-media: wrote $count segments and 2 jingles to $media_dir"
