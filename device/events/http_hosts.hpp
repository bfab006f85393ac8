// HTTP hosts (ISAPI Event/notification/httpHosts): alarm servers that receive every center
// notification as an HTTP(S) POST of EventNotificationAlert (XML or JSON), with the event's
// pictures as further parts of a multipart/form-data body when it carries any. Each host has its own
// bounded queue (drop-oldest, counted) and worker; while a host is down the worker retries the
// same alert with exponential backoff, so a dead host delays nothing but its own queue.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "device/core/event_bus.hpp"
#include "device/core/result.hpp"
#include "device/events/alert_document.hpp"
#include "device/hal/clock.hpp"

namespace camrig::events {

//! ISAPI httpHosts capabilities of Hikvision cameras: hostNumber 3.
inline constexpr int k_max_http_hosts = 3;

enum class HostProtocol { http, https };
enum class AlertFormat { xml, json };

struct HttpHostSettings {
  int id = 1;                    //!< 1..k_max_http_hosts
  std::string url = "/";         //!< path on the host
  HostProtocol protocol = HostProtocol::http;
  std::string address;           //!< IP address or host name; empty: the host is not set
  std::uint16_t port = 80;
  AlertFormat format = AlertFormat::xml;
};

struct HttpHostsOptions {
  std::chrono::milliseconds first_retry{1000};
  std::chrono::milliseconds max_retry{30000};
  std::chrono::milliseconds request_timeout{5000};
  std::size_t queue_capacity = 256;
  std::function<DeviceIdentity()> identity = [] { return DeviceIdentity{}; };
};

struct HttpHostStats {
  int id = 0;
  std::uint64_t delivered = 0;        //!< alerts the host answered
  std::uint64_t failed_attempts = 0;  //!< POSTs that found the host down (each retried)
  std::uint64_t dropped = 0;          //!< alerts lost because the queue overflowed while waiting
};

class HttpHosts {
 public:
  HttpHosts(hal::Clock& clock, core::EventBus& bus, HttpHostsOptions options = {});
  ~HttpHosts();
  HttpHosts(const HttpHosts&) = delete;
  HttpHosts& operator=(const HttpHosts&) = delete;

  //! One entry per host id, set or not.
  std::vector<HttpHostSettings> settings() const;
  //! Validates all and replaces the hosts; a host whose settings changed restarts with an empty queue.
  Result<void> configure(std::vector<HttpHostSettings> hosts);
  std::vector<HttpHostStats> stats() const;
  void stop();

 private:
  struct Worker;
  hal::Clock& clock_;
  core::EventBus& bus_;
  HttpHostsOptions options_;
  mutable std::mutex mutex_;
  std::vector<HttpHostSettings> settings_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

//! What one alert POST carries. An alert whose event carries pictures (face capture) is sent as
//! Hikvision cameras send it: multipart/form-data with the document as the first part, named after
//! the event type ("faceCapture.xml"), then one image/jpeg part per picture as the alertStream
//! sends it (carried_pictures: "faceImage.jpg", "backgroundImage.jpg", "<kind>Image.jpg", with the
//! Content-ID the document names); without pictures it is the bare document.
struct AlertRequest {
  std::string content_type;
  std::string body;
};
AlertRequest alert_request(const Event& event, const DeviceIdentity& identity, AlertFormat format);

//! One POST of `body` to the host; the HTTP status on any answer, an error if the host could not
//! be reached in `timeout`.
Result<unsigned> post_alert(const HttpHostSettings& host, const std::string& body, const std::string& content_type,
                            std::chrono::milliseconds timeout);

}  // namespace camrig::events
