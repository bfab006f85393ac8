// /ISAPI/System/Network and the security documents that configure listeners: the IP address
// filter (IPFilter), service ports (AdminAccessProtocolList), the network interface
// (NetworkInterface), HTTPS and TLS versions, and certificate management. Rules live in
// device/security and the config service; this file maps documents to them.

#include <chrono>
#include <ctime>

#include "device/core/ip_address.hpp"
#include "device/core/wall_time_format.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "device/security/ip_filter.hpp"
#include "device/security/service_ports.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;
using Changes = std::vector<core::ConfigService::Change>;
using security::Permission;


Result<std::optional<std::int64_t>> int_at(pugi::xml_node node, std::initializer_list<std::string_view> path) {
  const auto text = text_at(node, path);
  if (!text) return std::optional<std::int64_t>{};
  if (const auto value = parse_integer(*text)) return std::optional<std::int64_t>{*value};
  return make_error(ErrorCode::invalid_argument, "<" + std::string(*(path.end() - 1)) + "> must be a whole number (got '" + *text + "')");
}

void set_text(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text() = value.c_str();
}

Result<void> apply_changes(const DeviceServices& services, const Changes& changes) {
  if (changes.empty()) return {};
  return services.config->apply(changes);
}

// ---- IP address filter ----

http::Reply ip_filter_document(const DeviceServices& services) {
  pugi::xml_document doc;
  auto root = new_document(doc, "IPFilter");
  root.append_child("enabled").text() = services.config->get_bool("network.ip_filter.enabled");
  set_text(root, "permissionType", services.config->get_string("network.ip_filter.mode"));
  auto list = root.append_child("IPFilterItemList");
  const auto entries = security::parse_ip_ranges(services.config->get_string("network.ip_filter.addresses"));
  int id = 0;
  if (entries)
    for (const auto& entry : *entries) {
      auto item = list.append_child("IPFilterItem");
      item.append_child("id").text() = ++id;
      set_text(item, "address", entry.text);
    }
  return xml_reply(doc);
}

Result<Changes> ip_filter_changes(pugi::xml_node root) {
  Changes changes;
  auto enabled = bool_at(root, {"enabled"});
  if (!enabled) return enabled.error();
  if (*enabled) changes.emplace_back("network.ip_filter.enabled", **enabled);
  if (auto mode = text_at(root, {"permissionType"})) changes.emplace_back("network.ip_filter.mode", *mode);
  if (auto list = child(root, "IPFilterItemList")) {
    std::string joined;
    for (auto item = list.first_child(); item; item = item.next_sibling()) {
      if (item.type() != pugi::node_element || local_name(item) != "IPFilterItem") continue;
      const auto address = text_at(item, {"address"});
      if (!address || address->empty()) return make_error(ErrorCode::invalid_argument, "every IPFilterItem needs an <address>");
      joined += (joined.empty() ? "" : ",") + *address;
    }
    auto parsed = security::parse_ip_ranges(joined);
    if (!parsed) return parsed.error();
    changes.emplace_back("network.ip_filter.addresses", security::join_ip_ranges(*parsed));
  }
  return changes;
}

// ---- service ports ----

struct PortKey {
  const char* protocol;  // as AdminAccessProtocol names it
  const char* key;
  const char* label;
  std::int64_t default_port;
};
constexpr PortKey k_ports[] = {
    {"HTTP", "network.http_port", "HTTP Port", 80},     {"HTTPS", "network.https_port", "HTTPS Port", 443},
    {"RTSP", "network.rtsp_port", "RTSP Port", 554},    {"DEV_MANAGE", "network.server_port", "Server Port", 8000},
    {"SRTP", "network.srtp_port", "SRTP Port", 322},
};

