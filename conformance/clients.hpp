// The camera as a client on the network sees it: ISAPI requests and RTSP DESCRIBE with Digest
// login (MD5 or SHA-256, as the challenge asks), and the alertStream subscription that turns
// each multipart EventNotificationAlert into fields. Plain POSIX sockets with deadlines, so a
// stalled camera fails a call instead of hanging the run.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "conformance/scenario.hpp"

namespace camrig::conformance {

struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 0;
};

struct Response {
  int status = 0;  //!< 0 when no answer came (see error)
  std::map<std::string, std::string> headers;  //!< names in lower case
  std::string body;
  std::string error;
  double real_milliseconds = 0;
};

//! One ISAPI call; when the camera asks for Digest, the call is repeated with `user`/`password`.
Response isapi_request(const Endpoint& http, const IsapiCall& call, const std::string& user, const std::string& password,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

//! DESCRIBE rtsp://host:port/Streaming/Channels/<stream>, logging in with Digest when asked.
Response rtsp_describe(const Endpoint& rtsp, const std::string& stream, const std::string& user, const std::string& password,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

//! One EventNotificationAlert: every leaf element by local name (the first of each name wins)
//! and the document as received.
struct AlertDocument {
  std::map<std::string, std::string> fields;
  std::string document;
};

//! Keeps GET /ISAPI/Event/notification/alertStream open on its own thread and hands each alert
//! to `on_alert`; reconnects after the camera closes it (a restart). Stops when destroyed.
class AlertStreamClient {
 public:
  using Handler = std::function<void(AlertDocument alert)>;
  AlertStreamClient(Endpoint http, std::string user, std::string password, Handler on_alert);
  ~AlertStreamClient();
  AlertStreamClient(const AlertStreamClient&) = delete;
  AlertStreamClient& operator=(const AlertStreamClient&) = delete;

  //! True once the camera has answered 200 and the stream is open.
  bool connected() const { return connected_; }
  //! Waits (real time) until connected or `timeout`.
  bool wait_connected(std::chrono::milliseconds timeout) const;
  //! Why the last attempt failed; empty while connected.
  std::string last_error() const;
  void set_endpoint(Endpoint http);

 private:
  void run();
  bool stream_once();

  mutable std::mutex mutex_;
  Endpoint http_;
  std::string user_;
  std::string password_;
  Handler on_alert_;
  std::string last_error_;
  std::atomic<bool> connected_ = false;
  std::atomic<bool> stopping_ = false;
  std::thread thread_;
};

//! Splits a multipart body into its parts' payloads; keeps an incomplete tail in `buffer`.
std::vector<std::string> take_multipart_parts(std::string& buffer);
AlertDocument parse_alert(const std::string& xml);

}  // namespace camrig::conformance
