#include "device/rtsp/connection.hpp"

#include <charconv>
#include <ctime>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "device/core/log.hpp"
#include "device/rtsp/authentication.hpp"
#include "device/rtsp/metadata_packetizer.hpp"
#include "device/rtsp/mount_points.hpp"
#include "device/rtsp/multicast_sender.hpp"
#include "device/rtsp/rtcp.hpp"
#include "device/rtsp/sdp.hpp"
#include "device/rtsp/server_context.hpp"
#include "device/rtsp/session.hpp"

namespace camrig::rtsp {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPublicMethods = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER";
constexpr const char* kServerName = "camrig";
//! Packets posted by the encoder thread and not yet handled; beyond it the io thread is behind
//! and packets are dropped before they reach the write queue.
constexpr std::uint32_t kMaxPacketsInFlight = 64;
//! Responses waiting in the write queue before request processing pauses (a client that
//! pipelines requests but does not read).
constexpr std::size_t kMaxQueuedResponseBytes = 64 * 1024;
//! Messages gathered into one write (one writev).
constexpr std::size_t kMaxWriteBatch = 64;
constexpr auto kDescriptionPollInterval = 50ms;
//! About 2 s for an encoder that is still opening.
constexpr int kDescriptionPollAttempts = 40;
//! A write that makes no progress for this many seconds means the client is gone.
constexpr int kMaxStalledWriteTicks = 20;

std::string http_date(hal::WallTime wall_time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(wall_time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

std::string session_id_of(std::string_view header) {
  const auto semicolon = header.find(';');
  auto id = header.substr(0, semicolon);
  while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
  return std::string(id);
}

//! The control URL of the video track, for RTP-Info.
std::string track_url(std::string_view request_uri) {
  std::string url(request_uri);
  if (url.find(kVideoControl) != std::string::npos) return url;
  if (!url.empty() && url.back() != '/') url += '/';
  return url + kVideoControl;
}

//! The control URL of the metadata track, for RTP-Info: the aggregate URL plus its control.
std::string metadata_track_url(std::string_view request_uri) {
  std::string url(request_uri);
  if (const auto at = url.find("trackID="); at != std::string::npos) url.erase(at);
  if (!url.empty() && url.back() != '/') url += '/';
  return url + kMetadataControl;
}

}  // namespace

Connection::Connection(tcp::socket socket, std::shared_ptr<ServerContext> context)
    : socket_(std::move(socket)),
      executor_(socket_.get_executor()),
      context_(std::move(context)),
      parser_(context_->options().max_request_bytes),
      housekeeping_timer_(executor_),
      describe_timer_(executor_) {
  boost::system::error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("unknown peer") : remote.address().to_string() + ":" + std::to_string(remote.port());
  if (!ec) remote_address_ = remote.address();
  socket_.set_option(tcp::no_delay(true), ec);
}

Connection::~Connection() = default;

void Connection::start() {
  asio::post(executor_, [self = shared_from_this()] {
    log::get("rtsp")->debug("{}: connected", self->peer_);
    self->do_housekeeping();
    self->do_read();
  });
}

void Connection::close() {
  asio::post(executor_, [self = shared_from_this()] { self->do_close(); });
}

// ---- reading -------------------------------------------------------------------------------

void Connection::do_read() {
  if (reading_ || closed_ || close_after_write_) return;
  reading_ = true;
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
                            self->on_read(ec, size);
                          });
}

void Connection::on_read(const boost::system::error_code& ec, std::size_t size) {
  reading_ = false;
  if (ec) {
    if (ec != asio::error::eof && ec != asio::error::operation_aborted)
      log::get("rtsp")->debug("{}: read failed: {}", peer_, ec.message());
    return do_close();
  }
  idle_ticks_ = 0;
  const std::string_view bytes(read_buffer_.data(), size);
  switch (mode_) {
    case Mode::rtsp:
      parser_.feed(bytes);
      return process_input();
    case Mode::tunnel_get: return do_read();  // requests arrive over the POST connection
    case Mode::tunnel_post: return forward_tunnel(bytes);
    case Mode::detecting: return on_first_bytes(bytes);
    case Mode::http_header:
      http_buffer_.append(bytes);
      return on_http_header();
  }
}

// ---- RTSP over HTTP ------------------------------------------------------------------------

void Connection::on_first_bytes(std::string_view bytes) {
  http_buffer_.append(bytes);
  bool is_http = false;
  if (may_be_http(http_buffer_, is_http) && !is_http) return do_read();
  if (!is_http) {
    mode_ = Mode::rtsp;
    parser_.feed(http_buffer_);
    http_buffer_.clear();
    return process_input();
  }
  mode_ = Mode::http_header;
  on_http_header();
}

