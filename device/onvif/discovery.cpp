#include "device/onvif/discovery.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <list>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <pugixml.hpp>

#include "device/core/log.hpp"
#include "device/core/text.hpp"
#include "device/core/xml_escape.hpp"
#include "device/onvif/qualified_name.hpp"
#include "device/onvif/scopes.hpp"
#include "device/onvif/service_namespaces.hpp"

namespace camrig::onvif {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

constexpr std::string_view k_soap_namespace = "http://www.w3.org/2003/05/soap-envelope";
constexpr std::string_view k_addressing_namespace = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
constexpr std::string_view k_discovery_namespace = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
constexpr std::string_view k_network_namespace = "http://www.onvif.org/ver10/network/wsdl";
constexpr std::string_view k_multicast_to = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";
constexpr std::string_view k_anonymous_to = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";
// APP_MAX_DELAY: answers to a multicast Probe/Resolve wait a random time up to this, so that a
// network full of devices does not answer at once.
constexpr std::chrono::milliseconds k_app_max_delay{500};
constexpr const char* k_endpoint_reference_file = "discovery_endpoint_reference";

// The device's Types: dn:NetworkVideoTransmitter and tds:Device.
const std::array<std::pair<std::string_view, std::string_view>, 2> k_device_types = {
    std::pair{k_network_namespace, std::string_view("NetworkVideoTransmitter")},
    std::pair{std::string_view(k_device_namespace), std::string_view("Device")}};

bool is_discovery_key(const std::string& key) {
  return key == "onvif.scopes" || key == "onvif.discovery_mode" || key == "onvif.enabled" || key == "device.name" ||
         key == "network.http_port";
}

using core::xml_escape;

std::vector<std::string> split_whitespace(std::string_view text) {
  std::vector<std::string> items;
  std::istringstream in{std::string(text)};
  for (std::string item; in >> item;) items.push_back(item);
  return items;
}

std::string_view prefix_of(std::string_view qname) {
  const auto colon = qname.rfind(':');
  return colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
}

// The namespace `prefix` is bound to where `node` is (empty prefix: the default namespace).
std::optional<std::string> namespace_of(pugi::xml_node node, std::string_view prefix) {
  const std::string attribute = prefix.empty() ? std::string("xmlns") : "xmlns:" + std::string(prefix);
  for (; node; node = node.parent())
    if (const auto bound = node.attribute(attribute.c_str())) return std::string(bound.value());
  if (prefix.empty()) return std::string();
  return std::nullopt;
}

bool is_element(pugi::xml_node node, std::string_view name_space, std::string_view name) {
  if (node.type() != pugi::node_element || local_name(node.name()) != name) return false;
  const auto bound = namespace_of(node, prefix_of(node.name()));
  return bound && *bound == name_space;
}

pugi::xml_node child_element(pugi::xml_node parent, std::string_view name_space, std::string_view name) {
  for (auto child : parent.children())
    if (is_element(child, name_space, name)) return child;
  return {};
}

struct ProbeRequest {
  enum class Kind { probe, resolve } kind = Kind::probe;
  std::string message_id;
  //! Probe: every Type as (namespace, local name); a QName whose prefix is not bound makes it unmatchable.
  std::vector<std::pair<std::string, std::string>> types;
  bool types_resolved = true;
  std::vector<std::string> scopes;
  std::string match_by;
  //! Resolve: the EndpointReference's address.
  std::string address;
};

std::optional<ProbeRequest> parse_request(const char* data, std::size_t size) {
  pugi::xml_document document;
  if (!document.load_buffer(data, size, pugi::parse_default | pugi::parse_ws_pcdata_single)) return std::nullopt;
  const auto envelope = document.document_element();
  if (!is_element(envelope, k_soap_namespace, "Envelope")) return std::nullopt;
  const auto body = child_element(envelope, k_soap_namespace, "Body");
  ProbeRequest request;
  const auto header = child_element(envelope, k_soap_namespace, "Header");
  request.message_id = child_element(header, k_addressing_namespace, "MessageID").text().get();
  if (const auto probe = child_element(body, k_discovery_namespace, "Probe")) {
    const auto types = child_element(probe, k_discovery_namespace, "Types");
    for (const auto& qname : split_whitespace(types.text().get())) {
      const auto bound = namespace_of(types, prefix_of(qname));
      if (!bound) request.types_resolved = false;
      else request.types.emplace_back(*bound, std::string(local_name(qname)));
    }
    const auto scopes = child_element(probe, k_discovery_namespace, "Scopes");
    request.scopes = split_whitespace(scopes.text().get());
    request.match_by = scopes.attribute("MatchBy").value();
    return request;
  }
  if (const auto resolve = child_element(body, k_discovery_namespace, "Resolve")) {
    request.kind = ProbeRequest::Kind::resolve;
    const auto reference = child_element(resolve, k_addressing_namespace, "EndpointReference");
    request.address = child_element(reference, k_addressing_namespace, "Address").text().get();
    request.address = std::string(text::trim(request.address));
    return request;
  }
  return std::nullopt;  // Hello, Bye and matches of other devices, or not discovery at all
}

bool types_match(const ProbeRequest& request) {
  if (!request.types_resolved) return false;
  return std::all_of(request.types.begin(), request.types.end(), [](const auto& type) {
    return std::any_of(k_device_types.begin(), k_device_types.end(),
                       [&](const auto& ours) { return type.first == ours.first && type.second == ours.second; });
  });
}

std::string uuid_text(const std::array<unsigned char, 16>& bytes) {
  std::string text;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += fmt::format("{:02x}", bytes[i]);
  }
  return text;
}

