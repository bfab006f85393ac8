#include "device/traffic/lprapi_client.hpp"

#include <cstdio>
#include <functional>
#include <random>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "device/core/text.hpp"
#include "device/security/authenticator.hpp"
#include "device/security/user_accounts.hpp"

namespace camrig::traffic {
namespace {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string random_hex(std::size_t bytes) {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  std::string text;
  for (std::size_t i = 0; i < bytes; ++i) {
    char pair[3];
    std::snprintf(pair, sizeof pair, "%02x", static_cast<unsigned>(generator() & 0xFF));
    text += pair;
  }
  return text;
}

}  // namespace

LprApiClient::LprApiClient(PlatformServer server, std::optional<LprApiCredentials> credentials,
                           std::chrono::milliseconds timeout)
    : server_(std::move(server)), credentials_(std::move(credentials)), timeout_(timeout) {}

Result<unsigned> LprApiClient::post(const std::string& path, const std::string& body) {
  const auto target = server_.base_path + path;
  auto answer = exchange(target, body, authorization(target));
  if (!answer) return answer.error();
  // A challenge (first contact, or an expired nonce) is answered once; a second 401 means the
  // server refuses these credentials.
  if (answer->status == 401 && credentials_ && take_challenge(answer->www_authenticate)) {
    answer = exchange(target, body, authorization(target));
    if (!answer) return answer.error();
  }
  return answer->status;
}

bool LprApiClient::take_challenge(const std::string& www_authenticate) {
  // Several challenges may come in one field value joined by the HTTP layer; the strongest wins.
  std::optional<std::map<std::string, std::string>> chosen;
  bool chosen_sha256 = false;
  std::size_t at = 0;
  while ((at = text::to_lower(www_authenticate).find("digest ", at)) != std::string::npos) {
    at += 7;
    auto next = text::to_lower(www_authenticate).find("digest ", at);
    auto parameters = security::parse_digest_parameters(
        std::string_view(www_authenticate).substr(at, next == std::string::npos ? std::string::npos : next - at));
    if (!parameters || !parameters->contains("nonce")) continue;
    const auto algorithm = parameters->contains("algorithm") ? text::to_lower(parameters->at("algorithm")) : "md5";
    const bool sha256 = algorithm == "sha-256";
    if (!sha256 && algorithm != "md5") continue;
    if (!chosen || (sha256 && !chosen_sha256)) {
      chosen = std::move(parameters);
      chosen_sha256 = sha256;
    }
  }
  if (!chosen) return false;
  auto field = [&](const char* name) { return chosen->contains(name) ? chosen->at(name) : std::string(); };
  realm_ = field("realm");
  nonce_ = field("nonce");
  opaque_ = field("opaque");
  algorithm_name_ = chosen_sha256 ? "SHA-256" : "MD5";
  sha256_ = chosen_sha256;
  qop_ = text::to_lower(field("qop")).find("auth") != std::string::npos ? "auth" : "";
  nonce_count_ = 0;
  return true;
}

std::string LprApiClient::authorization(const std::string& target) {
  if (!credentials_ || nonce_.empty()) return {};
  const auto algorithm = sha256_ ? security::DigestAlgorithm::sha256 : security::DigestAlgorithm::md5;
  const auto ha1 = security::digest_hex(algorithm, credentials_->username + ":" + realm_ + ":" + credentials_->password);
  std::string value = "Digest username=\"" + credentials_->username + "\", realm=\"" + realm_ + "\", nonce=\"" + nonce_ +
                      "\", uri=\"" + target + "\", algorithm=" + algorithm_name_;
  if (qop_.empty()) {
    // RFC 2069 form, for servers that offer no qop.
    const auto ha2 = security::digest_hex(algorithm, "POST:" + target);
    value += ", response=\"" + security::digest_hex(algorithm, ha1 + ":" + nonce_ + ":" + ha2) + "\"";
  } else {
    char count[9];
    std::snprintf(count, sizeof count, "%08x", ++nonce_count_);
    const auto cnonce = random_hex(16);
    value += ", qop=auth, nc=" + std::string(count) + ", cnonce=\"" + cnonce + "\", response=\"" +
             security::digest_response(algorithm, ha1, "POST", target, nonce_, count, cnonce, "auth") + "\"";
  }
  if (!opaque_.empty()) value += ", opaque=\"" + opaque_ + "\"";
  return value;
}

Result<LprApiClient::Answer> LprApiClient::exchange(const std::string& target, const std::string& body,
                                                    const std::string& authorization) {
  const auto where = "platform server http://" + server_.host + ":" + std::to_string(server_.port) + target;
  net::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(server_.host, std::to_string(server_.port), ec);
  if (ec) return make_error(ErrorCode::unavailable, where + ": cannot resolve the host: " + ec.message());

  beast_http::request<beast_http::string_body> request{beast_http::verb::post, target, 11};
  request.set(beast_http::field::host, server_.host + ":" + std::to_string(server_.port));
  request.set(beast_http::field::content_type, "application/json; charset=UTF-8");
  if (!authorization.empty()) request.set(beast_http::field::authorization, authorization);
  request.keep_alive(false);
  request.body() = body;
  request.prepare_payload();

  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  beast_http::response_parser<beast_http::string_body> parser;
  parser.body_limit(1 << 20);  // the platform's answer is not used beyond its status
  std::optional<beast::error_code> result;
  auto finish = [&result](beast::error_code done) { result = done; };
  stream.async_connect(endpoints, [&](beast::error_code connect_ec, const tcp::endpoint&) {
    if (connect_ec) return finish(connect_ec);
    beast_http::async_write(stream, request, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) return finish(write_ec);
      beast_http::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) { finish(read_ec); });
    });
  });
  io.run_for(timeout_);
  if (!result)
    return make_error(ErrorCode::unavailable, where + ": no answer within " + std::to_string(timeout_.count()) + " ms");
  if (*result) return make_error(ErrorCode::unavailable, where + ": " + result->message());
  const auto& response = parser.get();
  Answer answer;
  answer.status = response.result_int();
  const auto [first, last] = response.equal_range(beast_http::field::www_authenticate);
  for (auto field = first; field != last; ++field) {
    if (!answer.www_authenticate.empty()) answer.www_authenticate += ", ";
    answer.www_authenticate += std::string(field->value());
  }
  return answer;
}

}  // namespace camrig::traffic
