# Two commands set everything up on a fresh Debian 12 machine:
#   make run    installs what is missing, builds, imports media/, starts the station
#   make test   installs what the tests need and runs them
SHELL := /bin/bash
GO    ?= go
BIN   := bin/scheduler
ARGS  ?=

# Debian packages: to build and run (oto reaches ALSA through cgo and
# pkg-config; ffmpeg decodes every recording that is not a PCM WAV) and to
# test (reference tools and the sound stack the tests drive; sox also
# writes the AMR test files, through libsox-fmt-base). libmp3lame-dev: the
# binary links LAME (internal/audio/lame) to encode icecast:// streams;
# icecast2: the stream tests run Debian's server with a config of their own
# (the package's own instance stays as Debian set it up).
BUILD_DEBS := gcc pkg-config libasound2-dev ffmpeg libmp3lame-dev
TEST_DEBS  := $(BUILD_DEBS) libasound2-plugins pulseaudio pulseaudio-utils alsa-utils sox libsox-fmt-base ffmpeg jq sqlite3 time chromium poppler-utils fonts-dejavu-core curl libreoffice-calc-nogui libreoffice-writer-nogui fonts-liberation2 postgresql icecast2
# make test runs the packages that start goroutines with the race detector
# (it needs cgo and gcc, in BUILD_DEBS). cmd/scheduler is not among them: its
# tests drive the built binary, and a race-built binary is too slow for the
# real-time PulseAudio tests (and doubles the run); `make test E2E_RACE=1`
# builds that binary with -race, to look for races in serve by hand.
RACE_PKGS := ./internal/audio ./internal/audio/alsa ./internal/output ./internal/control ./internal/icecast ./internal/pgstore ./internal/playlist ./internal/provsync ./internal/sdnotify ./internal/station ./internal/web
E2E_RACE  ?=
# make bench also compares playout with Liquidsoap (a large package: not for CI).
BENCH_DEBS := liquidsoap

.PHONY: run build test bench deps test-deps vet clean province-demo

run: build
	./$(BIN) segments import --approve media
	./$(BIN) serve $(ARGS)

build: deps
	$(GO) build -o $(BIN) ./cmd/scheduler

test: test-deps
	@test -z "$$(gofmt -l cmd internal)" || { echo "gofmt needed:"; gofmt -l cmd internal; exit 1; }
	$(GO) vet ./...
	$(GO) test -race -p 1 -count=1 -timeout 30m $(RACE_PKGS)
	CCHC_E2E_RACE=$(E2E_RACE) $(GO) test -p 1 -count=1 -timeout 30m $$($(GO) list ./... | grep -vxF "$$($(GO) list $(RACE_PKGS))")
	$(GO) build -o $(BIN) ./cmd/scheduler
	@if [ -x ../shared/contract-check.sh ] || [ -f ../shared/contract-check.sh ]; then \
		bash ../shared/contract-check.sh $(BIN) 2>/dev/null; \
	else echo "contract check skipped: ../shared/contract-check.sh is not beside this checkout"; fi

bench: build test-deps
	@scripts/install-debs.sh $(BENCH_DEBS) || echo "liquidsoap is not installed: bench/playcpu.sh compares with aplay only"
	bash bench/run.sh

# province-demo: PostgreSQL, the province server and three simulated
# communes that each ship a month; prints the province report and the web
# address; Ctrl-C stops all of it (scripts/province-demo.sh).
province-demo:
	@scripts/province-demo.sh

# deps installs the packages that are missing, with apt-get when root; as
# another user it says what to install.
deps:
	@scripts/install-debs.sh $(BUILD_DEBS)

test-deps:
	@scripts/install-debs.sh $(TEST_DEBS)

clean:
	rm -rf bin
