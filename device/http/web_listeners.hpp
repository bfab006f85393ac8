// The device's web listeners as the configuration describes them: HTTP on network.http_port
// (not started in "HTTPS only" mode, network.https.https_browsing: the port then refuses
// connections), HTTPS on network.https_port with the certificate store's certificate and the
// enabled TLS versions, both behind the IP address filter. Restarted when those settings or the
// certificate change; also raises the certificate expiration alarm, at start and once a day of
// device time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "device/hal/clock.hpp"

#include "device/core/config_service.hpp"
#include "device/http/server.hpp"
#include "device/security/certificates.hpp"
#include "device/storage/system_log.hpp"

namespace camrig::http {

struct WebListenerParts {
  boost::asio::io_context* io = nullptr;
  core::ConfigService* config = nullptr;
  security::CertificateStore* certificates = nullptr;  //!< null: no HTTPS
  const Router* router = nullptr;
  security::Authenticator* authenticator = nullptr;
  storage::SystemLog* system_log = nullptr;  //!< null: the expiration alarm goes to the log only
  //! The device clock, for the daily expiration check; null: checked only at (re)start.
  hal::Clock* clock = nullptr;
  std::function<bool(const std::string& address)> admit;
  ServerOptions base;  //!< bind address, limits and timeouts shared by both listeners
};

class WebListeners {
 public:
  explicit WebListeners(WebListenerParts parts) : parts_(std::move(parts)) {}
  WebListeners(const WebListeners&) = delete;
  WebListeners& operator=(const WebListeners&) = delete;
  ~WebListeners() { stop(); }

  //! How often the certificate expiration alarm is checked while the device runs.
  static constexpr std::chrono::hours k_expiry_check_interval{24};

  //! Before the io_context runs. HTTP failing to bind is an error; HTTPS failing is logged and
  //! HTTPS stays off, as a camera keeps serving HTTP when its certificate or port is unusable.
  Result<void> start();
  //! Rebinds both listeners with the current settings; any thread (the work runs on the
  //! io_context). Open connections finish on the listener that accepted them.
  void restart();
  //! Closes the listeners and every connection.
  void stop();

  //! 0 while the listener is off.
  std::uint16_t http_port() const { return http_port_; }
  std::uint16_t https_port() const { return https_port_; }

  //! Whether a change of `key` needs restart().
  static bool affects(std::string_view key);

 private:
  Result<void> open_listeners();
  void check_certificate_expiry();
  void schedule_expiry_check();

  // Shared with the pending timer callback, which runs on the clock's thread and may outlive a
  // stop() that raced it: it touches the listeners only while `running` holds under the mutex.
  struct ExpiryTimer {
    std::mutex mutex;
    bool running = false;
    hal::Clock::TimerId id = 0;
  };

  WebListenerParts parts_;
  std::mutex mutex_;  // restart() on the io thread, stop() on the owner's
  std::unique_ptr<Server> http_;
  std::unique_ptr<Server> https_;
  std::atomic<std::uint16_t> http_port_{0};
  std::atomic<std::uint16_t> https_port_{0};
  std::shared_ptr<ExpiryTimer> expiry_timer_ = std::make_shared<ExpiryTimer>();
};

}  // namespace camrig::http
