#!/usr/bin/env bash
# Streaming to Icecast: encoding CPU per stream against ffmpeg, eight zones
# in one station, slot start to first sound at a listener, and streaming
# again after Icecast restarts (bench/icecast.py says how each is measured).
# Needs icecast2, ffmpeg, sox, python3 (TEST_DEBS). Run by bench/run.sh;
# alone: BIN=bin/scheduler bash bench/icecast.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for c in icecast2 ffmpeg sox python3; do command -v $c >/dev/null || { echo "bench/icecast.sh needs $c (apt-get install icecast2 ffmpeg sox python3)"; exit 1; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/icecast.py "$work" "$work/section.md"
python3 bench/section.py bench/RESULTS.md "## Streaming to Icecast (64 kbps mono MP3)" "$(cat "$work/section.md")"
