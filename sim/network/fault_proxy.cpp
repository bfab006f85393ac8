#include "sim/network/fault_proxy.hpp"

#include <future>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include "device/core/log.hpp"
#include "sim/network/link_state.hpp"
#include "sim/network/tcp_listener.hpp"
#include "sim/network/udp_relay.hpp"

namespace camrig::sim {

namespace {

using boost::asio::ip::tcp;
using boost::asio::ip::udp;

}  // namespace

FaultProxy::FaultProxy(FaultProxyOptions options)
    : options_(std::move(options)),
      link_(std::make_unique<LinkState>(options_.seed)),
      work_(boost::asio::make_work_guard(io_)) {}

FaultProxy::~FaultProxy() { stop(); }

Result<void> FaultProxy::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopped_) {
    return make_error(ErrorCode::not_configurable, "fault proxy already started");
  }
  boost::system::error_code ec;
  const auto listen_address = boost::asio::ip::make_address(options_.listen_address, ec);
  if (ec) {
    return make_error(ErrorCode::invalid_argument, "fault proxy listen address '" + options_.listen_address +
                                                       "' is not an IP address");
  }
  tcp::resolver resolver(io_);
  const auto resolved = resolver.resolve(options_.target_host, std::to_string(options_.target_port), ec);
  if (ec || resolved.empty()) {
    return make_error(ErrorCode::not_found, "fault proxy cannot resolve target '" + options_.target_host +
                                                "': " + ec.message());
  }
  const tcp::endpoint target = resolved.begin()->endpoint();

  std::uint16_t port = options_.listen_port;
  if (options_.protocol != ProxyProtocol::udp) {
    tcp_ = std::make_shared<TcpListener>(io_, *link_, target);
    if (auto opened = tcp_->open(tcp::endpoint(listen_address, port)); !opened) {
      tcp_.reset();
      return opened;
    }
    port = tcp_->port();
  }
  if (options_.protocol != ProxyProtocol::tcp) {
    udp_ = std::make_shared<UdpRelay>(io_, *link_, udp::endpoint(target.address(), target.port()),
                                      options_.udp_idle_timeout);
    if (auto opened = udp_->open(udp::endpoint(listen_address, port)); !opened) {
      udp_.reset();
      tcp_.reset();
      return opened;
    }
    port = udp_->port();
  }
  port_ = tcp_ ? tcp_->port() : port;
  if (tcp_) {
    tcp_->run();
  }
  if (udp_) {
    udp_->run();
  }
  thread_ = std::thread([this] { io_.run(); });
  started_ = true;
  log::get("sim")->info("fault proxy on {}:{} -> {}:{}", options_.listen_address, port_, options_.target_host,
                        options_.target_port);
  return {};
}

void FaultProxy::stop() {
  std::lock_guard lock(mutex_);
  if (stopped_) {
    return;
  }
  stopped_ = true;
  if (!started_) {
    return;
  }
  std::promise<void> closed;
  boost::asio::post(io_, [this, &closed] {
    if (tcp_) {
      tcp_->close();
    }
    if (udp_) {
      udp_->close();
    }
    closed.set_value();
  });
  closed.get_future().wait();
  io_.stop();
  thread_.join();
  tcp_.reset();
  udp_.reset();
}

Result<void> FaultProxy::set_impairment(Direction direction, const Impairment& impairment) {
  if (auto valid = validate(impairment); !valid) {
    return valid;
  }
  link_->set_impairment(direction, impairment);
  return {};
}

Impairment FaultProxy::impairment(Direction direction) const { return link_->impairment(direction); }

void FaultProxy::reset_connections() {
  std::lock_guard lock(mutex_);
  if (!started_ || stopped_ || !tcp_) {
    return;
  }
  std::promise<void> done;
  boost::asio::post(io_, [this, &done] {
    tcp_->reset_connections();
    done.set_value();
  });
  done.get_future().wait();
}

void FaultProxy::stall_for(std::chrono::milliseconds duration) { link_->stall_for(duration); }

void FaultProxy::partition_for(std::chrono::milliseconds duration) { link_->partition_for(duration); }

FaultProxyCounters FaultProxy::counters() const { return link_->counters(); }

}  // namespace camrig::sim
