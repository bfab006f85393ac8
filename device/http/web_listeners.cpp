#include "device/http/web_listeners.hpp"

#include <boost/asio/post.hpp>

#include "device/core/log.hpp"
#include "device/http/tls_context.hpp"

namespace camrig::http {

bool WebListeners::affects(std::string_view key) {
  return key == "network.http_port" || key == "network.https_port" || key.starts_with("network.https.") ||
         key.starts_with("security.tls.") || key.starts_with("security.certificate.");
}

Result<void> WebListeners::start() {
  std::lock_guard lock(mutex_);
  auto opened = open_listeners();
  if (opened && parts_.clock) {
    std::lock_guard timer_lock(expiry_timer_->mutex);
    expiry_timer_->running = true;
    schedule_expiry_check();
  }
  return opened;
}

// Called with expiry_timer_->mutex held. The check itself runs on the io_context, as the clock's
// timer thread must not wait on the system log's database.
void WebListeners::schedule_expiry_check() {
  expiry_timer_->id = parts_.clock->call_at(
      parts_.clock->now() + k_expiry_check_interval, [this, timer = expiry_timer_] {
        std::lock_guard timer_lock(timer->mutex);
        if (!timer->running) return;
        boost::asio::post(*parts_.io, [this, timer] {
          {
            std::lock_guard still_running(timer->mutex);
            if (!timer->running) return;
          }
          std::lock_guard lock(mutex_);
          check_certificate_expiry();
        });
        schedule_expiry_check();
      });
}

Result<void> WebListeners::open_listeners() {
  auto& config = *parts_.config;
  const bool https_enabled = parts_.certificates && config.get_bool("network.https.enabled");
  const bool https_only = https_enabled && config.get_bool("network.https.https_browsing");

  http_port_ = 0;
  https_port_ = 0;
  Result<void> outcome;
  if (!https_only) {
    auto options = parts_.base;
    options.port = static_cast<std::uint16_t>(config.get_int("network.http_port"));
    options.admit = parts_.admit;
    http_ = std::make_unique<Server>(*parts_.io, options, *parts_.router, *parts_.authenticator);
    if (auto started = http_->start(); !started) {
      http_.reset();
      outcome = started.error();
    } else
      http_port_ = http_->port();
  }
  if (https_enabled) {
    auto context = make_tls_context(parts_.certificates->server_key_pem(), parts_.certificates->server_chain_pem(),
                                    TlsVersions{config.get_bool("security.tls.v1_1"), config.get_bool("security.tls.v1_2"),
                                                config.get_bool("security.tls.v1_3")});
    if (!context) {
      log::get("http")->error("HTTPS is off: {}", context.error().message);
    } else {
      auto options = parts_.base;
      options.port = static_cast<std::uint16_t>(config.get_int("network.https_port"));
      options.admit = parts_.admit;
      options.tls = std::move(*context);
      https_ = std::make_unique<Server>(*parts_.io, options, *parts_.router, *parts_.authenticator);
      if (auto started = https_->start(); !started) {
        log::get("http")->error("HTTPS is off: {}", started.error().message);
        https_.reset();
      } else
        https_port_ = https_->port();
    }
  }
  check_certificate_expiry();
  return outcome;
}

void WebListeners::restart() {
  boost::asio::post(*parts_.io, [this] {
    // On the io_context's thread: the old acceptors close before the new ones bind the same ports.
    std::lock_guard lock(mutex_);
    if (http_) http_->stop_accepting();
    if (https_) https_->stop_accepting();
    http_.reset();
    https_.reset();
    if (auto opened = open_listeners(); !opened) log::get("http")->error("HTTP is off: {}", opened.error().message);
    log::get("http")->info("web listeners restarted: HTTP port {}, HTTPS port {}", http_port_.load(), https_port_.load());
  });
}

void WebListeners::stop() {
  {
    std::lock_guard timer_lock(expiry_timer_->mutex);
    if (expiry_timer_->running) parts_.clock->cancel(expiry_timer_->id);
    expiry_timer_->running = false;
  }
  std::lock_guard lock(mutex_);
  if (http_) http_->stop();
  if (https_) https_->stop();
  http_port_ = 0;
  https_port_ = 0;
}

void WebListeners::check_certificate_expiry() {
  if (!parts_.certificates || !parts_.config->get_bool("security.certificate.expiry_alarm_enabled")) return;
  const auto info = parts_.certificates->server_info();
  const auto window = parts_.config->get_int("security.certificate.expiry_alarm_days");
  if (info.days_to_expiry > window) return;
  const auto message = info.days_to_expiry < 0
                           ? "the HTTPS server certificate (" + info.subject + ") has expired"
                           : "the HTTPS server certificate (" + info.subject + ") expires in " +
                                 std::to_string(info.days_to_expiry) + " day(s)";
  log::get("security")->warn("{}", message);
  if (!parts_.system_log) return;
  storage::LogEntry entry;
  entry.major = storage::LogMajor::exception;
  entry.minor = "Certificate Expiration";
  entry.description = message;
  if (auto appended = parts_.system_log->append(std::move(entry)); !appended)
    log::get("security")->warn("the certificate expiration could not be logged: {}", appended.error().message);
}

}  // namespace camrig::http
