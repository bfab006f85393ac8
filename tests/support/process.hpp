// Runs real client programs (ffprobe, ffmpeg, the camrig binary) from tests: with a deadline,
// capturing what they print, and never leaving a child behind.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace camrig::test {

struct ProcessResult {
  int exit_code = -1;  //!< -1 if killed at the deadline or by a signal
  bool timed_out = false;
  std::string out;
  std::string err;
};

//! Runs `argv` to completion or until `timeout`, then kills it.
ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

//! A child that runs while the test does; killed (SIGKILL) when destroyed if still running.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  //! Reads standard output until a line containing `text` arrives; returns everything read so far,
  //! or nothing if the child ended or `timeout` passed first.
  std::optional<std::string> wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  //! Sends `signal` and waits for the exit code (-1 if it had to be killed after `timeout`); what
  //! the child printed until it ended is then in output().
  int stop(int signal, std::chrono::milliseconds timeout);
  const std::string& output() const { return out_; }

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string out_;
};

//! A TCP port on 127.0.0.1 that was free a moment ago.
int free_tcp_port();

}  // namespace camrig::test