void Connection::on_http_header() {
  const auto end = http_header_end(http_buffer_);
  if (end == std::string::npos) {
    if (http_buffer_.size() > context_->options().max_request_bytes)
      return fail_http(request_error(Subject::tunnel, ErrorCode::out_of_range, "HTTP request header too large"));
    return do_read();
  }
  auto request = parse_tunnel_request(std::string_view(http_buffer_).substr(0, end));
  if (!request) return fail_http(RequestError{Subject::tunnel, request.error()});
  const std::string rest = http_buffer_.substr(end);
  http_buffer_.clear();
  http_buffer_.shrink_to_fit();

  if (request->kind == TunnelRequest::Kind::get) {
    if (!context_->register_tunnel(request->cookie, weak_from_this()))
      return fail_http(request_error(Subject::tunnel, ErrorCode::already_exists, "x-sessioncookie is already in use"));
    tunnel_cookie_ = request->cookie;
    mode_ = Mode::tunnel_get;
    log::get("rtsp")->debug("{}: RTSP over HTTP, GET half", peer_);
    queue_bytes(tunnel_get_reply(http_date(context_->clock().wall_time())));
    return do_read();
  }

  auto target = context_->find_tunnel(request->cookie);
  if (!target)
    return fail_http(request_error(Subject::tunnel, ErrorCode::not_found, "no tunnel GET with this x-sessioncookie"));
  // Both halves come from the same host; a cookie alone must not let another host inject requests.
  if (remote_address_ != target->remote_address_)
    return fail_http(request_error(Subject::tunnel, ErrorCode::permission_denied,
                                   "the tunnel POST must come from the host of its GET"));
  tunnel_target_ = target;
  mode_ = Mode::tunnel_post;
  log::get("rtsp")->debug("{}: RTSP over HTTP, POST half", peer_);
  forward_tunnel(rest);
}

void Connection::forward_tunnel(std::string_view base64) {
  auto decoded = base64_.feed(base64);
  auto target = tunnel_target_.lock();
  if (!decoded || !target) {
    if (!decoded) log::get("rtsp")->info("{}: {}; closing the tunnel", peer_, decoded.error().message);
    if (target && !decoded) target->close();
    return do_close();
  }
  if (!decoded->empty()) target->feed_tunnel(std::move(*decoded));
  do_read();
}

void Connection::feed_tunnel(std::string bytes) {
  asio::post(executor_, [self = shared_from_this(), bytes = std::move(bytes)] {
    if (self->closed_ || self->mode_ != Mode::tunnel_get) return;
    self->idle_ticks_ = 0;
    self->parser_.feed(bytes);
    if (!self->pending_request_) self->process_input();
  });
}

void Connection::fail_http(const RequestError& failure) {
  const int status = status_for(failure);
  log::get("rtsp")->info("{}: HTTP -> {}: {}", peer_, status, failure.error.message);
  queue_bytes(http_error_reply(status, failure.error.message));
  close_after_write_ = true;
}

void Connection::process_input() {
  while (!closed_ && !close_after_write_ && !pending_request_) {
    if (queued_other_bytes_ > kMaxQueuedResponseBytes) return;  // on_write resumes
    auto message = parser_.next();
    if (std::holds_alternative<RequestParser::NeedMore>(message)) return do_read();
    if (auto* frame = std::get_if<InterleavedFrame>(&message)) {
      on_interleaved(*frame);
      continue;
    }
    if (auto* error = std::get_if<Error>(&message)) {
      // The byte stream cannot be resynchronised: answer once, then close.
      log::get("rtsp")->info("{}: {}; closing", peer_, error->message);
      complete(Request{}, RequestError{Subject::request, *error});
      close_after_write_ = true;
      if (!writing_ && write_queue_.empty()) do_close();
      return;
    }
    auto& request = std::get<Request>(message);
    log::get("rtsp")->debug("{}: {} {}", peer_, request.method, request.uri);
    if (auto reply = dispatch(request)) complete(request, std::move(*reply));
    else pending_request_ = std::move(request);
  }
}

void Connection::on_interleaved(const InterleavedFrame& frame) {
  // Clients send RTCP receiver reports on the RTCP channel; they prove the client is alive.
  for (auto& [id, session] : sessions_) {
    const auto& transport = session->transport();
    if (transport.lower == LowerTransport::tcp &&
        (frame.channel == transport.rtcp_channel || frame.channel == transport.rtp_channel))
      session->touch(context_->clock().now());
  }
}

std::optional<Connection::Reply> Connection::dispatch(const Request& request) {
  if (request.version != "RTSP/1.0")
    return request_error(Subject::version, ErrorCode::invalid_argument, request.version + " is not supported; use RTSP/1.0");
  const auto cseq = request.header("CSeq");
  unsigned long cseq_value = 0;
  if (!cseq || std::from_chars(cseq->data(), cseq->data() + cseq->size(), cseq_value).ptr != cseq->data() + cseq->size() ||
      cseq->empty())
    return request_error(Subject::request, ErrorCode::invalid_argument, "missing or invalid CSeq header");
  // OPTIONS stays open, as on real cameras, so clients can probe the server before logging in.
  if (request.method != "OPTIONS") {
    if (auto refused = refuse_unauthenticated(context_->options().authentication, request, remote_address_.to_string())) {
      log::get("rtsp")->info("{}: {} {} -> {}: {}", peer_, request.method, request.uri, refused->status,
                             std::string_view(refused->body).substr(0, refused->body.find('\r')));
      return std::move(*refused);
    }
  }
  if (const auto header = request.header("Session")) {
    if (auto it = sessions_.find(session_id_of(*header)); it != sessions_.end())
      it->second->touch(context_->clock().now());
  }

  const auto& method = request.method;
  if (method == "OPTIONS") return handle_options(request);
  if (method == "DESCRIBE") return handle_describe(request);
  if (method == "SETUP") return handle_setup(request);
  if (method == "PLAY") return handle_play(request);
  if (method == "PAUSE") return handle_pause(request);
  if (method == "TEARDOWN") return handle_teardown(request);
  if (method == "GET_PARAMETER" || method == "SET_PARAMETER") return handle_parameter(request);
  return request_error(Subject::method, ErrorCode::invalid_argument, "method " + method + " is not supported");
}

