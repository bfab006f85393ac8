// Playing a stream URI a client was given, as a viewer would: ffmpeg over RTSP/TCP with the login
// put into the URI, decoding a few frames. Shared by the integration tests of ONVIF clients, which
// each end by checking that the URI they got really plays.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace camrig::test {

//! ffmpeg decodes 5 frames of `uri` as `user`/`password`: "" or why not. `prefix` is put before
//! ffmpeg's command line, e.g. nsenter into the network namespace the URI's address is reached from.
inline std::string play_rtsp(const std::string& uri, const std::string& user, const std::string& password,
                             const std::vector<std::string>& prefix = {}) {
  const std::string scheme = "rtsp://";
  if (!uri.starts_with(scheme)) return "not an rtsp:// URI: " + uri;
  const auto with_login = scheme + user + ":" + password + "@" + uri.substr(scheme.size());
  std::vector<std::string> argv = prefix;
  argv.insert(argv.end(), {"ffmpeg", "-hide_banner", "-nostdin", "-rtsp_transport", "tcp", "-i", with_login,
                           "-frames:v", "5", "-f", "null", "-"});
  const auto played = run_process(argv, std::chrono::seconds(60));
  if (played.exit_code != 0) return "ffmpeg failed on " + uri + ": " + played.err;
  // The last progress line counts the frames decoded; -frames:v stops at 5.
  if (played.err.find("frame=    5") == std::string::npos && played.err.find("frame=5") == std::string::npos)
    return "ffmpeg decoded fewer than 5 frames of " + uri + ": " + played.err;
  return "";
}

}  // namespace camrig::test
