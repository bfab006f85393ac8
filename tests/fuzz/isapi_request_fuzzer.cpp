// libFuzzer target: arbitrary bytes as an ISAPI request body, through what every document route
// does before it touches a service: parse_body() (pugixml) for each root element the device's
// handlers read, the child lookups they make, the ResponseStatus a refusal renders (XML and
// ?format=json), JSON parsing, and the IP address filter and service port rules on the same bytes.
// Beyond the sanitizers it checks that every refusal renders a well-formed ResponseStatus.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "device/isapi/xml.hpp"
#include "device/security/ip_filter.hpp"
#include "device/security/service_ports.hpp"

namespace {

using namespace camrig;

void check(bool condition) {
  if (!condition) std::abort();
}

constexpr const char* k_roots[] = {"IPFilter", "AdminAccessProtocolList", "NetworkInterface", "HTTPS",
                                   "IllegalLoginLock", "CertificateExpiryAlarm", "SelfSignCert", "CertSignReq",
                                   "User", "ActivateInfo", "StreamingChannel"};

void check_rendered(const http::RequestContext& context, const isapi::ResponseStatus& status, bool json) {
  const auto response = isapi::render(context, status);
  if (json) {
    const auto document = nlohmann::json::parse(response.body(), nullptr, false);
    check(!document.is_discarded() && document.contains("statusCode") && document.contains("errorMsg"));
    return;
  }
  pugi::xml_document document;
  check(static_cast<bool>(document.load_string(response.body().c_str())));
  check(std::string(document.document_element().name()) == "ResponseStatus");
  check(isapi::text_at(document.document_element(), {"errorMsg"}).has_value());
}

// The lookups the handlers make: nested children by local name, lists of items.
void walk(pugi::xml_node root) {
  (void)isapi::text_at(root, {"enabled"});
  (void)isapi::text_at(root, {"IPAddress", "DefaultGateway", "ipAddress"});
  (void)isapi::text_at(root, {"TLSVersion", "TLS1_2"});
  (void)isapi::text_at(root, {"Link", "MTU"});
  std::string addresses;
  for (auto item = isapi::child(root, "IPFilterItemList").first_child(); item; item = item.next_sibling())
    if (auto address = isapi::text_at(item, {"address"})) addresses += *address + ",";
  if (auto parsed = security::parse_ip_ranges(addresses)) check(parsed->size() <= security::IpFilterSettings::k_max_entries);
  std::vector<security::ServicePort> ports;
  for (auto item = root.first_child(); item; item = item.next_sibling())
    if (auto number = isapi::text_at(item, {"portNo"}); number && number->size() < 8 && !number->empty() &&
                                                        number->find_first_not_of("0123456789") == std::string::npos)
      ports.push_back({isapi::text_at(item, {"protocol"}).value_or("?"), std::stoll(*number), 80});
  (void)security::check_service_ports(ports, "lpr-camera");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool json = (data[0] & 1) != 0;
  const char* root_name = k_roots[(data[0] >> 1) % std::size(k_roots)];
  http::Request request{http::beast_http::verb::put, std::string("/ISAPI/fuzz") + (json ? "?format=json" : ""), 11};
  request.body().assign(reinterpret_cast<const char*>(data + 1), size - 1);
  http::RequestContext context{request, "/ISAPI/fuzz", {}, {}, std::nullopt, "192.0.2.1"};
  if (json) context.query["format"] = "json";

  pugi::xml_document doc;
  auto parsed = isapi::parse_body(doc, context, root_name);
  if (auto* refused = std::get_if<isapi::ResponseStatus>(&parsed)) {
    check(refused->status_code == 5);
    check_rendered(context, *refused, json);
  } else {
    walk(std::get<pugi::xml_node>(parsed));
  }
  // Whatever the reader then refuses carries the input back in its message.
  check_rendered(context, isapi::response_status_for(make_error(ErrorCode::invalid_argument, request.body()),
                                                     http::beast_http::status::bad_request), json);

  (void)nlohmann::json::parse(request.body(), nullptr, false);
  if (auto ranges = security::parse_ip_ranges(request.body())) {
    security::IpFilterSettings settings{true, security::IpFilterMode::allow, *ranges};
    const security::IpFilter filter([&] { return settings; });
    for (const auto& range : *ranges) (void)filter.allowed(range.text.substr(0, range.text.find_first_of("/-")));
  }
  return 0;
}