void Connection::complete(const Request& request, Reply reply) {
  Response response;
  if (auto* failure = std::get_if<RequestError>(&reply)) {
    response.status = status_for(*failure);
    if (response.status == 501) response.set("Public", kPublicMethods);
    response.set("Content-Type", "text/plain");
    response.body = failure->error.message + "\r\n";
    log::get("rtsp")->info("{}: {} {} -> {}: {}", peer_, request.method.empty() ? "request" : request.method,
                           request.uri, response.status, failure->error.message);
  } else {
    response = std::move(std::get<Response>(reply));
  }
  // CSeq first, as clients read it to match the response to their request.
  std::vector<std::pair<std::string, std::string>> headers;
  if (const auto cseq = request.header("CSeq")) headers.emplace_back("CSeq", std::string(*cseq));
  headers.emplace_back("Server", kServerName);
  headers.emplace_back("Date", http_date(context_->clock().wall_time()));
  for (auto& header : response.headers) headers.push_back(std::move(header));
  response.headers = std::move(headers);
  queue_bytes(response.serialize());
}

// ---- methods -------------------------------------------------------------------------------

Connection::Reply Connection::handle_options(const Request&) {
  Response response;
  response.set("Public", kPublicMethods);
  return response;
}

std::optional<Connection::Reply> Connection::handle_describe(const Request& request) {
  const auto target = resolve_mount(request.uri);
  if (!target) return RequestError{Subject::stream, target.error()};
  const auto hub = context_->find_stream(target->stream_id);
  if (!hub)
    return request_error(Subject::stream, ErrorCode::not_found,
                         "stream " + std::to_string(target->stream_id) + " does not exist on this device");
  if (const auto description = hub->description()) return describe_reply(request, *description);
  // The encoder is still opening. StreamHub::wait_description() would block the io thread, so
  // the wait polls on a timer instead; later requests on this connection wait their turn.
  describe_attempts_ = 0;
  do_wait_description();
  return std::nullopt;
}

void Connection::do_wait_description() {
  describe_timer_.expires_after(kDescriptionPollInterval);
  describe_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->on_wait_description(ec);
  });
}

void Connection::on_wait_description(const boost::system::error_code& ec) {
  if (ec || closed_ || !pending_request_) return;
  const auto target = resolve_mount(pending_request_->uri);
  const auto hub = target ? context_->find_stream(target->stream_id) : nullptr;
  std::optional<media::StreamDescription> description;
  if (hub) description = hub->description();
  if (!description && hub && ++describe_attempts_ < kDescriptionPollAttempts) return do_wait_description();

  const Request request = std::move(*pending_request_);
  pending_request_.reset();
  if (description)
    complete(request, describe_reply(request, *description));
  else
    complete(request, request_error(Subject::stream, ErrorCode::unavailable,
                                    "stream " + std::to_string(target ? target->stream_id : 0) +
                                        " has no video yet; the encoder is not running"));
  process_input();
}

Connection::Reply Connection::describe_reply(const Request& request, const media::StreamDescription& description) {
  SdpOrigin origin;
  boost::system::error_code ec;
  const auto local = socket_.local_endpoint(ec);
  if (!ec) origin.address = local.address().to_string();
  origin.session_id = context_->random32();
  origin.version = description.generation + 1;
  const auto target = resolve_mount(request.uri);
  auto sdp = make_sdp(description, origin, target && metadata_feed(target->stream_id).has_value());
  if (!sdp) return RequestError{Subject::stream, sdp.error()};
  Response response;
  std::string base = request.uri;
  if (base.empty() || base.back() != '/') base += '/';
  response.set("Content-Base", base);
  response.set("Content-Type", "application/sdp");
  response.body = std::move(*sdp);
  return response;
}

std::variant<std::shared_ptr<Session>, RequestError> Connection::named_session(const Request& request) {
  const auto header = request.header("Session");
  if (!header)
    return request_error(Subject::session, ErrorCode::not_found, request.method + " needs a Session header");
  const auto id = session_id_of(*header);
  const auto it = sessions_.find(id);
  if (it == sessions_.end())
    return request_error(Subject::session, ErrorCode::not_found, "session " + id + " does not exist or has expired");
  return it->second;
}