// RFC 4122 §4.3 name-based UUID, version 5, in the URL namespace.
std::string name_based_uuid(std::string_view name) {
  static constexpr std::array<unsigned char, 16> k_url_namespace = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                                    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  std::string input(k_url_namespace.begin(), k_url_namespace.end());
  input += name;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha1(), nullptr);
  std::array<unsigned char, 16> bytes{};
  std::copy_n(digest.begin(), bytes.size(), bytes.begin());
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x50);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  return uuid_text(bytes);
}

bool is_uuid_urn(std::string_view text) {
  if (!text.starts_with("urn:uuid:") || text.size() != 9 + 36) return false;
  for (std::size_t i = 9; i < text.size(); ++i) {
    const bool dash = i - 9 == 8 || i - 9 == 13 || i - 9 == 18 || i - 9 == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

bool probe_scopes_match(const std::vector<std::string>& probe_scopes, std::string_view match_by,
                        const std::vector<std::string>& scopes) {
  const bool uri_rule = match_by.empty() || match_by == k_match_by_rfc2396 || match_by == k_match_by_rfc3986;
  if (!uri_rule && match_by != k_match_by_strcmp0) return false;
  return std::all_of(probe_scopes.begin(), probe_scopes.end(), [&](const std::string& wanted) {
    return std::any_of(scopes.begin(), scopes.end(), [&](const std::string& scope) {
      return uri_rule ? scope_matches_uri_prefix(wanted, scope) : wanted == scope;
    });
  });
}

Result<std::string> device_endpoint_reference(const core::DeviceProfile& profile, const std::string& data_directory) {
  const auto derived = "urn:uuid:" + name_based_uuid("camrig:" + profile.device.serial_number + "/" + profile.device.mac_address);
  if (data_directory.empty()) return derived;
  const auto path = std::filesystem::path(data_directory) / k_endpoint_reference_file;
  if (std::ifstream in(path); in) {
    std::string stored;
    std::getline(in, stored);
    if (is_uuid_urn(stored)) return stored;
    log::get("onvif.discovery")->warn("{} does not hold a urn:uuid; it is made again from the serial number", path.string());
  }
  std::ofstream out(path, std::ios::trunc);
  out << derived << '\n';
  if (!out.flush())
    return make_error(ErrorCode::io_error, "cannot store the WS-Discovery endpoint reference in " + path.string());
  return derived;
}

struct DiscoveryState {
  DiscoveryOptions options;
  DiscoveryServices services;
  asio::io_context io;
  udp::socket socket{io};
  udp::endpoint group;
  std::array<char, 65536> buffer{};
  udp::endpoint sender;
  std::mt19937_64 random{std::random_device{}()};
  std::uint64_t instance_id = 0;
  std::uint64_t message_number = 0;
  std::uint64_t metadata_version = 1;
  //! Hello sent, Bye not yet: what the network believes.
  bool announced = false;
  //! Scopes and XAddrs of the last Hello; a difference is new metadata.
  std::string announced_metadata;
  //! Answers waiting for their random delay; cancelled when discovery stops.
  std::list<std::shared_ptr<asio::steady_timer>> pending;
  std::shared_ptr<core::Mailbox<core::ConfigChanged>> changes;
  std::jthread io_thread;
  std::jthread watcher;
  bool stopped = false;

  std::shared_ptr<spdlog::logger> logger = log::get("onvif.discovery");

  bool discoverable() const {
    return services.config->get_bool("onvif.enabled") &&
           services.config->get_string("onvif.discovery_mode") != "NonDiscoverable";
  }

  // The address of ours a client at `remote` reaches: the configured interface's, else the one
  // the routing table picks toward it.
  std::string address_toward(const udp::endpoint& remote) {
    if (options.interface_address != "0.0.0.0") return options.interface_address;
    boost::system::error_code error;
    udp::socket route(io);
    route.open(udp::v4(), error);
    if (!error) route.connect(remote, error);
    if (error) return {};
    const auto local = route.local_endpoint(error);
    return error ? std::string() : local.address().to_string();
  }

  std::string xaddrs_toward(const udp::endpoint& remote) {
    const auto port = services.http_port ? services.http_port() : 0;
    const auto address = address_toward(remote);
    if (port == 0 || address.empty()) return {};
    return fmt::format("http://{}:{}/onvif/device_service", address, port);
  }

  std::string metadata(const std::vector<std::string>& scopes, const std::string& xaddrs) const {
    std::string text;
    for (const auto& scope : scopes) text += (text.empty() ? "" : " ") + xml_escape(scope);
    return "<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>" + text + "</d:Scopes>" +
           (xaddrs.empty() ? std::string() : "<d:XAddrs>" + xml_escape(xaddrs) + "</d:XAddrs>");
  }

  std::string endpoint_reference() const {
    return "<a:EndpointReference><a:Address>" + xml_escape(services.endpoint_reference) + "</a:Address></a:EndpointReference>";
  }

  std::string random_uuid() {
    std::array<unsigned char, 16> bytes{};
    for (auto& byte : bytes) byte = static_cast<unsigned char>(random());
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
    return uuid_text(bytes);
  }

  std::string envelope(std::string_view action, std::string_view to, std::string_view relates_to, const std::string& body) {
    std::string header = "<a:MessageID>urn:uuid:" + random_uuid() + "</a:MessageID>";
    if (!relates_to.empty()) header += "<a:RelatesTo>" + xml_escape(relates_to) + "</a:RelatesTo>";
    header += fmt::format("<a:To>{}</a:To><a:Action>{}/{}</a:Action>", to, k_discovery_namespace, action);
    header += fmt::format("<d:AppSequence InstanceId=\"{}\" MessageNumber=\"{}\"/>", instance_id, ++message_number);
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<s:Envelope xmlns:s=\"{}\" xmlns:a=\"{}\" xmlns:d=\"{}\" xmlns:dn=\"{}\" xmlns:tds=\"{}\">"
        "<s:Header>{}</s:Header><s:Body>{}</s:Body></s:Envelope>",
        k_soap_namespace, k_addressing_namespace, k_discovery_namespace, k_network_namespace, k_device_namespace, header,
        body);
  }

  void send(const std::string& message, const udp::endpoint& to) {
    boost::system::error_code error;
    socket.send_to(asio::buffer(message), to, 0, error);
    if (error) logger->warn("WS-Discovery message to {}:{} not sent: {}", to.address().to_string(), to.port(), error.message());
  }

  void send_hello(const std::vector<std::string>& scopes, const std::string& xaddrs) {
    send(envelope("Hello", k_multicast_to, {},
                  "<d:Hello>" + endpoint_reference() + metadata(scopes, xaddrs) + "<d:MetadataVersion>" +
                      std::to_string(metadata_version) + "</d:MetadataVersion></d:Hello>"),
         group);
  }

  void send_bye() { send(envelope("Bye", k_multicast_to, {}, "<d:Bye>" + endpoint_reference() + "</d:Bye>"), group); }

  // Hello when the device became discoverable or its metadata changed, Bye when it stopped being.
  void announce_changes() {
    if (!discoverable()) {
      if (announced) send_bye();
      announced = false;
      return;
    }
    const auto scopes = device_scopes(*services.profile, *services.config);
    const auto xaddrs = xaddrs_toward(group);
    const auto current = metadata(scopes, xaddrs);
    if (announced && current == announced_metadata) return;
    if (!announced_metadata.empty() && current != announced_metadata) ++metadata_version;
    announced_metadata = current;
    announced = true;
    send_hello(scopes, xaddrs);
    logger->info("Hello sent as {} (metadata version {})", services.endpoint_reference, metadata_version);
  }

  void answer(const ProbeRequest& request, const udp::endpoint& client) {
    if (!discoverable()) return;
    const auto scopes = device_scopes(*services.profile, *services.config);
    const auto xaddrs = xaddrs_toward(client);
    const auto match = endpoint_reference() + metadata(scopes, xaddrs) + "<d:MetadataVersion>" +
                       std::to_string(metadata_version) + "</d:MetadataVersion>";
    if (request.kind == ProbeRequest::Kind::probe) {
      if (!types_match(request) || !probe_scopes_match(request.scopes, request.match_by, scopes)) return;
      send(envelope("ProbeMatches", k_anonymous_to, request.message_id,
                    "<d:ProbeMatches><d:ProbeMatch>" + match + "</d:ProbeMatch></d:ProbeMatches>"),
           client);
    } else {
      if (!text::equal_ignoring_case(request.address, services.endpoint_reference)) return;
      send(envelope("ResolveMatches", k_anonymous_to, request.message_id,
                    "<d:ResolveMatches><d:ResolveMatch>" + match + "</d:ResolveMatch></d:ResolveMatches>"),
           client);
    }
  }

  void answer_later(ProbeRequest request, udp::endpoint client) {
    std::uniform_int_distribution<std::int64_t> delay(0, k_app_max_delay.count());
    auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(delay(random)));
    const auto entry = pending.insert(pending.end(), timer);
    // Real time: the delay spreads answers on the network, which runs on the wall whatever the device's clock does.
    timer->async_wait([this, entry, request = std::move(request), client](const boost::system::error_code& error) {
      pending.erase(entry);
      if (!error) answer(request, client);
    });
  }

  void receive() {
    socket.async_receive_from(asio::buffer(buffer), sender, [this](const boost::system::error_code& error, std::size_t size) {
      if (error == asio::error::operation_aborted || !socket.is_open()) return;
      if (!error) {
        if (auto request = parse_request(buffer.data(), size)) answer_later(std::move(*request), sender);
        else logger->debug("ignored a {}-byte datagram from {}: not a WS-Discovery Probe or Resolve", size,
                           sender.address().to_string());
      } else {
        logger->debug("receive: {}", error.message());
      }
      receive();
    });
  }

  void watch(std::stop_token stop) {
    std::stop_callback wake(stop, [this] { changes->close(); });
    while (auto change = changes->pop(stop))
      if (std::any_of(change->keys.begin(), change->keys.end(), is_discovery_key))
        asio::post(io, [this] { announce_changes(); });
  }
};

