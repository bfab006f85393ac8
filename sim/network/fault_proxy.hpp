// The network fault proxy of the simulated world: sits between a client and a server (ffmpeg
// and the camera's RTSP port, the camera and an upload server), listens on a local port and
// forwards TCP connections and UDP datagrams to a target, impairing each direction on the way:
// delay and jitter, UDP loss, duplication and reordering, a bandwidth cap, connection resets,
// stalls and partitions. Impairments can be changed at any time from any thread, also while
// connections are open; they apply to the traffic that arrives afterwards.
//
// Timing is network wall time: the proxy runs its own asio io_context on one thread of its own
// and measures delays, stalls and bandwidth with steady timers. It is a sim component that runs
// beside the device, not device code, and does not follow the device clock (a lockstep or
// accelerated device clock does not speed it up). With one io thread and the same seed, the same
// traffic in the same order meets the same random draws.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "device/core/result.hpp"
#include "sim/network/fault_proxy_counters.hpp"
#include "sim/network/fault_proxy_options.hpp"
#include "sim/network/impairment.hpp"

namespace camrig::sim {

class LinkState;
class TcpListener;
class UdpRelay;

class FaultProxy {
 public:
  explicit FaultProxy(FaultProxyOptions options);
  //! Stops the proxy (see stop()).
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  //! Resolves the target, binds the listening port(s) and starts the io thread. The error says
  //! which address could not be used and why.
  Result<void> start();
  //! The one shutdown path: closes the listener(s), every connection and session (what the
  //! proxy still holds is dropped), then joins the io thread. Idempotent, any thread but the
  //! proxy's own.
  void stop();

  //! The bound port (TCP's when both); 0 before start().
  std::uint16_t port() const { return port_; }

  //! Replaces the impairments of one direction; refuses values out of range.
  Result<void> set_impairment(Direction direction, const Impairment& impairment);
  Impairment impairment(Direction direction) const;

  //! Closes every current TCP connection with RST on both sides (SO_LINGER 0); returns after
  //! they are closed. New connections are accepted as usual.
  void reset_connections();
  //! Forwarding stops for `duration`, both ways: TCP data and UDP datagrams are held (UDP up to
  //! the queue limit) and delivered in order afterwards. New TCP connections are accepted.
  void stall_for(std::chrono::milliseconds duration);
  //! A full partition for `duration`: new TCP clients are reset at once, open TCP connections
  //! carry no bytes either way (what is sent meanwhile is delivered after the window, as TCP
  //! retransmission would), every UDP datagram is dropped.
  void partition_for(std::chrono::milliseconds duration);

  FaultProxyCounters counters() const;

 private:
  FaultProxyOptions options_;
  std::unique_ptr<LinkState> link_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<TcpListener> tcp_;
  std::shared_ptr<UdpRelay> udp_;
  std::thread thread_;
  std::mutex mutex_;  // serialises start() and stop()
  std::uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace camrig::sim
