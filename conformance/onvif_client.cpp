#include "conformance/onvif_client.hpp"

#include <cctype>
#include <ctime>
#include <regex>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace camrig::conformance {
namespace {

// The first `limit` characters of `text` on one line: runs of white space (line breaks too) become one space.
std::string one_line(std::string_view text, std::size_t limit) {
  std::string line;
  for (const char c : text) {
    if (line.size() >= limit) break;
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!line.empty() && line.back() != ' ') line += ' ';
    } else {
      line += c;
    }
  }
  return line;
}

constexpr const char* k_namespaces =
    "xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:tt=\"http://www.onvif.org/ver10/schema\" "
    "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" "
    "xmlns:tr2=\"http://www.onvif.org/ver20/media/wsdl\" xmlns:tev=\"http://www.onvif.org/ver10/events/wsdl\" "
    "xmlns:wsnt=\"http://docs.oasis-open.org/wsn/b-2\" xmlns:tptz=\"http://www.onvif.org/ver20/ptz/wsdl\" "
    "xmlns:timg=\"http://www.onvif.org/ver20/imaging/wsdl\" xmlns:tmd=\"http://www.onvif.org/ver10/deviceIO/wsdl\"";

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string utc_text(std::chrono::system_clock::time_point when) {
  const auto seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

pugi::xml_node child_named(pugi::xml_node parent, const std::string& local_name) {
  for (auto child = parent.first_child(); child; child = child.next_sibling())
    if (child.type() == pugi::node_element && local_part(child.name()) == local_name) return child;
  return {};
}

}  // namespace

std::string local_part(const std::string& name) {
  const auto colon = name.find(':');
  return colon == std::string::npos ? name : name.substr(colon + 1);
}

std::string path_of(const std::string& url) {
  std::smatch parts;
  if (std::regex_match(url, parts, std::regex(R"(^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*(/.*)?$)")))
    return parts[1].matched ? parts[1].str() : "/";
  return url;
}

std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& text) {
  std::tm utc{};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &utc.tm_year, &utc.tm_mon, &utc.tm_mday, &utc.tm_hour, &utc.tm_min,
                  &utc.tm_sec) != 6)
    return std::nullopt;
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

std::string SoapAnswer::element() const { return body_element ? local_part(body_element.name()) : std::string(); }

std::vector<pugi::xml_node> SoapAnswer::all(const std::string& local_name) const {
  std::vector<pugi::xml_node> found;
  if (!body_element) return found;
  for (const auto& hit : body_element.select_nodes(("descendant-or-self::*[local-name()='" + local_name + "']").c_str()))
    found.push_back(hit.node());
  return found;
}

std::string SoapAnswer::text(const std::string& local_name) const {
  const auto found = all(local_name);
  return found.empty() ? std::string() : found.front().text().get();
}

bool SoapAnswer::has_subcode(const std::string& local_name) const {
  for (const auto& subcode : fault_subcodes)
    if (local_part(subcode) == local_name) return true;
  return false;
}

std::string SoapAnswer::summary() const {
  if (http.status == 0) return "no answer: " + http.error;
  if (!body_element)
    return fmt::format("{} without a SOAP envelope{}", http.status,
                       http.body.empty() ? "" : " (" + one_line(http.body, 80) + ")");
  if (!is_fault()) return fmt::format("{} {}", http.status, body_element.name());
  std::string codes = fault_code;
  for (const auto& subcode : fault_subcodes) codes += "/" + subcode;
  const auto reason = text("Text");
  return fmt::format("{} Fault {}{}", http.status, codes, reason.empty() ? "" : " (" + reason + ")");
}

OnvifClient::OnvifClient(Endpoint http, std::string user, std::string password, std::chrono::milliseconds timeout)
    : http_(std::move(http)), user_(std::move(user)), password_(std::move(password)), timeout_(timeout) {}

std::string OnvifClient::security_header(const std::string& password, std::chrono::seconds age) const {
  unsigned char nonce[16];
  RAND_bytes(nonce, sizeof nonce);
  const auto created = utc_text(std::chrono::system_clock::now() + clock_offset_ - age);
  // PasswordDigest = Base64(SHA-1(nonce + created + password)), WS-Security UsernameToken profile 1.0.
  std::string input(reinterpret_cast<const char*>(nonce), sizeof nonce);
  input += created + password;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr);
  return fmt::format(
      "<wsse:Security s:mustUnderstand=\"1\" "
      "xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\" "
      "xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"><wsse:UsernameToken>"
      "<wsse:Username>{}</wsse:Username>"
      "<wsse:Password Type=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest\">{}"
      "</wsse:Password><wsse:Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/"
      "oasis-200401-wss-soap-message-security-1.0#Base64Binary\">{}</wsse:Nonce><wsu:Created>{}</wsu:Created>"
      "</wsse:UsernameToken></wsse:Security>",
      escaped(user_), base64(digest, digest_size), base64(nonce, sizeof nonce), created);
}

SoapAnswer OnvifClient::post(const std::string& path, const std::string& header, const std::string& body,
                             const std::string& namespaces, bool http_login) const {
  SoapAnswer answer;
  answer.request = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<s:Envelope {}{}{}><s:Header>{}</s:Header><s:Body>{}</s:Body></s:Envelope>",
                               k_namespaces, namespaces.empty() ? "" : " ", namespaces, header, body);
  IsapiCall call;
  call.method = "POST";
  call.path = path;
  call.body = answer.request;
  call.content_type = "application/soap+xml; charset=utf-8";
  // A camera that also wants HTTP Digest gets it, unless the call is meant to be refused or anonymous.
  answer.http = http_login ? isapi_request(http_, call, user_, password_, timeout_) : isapi_request(http_, call, {}, {}, timeout_);
  auto document = std::make_shared<pugi::xml_document>();
  if (answer.http.body.empty() || !document->load_string(answer.http.body.c_str())) return answer;
  answer.document = document;
  const auto envelope = document->document_element();
  if (local_part(envelope.name()) != "Envelope") return answer;
  const auto soap_body = child_named(envelope, "Body");
  for (auto child = soap_body.first_child(); child; child = child.next_sibling())
    if (child.type() == pugi::node_element) {
      answer.body_element = child;
      break;
    }
  if (answer.element() == "Fault") {
    const auto code = child_named(answer.body_element, "Code");
    answer.fault_code = child_named(code, "Value").text().get();
    for (auto subcode = child_named(code, "Subcode"); subcode; subcode = child_named(subcode, "Subcode"))
      answer.fault_subcodes.push_back(child_named(subcode, "Value").text().get());
    if (answer.fault_code.empty()) answer.fault_code = "(no Code/Value)";
  }
  return answer;
}

SoapAnswer OnvifClient::call(const std::string& path, const std::string& body, const std::string& namespaces) const {
  return post(path, security_header(password_, std::chrono::seconds(0)), body, namespaces, true);
}

SoapAnswer OnvifClient::call_anonymous(const std::string& path, const std::string& body, const std::string& namespaces) const {
  return post(path, {}, body, namespaces, false);
}

SoapAnswer OnvifClient::call_as(const std::string& path, const std::string& body, const std::string& namespaces,
                                const std::string& password, std::chrono::seconds age) const {
  return post(path, security_header(password, age), body, namespaces, false);
}

}  // namespace camrig::conformance