Result<std::unique_ptr<Discovery>> Discovery::start(DiscoveryOptions options, DiscoveryServices services) {
  if (!services.profile || !services.config || !services.clock)
    return make_error(ErrorCode::invalid_argument, "WS-Discovery needs the device profile, configuration and clock");
  auto state = std::make_unique<DiscoveryState>();
  boost::system::error_code error;
  const auto group = asio::ip::make_address_v4(options.multicast_group, error);
  if (error || !group.is_multicast())
    return make_error(ErrorCode::invalid_argument, "WS-Discovery group '" + options.multicast_group + "' is not an IPv4 multicast address");
  const auto interface = asio::ip::make_address_v4(options.interface_address, error);
  if (error)
    return make_error(ErrorCode::invalid_argument,
                      "WS-Discovery interface '" + options.interface_address + "' is not an IPv4 address");
  auto& socket = state->socket;
  const auto failed = [&](const std::string& what) {
    return make_error(ErrorCode::unavailable, "WS-Discovery cannot " + what + ": " + error.message());
  };
  // Bound to any address, not the group's, so that unicast Probes to the port arrive too.
  if (socket.open(udp::v4(), error); error) return failed("open a UDP socket");
  if (socket.set_option(udp::socket::reuse_address(true), error); error) return failed("share its port");
  if (socket.bind(udp::endpoint(asio::ip::address_v4::any(), options.port), error); error)
    return failed("bind UDP port " + std::to_string(options.port));
  if (interface.is_unspecified()) socket.set_option(asio::ip::multicast::join_group(group), error);
  else socket.set_option(asio::ip::multicast::join_group(group, interface), error);
  if (error) return failed("join " + options.multicast_group + " on " + options.interface_address);
  if (!interface.is_unspecified())
    if (socket.set_option(asio::ip::multicast::outbound_interface(interface), error); error)
      return failed("send on " + options.interface_address);
  // Clients on this host (a VMS next to a simulated camera) must hear Hello and Bye too.
  if (socket.set_option(asio::ip::multicast::enable_loopback(true), error); error) return failed("loop multicast back");
  const auto bound = socket.local_endpoint(error);
  if (error) return failed("read its port");
  state->group = udp::endpoint(group, bound.port());
  state->options = std::move(options);
  state->services = std::move(services);
  state->instance_id = static_cast<std::uint64_t>(std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(state->services.clock->wall_time().time_since_epoch()).count()));

  auto* raw = state.get();
  raw->receive();
  asio::post(raw->io, [raw] { raw->announce_changes(); });
  raw->io_thread = std::jthread([raw] {
    auto work = asio::make_work_guard(raw->io);
    raw->io.run();
  });
  if (raw->services.bus) {
    raw->changes = raw->services.bus->subscribe<core::ConfigChanged>();
    raw->watcher = std::jthread([raw](std::stop_token stop) { raw->watch(stop); });
  }
  raw->logger->info("WS-Discovery on UDP port {} (group {}, interface {})", bound.port(), raw->options.multicast_group,
                    raw->options.interface_address);
  return std::unique_ptr<Discovery>(new Discovery(std::move(state)));
}

Discovery::Discovery(std::unique_ptr<DiscoveryState> state) : state_(std::move(state)) {}

Discovery::~Discovery() { stop(); }

void Discovery::stop() {
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  if (state_->watcher.joinable()) {
    state_->watcher.request_stop();
    state_->watcher.join();
  }
  auto* raw = state_.get();
  asio::post(raw->io, [raw] {
    if (raw->announced) raw->send_bye();
    raw->announced = false;
    for (const auto& timer : raw->pending) timer->cancel();
    boost::system::error_code ignored;
    raw->socket.close(ignored);
    raw->io.stop();
  });
  if (raw->io_thread.joinable()) raw->io_thread.join();
}

std::uint16_t Discovery::port() const { return state_->group.port(); }

}  // namespace camrig::onvif
