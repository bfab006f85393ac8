#include "conformance/clients.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <random>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <pugixml.hpp>

#include "device/core/text.hpp"

namespace camrig::conformance {
namespace {

using Clock = std::chrono::steady_clock;

// A connected TCP socket read with deadlines; closes itself.
class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  std::string open(const Endpoint& endpoint, Clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(endpoint.host.c_str(), std::to_string(endpoint.port).c_str(), &hints, &found) != 0 || !found)
      return "cannot resolve " + endpoint.host;
    fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int rc = fd_ < 0 ? -1 : ::connect(fd_, found->ai_addr, found->ai_addrlen);
    ::freeaddrinfo(found);
    if (fd_ < 0) return "cannot create a socket";
    if (rc != 0 && errno != EINPROGRESS) return fmt::format("cannot connect to {}:{}", endpoint.host, endpoint.port);
    if (!wait(POLLOUT, deadline)) return fmt::format("no connection to {}:{} before the deadline", endpoint.host, endpoint.port);
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return fmt::format("connection to {}:{} refused ({})", endpoint.host, endpoint.port, std::strerror(error));
    return {};
  }

  bool send_all(const std::string& data, Clock::time_point deadline) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      if (!wait(POLLOUT, deadline)) return false;
      const auto n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  //! Appends what arrives to `buffer`. False on close, error or deadline.
  bool read_some(std::string& buffer, Clock::time_point deadline) {
    if (!wait(POLLIN, deadline)) return false;
    std::array<char, 16384> chunk;
    const auto n = ::recv(fd_, chunk.data(), chunk.size(), 0);
    if (n <= 0) return n < 0 && (errno == EAGAIN || errno == EINTR);
    buffer.append(chunk.data(), static_cast<std::size_t>(n));
    return true;
  }

 private:
  // False only once the deadline has passed (or the socket failed): the poll's milliseconds are
  // rounded up, so a wait never ends a fraction of a millisecond early looking like a closed peer.
  bool wait(short events, Clock::time_point deadline) {
    while (true) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_, events, 0};
      const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
      if (rc > 0) return true;
      if (rc < 0 && errno != EINTR) return false;
    }
  }

  int fd_ = -1;
};

struct Head {
  int status = 0;
  std::map<std::string, std::string> headers;
};

// Reads up to the blank line; what follows stays in `buffer`.
std::optional<Head> read_head(Connection& connection, std::string& buffer, Clock::time_point deadline, std::string& error) {
  std::size_t end;
  while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!connection.read_some(buffer, deadline)) {
      error = buffer.empty() ? "no answer before the deadline (or the connection closed)" : "incomplete response header";
      return std::nullopt;
    }
  }
  Head head;
  const std::string text = buffer.substr(0, end);
  buffer.erase(0, end + 4);
  std::size_t line_end = text.find("\r\n");
  const std::string status_line = text.substr(0, line_end);
  const auto space = status_line.find(' ');
  if (space == std::string::npos || std::sscanf(status_line.c_str() + space + 1, "%d", &head.status) != 1) {
    error = "not an HTTP/RTSP status line: " + status_line;
    return std::nullopt;
  }
  while (line_end != std::string::npos) {
    const auto start = line_end + 2;
    line_end = text.find("\r\n", start);
    const auto line = text.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    auto& slot = head.headers[text::to_lower(line.substr(0, colon))];
    slot += (slot.empty() ? "" : "\n") + value;  // repeated headers (several challenges) are kept
  }
  return head;
}

// Reads a Content-Length or chunked body (or until close), handing each piece to `on_data`;
// `keep_going` is asked between reads so a stream can be stopped.
bool read_body(Connection& connection, std::string& buffer, const Head& head, Clock::time_point deadline,
               const std::function<void(const std::string&)>& on_data, const std::function<bool()>& keep_going) {
  const auto length = head.headers.find("content-length");
  const auto encoding = head.headers.find("transfer-encoding");
  if (length != head.headers.end()) {
    const auto want = static_cast<std::size_t>(std::stoull(length->second));
    while (buffer.size() < want)
      if (!connection.read_some(buffer, deadline)) return false;
    on_data(buffer.substr(0, want));
    return true;
  }
  if (encoding != head.headers.end() && text::to_lower(encoding->second).find("chunked") != std::string::npos) {
    while (keep_going()) {
      const auto line_end = buffer.find("\r\n");
      if (line_end == std::string::npos) {
        if (!connection.read_some(buffer, deadline)) return false;
        continue;
      }
      const auto size = std::stoull(buffer.substr(0, line_end), nullptr, 16);
      if (size == 0) return true;
      if (buffer.size() < line_end + 2 + size + 2) {
        if (!connection.read_some(buffer, deadline)) return false;
        continue;
      }
      on_data(buffer.substr(line_end + 2, size));
      buffer.erase(0, line_end + 2 + size + 2);
    }
    return true;
  }
  if (head.status == 204 || head.status == 304 || (head.status >= 100 && head.status < 200)) return true;
  while (connection.read_some(buffer, deadline)) {}
  on_data(buffer);
  return true;
}

