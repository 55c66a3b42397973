#!/usr/bin/env bash
# Decoder agreement: every accepted format × 8/16/22.05/44.1/48 kHz ×
# mono/stereo (MP3 at 16–320 kbps), made from media/ with ffmpeg (AMR with
# sox), decoded as the station does and by ffmpeg; the SNR of ours against
# ffmpeg's goes into bench/RESULTS.md. About a minute and a half here.
set -euo pipefail
cd "$(dirname "$0")/.."
for c in ffmpeg sox go python3; do command -v "$c" >/dev/null || { echo "bench/decoders.sh needs $c"; exit 1; }; done
section=$(go run ./bench/decoders -media media -seconds 4)
python3 bench/section.py bench/RESULTS.md "## Decoder agreement with ffmpeg" "$section"