Connection::Reply Connection::handle_setup(const Request& request) {
  const auto target = resolve_mount(request.uri);
  if (!target) return RequestError{Subject::stream, target.error()};
  const bool metadata_setup = target->track_id == kMetadataTrackId && metadata_feed(target->stream_id);
  if (target->track_id && *target->track_id != 1 && !metadata_setup)
    return request_error(Subject::stream, ErrorCode::not_found, "the stream has no track " + std::to_string(*target->track_id));
  const auto transport_header = request.header("Transport");
  if (!transport_header) return request_error(Subject::transport, ErrorCode::invalid_argument, "SETUP needs a Transport header");
  auto transport = parse_transport(*transport_header);
  if (!transport) return RequestError{Subject::transport, transport.error()};
  if (metadata_setup) return setup_metadata(request, target->stream_id, std::move(*transport));

  std::string id;
  std::unique_ptr<MetadataTrack> carried_metadata;
  if (request.header("Session")) {
    auto named = named_session(request);
    if (auto* failure = std::get_if<RequestError>(&named)) return std::move(*failure);
    const auto& existing = std::get<std::shared_ptr<Session>>(named);
    if (existing->state() == SessionState::playing)
      return request_error(Subject::state, ErrorCode::not_configurable, "cannot change the transport of a playing session");
    if (existing->stream_id() != target->stream_id)
      return request_error(Subject::state, ErrorCode::not_configurable,
                           "session " + existing->id() + " already carries stream " + std::to_string(existing->stream_id()));
    // A new SETUP in Ready replaces the transport: the session is rebuilt under the same id.
    id = existing->id();
    carried_metadata = existing->take_metadata();
    sessions_.erase(id);
  }

  auto hub = context_->find_stream(target->stream_id);
  if (!hub)
    return request_error(Subject::stream, ErrorCode::not_found,
                         "stream " + std::to_string(target->stream_id) + " does not exist on this device");

  boost::asio::ip::udp::endpoint client_rtp;
  boost::asio::ip::udp::endpoint client_rtcp;
  if (transport->multicast) {
    // The group is the server's; it is joined below once the stream's codec is known.
  } else if (transport->lower == LowerTransport::udp) {
    if (context_->rtp_port() == 0)
      return request_error(Subject::transport, ErrorCode::out_of_range, "RTP over UDP is not available; use RTP/AVP/TCP");
    boost::system::error_code ec;
    const auto remote = socket_.remote_endpoint(ec);
    if (ec) return request_error(Subject::request, ErrorCode::io_error, "connection lost");
    client_rtp = {remote.address(), transport->client_rtp_port};
    client_rtcp = {remote.address(), transport->client_rtcp_port};
  } else if (!transport->interleaved_given) {
    // Pick the lowest channel pair no other session of this connection uses.
    std::uint8_t channel = 0;
    for (bool clash = true; clash; ) {
      clash = false;
      for (const auto& [other_id, other] : sessions_)
        if (other->transport().lower == LowerTransport::tcp && other->transport().rtp_channel == channel) clash = true;
      if (clash) channel = static_cast<std::uint8_t>(channel + 2);
    }
    transport->rtp_channel = channel;
    transport->rtcp_channel = static_cast<std::uint8_t>(channel + 1);
  }

  // The payload format follows the codec the client was described.
  const auto description = hub->description();
  if (!description)
    return request_error(Subject::stream, ErrorCode::unavailable,
                         "stream " + std::to_string(target->stream_id) + " has no video yet; the encoder is not running");

  std::shared_ptr<MulticastSender> multicast;
  if (transport->multicast) {
    auto joined = context_->join_multicast(target->stream_id, hub, description->codec);
    if (!joined) return RequestError{Subject::transport, joined.error()};
    multicast = std::move(*joined);
    transport->destination = multicast->group().address;
    transport->multicast_port = multicast->group().port;
    transport->ttl = multicast->group().ttl;
  }

  if (!context_->reserve_session())
    return request_error(Subject::session, ErrorCode::unavailable,
                         "session limit reached: all " + std::to_string(context_->max_sessions()) +
                             " streaming sessions of this device are in use; try again after another client disconnects");
  if (id.empty()) id = context_->new_session_id();
  RtpSetup rtp;
  rtp.ssrc = context_->random32();
  rtp.first_sequence = static_cast<std::uint16_t>(context_->random32());
  rtp.timestamp_offset = context_->random32();
  rtp.mtu = context_->options().mtu;
  auto session = std::make_shared<Session>(id, target->stream_id, std::move(hub), *transport, client_rtp, client_rtcp,
                                           make_packetizer(description->codec, rtp), context_);
  if (transport->lower == LowerTransport::udp && !multicast) context_->watch_rtcp_source(client_rtcp, session);
  session->set_multicast(multicast);
  if (!multicast) session->set_metadata(std::move(carried_metadata));
  sessions_[id] = session;
  log::get("rtsp")->info("{}: session {} set up for stream {} over {}", peer_, id, target->stream_id,
                         multicast ? "UDP multicast to " + transport->destination + ":" + std::to_string(transport->multicast_port)
                         : transport->lower == LowerTransport::tcp ? std::string("TCP") : std::string("UDP"));

  Response response;
  response.set("Transport", transport->to_reply(context_->rtp_port(), context_->rtcp_port(),
                                                multicast ? multicast->ssrc() : rtp.ssrc));
  response.set("Session", id + ";timeout=" + std::to_string(context_->options().session_timeout.count()));
  return response;
}