http::Reply ports_document(const DeviceServices& services) {
  pugi::xml_document doc;
  auto root = new_document(doc, "AdminAccessProtocolList");
  int id = 0;
  for (const auto& port : k_ports) {
    if (!services.config->spec(port.key)) continue;
    auto item = root.append_child("AdminAccessProtocol");
    item.append_child("id").text() = ++id;
    item.append_child("enabled").text() =
        std::string_view(port.protocol) == "HTTPS" ? services.config->get_bool("network.https.enabled") : true;
    set_text(item, "protocol", port.protocol);
    item.append_child("portNo").text() = static_cast<long long>(services.config->get_int(port.key));
  }
  return xml_reply(doc);
}

Result<Changes> ports_changes(const DeviceServices& services, pugi::xml_node root) {
  Changes changes;
  std::map<std::string, std::int64_t> ports;
  for (const auto& port : k_ports)
    if (services.config->spec(port.key)) ports[port.key] = services.config->get_int(port.key);
  for (auto item = root.first_child(); item; item = item.next_sibling()) {
    if (item.type() != pugi::node_element || local_name(item) != "AdminAccessProtocol") continue;
    const auto protocol = text_at(item, {"protocol"}).value_or("");
    const PortKey* known = nullptr;
    for (const auto& port : k_ports)
      if (protocol == port.protocol && services.config->spec(port.key)) known = &port;
    if (!known) return make_error(ErrorCode::invalid_argument, "unknown <protocol> '" + protocol + "' (HTTP, HTTPS, RTSP, DEV_MANAGE, SRTP)");
    auto number = int_at(item, {"portNo"});
    if (!number) return number.error();
    if (*number) ports[known->key] = **number;
    auto enabled = bool_at(item, {"enabled"});
    if (!enabled) return enabled.error();
    if (*enabled && protocol == "HTTPS") changes.emplace_back("network.https.enabled", **enabled);
    else if (*enabled && !**enabled)
      return make_error(ErrorCode::not_configurable, protocol + " cannot be disabled; only HTTPS can");
  }
  std::vector<security::ServicePort> checked;
  for (const auto& port : k_ports)
    if (auto it = ports.find(port.key); it != ports.end()) checked.push_back({port.label, it->second, port.default_port});
  if (auto valid = security::check_service_ports(checked, services.profile->name); !valid) return valid.error();
  for (const auto& [key, value] : ports) changes.emplace_back(key, value);
  return changes;
}

// ---- network interface ----

void append_interface(pugi::xml_node parent, const DeviceServices& services) {
  auto get = [&](const char* field) { return services.config->get_string(std::string("network.interface.") + field); };
  auto node = parent.append_child("NetworkInterface");
  node.append_child("id").text() = 1;
  auto ip = node.append_child("IPAddress");
  set_text(ip, "ipVersion", "dual");
  set_text(ip, "addressingType", services.config->get_bool("network.interface.dhcp") ? "dynamic" : "static");
  set_text(ip, "ipAddress", get("ipv4_address"));
  set_text(ip, "subnetMask", get("ipv4_mask"));
  set_text(ip, "ipv6Address", get("ipv6_address"));
  ip.append_child("bitMask").text() = static_cast<long long>(services.config->get_int("network.interface.ipv6_prefix_length"));
  set_text(ip.append_child("DefaultGateway"), "ipAddress", get("ipv4_gateway"));
  set_text(ip.append_child("Ipv6DefaultGateway"), "ipv6Address", get("ipv6_gateway"));
  set_text(ip.append_child("PrimaryDNS"), "ipAddress", get("dns1"));
  set_text(ip.append_child("SecondaryDNS"), "ipAddress", get("dns2"));
  auto link = node.append_child("Link");
  set_text(link, "MACAddress", services.profile->device.mac_address);
  link.append_child("MTU").text() = static_cast<long long>(services.config->get_int("network.interface.mtu"));
}

