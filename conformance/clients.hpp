// The camera as a client on the network sees it: ISAPI requests and RTSP DESCRIBE with Digest
// login (MD5 or SHA-256, as the challenge asks), and the alertStream subscription that turns
// each multipart EventNotificationAlert into fields. Plain POSIX sockets with deadlines, so a
// stalled camera fails a call instead of hanging the run.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
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

//! One RTSP connection kept across requests, as a player keeps it for a session: each request
//! gets the next CSeq and, once the camera has challenged, a Digest answer. Interleaved RTP that
//! arrives before a response is counted and skipped.
class RtspConnection {
 public:
  RtspConnection(Endpoint rtsp, std::string user, std::string password);
  ~RtspConnection();
  RtspConnection(const RtspConnection&) = delete;
  RtspConnection& operator=(const RtspConnection&) = delete;

  //! `url` absolute (rtsp://...) or "*"; a 401 is answered once with Digest when credentials are set.
  Response request(const std::string& method, const std::string& url, const std::map<std::string, std::string>& headers = {},
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));
  //! Sends `text` exactly as given (a malformed request) and reads one response.
  Response raw(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  //! The payload of the next interleaved frame on `channel` (TCP transport), or nothing by `timeout`.
  std::optional<std::string> interleaved(int channel, std::chrono::milliseconds timeout);
  std::string url(const std::string& path) const;
  int last_cseq() const;  //!< the CSeq of the last request()

 private:
  struct State;
  Response read_response(std::chrono::steady_clock::time_point deadline);
  std::unique_ptr<State> state_;
};

//! The first datagram to arrive on a UDP port bound on all interfaces (RTP over UDP).
class UdpReceiver {
 public:
  UdpReceiver();  //!< binds an even port and the odd one after it (RTP and RTCP)
  ~UdpReceiver();
  UdpReceiver(const UdpReceiver&) = delete;
  UdpReceiver& operator=(const UdpReceiver&) = delete;
  int port() const { return port_; }  //!< 0 when no pair of ports could be bound
  std::optional<std::string> receive(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  int rtcp_fd_ = -1;
  int port_ = 0;
};

std::string base64_decode(const std::string& text);

//! One EventNotificationAlert: every leaf element by local name (the first of each name wins)
//! and the document as received.
struct AlertDocument {
  std::map<std::string, std::string> fields;
  std::string document;
  std::string picture;  //!< a JPEG part that followed the document in the same write
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
  //! How many times the stream has been opened (each reconnection counts).
  int openings() const { return openings_; }
  //! Waits (real time) until connected, `timeout` or a stop request.
  bool wait_connected(std::chrono::milliseconds timeout, std::stop_token stop = {}) const;
  //! The Content-Type of the open stream, e.g. multipart/mixed; boundary=boundary.
  std::string content_type() const;
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
  std::string content_type_;
  std::atomic<bool> connected_ = false;
  std::atomic<int> openings_ = 0;
  std::atomic<bool> stopping_ = false;
  std::thread thread_;
};

//! Splits a multipart body into its parts' payloads; keeps an incomplete tail in `buffer`.
std::vector<std::string> take_multipart_parts(std::string& buffer);
AlertDocument parse_alert(const std::string& xml);

}  // namespace camrig::conformance
