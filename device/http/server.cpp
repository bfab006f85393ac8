#include "device/http/server.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <list>
#include <optional>

#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "device/core/log.hpp"

namespace camrig::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  //! Closes the connection; safe from any thread.
  virtual void close() = 0;
};

std::string address_text(const tcp::socket& socket) {
  beast::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const auto address = remote.address();
  // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; users and filters know them as a.b.c.d.
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

// One connection: owns the stream (TCP, or TLS over TCP), the read buffer, the parser of the
// current request, its timer (the stream's expiry) and the chunk queue of a streamed response.
// All work runs on the connection's strand; close() is the one way out.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool k_tls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket socket, const ServerOptions& options, const Router& router,
          security::Authenticator& authenticator)
      : tls_(options.tls), client_address_(address_text(socket)), stream_(make_stream(std::move(socket))),
        options_(options), router_(router), authenticator_(authenticator) {}

  void start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (k_tls) self->do_handshake();
      else self->do_read_header();
    });
  }

  void close() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->do_close(); });
  }

 private:
  Stream make_stream(tcp::socket socket) {
    if constexpr (k_tls) return Stream(std::move(socket), *tls_);
    else return Stream(std::move(socket));
  }
  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

  void do_handshake() {
    tcp_layer().expires_after(options_.handshake_timeout);
    stream_.async_handshake(net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) {
        log::get("http")->debug("TLS handshake with {} failed: {}", self->client_address_, ec.message());
        return self->do_close();
      }
      self->do_read_header();
    });
  }

  void do_read_header() {
    parser_.emplace();
    parser_->body_limit(options_.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
    tcp_layer().expires_after(options_.header_timeout);
    beast::http::async_read_header(stream_, buffer_, *parser_,
                                   beast::bind_front_handler(&Session<Stream>::on_read_header, this->shared_from_this()));
  }

  void on_read_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    tcp_layer().expires_after(options_.body_timeout);
    beast::http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session<Stream>::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    tcp_layer().expires_never();
    const auto& request = parser_->get();
    reply_ = router_.handle(request, client_address_, &authenticator_);
    if (reply_.stream) return do_write_stream_header();
    do_write(reply_.response);
  }

  void on_read_error(beast::error_code ec) {
    if (ec == beast::http::error::body_limit)
      return refuse(make_error(ErrorCode::out_of_range, "the request body is over " +
                                                            std::to_string(options_.body_limit) + " bytes"),
                    beast::http::status::payload_too_large);
    if (ec == beast::http::error::header_limit || ec == beast::http::error::bad_target ||
        ec == beast::http::error::bad_method || ec == beast::http::error::bad_version ||
        ec == beast::http::error::bad_field || ec == beast::http::error::bad_value)
      return refuse(make_error(ErrorCode::invalid_argument, "malformed HTTP request: " + ec.message()),
                    beast::http::status::bad_request);
    do_close();  // timeout, peer closed, or reset
  }

  // Answers a request the parser gave up on, then closes: the rest of the stream cannot be trusted.
  // A parsed request line still tells the renderer the path and the format the client asked for.
  void refuse(const Error& failure, beast::http::status status) {
    Request request;
    if (parser_ && !parser_->get().target().empty()) request.base() = parser_->get().base();
    else request.target("/");
    request.version(11);
    reply_ = Reply{router_.refusal(request, client_address_, failure, status), nullptr};
    unread_input_ = true;
    do_write(reply_.response);
  }

  void do_write(Response& response) {
    beast::http::async_write(stream_, response, beast::bind_front_handler(&Session<Stream>::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (!ec && unread_input_) return do_linger();
    if (ec || !reply_.response.keep_alive()) return do_close();
    reply_ = {};
    do_read_header();
  }

  // A streamed response: the header, then one chunk per write to the stream, then the last chunk.
  void do_write_stream_header() {
    serializer_.emplace(reply_.response);
    beast::http::async_write_header(stream_, *serializer_,
                                    beast::bind_front_handler(&Session<Stream>::on_write_stream_header, this->shared_from_this()));
  }

  void on_write_stream_header(beast::error_code ec, std::size_t) {
    if (ec) return do_close();
    std::weak_ptr<Session<Stream>> weak = this->shared_from_this();
    reply_.stream->set_wake([weak, executor = stream_.get_executor()] {
      net::post(executor, [weak] {
        if (auto self = weak.lock()) self->do_write_chunk();
      });
    });
    do_watch_peer();
    do_write_chunk();
  }

  // While a stream is open the peer sends nothing; a read that ends tells that it has gone, and
  // the pending read keeps the session alive between chunks.
  void do_watch_peer() {
    stream_.async_read_some(net::buffer(discard_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->do_close();
      self->do_watch_peer();
    });
  }

  void do_write_chunk() {
    if (writing_chunk_ || closed_ || !reply_.stream) return;
    bool finished = false;
    auto chunk = reply_.stream->take(finished);
    if (finished) {
      writing_chunk_ = true;
      net::async_write(stream_, beast::http::make_chunk_last(),
                       [self = this->shared_from_this()](beast::error_code, std::size_t) { self->do_close(); });
      return;
    }
    if (!chunk) return;
    pending_chunk_ = std::move(*chunk);
    writing_chunk_ = true;
    net::async_write(stream_, beast::http::make_chunk(net::buffer(pending_chunk_)),
                     beast::bind_front_handler(&Session<Stream>::on_write_chunk, this->shared_from_this()));
  }

  void on_write_chunk(beast::error_code ec, std::size_t) {
    writing_chunk_ = false;
    if (ec) return do_close();
    do_write_chunk();
  }

  // Half-closes (the refusal is sent), then reads the raw socket and drops what comes until the
  // client closes, goes quiet for a second, or the linger time is over; then closes.
  void do_linger() {
    beast::error_code ec;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return do_close();
    linger_until_ = std::chrono::steady_clock::now() + options_.linger_time;
    do_drain();
  }

  void do_drain() {
    tcp_layer().expires_at(std::min(std::chrono::steady_clock::now() + std::chrono::seconds(1), linger_until_));
    tcp_layer().async_read_some(net::buffer(discard_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->do_close();
      self->do_drain();
    });
  }

  void do_close() {
    if (closed_) return;
    closed_ = true;
    if (reply_.stream) {
      reply_.stream->set_wake(nullptr);
      reply_.stream->close();  // the producer learns the client has gone
    }
    // TLS ends without close_notify: HTTP/1.1 bodies are delimited, so the peer loses nothing.
    beast::error_code ec;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp_layer().socket().close(ec);
  }

  std::shared_ptr<net::ssl::context> tls_;  // before stream_: the TLS stream refers to it
  std::string client_address_;
  Stream stream_;
  const ServerOptions options_;  // a copy: the listener may go before its last session
  const Router& router_;
  security::Authenticator& authenticator_;
  beast::flat_buffer buffer_;
  std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
  Reply reply_;
  std::optional<beast::http::response_serializer<beast::http::string_body>> serializer_;
  std::string pending_chunk_;
  std::array<char, 4096> discard_{};  //!< what a streamed response's peer or a refused request's rest sends
  std::chrono::steady_clock::time_point linger_until_;
  bool unread_input_ = false;  //!< a request was refused before its end was read
  bool writing_chunk_ = false;
  bool closed_ = false;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, ServerOptions options, const Router& router, security::Authenticator& authenticator)
      : io_(io), acceptor_(net::make_strand(io)), options_(std::move(options)), router_(router),
        authenticator_(authenticator) {}

  Result<void> open() {
    beast::error_code ec;
    const auto address = net::ip::make_address(options_.bind_address, ec);
    if (ec) return make_error(ErrorCode::invalid_argument, protocol() + " bind address " + options_.bind_address + ": " + ec.message());
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return make_error(ErrorCode::unavailable, protocol() + " port " + std::to_string(options_.port) +
                                                    (ec == net::error::address_in_use ? " is in use" : ": " + ec.message()));
    port_ = acceptor_.local_endpoint(ec).port();
    return {};
  }

  void start() {
    net::dispatch(acceptor_.get_executor(), [self = this->shared_from_this()] { self->do_accept(); });
  }

  void stop() {
    net::post(acceptor_.get_executor(), [self = this->shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
      for (auto& weak : self->sessions_)
        if (auto session = weak.lock()) session->close();
      self->sessions_.clear();
    });
  }

  void stop_accepting_now() {
    beast::error_code ec;
    acceptor_.close(ec);
  }

  std::uint16_t port() const { return port_; }

 private:
  std::string protocol() const { return options_.tls ? "HTTPS" : "HTTP"; }

  void do_accept() {
    acceptor_.async_accept(net::make_strand(io_), beast::bind_front_handler(&Listener::on_accept, this->shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      sessions_.remove_if([](const auto& weak) { return weak.expired(); });
      const auto address = address_text(socket);
      if (options_.admit && !options_.admit(address)) {
        log::get("http")->info("{}: refusing a connection from {} (IP address filter)", protocol(), address);
        beast::error_code ignored;
        socket.close(ignored);
      } else if (sessions_.size() >= options_.max_connections) {
        log::get("http")->warn("refusing a connection: {} connections open", sessions_.size());
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        if (options_.tls) start_session<TlsStream>(std::move(socket));
        else start_session<beast::tcp_stream>(std::move(socket));
      }
    }
    do_accept();
  }

  template <class Stream>
  void start_session(tcp::socket socket) {
    auto session = std::make_shared<Session<Stream>>(std::move(socket), options_, router_, authenticator_);
    sessions_.push_back(session);
    session->start();
  }

  net::io_context& io_;
  tcp::acceptor acceptor_;
  ServerOptions options_;
  const Router& router_;
  security::Authenticator& authenticator_;
  std::list<std::weak_ptr<SessionBase>> sessions_;
  std::uint16_t port_ = 0;
};

Server::Server(net::io_context& io, ServerOptions options, const Router& router, security::Authenticator& authenticator)
    : io_(io), options_(std::move(options)), router_(router), authenticator_(authenticator) {}

Server::~Server() { stop(); }

Result<void> Server::start() {
  auto listener = std::make_shared<Listener>(io_, options_, router_, authenticator_);
  if (auto opened = listener->open(); !opened) return opened.error();
  listener_ = std::move(listener);
  listener_->start();
  return {};
}

void Server::stop() {
  if (!listener_) return;
  listener_->stop();
  listener_.reset();
}

void Server::stop_accepting() {
  if (!listener_) return;
  listener_->stop_accepting_now();
  listener_.reset();
}

std::uint16_t Server::port() const { return listener_ ? listener_->port() : 0; }

}  // namespace camrig::http
