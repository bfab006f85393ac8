// The servers a scenario's camera delivers to (`peers:`): a recording HTTP server (an httpHosts
// alarm server), an LPRAPI platform server and a mail server (SMTP). Each listens on a loopback
// port of its own and records what arrived, stamped with device time, for delivery expectations.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "conformance/evaluator.hpp"
#include "conformance/scenario.hpp"
#include "device/core/result.hpp"

namespace camrig::conformance {

class PeerServer {
 public:
  //! Device time in seconds from the start of the run, to stamp each delivery.
  using DeviceTime = std::function<double()>;

  //! Binds a free port on 127.0.0.1 and serves on a thread of its own.
  static Result<std::unique_ptr<PeerServer>> start(PeerKind kind, std::string name, DeviceTime now);
  ~PeerServer();
  PeerServer(const PeerServer&) = delete;
  PeerServer& operator=(const PeerServer&) = delete;

  std::uint16_t port() const;
  PeerKind kind() const;
  //! What arrived so far, in order.
  std::vector<ObservedDelivery> deliveries() const;
  //! Closes the port and every connection; idempotent.
  void stop();

  struct State;  //!< defined in peers.cpp, where the connections use it

 private:
  explicit PeerServer(std::unique_ptr<State> state);
  // The connections' coroutines hold a plain pointer: the state outlives them, as stop() joins
  // the io thread and the io_context (inside the state) destroys what is left.
  std::unique_ptr<State> state_;
};

}  // namespace camrig::conformance
