#include "device/events/http_hosts.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "device/core/log.hpp"

namespace camrig::events {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// Connect, (handshake,) write the request and read the answer as one chain of asynchronous
// operations, so that the whole exchange is bounded by one io_context::run_for.
template <class Stream>
void exchange(Stream& stream, const tcp::resolver::results_type& endpoints, beast_http::request<beast_http::string_body>& request,
              beast::flat_buffer& buffer, beast_http::response<beast_http::string_body>& response,
              std::function<void(beast::error_code)> finish) {
  auto write_and_read = [&stream, &request, &buffer, &response, finish] {
    beast_http::async_write(stream, request, [&stream, &buffer, &response, finish](beast::error_code ec, std::size_t) {
      if (ec) return finish(ec);
      beast_http::async_read(stream, buffer, response, [finish](beast::error_code read_ec, std::size_t) { finish(read_ec); });
    });
  };
  beast::get_lowest_layer(stream).async_connect(
      endpoints, [&stream, write_and_read, finish](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return finish(ec);
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
          stream.async_handshake(net::ssl::stream_base::client, [write_and_read, finish](beast::error_code handshake_ec) {
            if (handshake_ec) return finish(handshake_ec);
            write_and_read();
          });
        } else {
          write_and_read();
        }
      });
}

}  // namespace

AlertRequest alert_request(const Event& event, const DeviceIdentity& identity, AlertFormat format) {
  const bool as_json = format == AlertFormat::json;
  auto document =
      std::make_shared<const std::string>(as_json ? alert_json(event, identity) : alert_xml(event, identity));
  std::string document_type = as_json ? "application/json; charset=\"UTF-8\"" : "application/xml; charset=\"UTF-8\"";
  const auto pictures = carried_pictures(event);
  if (pictures.empty()) return {std::move(document_type), *document};

  // A boundary that occurs in no part (RFC 2046 5.1.1); a JPEG could hold any byte sequence.
  std::string boundary = "camrig-alert-" + std::to_string(event.sequence);
  auto occurs = [&](const std::string& b) {
    if (document->find(b) != std::string::npos) return true;
    return std::any_of(pictures.begin(), pictures.end(), [&](const AlertPart& p) { return p.data->find(b) != std::string::npos; });
  };
  for (int salt = 0; occurs(boundary); ++salt) boundary = "camrig-alert-" + std::to_string(event.sequence) + "-" + std::to_string(salt);

  const std::string name = std::string(isapi_event_type(event.kind)) + (as_json ? ".json" : ".xml");
  std::string body = multipart_part(boundary, {name, name, std::move(document_type), "", document});
  for (const auto& picture : pictures) body += multipart_part(boundary, picture);
  body += "--" + boundary + "--\r\n";
  return {"multipart/form-data; boundary=" + boundary, std::move(body)};
}

Result<unsigned> post_alert(const HttpHostSettings& host, const std::string& body, const std::string& content_type,
                            std::chrono::milliseconds timeout) {
  const auto where = (host.protocol == HostProtocol::https ? "https://" : "http://") + host.address + ":" +
                     std::to_string(host.port) + host.url;
  net::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(host.address, std::to_string(host.port), ec);
  if (ec) return make_error(ErrorCode::unavailable, "HTTP host " + where + ": cannot resolve: " + ec.message());

  beast_http::request<beast_http::string_body> request{beast_http::verb::post, host.url, 11};
  request.set(beast_http::field::host, host.address + ":" + std::to_string(host.port));
  request.set(beast_http::field::content_type, content_type);
  request.keep_alive(false);
  request.body() = body;
  request.prepare_payload();
  beast::flat_buffer buffer;
  beast_http::response<beast_http::string_body> response;
  std::optional<beast::error_code> result;
  auto finish = [&result](beast::error_code done) { result = done; };

  if (host.protocol == HostProtocol::http) {
    beast::tcp_stream stream(io);
    exchange(stream, endpoints, request, buffer, response, finish);
    io.run_for(timeout);
  } else {
    // Alarm servers commonly use self-signed certificates; the camera does not verify them.
    net::ssl::context context(net::ssl::context::tls_client);
    context.set_verify_mode(net::ssl::verify_none);
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    // Server Name Indication; the macro form casts the name through void*.
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(host.address.c_str()));
    exchange(stream, endpoints, request, buffer, response, finish);
    io.run_for(timeout);
  }
  if (!result) return make_error(ErrorCode::unavailable, "HTTP host " + where + ": no answer within " +
                                                             std::to_string(timeout.count()) + " ms");
  if (*result) return make_error(ErrorCode::unavailable, "HTTP host " + where + ": " + result->message());
  return response.result_int();
}