Result<Changes> interface_changes(const DeviceServices& services, pugi::xml_node root) {
  std::map<std::string, std::string> values;
  for (const char* field : {"ipv4_address", "ipv4_mask", "ipv4_gateway", "ipv6_address", "ipv6_gateway", "dns1", "dns2"})
    values[field] = services.config->get_string(std::string("network.interface.") + field);
  const auto ip = child(root, "IPAddress");
  // Paths of at most two elements, held as values: an initializer_list member would dangle.
  struct Path {
    const char* field;
    std::string_view first;
    std::string_view second = {};
  };
  const Path paths[] = {
      {"ipv4_address", "ipAddress"},
      {"ipv4_mask", "subnetMask"},
      {"ipv6_address", "ipv6Address"},
      {"ipv4_gateway", "DefaultGateway", "ipAddress"},
      {"ipv6_gateway", "Ipv6DefaultGateway", "ipv6Address"},
      {"dns1", "PrimaryDNS", "ipAddress"},
      {"dns2", "SecondaryDNS", "ipAddress"},
  };
  for (const auto& path : paths)
    if (auto text = path.second.empty() ? text_at(ip, {path.first}) : text_at(ip, {path.first, path.second}))
      values[path.field] = *text;
  if (auto valid = core::check_interface_addresses(values); !valid) return valid.error();
  Changes changes;
  for (const auto& [field, value] : values) changes.emplace_back("network.interface." + field, value);
  if (auto type = text_at(ip, {"addressingType"})) {
    if (*type != "static" && *type != "dynamic")
      return make_error(ErrorCode::invalid_argument, "<addressingType> must be static or dynamic (got '" + *type + "')");
    changes.emplace_back("network.interface.dhcp", *type == "dynamic");
  }
  auto prefix = int_at(ip, {"bitMask"});
  if (!prefix) return prefix.error();
  if (*prefix) changes.emplace_back("network.interface.ipv6_prefix_length", **prefix);
  auto mtu = int_at(root, {"Link", "MTU"});
  if (!mtu) return mtu.error();
  if (*mtu) changes.emplace_back("network.interface.mtu", **mtu);
  return changes;
}

Result<void> check_interface_id(const http::RequestContext& context) {
  if (context.path_parameters.at("id") != "1")
    return make_error(ErrorCode::not_found, "no network interface " + context.path_parameters.at("id") + " (the device has interface 1)");
  return {};
}

// ---- HTTPS, TLS and certificates ----

http::Reply https_document(const DeviceServices& services) {
  pugi::xml_document doc;
  auto root = new_document(doc, "HTTPS");
  root.append_child("enabled").text() = services.config->get_bool("network.https.enabled");
  root.append_child("httpsBrowsing").text() = services.config->get_bool("network.https.https_browsing");
  root.append_child("portNo").text() = static_cast<long long>(services.config->get_int("network.https_port"));
  auto versions = root.append_child("TLSVersion");
  versions.append_child("TLS1_1").text() = services.config->get_bool("security.tls.v1_1");
  versions.append_child("TLS1_2").text() = services.config->get_bool("security.tls.v1_2");
  versions.append_child("TLS1_3").text() = services.config->get_bool("security.tls.v1_3");
  return xml_reply(doc);
}

Result<Changes> https_changes(const DeviceServices& services, pugi::xml_node root) {
  Changes changes;
  struct Flag {
    const char* key;
    std::string_view first;
    std::string_view second = {};
  };
  const Flag flags[] = {
      {"network.https.enabled", "enabled"},   {"network.https.https_browsing", "httpsBrowsing"},
      {"security.tls.v1_1", "TLSVersion", "TLS1_1"}, {"security.tls.v1_2", "TLSVersion", "TLS1_2"},
      {"security.tls.v1_3", "TLSVersion", "TLS1_3"},
  };
  std::map<std::string, bool> values;
  for (const auto& [key, first, second] : flags) {
    auto flag = second.empty() ? bool_at(root, {first}) : bool_at(root, {first, second});
    if (!flag) return flag.error();
    values[key] = flag->value_or(services.config->get_bool(key));
    if (*flag) changes.emplace_back(key, **flag);
  }
  if (!values["security.tls.v1_1"] && !values["security.tls.v1_2"] && !values["security.tls.v1_3"])
    return make_error(ErrorCode::invalid_argument, "enable at least one TLS version (TLS1_1, TLS1_2 or TLS1_3)");
  if (values["network.https.https_browsing"] && !values["network.https.enabled"])
    return make_error(ErrorCode::invalid_argument, "HTTPS browsing (HTTPS only) needs HTTPS enabled");
  return changes;
}