Connection::Reply Connection::handle_play(const Request& request) {
  auto named = named_session(request);
  if (auto* failure = std::get_if<RequestError>(&named)) return std::move(*failure);
  auto session = std::get<std::shared_ptr<Session>>(std::move(named));

  if (session->multicast()) {
    session->play_multicast();
    log::get("rtsp")->info("{}: session {} playing (multicast)", peer_, session->id());
  } else if (session->state() != SessionState::playing) {
    // The callback runs on the encoder thread: it only takes references and posts.
    std::weak_ptr<Connection> weak_self = weak_from_this();
    std::weak_ptr<Session> weak_session = session;
    session->play(session->hub()->subscribe([weak_self, weak_session](const media::EncodedPacketPtr& packet) {
      auto self = weak_self.lock();
      auto target = weak_session.lock();
      if (!self || !target) return;
      if (target->packets_in_flight.fetch_add(1) >= kMaxPacketsInFlight) {
        target->packets_in_flight.fetch_sub(1);
        target->resync_needed = true;
        return;
      }
      asio::post(self->executor_, [self, target, packet] { self->on_packet(target, packet); });
    }));
    log::get("rtsp")->info("{}: session {} playing", peer_, session->id());
  }
  if (auto* metadata = session->metadata(); metadata && !metadata->subscription) play_metadata(session);

  Response response;
  response.set("Session", session->id() + ";timeout=" + std::to_string(context_->options().session_timeout.count()));
  const auto range = request.header("Range");
  response.set("Range", range && range->find("now") != std::string_view::npos ? "npt=now-" : "npt=0.000-");
  auto& packetizer = session->packetizer();
  auto [sequence, rtp_time] = session->multicast()
                                  ? session->multicast()->rtp_info(context_->clock().now())
                                  : std::pair{packetizer.next_sequence(), packetizer.rtp_timestamp(context_->clock().now())};
  std::string rtp_info = "url=" + track_url(request.uri) + ";seq=" + std::to_string(sequence) +
                         ";rtptime=" + std::to_string(rtp_time);
  if (auto* metadata = session->metadata())
    rtp_info += ",url=" + metadata_track_url(request.uri) + ";seq=" + std::to_string(metadata->packetizer->next_sequence()) +
                ";rtptime=" + std::to_string(metadata->packetizer->rtp_timestamp(context_->clock().now()));
  response.set("RTP-Info", rtp_info);
  return response;
}

Connection::Reply Connection::handle_pause(const Request& request) {
  auto named = named_session(request);
  if (auto* failure = std::get_if<RequestError>(&named)) return std::move(*failure);
  const auto& session = std::get<std::shared_ptr<Session>>(named);
  session->pause();
  Response response;
  response.set("Session", session->id() + ";timeout=" + std::to_string(context_->options().session_timeout.count()));
  return response;
}

Connection::Reply Connection::handle_teardown(const Request& request) {
  auto named = named_session(request);
  if (auto* failure = std::get_if<RequestError>(&named)) return std::move(*failure);
  const auto id = std::get<std::shared_ptr<Session>>(named)->id();
  remove_session(id, "torn down");
  Response response;
  response.set("Session", id);
  return response;
}

Connection::Reply Connection::handle_parameter(const Request& request) {
  Response response;
  if (request.header("Session")) {
    auto named = named_session(request);
    if (auto* failure = std::get_if<RequestError>(&named)) return std::move(*failure);
    const auto& session = std::get<std::shared_ptr<Session>>(named);
    response.set("Session", session->id() + ";timeout=" + std::to_string(context_->options().session_timeout.count()));
  }
  return response;
}

// ---- the ONVIF metadata track --------------------------------------------------------------

std::optional<MetadataFeed> Connection::metadata_feed(int stream_id) const {
  const auto& lookup = context_->options().metadata;
  if (!lookup) return std::nullopt;
  auto feed = lookup(stream_id);
  if (!feed || !feed->stream) return std::nullopt;
  return feed;
}

