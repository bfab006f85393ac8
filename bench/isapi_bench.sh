#!/usr/bin/env bash
# ISAPI throughput and device memory. wrk sends GET /ISAPI/System/deviceInfo over keep-alive
# connections authenticated by a web session (one Digest login to POST /ISAPI/Security/sessionLogin,
# then the WebSession cookie), so every request is routed, authenticated and answered in full.
# Then the device's resident memory (VmRSS) is read idle, with 20 idle HTTP connections, and with
# those plus 2 RTSP clients (ffmpeg over TCP).
#
# Reproduce (release build, nothing else running):
#   cmake --preset release && cmake --build --preset release --target camrig
#   bench/isapi_bench.sh build/release/app/camrig
# Options through the environment: THREADS (2), CONNECTIONS (32), DURATION (10s), HTTP_PORT, RTSP_PORT.
set -euo pipefail

camrig=${1:-build/release/app/camrig}
threads=${THREADS:-2}
connections=${CONNECTIONS:-32}
duration=${DURATION:-10s}
http_port=${HTTP_PORT:-18080}
rtsp_port=${RTSP_PORT:-18554}
password=Camrig-bench-1
base=http://127.0.0.1:$http_port

work=$(mktemp -d)
device_pid=
client_pids=()
cleanup() {
  for pid in "${client_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $device_pid ]]; then kill "$device_pid" 2>/dev/null || true; wait "$device_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$camrig" device --profile network-camera --http-port "$http_port" --rtsp-port "$rtsp_port" --bind 127.0.0.1 \
  --admin-password "$password" --data-dir "$work/data" >"$work/device.log" 2>&1 &
device_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "$base/ISAPI/System/deviceInfo" && break
  sleep 0.1
done

rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$device_pid/status"; }

cookie=$(curl -s --digest -u "admin:$password" -X POST -c - "$base/ISAPI/Security/sessionLogin" |
  awk '$6 == "WebSession" {print $7}')
[[ -n $cookie ]] || { echo "sessionLogin failed" >&2; exit 1; }

echo "== wrk: GET /ISAPI/System/deviceInfo, $threads threads, $connections connections, $duration"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "Cookie: WebSession=$cookie" \
  "$base/ISAPI/System/deviceInfo"

echo "== memory"
echo "idle: $(rss)"
for i in $(seq 20); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$http_port"
  idle_fds+=("$fd")
done
sleep 1
echo "20 idle HTTP connections: $(rss)"
for stream in 101 102; do
  ffmpeg -nostdin -loglevel error -rtsp_transport tcp -i "rtsp://admin:$password@127.0.0.1:$rtsp_port/Streaming/Channels/$stream" \
    -f null - &
  client_pids+=($!)
done
sleep 5
echo "20 idle HTTP connections + 2 RTSP clients: $(rss)"