std::string hex_digest(const char* algorithm, const std::string& text) {
  const EVP_MD* md = std::string(algorithm) == "SHA-256" ? EVP_sha256() : EVP_md5();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), out, &length, md, nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", out[i]);
  return hex;
}

std::string parameter(const std::string& challenge, const std::string& name) {
  const auto at = text::to_lower(challenge).find(name + "=");
  if (at == std::string::npos) return {};
  auto start = at + name.size() + 1;
  if (challenge[start] == '"') {
    const auto end = challenge.find('"', start + 1);
    return challenge.substr(start + 1, end - start - 1);
  }
  const auto end = challenge.find_first_of(", ", start);
  return challenge.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The Authorization value answering the camera's Digest challenge; MD5 preferred because every
// camera offers it. Empty when no Digest challenge came.
std::string digest_answer(const std::string& challenges, const std::string& method, const std::string& uri,
                          const std::string& user, const std::string& password, int nonce_count = 1) {
  std::string chosen;
  std::size_t start = 0;
  while (start <= challenges.size()) {
    auto end = challenges.find('\n', start);
    const auto one = challenges.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (text::to_lower(one).starts_with("digest")) {
      const auto algorithm = parameter(one, "algorithm");
      if (chosen.empty() || algorithm.empty() || algorithm == "MD5") chosen = one;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (chosen.empty()) return {};
  const auto realm = parameter(chosen, "realm");
  const auto nonce = parameter(chosen, "nonce");
  const auto opaque = parameter(chosen, "opaque");
  const auto qop = parameter(chosen, "qop");
  const std::string algorithm = parameter(chosen, "algorithm") == "SHA-256" ? "SHA-256" : "MD5";
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const auto cnonce = fmt::format("{:016x}", random());
  const auto ha1 = hex_digest(algorithm.c_str(), user + ":" + realm + ":" + password);
  const auto ha2 = hex_digest(algorithm.c_str(), method + ":" + uri);
  std::string answer = fmt::format(R"(Digest username="{}", realm="{}", nonce="{}", uri="{}", algorithm={})", user, realm,
                                   nonce, uri, algorithm);
  if (!qop.empty()) {
    const auto nc = fmt::format("{:08x}", nonce_count);
    const auto response = hex_digest(algorithm.c_str(), ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    answer += fmt::format(R"(, qop=auth, nc={}, cnonce="{}", response="{}")", nc, cnonce, response);
  } else {
    answer += fmt::format(R"(, response="{}")", hex_digest(algorithm.c_str(), ha1 + ":" + nonce + ":" + ha2));
  }
  if (!opaque.empty()) answer += fmt::format(R"(, opaque="{}")", opaque);
  return answer;
}

// One exchange on a fresh connection: the request (with `authorization` when given), the answer.
Response exchange(const Endpoint& endpoint, const std::string& request_head, const std::string& body,
                  Clock::time_point deadline) {
  Response response;
  Connection connection;
  if (auto error = connection.open(endpoint, deadline); !error.empty()) {
    response.error = error;
    return response;
  }
  if (!connection.send_all(request_head + body, deadline)) {
    response.error = "could not send the request";
    return response;
  }
  std::string buffer;
  auto head = read_head(connection, buffer, deadline, response.error);
  if (!head) return response;
  response.status = head->status;
  response.headers = head->headers;
  if (!read_body(connection, buffer, *head, deadline, [&](const std::string& data) { response.body += data; },
                 [] { return true; }))
    response.error = "the body did not arrive in full";
  return response;
}

std::string http_head(const Endpoint& http, const IsapiCall& call, const std::string& authorization) {
  std::string head = fmt::format("{} {} HTTP/1.1\r\nHost: {}:{}\r\nConnection: close\r\n", call.method, call.path,
                                 http.host, http.port);
  if (!authorization.empty()) head += "Authorization: " + authorization + "\r\n";
  if (!call.body.empty() || call.method == "PUT" || call.method == "POST")
    head += fmt::format("Content-Type: {}\r\nContent-Length: {}\r\n", call.content_type, call.body.size());
  return head + "\r\n";
}

}  // namespace

Response isapi_request(const Endpoint& http, const IsapiCall& call, const std::string& user, const std::string& password,
                       std::chrono::milliseconds timeout) {
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  auto response = exchange(http, http_head(http, call, {}), call.body, deadline);
  if (response.status == 401 && !user.empty()) {
    const auto answer = digest_answer(response.headers["www-authenticate"], call.method, call.path, user, password);
    if (!answer.empty()) response = exchange(http, http_head(http, call, answer), call.body, deadline);
  }
  response.real_milliseconds = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return response;
}

Response rtsp_describe(const Endpoint& rtsp, const std::string& stream, const std::string& user, const std::string& password,
                       std::chrono::milliseconds timeout) {
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  const auto uri = fmt::format("rtsp://{}:{}/Streaming/Channels/{}", rtsp.host, rtsp.port, stream);
  const auto head = [&](int cseq, const std::string& authorization) {
    std::string text = fmt::format("DESCRIBE {} RTSP/1.0\r\nCSeq: {}\r\nAccept: application/sdp\r\nUser-Agent: camrig-bench\r\n",
                                   uri, cseq);
    if (!authorization.empty()) text += "Authorization: " + authorization + "\r\n";
    return text + "\r\n";
  };
  auto response = exchange(rtsp, head(1, {}), {}, deadline);
  if (response.status == 401 && !user.empty()) {
    const auto answer = digest_answer(response.headers["www-authenticate"], "DESCRIBE", uri, user, password);
    if (!answer.empty()) response = exchange(rtsp, head(2, answer), {}, deadline);
  }
  response.real_milliseconds = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return response;
}

struct RtspConnection::State {
  Endpoint endpoint;
  std::string user;
  std::string password;
  Connection connection;
  bool opened = false;
  std::string buffer;
  int cseq = 0;
  int nonce_count = 0;  // a server refuses a Digest nonce count it has seen
  std::string challenge;  // the camera's last WWW-Authenticate
};

RtspConnection::RtspConnection(Endpoint rtsp, std::string user, std::string password) : state_(std::make_unique<State>()) {
  state_->endpoint = std::move(rtsp);
  state_->user = std::move(user);
  state_->password = std::move(password);
}

RtspConnection::~RtspConnection() = default;

int RtspConnection::last_cseq() const { return state_->cseq; }

std::string RtspConnection::url(const std::string& path) const {
  return fmt::format("rtsp://{}:{}{}", state_->endpoint.host, state_->endpoint.port, path);
}

Response RtspConnection::raw(const std::string& text, std::chrono::milliseconds timeout) {
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  Response response;
  if (!state_->opened) {
    if (auto error = state_->connection.open(state_->endpoint, deadline); !error.empty()) {
      response.error = error;
      return response;
    }
    state_->opened = true;
  }
  if (!state_->connection.send_all(text, deadline)) {
    response.error = "could not send the request";
    return response;
  }
  response = read_response(deadline);
  response.real_milliseconds = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return response;
}

Response RtspConnection::request(const std::string& method, const std::string& url,
                                 const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  const auto text = [&] {
    std::string head = fmt::format("{} {} RTSP/1.0\r\nCSeq: {}\r\nUser-Agent: camrig-conform\r\n", method, url, ++state_->cseq);
    if (!state_->challenge.empty() && !state_->user.empty()) {
      const auto answer = digest_answer(state_->challenge, method, url, state_->user, state_->password, ++state_->nonce_count);
      if (!answer.empty()) head += "Authorization: " + answer + "\r\n";
    }
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    return head + "\r\n";
  };
  auto response = raw(text(), timeout);
  if (response.status == 401 && !state_->user.empty() && state_->challenge.empty()) {
    state_->challenge = response.headers["www-authenticate"];
    response = raw(text(), timeout);
  }
  return response;
}

// Skips interleaved frames ($, channel, 16-bit length) that come before a response.
Response RtspConnection::read_response(Clock::time_point deadline) {
  Response response;
  auto& buffer = state_->buffer;
  while (true) {
    while (buffer.empty() || (buffer[0] == '$' && buffer.size() < 4)) {
      if (!state_->connection.read_some(buffer, deadline)) {
        response.error = "no answer before the deadline (or the connection closed)";
        return response;
      }
    }
    if (buffer[0] != '$') break;
    const auto length = (static_cast<std::size_t>(static_cast<unsigned char>(buffer[2])) << 8) |
                        static_cast<unsigned char>(buffer[3]);
    while (buffer.size() < 4 + length)
      if (!state_->connection.read_some(buffer, deadline)) {
        response.error = "an interleaved frame was cut off";
        return response;
      }
    buffer.erase(0, 4 + length);
  }
  auto head = read_head(state_->connection, buffer, deadline, response.error);
  if (!head) return response;
  response.status = head->status;
  response.headers = head->headers;
  if (const auto length = head->headers.find("content-length"); length != head->headers.end()) {
    const auto want = static_cast<std::size_t>(std::stoull(length->second));
    while (buffer.size() < want)
      if (!state_->connection.read_some(buffer, deadline)) {
        response.error = "the body did not arrive in full";
        return response;
      }
    response.body = buffer.substr(0, want);
    buffer.erase(0, want);
  }
  return response;
}

std::optional<std::string> RtspConnection::interleaved(int channel, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto& buffer = state_->buffer;
  while (true) {
    while (buffer.size() < 4)
      if (!state_->connection.read_some(buffer, deadline)) return std::nullopt;
    if (buffer[0] != '$') {
      // A response or request from the server between frames: drop its head and go on.
      std::string error;
      if (!read_head(state_->connection, buffer, deadline, error)) return std::nullopt;
      continue;
    }
    const auto length = (static_cast<std::size_t>(static_cast<unsigned char>(buffer[2])) << 8) |
                        static_cast<unsigned char>(buffer[3]);
    while (buffer.size() < 4 + length)
      if (!state_->connection.read_some(buffer, deadline)) return std::nullopt;
    const int on = static_cast<unsigned char>(buffer[1]);
    auto payload = buffer.substr(4, length);
    buffer.erase(0, 4 + length);
    if (on == channel) return payload;
  }
}

UdpReceiver::UdpReceiver() {
  for (int attempt = 0; attempt < 50 && port_ == 0; ++attempt) {
    const int rtp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int rtcp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    static thread_local std::mt19937 random{std::random_device{}()};
    const int candidate = std::uniform_int_distribution<int>(20000, 29999)(random) * 2;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    address.sin_port = htons(static_cast<std::uint16_t>(candidate));
    sockaddr_in next = address;
    next.sin_port = htons(static_cast<std::uint16_t>(candidate + 1));
    if (rtp >= 0 && rtcp >= 0 && ::bind(rtp, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::bind(rtcp, reinterpret_cast<sockaddr*>(&next), sizeof next) == 0) {
      fd_ = rtp;
      rtcp_fd_ = rtcp;
      port_ = candidate;
    } else {
      if (rtp >= 0) ::close(rtp);
      if (rtcp >= 0) ::close(rtcp);
    }
  }
}

UdpReceiver::~UdpReceiver() {
  if (fd_ >= 0) ::close(fd_);
  if (rtcp_fd_ >= 0) ::close(rtcp_fd_);
}

std::optional<std::string> UdpReceiver::receive(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return std::nullopt;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  std::array<char, 65536> datagram;
  const auto n = ::recv(fd_, datagram.data(), datagram.size(), 0);
  if (n <= 0) return std::nullopt;
  return std::string(datagram.data(), static_cast<std::size_t>(n));
}

std::string base64_decode(const std::string& text) {
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (const char c : text) {
    int digit;
    if (c >= 'A' && c <= 'Z') digit = c - 'A';
    else if (c >= 'a' && c <= 'z') digit = c - 'a' + 26;
    else if (c >= '0' && c <= '9') digit = c - '0' + 52;
    else if (c == '+' || c == '-') digit = 62;
    else if (c == '/' || c == '_') digit = 63;
    else continue;  // padding and white space
    value = (value << 6) | static_cast<unsigned>(digit);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

std::vector<std::string> take_multipart_parts(std::string& buffer) {
  std::vector<std::string> parts;
  while (true) {
    const auto boundary = buffer.find("--");
    if (boundary == std::string::npos) break;
    const auto head_end = buffer.find("\r\n\r\n", boundary);
    if (head_end == std::string::npos) break;
    const auto head = text::to_lower(buffer.substr(boundary, head_end - boundary));
    const auto length_at = head.find("content-length:");
    if (length_at == std::string::npos) {
      buffer.erase(0, head_end + 4);  // a part without a length cannot be framed: skip its head
      continue;
    }
    const auto length = static_cast<std::size_t>(std::stoull(head.substr(length_at + 15)));
    if (buffer.size() < head_end + 4 + length) break;
    parts.push_back(buffer.substr(head_end + 4, length));
    buffer.erase(0, head_end + 4 + length);
  }
  return parts;
}

AlertDocument parse_alert(const std::string& xml) {
  AlertDocument alert;
  alert.document = xml;
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) return alert;
  const std::function<void(pugi::xml_node)> walk = [&](pugi::xml_node node) {
    for (auto child = node.first_child(); child; child = child.next_sibling()) {
      if (child.type() != pugi::node_element) continue;
      std::string name = child.name();
      if (const auto colon = name.find(':'); colon != std::string::npos) name = name.substr(colon + 1);
      if (child.first_child() && child.first_child().type() == pugi::node_pcdata) alert.fields.emplace(name, child.text().get());
      else walk(child);
    }
  };
  walk(doc.document_element());
  return alert;
}

AlertStreamClient::AlertStreamClient(Endpoint http, std::string user, std::string password, Handler on_alert)
    : http_(std::move(http)), user_(std::move(user)), password_(std::move(password)), on_alert_(std::move(on_alert)) {
  thread_ = std::thread([this] { run(); });
}

AlertStreamClient::~AlertStreamClient() {
  stopping_ = true;
  thread_.join();
}

bool AlertStreamClient::wait_connected(std::chrono::milliseconds timeout, std::stop_token stop) const {
  const auto deadline = Clock::now() + timeout;
  while (!connected_ && Clock::now() < deadline && !stop.stop_requested())
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return connected_;
}

std::string AlertStreamClient::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

std::string AlertStreamClient::content_type() const {
  std::lock_guard lock(mutex_);
  return content_type_;
}

void AlertStreamClient::set_endpoint(Endpoint http) {
  std::lock_guard lock(mutex_);
  http_ = std::move(http);
}

void AlertStreamClient::run() {
  while (!stopping_) {
    if (!stream_once()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool AlertStreamClient::stream_once() {
  Endpoint http;
  {
    std::lock_guard lock(mutex_);
    http = http_;
  }
  const auto fail = [&](std::string error) {
    connected_ = false;
    std::lock_guard lock(mutex_);
    last_error_ = std::move(error);
    return false;
  };
  IsapiCall call;
  call.path = "/ISAPI/Event/notification/alertStream";
  // The challenge comes on its own connection; the stream then stays on the second one.
  auto challenge = exchange(http, http_head(http, call, {}), {}, Clock::now() + std::chrono::seconds(5));
  if (challenge.status != 401) return fail("alertStream: expected a Digest challenge, got " + std::to_string(challenge.status) + " " + challenge.error);
  const auto answer = digest_answer(challenge.headers["www-authenticate"], "GET", call.path, user_, password_);
  Connection connection;
  auto deadline = Clock::now() + std::chrono::seconds(5);
  if (auto error = connection.open(http, deadline); !error.empty()) return fail("alertStream: " + error);
  std::string head_text = http_head(http, call, answer);
  head_text.replace(head_text.find("Connection: close"), 17, "Connection: keep-alive");
  if (!connection.send_all(head_text, deadline)) return fail("alertStream: could not send the request");
  std::string buffer, error;
  auto head = read_head(connection, buffer, deadline, error);
  if (!head) return fail("alertStream: " + error);
  if (head->status != 200) return fail("alertStream: the camera answered " + std::to_string(head->status));
  {
    std::lock_guard lock(mutex_);
    last_error_.clear();
    content_type_ = head->headers["content-type"];
  }
  connected_ = true;
  ++openings_;
  std::string parts;
  // A far deadline per read: the heartbeat keeps an idle stream alive; stopping_ is checked at
  // least once a second by the poll inside read_some.
  // A picture part belongs to the document before it; the camera writes both at once.
  const auto on_data = [&](const std::string& data) {
    parts += data;
    std::optional<AlertDocument> pending;
    for (auto& payload : take_multipart_parts(parts)) {
      if (payload.starts_with("\xff\xd8")) {
        if (pending) pending->picture = std::move(payload);
        continue;
      }
      if (pending) on_alert_(std::move(*pending));
      pending = parse_alert(payload);
    }
    if (pending) on_alert_(std::move(*pending));
  };
  while (!stopping_) {
    const auto next = Clock::now() + std::chrono::seconds(1);
    if (!read_body(connection, buffer, *head, next, on_data, [&] { return !stopping_ && Clock::now() < next; })) {
      if (Clock::now() >= next) continue;  // an idle second, not a closed stream
      break;
    }
  }
  connected_ = false;
  return true;
}

}  // namespace camrig::conformance
