// A test binary's own network namespace for multicast on loopback. Real clients (ffmpeg,
// GStreamer) join a multicast group on the interface the routing table picks for it; so that the
// group traffic stays on loopback without touching the host's routes, the whole test binary moves
// into a namespace of its own first (root, or an unprivileged user namespace) where `lo` is up and
// 224.0.0.0/4 routes to it. Servers bind 127.0.0.1 there; clients started from the test inherit it.
#pragma once

#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/process.hpp"

namespace camrig::test {

//! Register with ::testing::AddGlobalTestEnvironment before any thread starts (a namespace
//! change applies to the calling thread and what it starts afterwards).
class MulticastLoopbackNamespace : public ::testing::Environment {
 public:
  //! Empty when the namespace with a multicast route on lo is ready, else why it is not.
  static std::string& unavailable() {
    static std::string reason = "the network namespace was not set up";
    return reason;
  }

  void SetUp() override {
    if (::unshare(CLONE_NEWNET) != 0) {
      const auto uid = ::getuid();
      const auto gid = ::getgid();
      if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
        unavailable() = "cannot create a network namespace (needs root or unprivileged user namespaces): " +
                        std::string(std::strerror(errno));
        return;
      }
      write_file("/proc/self/setgroups", "deny");
      write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
      write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
    }
    for (const std::vector<std::string>& command : {std::vector<std::string>{"ip", "link", "set", "lo", "up"},
                                                    std::vector<std::string>{"ip", "route", "add", "224.0.0.0/4", "dev", "lo"}}) {
      const auto result = run_process(command, std::chrono::seconds(10));
      if (result.exit_code != 0) {
        unavailable() = "in the test's network namespace, `ip " + command[1] + " " + command[2] + "` failed: " + result.err;
        return;
      }
    }
    unavailable().clear();
  }

 private:
  static bool write_file(const std::string& path, const std::string& text) {
    std::ofstream file(path);
    file << text;
    return static_cast<bool>(file.flush());
  }
};

}  // namespace camrig::test
