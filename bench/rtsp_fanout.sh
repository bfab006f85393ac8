#!/usr/bin/env bash
# Fan-out benchmark: camrig's RTSP server and GStreamer's (gst-rtsp-server) serve the same
# 1080p25 H.264 file, one after the other in the same run, each as its own process; the same
# client program opens 0, 1, 10, 25 and 50 TCP-interleaved sessions to each and measures the
# server's CPU time per step. Prints both tables and a side-by-side comparison.
#
#   cmake --preset release -B build/bench
#   cmake --build build/bench --target road_scene_h264 rtsp_file_server gst_rtsp_peer rtsp_fanout_client
#   bench/rtsp_fanout.sh [build/bench]
set -euo pipefail

build=${1:-build/bench}
bin=$build/bench
steps=${CAMRIG_FANOUT_STEPS:-0,1,10,25,50}
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

input=$work/road_1080p25.h264
"$bin/road_scene_h264" --output "$input"

# run_one LABEL SERVER_COMMAND...: starts the server on a free port, waits until it prints its URL,
# runs the client against it, stops it.
run_one() {
  local label=$1
  shift
  "$@" >"$work/$label.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q '^serving' "$work/$label.log" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/$label.log"; exit 1; }
    sleep 0.1
  done
  grep -q '^serving' "$work/$label.log" || { echo "$label did not start" >&2; cat "$work/$label.log"; exit 1; }
  local url
  url=$(grep -o 'rtsp://[^ ]*' "$work/$label.log" | head -1)
  "$bin/rtsp_fanout_client" --url "$url" --server-pid "$server_pid" \
    --label "$label" --steps "$steps" | tee "$work/$label.result"
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
  echo
}

run_one camrig "$bin/rtsp_file_server" --input "$input"
run_one gstreamer "$bin/gst_rtsp_peer" --input "$input"

echo "side by side (server CPU in ms per second of wall time; per client = above the 0-client baseline)"
cat "$work/camrig.result" "$work/gstreamer.result" | awk '
  $1 == "result" {
    n = $3; cpu[$2, n] = $4; per[$2, n] = $5; fmin[$2, n] = $6; fmax[$2, n] = $7; exp_[n] = $8; missed[$2, n] = $9; lag[$2, n] = $10
    if (!(n in seen)) { seen[n] = 1; order[++count] = n }
  }
  END {
    printf "%7s | %18s %18s | %14s %14s %6s | %15s %15s | %13s\n", "clients", "camrig CPU ms/s", "gst CPU ms/s",
           "camrig/client", "gst/client", "ratio", "camrig frames", "gst frames", "max lag ms"
    for (i = 1; i <= count; ++i) {
      n = order[i]
      ratio = (per["gstreamer", n] > 0) ? sprintf("%.2f", per["camrig", n] / per["gstreamer", n]) : "-"
      printf "%7d | %18.1f %18.1f | %14.3f %14.3f %6s | %6d-%-4d %3d m | %6d-%-4d %3d m | %5.1f / %5.1f\n", n,
             cpu["camrig", n], cpu["gstreamer", n], per["camrig", n], per["gstreamer", n], ratio,
             fmin["camrig", n], fmax["camrig", n], missed["camrig", n], fmin["gstreamer", n], fmax["gstreamer", n],
             missed["gstreamer", n], lag["camrig", n], lag["gstreamer", n]
    }
    first = order[2]; last = order[count]
    if (count >= 3 && last > first) {
      c = (cpu["camrig", last] - cpu["camrig", first]) / (last - first)
      g = (cpu["gstreamer", last] - cpu["gstreamer", first]) / (last - first)
      ratio = (g > 0) ? c / g : 0
      printf "marginal CPU per added client (%d -> %d clients): camrig %.3f ms/s, gstreamer %.3f ms/s, ratio %.2f\n",
             first, last, c, g, ratio
    }
    printf "frames: min-max received per client in the window (expected ~%d), m = missed frames summed over clients\n", exp_[last]
  }'
