// One RTSP client connection. Owns its socket, read buffer and request parser, a housekeeping
// timer, a bounded write queue and the sessions it set up. Everything runs on the socket's
// strand; the only way in from other threads is close() and the hub's packet callback, both of
// which post. Closes in one place, do_close().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "device/media/encoded_packet.hpp"
#include "device/rtsp/http_tunnel.hpp"
#include "device/rtsp/request_parser.hpp"
#include "device/rtsp/response.hpp"
#include "device/rtsp/rtp_packet.hpp"
#include "device/rtsp/server_options.hpp"
#include "device/rtsp/status.hpp"
#include "device/rtsp/transport.hpp"

namespace camrig::rtsp {

class ServerContext;
class Session;
struct MetadataTrack;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using tcp = boost::asio::ip::tcp;

  //! `socket` must use a strand executor; all of this connection's handlers run on it.
  Connection(tcp::socket socket, std::shared_ptr<ServerContext> context);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  //! Any thread. The connection, its sessions and their subscriptions go away on the strand.
  void close();
  //! Any thread: RTSP bytes that arrived over the POST half of an HTTP tunnel whose GET half
  //! this connection is; they are handled as if read from this connection's socket.
  void feed_tunnel(std::string bytes);

 private:
  //! A response, an RTCP report or one RTP packet, in the order it goes out.
  struct OutgoingMessage {
    //! Response text or a complete interleaved RTCP frame.
    std::string bytes;
    //! RTP: interleave prefix and header; the payload points into `packet`.
    RtpPacket rtp;
    std::uint8_t channel = 0;
    //! Keeps the payload of `rtp` alive until it has been written; null for `bytes` messages.
    media::EncodedPacketPtr packet;
  };
  //! The outcome of a request: a response to complete and send, or what went wrong.
  using Reply = std::variant<Response, RequestError>;

  // Reading and dispatch.
  void do_read();
  void on_read(const boost::system::error_code& ec, std::size_t size);
  void process_input();
  // RTSP over HTTP (see http_tunnel.hpp): what the first bytes of the connection turn out to be.
  void on_first_bytes(std::string_view bytes);
  void on_http_header();
  void forward_tunnel(std::string_view base64);
  void fail_http(const RequestError& failure);
  void on_interleaved(const InterleavedFrame& frame);
  //! nullopt when the reply comes later (DESCRIBE waiting for the encoder).
  std::optional<Reply> dispatch(const Request& request);
  void complete(const Request& request, Reply reply);

  // One handler per method.
  Reply handle_options(const Request& request);
  std::optional<Reply> handle_describe(const Request& request);
  Reply handle_setup(const Request& request);
  Reply handle_play(const Request& request);
  Reply handle_pause(const Request& request);
  Reply handle_teardown(const Request& request);
  Reply handle_parameter(const Request& request);
  Reply describe_reply(const Request& request, const media::StreamDescription& description);
  //! The session a request names in its Session header; 454 when unknown or absent.
  std::variant<std::shared_ptr<Session>, RequestError> named_session(const Request& request);

  // The ONVIF metadata track (trackID=2) of a stream whose settings enable it.
  std::optional<MetadataFeed> metadata_feed(int stream_id) const;
  Reply setup_metadata(const Request& request, int stream_id, Transport transport);
  void play_metadata(const std::shared_ptr<Session>& session);
  void on_metadata(const std::shared_ptr<Session>& session, const media::EncodedPacketPtr& packet);
  void send_metadata_report(Session& session);
  //! Counts a metadata document the client could not take and says so in the log (first, then every 100th).
  void dropped_document(const Session& session, MetadataTrack& track);

  // Waiting for a stream description without blocking the io thread.
  void do_wait_description();
  void on_wait_description(const boost::system::error_code& ec);

  // Media.
  void on_packet(const std::shared_ptr<Session>& session, const media::EncodedPacketPtr& packet);
  void send_sender_report(Session& session);
  void note_drop(Session& session);
  void remove_session(const std::string& id, const char* reason);

  // Writing.
  //! A response or RTCP report; never dropped (they are small and paced by the client).
  void queue_bytes(std::string bytes);
  void do_write();
  void on_write(const boost::system::error_code& ec, std::size_t size);

  // Deadlines, session expiry and sender reports, once a second.
  void do_housekeeping();
  void on_housekeeping(const boost::system::error_code& ec);

  void do_close();

  tcp::socket socket_;
  //! The socket's strand, for posting from other threads.
  boost::asio::any_io_executor executor_;
  std::shared_ptr<ServerContext> context_;
  std::string peer_;
  //! Set once by the constructor; read by the POST half of a tunnel from its own strand.
  boost::asio::ip::address remote_address_;
  std::array<char, 4096> read_buffer_{};
  RequestParser parser_;
  boost::asio::steady_timer housekeeping_timer_;
  boost::asio::steady_timer describe_timer_;

  std::deque<OutgoingMessage> write_queue_;
  std::vector<boost::asio::const_buffer> write_buffers_;
  std::size_t writing_count_ = 0;
  std::size_t queued_media_bytes_ = 0;
  std::size_t queued_other_bytes_ = 0;
  std::vector<RtpPacket> rtp_scratch_;

  std::map<std::string, std::shared_ptr<Session>> sessions_;

  //! detecting: before the first bytes say RTSP or HTTP; http_header: reading a tunnel's HTTP
  //! request; tunnel_get: this socket carries the tunnel's output (what it reads is ignored);
  //! tunnel_post: this socket carries base64 requests for the tunnel's GET connection.
  enum class Mode { detecting, rtsp, http_header, tunnel_get, tunnel_post };
  Mode mode_ = Mode::detecting;
  std::string http_buffer_;
  std::string tunnel_cookie_;
  std::weak_ptr<Connection> tunnel_target_;
  Base64StreamDecoder base64_;

  bool reading_ = false;
  bool writing_ = false;
  bool closed_ = false;
  bool close_after_write_ = false;
  //! A request whose reply is not queued yet; no further request is processed until it is.
  std::optional<Request> pending_request_;
  int describe_attempts_ = 0;
  //! Housekeeping ticks (seconds of real time) without a request, and with a write outstanding.
  int idle_ticks_ = 0;
  int stalled_write_ticks_ = 0;
  std::uint64_t dropped_since_log_ = 0;
  hal::Nanos last_drop_log_{-1'000'000'000'000};
};

}  // namespace camrig::rtsp
