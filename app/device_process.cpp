#include "app/device_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace camrig::app {

DeviceProcess::~DeviceProcess() {
  if (pid_ > 0) kill();
}

Result<void> DeviceProcess::start(const std::vector<std::string>& arguments, const std::string& log_path) {
  if (running()) return make_error(ErrorCode::unavailable, "the camera process is still running");
  char self[4096];
  const auto length = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (length <= 0) return make_error(ErrorCode::io_error, std::string("cannot find the camrig program: ") + std::strerror(errno));
  self[length] = '\0';
  std::vector<std::string> argv_text{self};
  argv_text.insert(argv_text.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& argument : argv_text) argv.push_back(argument.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // The runner blocks SIGINT/SIGTERM in some threads; the camera must start with none blocked.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, self, &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) return make_error(ErrorCode::io_error, std::string("cannot start the camera process: ") + std::strerror(error));
  pid_ = pid;
  return {};
}

bool DeviceProcess::running() {
  if (pid_ <= 0) return false;
  reap(false);
  return pid_ > 0;
}

void DeviceProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

int DeviceProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + grace;
  while (running() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (pid_ > 0) kill();
  return exit_code_;
}

int DeviceProcess::reap(bool wait) {
  int status = 0;
  pid_t got;
  do got = ::waitpid(pid_, &status, wait ? 0 : WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    pid_ = -1;
  } else if (got < 0) {
    pid_ = -1;  // not our child any more
  }
  return exit_code_;
}

}  // namespace camrig::app