void append_certificate(pugi::xml_node parent, const char* name, const security::CertificateInfo& info) {
  auto node = parent.append_child(name);
  set_text(node, "id", info.id);
  set_text(node, "subjectName", info.subject);
  set_text(node, "issuerName", info.issuer);
  set_text(node, "serialNumber", info.serial_number);
  set_text(node, "startDate", core::format_utc_iso8601(info.not_before));
  set_text(node, "endDate", core::format_utc_iso8601(info.not_after));
  node.append_child("daysToExpiry").text() = static_cast<long long>(info.days_to_expiry);
  node.append_child("selfSigned").text() = info.self_signed;
}

http::Reply pem_reply(std::string pem) {
  http::Reply reply;
  reply.response.result(http::beast_http::status::ok);
  reply.response.set(http::beast_http::field::content_type, "application/x-pem-file");
  reply.response.body() = std::move(pem);
  return reply;
}

}  // namespace

void add_network_routes(http::Router& router, DeviceServices services) {
  // Handlers read and write the configuration as one document: GET renders, PUT validates all, applies all.
  auto document_routes = [&](const std::string& path, const char* root_name, auto render, auto changes_of) {
    router.add(verb::get, path, Permission::parameter_settings,
               [services, render](http::RequestContext&) -> Result<http::Reply> { return render(services); });
    router.add(verb::put, path, Permission::parameter_settings,
               [services, root_name, changes_of](http::RequestContext& context) -> Result<http::Reply> {
                 pugi::xml_document doc;
                 auto parsed = parse_body(doc, context, root_name);
                 if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
                 auto changes = changes_of(services, std::get<pugi::xml_node>(parsed));
                 if (!changes) return changes.error();
                 if (auto applied = apply_changes(services, *changes); !applied) return applied.error();
                 return status_reply(context, ResponseStatus{});
               });
  };

  document_routes("/ISAPI/System/Network/ipFilter", "IPFilter", ip_filter_document,
                  [](const DeviceServices&, pugi::xml_node root) { return ip_filter_changes(root); });
  document_routes("/ISAPI/Security/adminAccesses", "AdminAccessProtocolList", ports_document, ports_changes);
  document_routes("/ISAPI/Security/HTTPS", "HTTPS", https_document, https_changes);

  router.add(verb::get, "/ISAPI/System/Network/interfaces", Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> {
               pugi::xml_document doc;
               append_interface(new_document(doc, "NetworkInterfaceList"), services);
               return xml_reply(doc);
             });
  router.add(verb::get, "/ISAPI/System/Network/interfaces/{id}", Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               if (auto known = check_interface_id(context); !known) return known.error();
               pugi::xml_document doc;
               auto declaration = doc.append_child(pugi::node_declaration);
               declaration.append_attribute("version") = "1.0";
               declaration.append_attribute("encoding") = "UTF-8";
               append_interface(doc, services);
               doc.child("NetworkInterface").prepend_attribute("xmlns") = k_namespace;
               doc.child("NetworkInterface").prepend_attribute("version") = "2.0";
               return xml_reply(doc);
             });
  router.add(verb::put, "/ISAPI/System/Network/interfaces/{id}", Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               if (auto known = check_interface_id(context); !known) return known.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "NetworkInterface");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               auto changes = interface_changes(services, std::get<pugi::xml_node>(parsed));
               if (!changes) return changes.error();
               if (auto applied = apply_changes(services, *changes); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });

  document_routes(
      "/ISAPI/Security/certificateExpiryAlarm", "CertificateExpiryAlarm",
      [](const DeviceServices& s) {
        pugi::xml_document doc;
        auto root = new_document(doc, "CertificateExpiryAlarm");
        root.append_child("enabled").text() = s.config->get_bool("security.certificate.expiry_alarm_enabled");
        root.append_child("remindDays").text() =
            static_cast<long long>(s.config->get_int("security.certificate.expiry_alarm_days"));
        return xml_reply(doc);
      },
      [](const DeviceServices&, pugi::xml_node root) -> Result<Changes> {
        Changes changes;
        auto enabled = bool_at(root, {"enabled"});
        if (!enabled) return enabled.error();
        if (*enabled) changes.emplace_back("security.certificate.expiry_alarm_enabled", **enabled);
        auto days = int_at(root, {"remindDays"});
        if (!days) return days.error();
        if (*days) changes.emplace_back("security.certificate.expiry_alarm_days", **days);
        return changes;
      });

  if (!services.certificates) return;
  auto certificate_changed = [services] {
    if (services.server_certificate_changed) services.server_certificate_changed();
  };

  router.add(verb::get, "/ISAPI/Security/serverCertificate/certificate", Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto root = new_document(doc, "CertificateInfoList");
               append_certificate(root, "CertificateInfo", services.certificates->server_info());
               return xml_reply(doc);
             });
  // The body is the signed certificate in PEM (optionally followed by its chain).
  router.add(verb::put, "/ISAPI/Security/serverCertificate/certificate", Permission::maintenance,
             [services, certificate_changed](http::RequestContext& context) -> Result<http::Reply> {
               if (auto imported = services.certificates->import_server_certificate(context.message.body()); !imported)
                 return imported.error();
               certificate_changed();
               return status_reply(context, ResponseStatus{});
             });
  router.add(verb::post, "/ISAPI/Security/serverCertificate/selfSignCert", Permission::maintenance,
             [services, certificate_changed](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "SelfSignCert");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto root = std::get<pugi::xml_node>(parsed);
               auto validity = int_at(root, {"validity"});
               if (!validity) return validity.error();
               const auto name = text_at(root, {"subjectName"}).value_or(services.config->get_string("device.name"));
               if (auto made = services.certificates->create_self_signed(
                       name, static_cast<int>(validity->value_or(security::CertificateStore::k_default_validity_days)));
                   !made)
                 return made.error();
               certificate_changed();
               return status_reply(context, ResponseStatus{});
             });
  // Answers the request itself (PEM) for a CA to sign; its certificate is then PUT to .../certificate.
  router.add(verb::post, "/ISAPI/Security/serverCertificate/certSignReq", Permission::maintenance,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "CertSignReq");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto name = text_at(std::get<pugi::xml_node>(parsed), {"subjectName"})
                                     .value_or(services.config->get_string("device.name"));
               auto request = services.certificates->create_request(name);
               if (!request) return request.error();
               return pem_reply(std::move(*request));
             });
  router.add(verb::get, "/ISAPI/Security/caCertificate", Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto root = new_document(doc, "CertificateInfoList");
               for (const auto& info : services.certificates->ca_info())
                 append_certificate(root, "CertificateInfo", info);
               return xml_reply(doc);
             });
  // POST /ISAPI/Security/caCertificate?id=<id> with the PEM certificate as the body.
  router.add(verb::post, "/ISAPI/Security/caCertificate", Permission::maintenance,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto id = context.query.find("id");
               if (id == context.query.end())
                 return make_error(ErrorCode::invalid_argument, "name the CA certificate: POST /ISAPI/Security/caCertificate?id=<id>");
               if (auto imported = services.certificates->import_ca_certificate(id->second, context.message.body()); !imported)
                 return imported.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace camrig::isapi
