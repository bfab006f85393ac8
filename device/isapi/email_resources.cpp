// /ISAPI/System/Network/mailing: the email settings of the Send Email linkage (network camera
// 8.2.3 "Set Email": sender, SMTP server, SSL/TLS and STARTTLS, authentication, 3 receivers,
// attached pictures) as a MailingList of one Mailing, and the "Test" button (POST .../test).
// Values are stored in the config service (email.*), which validates them.
#include <map>

#include "device/events/email_notifier.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;
using security::Permission;
using Changes = std::vector<core::ConfigService::Change>;

void append_unless_empty(pugi::xml_node parent, const char* name, const std::string& value) {
  // Clients fail on empty elements: an unset value is left out.
  if (!value.empty()) parent.append_child(name).text() = value.c_str();
}

void append_mailing(pugi::xml_node mailing, const core::ConfigService& config) {
  mailing.append_child("id").text() = 1;
  auto sender = mailing.append_child("Sender");
  append_unless_empty(sender, "name", config.get_string("email.sender_name"));
  append_unless_empty(sender, "emailAddress", config.get_string("email.sender_address"));
  auto smtp = sender.append_child("Smtp");
  const auto encryption = config.get_string("email.encryption");
  smtp.append_child("enableAuthorization").text() = config.get_bool("email.authentication");
  smtp.append_child("enableSSL").text() = encryption == "SSL";
  smtp.append_child("enableTLS").text() = encryption == "TLS";
  smtp.append_child("startTLS").text() = config.get_bool("email.starttls");
  smtp.append_child("addressingFormatType").text() = "hostname";
  append_unless_empty(smtp, "hostName", config.get_string("email.smtp_server"));
  smtp.append_child("portNo").text() = static_cast<int>(config.get_int("email.smtp_port"));
  append_unless_empty(smtp, "accountName", config.get_string("email.user_name"));
  // The password is write-only.
  auto receivers = mailing.append_child("ReceiverList");
  for (std::size_t i = 1; i <= events::k_max_email_receivers; ++i) {
    const auto prefix = "email.receiver" + std::to_string(i) + "_";
    auto receiver = receivers.append_child("Receiver");
    receiver.append_child("id").text() = static_cast<int>(i);
    append_unless_empty(receiver, "name", config.get_string(prefix + "name"));
    append_unless_empty(receiver, "emailAddress", config.get_string(prefix + "address"));
  }
  auto snapshot = mailing.append_child("Attachment").append_child("Snapshot");
  snapshot.append_child("enabled").text() = config.get_bool("email.attach_pictures");
  snapshot.append_child("interval").text() = static_cast<int>(config.get_int("email.picture_interval"));
}

Result<void> add_bool(Changes& changes, pugi::xml_node node, std::initializer_list<std::string_view> path, const char* key) {
  auto value = bool_at(node, path);
  if (!value) return value.error();
  if (*value) changes.emplace_back(key, **value);
  return {};
}

Result<void> add_int(Changes& changes, pugi::xml_node node, std::initializer_list<std::string_view> path, const char* key) {
  const auto text = text_at(node, path);
  if (!text) return {};
  const auto value = parse_integer(*text);
  if (!value) return make_error(ErrorCode::invalid_argument, "<" + std::string(*(path.end() - 1)) + "> must be a whole number (got '" + *text + "')");
  changes.emplace_back(key, *value);
  return {};
}

void add_text(Changes& changes, pugi::xml_node node, std::initializer_list<std::string_view> path, const std::string& key) {
  // A present but empty element clears the value.
  if (auto text = text_at(node, path)) changes.emplace_back(key, *text);
}

