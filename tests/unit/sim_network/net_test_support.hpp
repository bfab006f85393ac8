// Loopback echo servers and clients (asio) for the fault proxy tests. Every blocking call of a
// client is bounded by a timeout, so a broken proxy fails a test instead of hanging it.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace camrig::sim::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline asio::ip::address loopback() { return asio::ip::make_address("127.0.0.1"); }

//! Echoes every byte back on every connection; its own io thread.
class TcpEchoServer {
 public:
  //! Port 0 picks a free port; a taken port throws boost::system::system_error.
  explicit TcpEchoServer(std::uint16_t port = 0) : acceptor_(io_, tcp::endpoint(loopback(), port)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TcpEchoServer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections() const { return connections_; }

 private:
  struct Session : std::enable_shared_from_this<Session> {
    explicit Session(tcp::socket s) : socket(std::move(s)) {}
    void read() {
      socket.async_read_some(asio::buffer(buffer), [self = shared_from_this()](auto ec, std::size_t n) {
        if (ec) {
          return;
        }
        asio::async_write(self->socket, asio::buffer(self->buffer.data(), n),
                          [self](auto write_ec, std::size_t) {
                            if (!write_ec) {
                              self->read();
                            }
                          });
      });
    }
    tcp::socket socket;
    std::array<char, 16384> buffer{};
  };
  void accept() {
    acceptor_.async_accept([this](auto ec, tcp::socket socket) {
      if (ec) {
        return;
      }
      ++connections_;
      std::make_shared<Session>(std::move(socket))->read();
      accept();
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

//! A TCP client whose reads and writes give up after a timeout.
class TcpClient {
 public:
  boost::system::error_code connect(std::uint16_t port, milliseconds timeout = milliseconds(2000)) {
    boost::system::error_code result = asio::error::timed_out;
    socket_.async_connect(tcp::endpoint(loopback(), port), [&](auto ec) { result = ec; });
    run(timeout);
    return result;
  }
  boost::system::error_code write(const std::string& data, milliseconds timeout = milliseconds(10000)) {
    boost::system::error_code result = asio::error::timed_out;
    asio::async_write(socket_, asio::buffer(data), [&](auto ec, std::size_t) { result = ec; });
    run(timeout);
    return result;
  }
  //! Reads exactly `size` bytes; the error is timed_out when they do not come in time.
  std::pair<boost::system::error_code, std::string> read(std::size_t size, milliseconds timeout) {
    std::string data(size, '\0');
    boost::system::error_code result = asio::error::timed_out;
    std::size_t got = 0;
    asio::async_read(socket_, asio::buffer(data), [&](auto ec, std::size_t n) {
      result = ec;
      got = n;
    });
    run(timeout);
    data.resize(got);
    return {result, data};
  }
  //! Writes `data` while reading its echo; returns the time until the whole echo was in.
  std::optional<Clock::duration> echo(const std::string& data, milliseconds timeout) {
    std::string back(data.size(), '\0');
    boost::system::error_code write_ec = asio::error::timed_out;
    boost::system::error_code read_ec = asio::error::timed_out;
    const auto start = Clock::now();
    Clock::time_point done{};
    asio::async_write(socket_, asio::buffer(data), [&](auto ec, std::size_t) { write_ec = ec; });
    asio::async_read(socket_, asio::buffer(back), [&](auto ec, std::size_t) {
      read_ec = ec;
      done = Clock::now();
    });
    run(timeout);
    if (write_ec || read_ec || back != data) {
      return std::nullopt;
    }
    return done - start;
  }
  tcp::socket& socket() { return socket_; }

 private:
  void run(milliseconds timeout) {
    io_.restart();
    io_.run_for(timeout);
    if (!io_.stopped()) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
      io_.restart();
      io_.run();
    }
  }

  asio::io_context io_;
  tcp::socket socket_{io_};
};

//! Sends every datagram back to its sender; its own io thread.
class UdpEchoServer {
 public:
  UdpEchoServer() : socket_(io_, udp::endpoint(loopback(), 0)) {
    socket_.set_option(asio::socket_base::receive_buffer_size(4 * 1024 * 1024));
    receive();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~UdpEchoServer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return socket_.local_endpoint().port(); }
  int received() const { return received_; }

 private:
  void receive() {
    socket_.async_receive_from(asio::buffer(buffer_), sender_, [this](auto ec, std::size_t n) {
      if (ec == asio::error::operation_aborted) {
        return;
      }
      if (!ec) {
        ++received_;
        boost::system::error_code ignored;
        socket_.send_to(asio::buffer(buffer_.data(), n), sender_, 0, ignored);
      }
      receive();
    });
  }

  asio::io_context io_;
  udp::socket socket_;
  udp::endpoint sender_;
  std::array<char, 65536> buffer_{};
  std::atomic<int> received_{0};
  std::thread thread_;
};

//! A UDP client talking to one port on 127.0.0.1.
class UdpClient {
 public:
  explicit UdpClient(std::uint16_t port) : socket_(io_, udp::endpoint(loopback(), 0)), peer_(loopback(), port) {
    socket_.set_option(asio::socket_base::receive_buffer_size(4 * 1024 * 1024));
  }
  void send(const std::string& datagram) {
    boost::system::error_code ignored;
    socket_.send_to(asio::buffer(datagram), peer_, 0, ignored);
  }
  //! Datagrams until none has come for `quiet` (or `limit` has passed), with arrival times.
  std::vector<std::pair<Clock::time_point, std::string>> receive_until_quiet(milliseconds quiet,
                                                                            milliseconds limit = milliseconds(5000)) {
    std::vector<std::pair<Clock::time_point, std::string>> out;
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
      std::array<char, 65536> buffer{};
      udp::endpoint from;
      bool got = false;
      std::size_t size = 0;
      socket_.async_receive_from(asio::buffer(buffer), from, [&](auto ec, std::size_t n) {
        got = !ec;
        size = n;
      });
      io_.restart();
      io_.run_for(quiet);
      if (!io_.stopped()) {
        socket_.cancel();
        io_.restart();
        io_.run();
      }
      if (!got) {
        break;
      }
      out.emplace_back(Clock::now(), std::string(buffer.data(), size));
    }
    return out;
  }

 private:
  asio::io_context io_;
  udp::socket socket_;
  udp::endpoint peer_;
};

//! Median of durations in milliseconds.
inline double median_ms(std::vector<Clock::duration> samples) {
  std::sort(samples.begin(), samples.end());
  return std::chrono::duration<double, std::milli>(samples[samples.size() / 2]).count();
}

//! Polls `predicate` until it holds or `timeout` passes (counters are updated on the proxy's
//! thread just after the bytes left it).
template <class Predicate>
bool eventually(Predicate predicate, milliseconds timeout = milliseconds(2000)) {
  const auto end = Clock::now() + timeout;
  while (!predicate()) {
    if (Clock::now() >= end) {
      return false;
    }
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

inline double to_ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace camrig::sim::testing
