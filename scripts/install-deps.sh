#!/usr/bin/env bash
# Installs every Debian package camrig needs to build, test and run. Idempotent and
# non-interactive; returns at once when everything is already installed.
# Usage: install-deps.sh              everything: the firmware, its tests, benchmarks and fuzzers
#        install-deps.sh --firmware   only what the quickstart preset's camrig needs to build and run
#                                     (no ONVIF generators, test clients, browser or clang)
set -euo pipefail

firmware_packages=(
  # toolchain
  cmake ninja-build g++ pkg-config
  # libraries (libxml2: the conformance runner validates ONVIF answers against the XSDs)
  libboost-dev libssl-dev libsqlite3-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libpugixml-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
  libopencv-dev libfreetype-dev libyaml-cpp-dev zlib1g-dev libtesseract-dev libxml2-dev
  # bench hardware: the Wiegand port on GPIO lines (hil/)
  libgpiod-dev
  # data: the face cascades of the sim's face test and analytics; the OSD and US plate fonts (core),
  # the EU plate font DejaVuSansCondensed-Bold (extra); the OCR's English model
  opencv-data fonts-dejavu-core fonts-dejavu-extra tesseract-ocr-eng
)
packages=(
  "${firmware_packages[@]}"
  # the compiler cache of the dev, release, asan and fuzz presets (CI's builds of every clean clone)
  ccache
  # ONVIF: gSOAP's code generators, runtime library and plugin sources; xmllint for the XSD tests
  gsoap libgsoap-dev libxml2-utils
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # real clients used by integration tests; iproute2 sets up the multicast test's network namespace; exim4 is the real mail server of the email test
  ffmpeg iproute2 exim4-daemon-light gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav vlc-bin vlc-plugin-base
  # peers of the benchmarks: GStreamer's RTSP server, wrk
  libgstrtspserver-1.0-dev gstreamer1.0-rtsp wrk
  # ONVIF client peers (onvif-util; Node.js for the npm onvif package in tests/clients/node, whose npm
  # the machine's nodejs package brings) and the headless browser that renders the HTML report in a test
  onvif-tools nodejs chromium chromium-driver
  # libFuzzer targets (the fuzz preset)
  clang-14 libclang-rt-14-dev
)

case "${1:-}" in
  "") ;;
  --firmware) packages=("${firmware_packages[@]}") ;;
  *) echo "usage: install-deps.sh [--firmware]" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# The npm packages of the ONVIF client tests, as pinned by their package-lock.json; again only
# when the lock file changed since the last install.
node_clients() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/clients/node"
  if cmp -s "$dir/package-lock.json" "$dir/node_modules/.camrig-installed-lock"; then return 0; fi
  if ! command -v npm >/dev/null; then
    echo "install-deps: no npm: the npm onvif client test will skip" >&2
    return 0
  fi
  echo "install-deps: npm ci in tests/clients/node"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) && cp "$dir/package-lock.json" "$dir/node_modules/.camrig-installed-lock"
}

# The npm clients are test peers: not for --firmware.
node_clients_unless_firmware() {
  if [ "${1:-}" != "--firmware" ]; then node_clients; fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  node_clients_unless_firmware "${1:-}"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# --force-unsafe-io: dpkg skips its fsync after every file it unpacks, which halves a fresh install
# (the firmware's 439 packages on a fresh bookworm: 1 min 46 s instead of 3 min 38 s), as container
# images do; the price is that a power cut during the install may need `apt-get install --reinstall`.
$sudo apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-unsafe-io "${missing[@]}"
node_clients_unless_firmware "${1:-}"