Connection::Reply Connection::setup_metadata(const Request& request, int stream_id, Transport transport) {
  auto feed = metadata_feed(stream_id);
  if (!feed) return request_error(Subject::stream, ErrorCode::not_found, "the stream has no metadata track");
  // The metadata track joins the session of the video, as players set up tracks in SDP order.
  if (!request.header("Session"))
    return request_error(Subject::state, ErrorCode::not_configurable,
                         std::string("set up the video track (") + kVideoControl + ") first; the metadata track joins its session");
  auto named = named_session(request);
  if (auto* failure = std::get_if<RequestError>(&named)) return std::move(*failure);
  const auto session = std::get<std::shared_ptr<Session>>(std::move(named));
  if (session->stream_id() != stream_id)
    return request_error(Subject::state, ErrorCode::not_configurable,
                         "session " + session->id() + " carries stream " + std::to_string(session->stream_id()));
  if (session->state() == SessionState::playing)
    return request_error(Subject::state, ErrorCode::not_configurable, "cannot add a track to a playing session");
  if (transport.multicast || session->multicast())
    return request_error(Subject::transport, ErrorCode::out_of_range,
                         "the metadata track is served over unicast RTP (UDP, TCP or the HTTP tunnel), not multicast");

  auto track = std::make_unique<MetadataTrack>();
  if (transport.lower == LowerTransport::udp) {
    if (context_->rtp_port() == 0)
      return request_error(Subject::transport, ErrorCode::out_of_range, "RTP over UDP is not available; use RTP/AVP/TCP");
    boost::system::error_code ec;
    const auto remote = socket_.remote_endpoint(ec);
    if (ec) return request_error(Subject::request, ErrorCode::io_error, "connection lost");
    track->client_rtp = {remote.address(), transport.client_rtp_port};
    track->client_rtcp = {remote.address(), transport.client_rtcp_port};
  } else if (!transport.interleaved_given) {
    // The lowest channel pair no track of this connection uses.
    const auto used = [this](std::uint8_t channel) {
      for (const auto& [other_id, other] : sessions_) {
        if (other->transport().lower == LowerTransport::tcp && other->transport().rtp_channel == channel) return true;
        if (auto* other_track = other->metadata();
            other_track && other_track->transport.lower == LowerTransport::tcp && other_track->transport.rtp_channel == channel)
          return true;
      }
      return false;
    };
    std::uint8_t channel = 0;
    while (used(channel)) channel = static_cast<std::uint8_t>(channel + 2);
    transport.rtp_channel = channel;
    transport.rtcp_channel = static_cast<std::uint8_t>(channel + 1);
  }
  RtpSetup rtp;
  rtp.ssrc = context_->random32();
  rtp.first_sequence = static_cast<std::uint16_t>(context_->random32());
  rtp.timestamp_offset = context_->random32();
  rtp.mtu = context_->options().mtu;
  track->transport = transport;
  track->feed = std::move(*feed);
  track->packetizer = std::make_unique<MetadataPacketizer>(rtp);
  session->set_metadata(std::move(track));
  log::get("rtsp")->info("{}: session {} adds the metadata track of stream {} over {}", peer_, session->id(), stream_id,
                         transport.lower == LowerTransport::tcp ? "TCP" : "UDP");

  Response response;
  response.set("Transport", transport.to_reply(context_->rtp_port(), context_->rtcp_port(), rtp.ssrc));
  response.set("Session", session->id() + ";timeout=" + std::to_string(context_->options().session_timeout.count()));
  return response;
}

void Connection::play_metadata(const std::shared_ptr<Session>& session) {
  auto* track = session->metadata();
  const bool analytics = track->feed.analytics;
  const bool events = track->feed.events;
  // Runs on the publisher's thread (the channel's analytics): only takes references and posts.
  std::weak_ptr<Connection> weak_self = weak_from_this();
  std::weak_ptr<Session> weak_session = session;
  track->subscription = track->feed.stream->subscribe(
      [weak_self, weak_session, analytics, events](const media::MetadataDocument& document) {
        const bool wanted = document.content == media::MetadataContent::analytics ? analytics : events;
        if (!wanted || !document.packet) return;
        auto self = weak_self.lock();
        auto target = weak_session.lock();
        if (!self || !target || !target->metadata()) return;
        auto& in_flight = target->metadata()->documents_in_flight;
        if (in_flight.fetch_add(1) >= kMaxPacketsInFlight) {
          in_flight.fetch_sub(1);
          return;  // the io thread is behind; a later document describes the scene again
        }
        asio::post(self->executor_, [self, target, packet = document.packet] { self->on_metadata(target, packet); });
      });
}

void Connection::on_metadata(const std::shared_ptr<Session>& session, const media::EncodedPacketPtr& packet) {
  auto* track = session->metadata();
  if (!track) return;
  // Saturating: a document posted for a track that a new SETUP has since replaced must not
  // wrap the new track's count.
  auto& in_flight = track->documents_in_flight;
  for (auto count = in_flight.load(); count > 0 && !in_flight.compare_exchange_weak(count, count - 1);) {
  }
  if (closed_ || session->state() != SessionState::playing) return;
  if (auto it = sessions_.find(session->id()); it == sessions_.end() || it->second != session) return;

  rtp_scratch_.clear();
  track->packetizer->packetize(*packet, rtp_scratch_);
  if (track->transport.lower == LowerTransport::tcp) {
    std::size_t bytes = 0;
    for (const auto& rtp : rtp_scratch_) bytes += RtpPacket::kInterleaveBytes + rtp.size();
    if (queued_media_bytes_ + bytes > context_->options().max_queued_bytes) {
      dropped_document(*session, *track);  // a whole document or none: clients reassemble up to the marker
      return;
    }
    for (auto& rtp : rtp_scratch_) {
      auto& message = write_queue_.emplace_back();
      message.rtp = rtp;
      message.channel = track->transport.rtp_channel;
      message.packet = packet;
      track->octets_sent += static_cast<std::uint32_t>(rtp.payload.size());
      ++track->packets_sent;
    }
    queued_media_bytes_ += bytes;
    do_write();
    return;
  }
  for (const auto& rtp : rtp_scratch_) {
    const std::array buffers{asio::buffer(rtp.rtp_header().data(), rtp.rtp_header().size()),
                             asio::buffer(rtp.payload.data(), rtp.payload.size())};
    if (!context_->send_rtp(track->client_rtp, buffers)) {
      dropped_document(*session, *track);
      break;
    }
    track->octets_sent += static_cast<std::uint32_t>(rtp.payload.size());
    ++track->packets_sent;
  }
}