struct HttpHosts::Worker {
  HttpHostSettings host;
  std::shared_ptr<core::Mailbox<CenterNotification>> mailbox;
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> failed{0};
  std::jthread thread;

  void run(std::stop_token stop, hal::Clock& clock, const HttpHostsOptions& options) {
    auto logger = log::get("events");
    std::uint64_t reported_drops = 0;
    while (auto notification = mailbox->pop(stop)) {
      if (const auto dropped = mailbox->dropped(); dropped != reported_drops) {
        logger->warn("HTTP host {} fell behind: {} alert(s) dropped so far", host.id, dropped);
        reported_drops = dropped;
      }
      const auto identity = options.identity();
      const auto request = alert_request(notification->event, identity, host.format);
      auto backoff = options.first_retry;
      while (!stop.stop_requested()) {
        auto posted = post_alert(host, request.body, request.content_type, options.request_timeout);
        if (posted && *posted < 500) {
          if (*posted >= 300) logger->warn("HTTP host {} refused an alert with status {}", host.id, *posted);
          ++delivered;
          break;
        }
        const auto attempts = ++failed;
        // The first failure of a run is worth a warning; the retries that follow are not.
        if (attempts == 1 || backoff == options.first_retry)
          logger->warn("{}; retrying every {} ms up to {} ms", posted ? "HTTP host answered " + std::to_string(*posted)
                                                                      : posted.error().message,
                       backoff.count(), options.max_retry.count());
        if (!clock.sleep_until(clock.now() + backoff, stop)) return;
        backoff = std::min(backoff * 2, options.max_retry);
      }
    }
  }
};

HttpHosts::HttpHosts(hal::Clock& clock, core::EventBus& bus, HttpHostsOptions options)
    : clock_(clock), bus_(bus), options_(std::move(options)) {
  for (int id = 1; id <= k_max_http_hosts; ++id) {
    HttpHostSettings host;
    host.id = id;
    settings_.push_back(host);
  }
}

HttpHosts::~HttpHosts() { stop(); }

std::vector<HttpHostSettings> HttpHosts::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

Result<void> HttpHosts::configure(std::vector<HttpHostSettings> hosts) {
  std::set<int> ids;
  for (const auto& host : hosts) {
    const auto name = "HTTP host " + std::to_string(host.id);
    if (host.id < 1 || host.id > k_max_http_hosts)
      return make_error(ErrorCode::out_of_range, name + ": the id must be 1 to " + std::to_string(k_max_http_hosts));
    if (!ids.insert(host.id).second) return make_error(ErrorCode::invalid_argument, name + " is given twice");
    if (host.url.empty() || host.url.front() != '/')
      return make_error(ErrorCode::invalid_argument, name + ": the url must be a path starting with '/' (got '" + host.url + "')");
    if (host.port == 0) return make_error(ErrorCode::out_of_range, name + ": the port must be 1 to 65535");
    if (host.address.find_first_of(" /?#") != std::string::npos)
      return make_error(ErrorCode::invalid_argument, name + ": '" + host.address + "' is not an address or host name");
  }
  std::lock_guard lock(mutex_);
  for (auto& host : hosts) {
    auto& current = settings_[static_cast<std::size_t>(host.id - 1)];
    const bool same = current.url == host.url && current.protocol == host.protocol && current.address == host.address &&
                      current.port == host.port && current.format == host.format;
    current = host;
    if (same) continue;
    std::erase_if(workers_, [&](const std::unique_ptr<Worker>& worker) {
      if (worker->host.id != host.id) return false;
      worker->thread.request_stop();
      worker->mailbox->close();
      return true;  // the jthread joins as the worker is destroyed
    });
    if (host.address.empty()) continue;
    auto worker = std::make_unique<Worker>();
    worker->host = host;
    worker->mailbox = bus_.subscribe<CenterNotification>(options_.queue_capacity);
    worker->thread = std::jthread([raw = worker.get(), this](std::stop_token stop) { raw->run(stop, clock_, options_); });
    workers_.push_back(std::move(worker));
  }
  return {};
}

std::vector<HttpHostStats> HttpHosts::stats() const {
  std::lock_guard lock(mutex_);
  std::vector<HttpHostStats> stats;
  for (const auto& worker : workers_)
    stats.push_back({worker->host.id, worker->delivered.load(), worker->failed.load(), worker->mailbox->dropped()});
  return stats;
}

void HttpHosts::stop() {
  std::lock_guard lock(mutex_);
  for (auto& worker : workers_) {
    worker->thread.request_stop();
    worker->mailbox->close();
  }
  workers_.clear();
}

}  // namespace camrig::events