// The changes a Mailing asks for; elements left out keep their values.
Result<Changes> mailing_changes(pugi::xml_node mailing, const core::ConfigService& config) {
  Changes changes;
  if (auto id = text_at(mailing, {"id"}); id && *id != "1")
    return make_error(ErrorCode::not_found, "no mailing " + *id + " (the device has mailing 1)");
  add_text(changes, mailing, {"Sender", "name"}, "email.sender_name");
  add_text(changes, mailing, {"Sender", "emailAddress"}, "email.sender_address");
  auto smtp = child(child(mailing, "Sender"), "Smtp");
  if (auto done = add_bool(changes, smtp, {"enableAuthorization"}, "email.authentication"); !done) return done.error();
  if (auto done = add_bool(changes, smtp, {"startTLS"}, "email.starttls"); !done) return done.error();
  const auto ssl = bool_at(smtp, {"enableSSL"});
  if (!ssl) return ssl.error();
  const auto tls = bool_at(smtp, {"enableTLS"});
  if (!tls) return tls.error();
  if (*ssl || *tls) {
    const auto current = config.get_string("email.encryption");
    const bool use_ssl = ssl->value_or(current == "SSL");
    const bool use_tls = tls->value_or(current == "TLS");
    if (use_ssl && use_tls) return make_error(ErrorCode::invalid_argument, "<enableSSL> and <enableTLS> cannot both be true");
    changes.emplace_back("email.encryption", std::string(use_ssl ? "SSL" : use_tls ? "TLS" : "none"));
  }
  if (auto host = text_at(smtp, {"hostName"})) changes.emplace_back("email.smtp_server", *host);
  else if (auto address = text_at(smtp, {"ipAddress"})) changes.emplace_back("email.smtp_server", *address);
  if (auto done = add_int(changes, smtp, {"portNo"}, "email.smtp_port"); !done) return done.error();
  add_text(changes, smtp, {"accountName"}, "email.user_name");
  add_text(changes, smtp, {"password"}, "email.password");
  if (auto receivers = child(mailing, "ReceiverList")) {
    std::size_t position = 0;
    for (auto receiver : receivers.children()) {
      if (local_name(receiver) != "Receiver") continue;
      ++position;
      std::size_t id = position;
      if (auto text = text_at(receiver, {"id"})) {
        const auto parsed = parse_int(*text);
        if (!parsed || *parsed < 1 || *parsed > static_cast<int>(events::k_max_email_receivers))
          return make_error(ErrorCode::out_of_range, "receiver id must be 1 to " + std::to_string(events::k_max_email_receivers) +
                                                         " (got '" + *text + "')");
        id = static_cast<std::size_t>(*parsed);
      }
      if (id > events::k_max_email_receivers)
        return make_error(ErrorCode::out_of_range, "at most " + std::to_string(events::k_max_email_receivers) + " receivers");
      const auto prefix = "email.receiver" + std::to_string(id) + "_";
      add_text(changes, receiver, {"name"}, prefix + "name");
      add_text(changes, receiver, {"emailAddress"}, prefix + "address");
    }
  }
  if (auto done = add_bool(changes, mailing, {"Attachment", "Snapshot", "enabled"}, "email.attach_pictures"); !done)
    return done.error();
  if (auto done = add_int(changes, mailing, {"Attachment", "Snapshot", "interval"}, "email.picture_interval"); !done)
    return done.error();
  for (const auto& [key, value] : changes) {
    if (!key.ends_with("address")) continue;
    const auto& address = std::get<std::string>(value);
    const auto at = address.find('@');
    if (!address.empty() && (at == 0 || at == std::string::npos || at + 1 == address.size()))
      return make_error(ErrorCode::invalid_argument, "'" + address + "' is not an email address");
  }
  return changes;
}

// The Mailing of a MailingList body, or the body itself when it is a Mailing.
std::variant<pugi::xml_node, ResponseStatus> parse_mailing(pugi::xml_document& doc, const http::RequestContext& context) {
  auto parsed = parse_body(doc, context, "MailingList");
  if (auto* list = std::get_if<pugi::xml_node>(&parsed)) return child(*list, "Mailing");
  auto single = parse_body(doc, context, "Mailing");
  if (std::holds_alternative<pugi::xml_node>(single)) return single;
  return parsed;
}

http::Reply mailing_list(const core::ConfigService& config) {
  pugi::xml_document doc;
  append_mailing(new_document(doc, "MailingList").append_child("Mailing"), config);
  return xml_reply(doc);
}

}  // namespace

void add_email_routes(http::Router& router, DeviceServices services) {
  if (!services.events || !services.config) return;

  router.add(verb::get, "/ISAPI/System/Network/mailing", Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> { return mailing_list(*services.config); });
  router.add(verb::put, "/ISAPI/System/Network/mailing", Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_mailing(doc, context);
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               auto changes = mailing_changes(std::get<pugi::xml_node>(parsed), *services.config);
               if (!changes) return changes.error();
               if (!changes->empty())
                 if (auto applied = services.config->apply(*changes); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });
  // The Test button: the settings of the body (the form as filled in, not yet saved) over the
  // stored ones; a test mail is sent at once and the SMTP server's refusal is the answer.
  router.add(verb::post, "/ISAPI/System/Network/mailing/test", Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               Changes changes;
               if (!context.message.body().empty()) {
                 pugi::xml_document doc;
                 auto parsed = parse_mailing(doc, context);
                 if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
                 auto requested = mailing_changes(std::get<pugi::xml_node>(parsed), *services.config);
                 if (!requested) return requested.error();
                 changes = std::move(*requested);
               }
               std::map<std::string, core::ConfigValue> overlay(changes.begin(), changes.end());
               const auto settings = events::email_settings([&](const std::string& key) {
                 auto it = overlay.find(key);
                 return it == overlay.end() ? services.config->get(key) : it->second;
               });
               if (auto sent = services.events->email().send_test(settings); !sent) return sent.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace camrig::isapi