void Connection::dropped_document(const Session& session, MetadataTrack& track) {
  ++track.dropped_documents;
  if (track.dropped_documents == 1 || track.dropped_documents % 100 == 0)
    log::get("rtsp")->warn("{}: session {} cannot keep up with the metadata track; {} documents dropped", peer_, session.id(),
                           track.dropped_documents);
}

void Connection::send_metadata_report(Session& session) {
  auto* track = session.metadata();
  if (!track || track->packets_sent == 0) return;
  const auto& clock = context_->clock();
  SenderReport report;
  report.ssrc = track->packetizer->ssrc();
  report.wall_time = clock.wall_time();
  report.rtp_time = track->packetizer->rtp_timestamp(clock.now());
  report.packet_count = track->packets_sent;
  report.octet_count = track->octets_sent;
  auto bytes = serialize(report);
  if (track->transport.lower == LowerTransport::tcp) {
    std::string framed{'$', static_cast<char>(track->transport.rtcp_channel), static_cast<char>(bytes.size() >> 8),
                       static_cast<char>(bytes.size() & 0xff)};
    framed += bytes;
    queue_bytes(std::move(framed));
  } else {
    context_->send_rtcp(track->client_rtcp, asio::buffer(bytes));
  }
}

// ---- media ---------------------------------------------------------------------------------

void Connection::on_packet(const std::shared_ptr<Session>& session, const media::EncodedPacketPtr& packet) {
  session->packets_in_flight.fetch_sub(1);
  if (closed_ || session->state() != SessionState::playing) return;
  if (auto it = sessions_.find(session->id()); it == sessions_.end() || it->second != session) return;
  if (session->resync_needed.exchange(false)) note_drop(*session);
  if (session->waiting_for_keyframe) {
    if (!packet->keyframe) return;
    session->waiting_for_keyframe = false;
  }

  rtp_scratch_.clear();
  session->packetizer().packetize(*packet, rtp_scratch_);
  const auto& transport = session->transport();
  std::uint32_t sent = 0;
  std::uint32_t octets = 0;
  if (transport.lower == LowerTransport::tcp) {
    std::size_t bytes = 0;
    for (const auto& rtp : rtp_scratch_) bytes += RtpPacket::kInterleaveBytes + rtp.size();
    if (queued_media_bytes_ + bytes > context_->options().max_queued_bytes) {
      // The client reads slower than the stream: drop the whole access unit (the sequence gap
      // tells the client) and restart at a keyframe so it never decodes a broken picture.
      note_drop(*session);
      return;
    }
    for (auto& rtp : rtp_scratch_) {
      auto& message = write_queue_.emplace_back();
      message.rtp = rtp;
      message.channel = transport.rtp_channel;
      message.packet = packet;
      octets += static_cast<std::uint32_t>(rtp.size() - 12);
      ++sent;
    }
    queued_media_bytes_ += bytes;
    do_write();
  } else {
    for (const auto& rtp : rtp_scratch_) {
      const std::array buffers{asio::buffer(rtp.rtp_header().data(), rtp.rtp_header().size()),
                               asio::buffer(rtp.payload.data(), rtp.payload.size())};
      if (!context_->send_rtp(session->client_rtp(), buffers)) {
        note_drop(*session);
        break;
      }
      octets += static_cast<std::uint32_t>(rtp.size() - 12);
      ++sent;
    }
  }
  session->packets_sent += sent;
  session->octets_sent += octets;
}

void Connection::note_drop(Session& session) {
  session.waiting_for_keyframe = true;
  ++session.dropped_access_units;
  ++dropped_since_log_;
  const auto now = context_->clock().now();
  if (now - last_drop_log_ >= 1s) {
    log::get("rtsp")->warn("{}: session {} cannot keep up; dropped {} access units (total {}), resuming at the next keyframe",
                           peer_, session.id(), dropped_since_log_, session.dropped_access_units);
    dropped_since_log_ = 0;
    last_drop_log_ = now;
  }
}

void Connection::send_sender_report(Session& session) {
  const auto& clock = context_->clock();
  SenderReport report;
  report.ssrc = session.packetizer().ssrc();
  report.wall_time = clock.wall_time();
  report.rtp_time = session.packetizer().rtp_timestamp(clock.now());
  report.packet_count = session.packets_sent;
  report.octet_count = session.octets_sent;
  auto bytes = serialize(report);
  const auto& transport = session.transport();
  if (transport.lower == LowerTransport::tcp) {
    std::string framed{'$', static_cast<char>(transport.rtcp_channel), static_cast<char>(bytes.size() >> 8),
                       static_cast<char>(bytes.size() & 0xff)};
    framed += bytes;
    queue_bytes(std::move(framed));
  } else {
    context_->send_rtcp(session.client_rtcp(), asio::buffer(bytes));
  }
}

void Connection::remove_session(const std::string& id, const char* reason) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  // Leave the hub before answering: packets already posted for the session keep the object
  // alive a little longer, and they must not keep the stream's consumer attached.
  it->second->pause();
  sessions_.erase(it);
  log::get("rtsp")->info("{}: session {} {}", peer_, id, reason);
}

// ---- writing -------------------------------------------------------------------------------

void Connection::queue_bytes(std::string bytes) {
  if (closed_) return;
  queued_other_bytes_ += bytes.size();
  write_queue_.emplace_back().bytes = std::move(bytes);
  do_write();
}

void Connection::do_write() {
  if (writing_ || closed_ || write_queue_.empty()) return;
  // Gather several messages into one write. deque::emplace_back keeps references to existing
  // elements valid, so these buffers stay good while new messages are queued behind them.
  write_buffers_.clear();
  writing_count_ = 0;
  for (auto& message : write_queue_) {
    if (writing_count_ == kMaxWriteBatch) break;
    if (message.packet) {
      const auto head = message.rtp.interleaved_header(message.channel);
      write_buffers_.emplace_back(head.data(), head.size());
      write_buffers_.emplace_back(message.rtp.payload.data(), message.rtp.payload.size());
    } else {
      write_buffers_.emplace_back(message.bytes.data(), message.bytes.size());
    }
    ++writing_count_;
  }
  writing_ = true;
  stalled_write_ticks_ = 0;
  asio::async_write(socket_, write_buffers_,
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
                      self->on_write(ec, size);
                    });
}

void Connection::on_write(const boost::system::error_code& ec, std::size_t) {
  writing_ = false;
  if (ec) {
    if (ec != asio::error::operation_aborted) log::get("rtsp")->debug("{}: write failed: {}", peer_, ec.message());
    return do_close();
  }
  for (std::size_t i = 0; i < writing_count_; ++i) {
    auto& message = write_queue_.front();
    if (message.packet) queued_media_bytes_ -= RtpPacket::kInterleaveBytes + message.rtp.size();
    else queued_other_bytes_ -= message.bytes.size();
    write_queue_.pop_front();
  }
  writing_count_ = 0;
  if (write_queue_.empty() && close_after_write_) return do_close();
  do_write();
  if (!pending_request_ && !reading_) process_input();
}

// ---- housekeeping and shutdown -------------------------------------------------------------

void Connection::do_housekeeping() {
  housekeeping_timer_.expires_after(1s);
  housekeeping_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->on_housekeeping(ec);
  });
}

void Connection::on_housekeeping(const boost::system::error_code& ec) {
  if (ec || closed_) return;
  const auto now = context_->clock().now();
  const hal::Nanos timeout = context_->options().session_timeout;
  std::vector<std::string> expired;
  for (auto& [id, session] : sessions_) {
    if (session->expired(now, timeout)) {
      expired.push_back(id);
    } else if (session->state() == SessionState::playing && !session->multicast() && session->packets_sent > 0 &&
               now - session->last_report >= kSenderReportInterval) {
      session->last_report = now;
      send_sender_report(*session);
      send_metadata_report(*session);
    }
  }
  for (const auto& id : expired) remove_session(id, "timed out");
  // RTSP has no server-side TEARDOWN: the sessions of a stream that no longer exists (a deleted
  // custom stream) end here, so requests naming them get 454, and a connection left without
  // sessions by it closes, so a player sees the stream end instead of waiting for frames.
  std::vector<std::string> deleted;
  for (const auto& [id, session] : sessions_)
    if (!context_->find_stream(session->stream_id())) deleted.push_back(id);
  for (const auto& id : deleted) remove_session(id, "ended: its stream was deleted");
  if (!deleted.empty() && sessions_.empty()) return do_close();

  // Socket deadlines count real seconds (timer ticks), not device time.
  if (writing_ && ++stalled_write_ticks_ > kMaxStalledWriteTicks) {
    log::get("rtsp")->info("{}: client stopped reading; closing", peer_);
    return do_close();
  }
  if (sessions_.empty() && ++idle_ticks_ > context_->options().session_timeout.count()) {
    log::get("rtsp")->debug("{}: idle; closing", peer_);
    return do_close();
  }
  do_housekeeping();
}

void Connection::do_close() {
  if (closed_) return;
  closed_ = true;
  if (!tunnel_cookie_.empty()) context_->unregister_tunnel(tunnel_cookie_, this);
  pending_request_.reset();
  housekeeping_timer_.cancel();
  describe_timer_.cancel();
  // Dropping the sessions detaches them from their hubs: no packet is posted after this.
  sessions_.clear();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  log::get("rtsp")->debug("{}: closed", peer_);
}

}  // namespace camrig::rtsp
