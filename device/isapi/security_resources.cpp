// /ISAPI/Security: the user list (User documents: id, userName, password, userLevel), userCheck,
// the illegal login lock settings, web sessions (sessionLogin/sessionLogout) and online users.
// Adding and deleting accounts is the administrator's; everyone may change their own password.
#include <ctime>

#include "device/core/wall_time_format.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "device/security/illegal_login_lock.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

void append_user(pugi::xml_node parent, const security::UserAccount& account) {
  auto user = parent.append_child("User");
  user.append_child("id").text() = account.id;
  user.append_child("userName").text() = account.name.c_str();
  user.append_child("userLevel").text() = std::string(security::to_string(account.level)).c_str();
}

Result<security::UserAccount> find_user(const DeviceServices& services, const std::string& id_text) {
  const int id = parse_int(id_text).value_or(0);
  auto account = id > 0 ? services.accounts->find(id) : std::nullopt;
  if (!account) return make_error(ErrorCode::not_found, "no user with id " + id_text);
  return *account;
}

Result<std::optional<security::UserLevel>> level_in(pugi::xml_node user) {
  const auto text = text_at(user, {"userLevel"});
  if (!text) return std::optional<security::UserLevel>{};
  const auto level = security::parse_user_level(*text);
  if (!level) return make_error(ErrorCode::out_of_range, "userLevel must be Administrator, Operator or User (got '" + *text + "')");
  return std::optional<security::UserLevel>{*level};
}

Result<std::optional<std::int64_t>> integer_in(pugi::xml_node node, const char* name) {
  const auto text = text_at(node, {name});
  if (!text) return std::optional<std::int64_t>{};
  if (const auto value = parse_integer(*text)) return std::optional<std::int64_t>{*value};
  return make_error(ErrorCode::invalid_argument, "<" + std::string(name) + "> must be a whole number (got '" + *text + "')");
}

// IllegalLoginLock: maxIllegalLoginTimes is the operator/user limit (the LPR camera's single
// "Login Attempt"); adminMaxIllegalLoginTimes the administrator's where the profile has one.
http::Reply illegal_login_lock_document(const DeviceServices& services) {
  const auto settings = security::IllegalLoginLockSettings::from_config(*services.config);
  pugi::xml_document doc;
  auto root = new_document(doc, "IllegalLoginLock");
  root.append_child("enabled").text() = settings.enabled;
  root.append_child("maxIllegalLoginTimes").text() = settings.user_attempts;
  if (services.config->spec("security.illegal_login_lock.admin_attempts"))
    root.append_child("adminMaxIllegalLoginTimes").text() = settings.admin_attempts;
  root.append_child("resumeTime").text() =
      static_cast<long long>(std::chrono::duration_cast<std::chrono::minutes>(settings.locking_duration).count());
  return xml_reply(doc);
}

Result<std::vector<core::ConfigService::Change>> illegal_login_lock_changes(const DeviceServices& services,
                                                                            pugi::xml_node root) {
  std::vector<core::ConfigService::Change> changes;
  auto enabled = bool_at(root, {"enabled"});
  if (!enabled) return enabled.error();
  if (*enabled) changes.emplace_back("security.illegal_login_lock.enabled", **enabled);
  const bool single_limit = services.config->spec("security.illegal_login_lock.attempts") != nullptr;
  const std::pair<const char*, const char*> fields[] = {
      {"maxIllegalLoginTimes", single_limit ? "security.illegal_login_lock.attempts" : "security.illegal_login_lock.user_attempts"},
      {"adminMaxIllegalLoginTimes", single_limit ? nullptr : "security.illegal_login_lock.admin_attempts"},
      {"resumeTime", "security.illegal_login_lock.locking_duration"},
  };
  for (const auto& [name, key] : fields) {
    auto value = integer_in(root, name);
    if (!value) return value.error();
    if (!*value) continue;
    if (!key) return make_error(ErrorCode::not_configurable, "this camera has one login attempt limit: set <maxIllegalLoginTimes>");
    changes.emplace_back(key, **value);
  }
  return changes;
}

}  // namespace

void add_security_routes(http::Router& router, DeviceServices services) {
  router.add(verb::get, "/ISAPI/Security/users", security::Permission::user_management,
             [services](http::RequestContext&) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto list = new_document(doc, "UserList");
               for (const auto& account : services.accounts->list()) append_user(list, account);
               return xml_reply(doc);
             });

  // Every level reads its own account; user management reads any.
  router.add(verb::get, "/ISAPI/Security/users/{id}", security::Permission::change_own_password,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto account = find_user(services, context.path_parameters.at("id"));
               if (!account) return account.error();
               if (account->id != context.user->id && !security::level_has(context.user->level, security::Permission::user_management))
                 return make_error(ErrorCode::permission_denied, "only the administrator reads other accounts");
               pugi::xml_document doc;
               auto declaration = doc.append_child(pugi::node_declaration);
               declaration.append_attribute("version") = "1.0";
               append_user(doc, *account);
               doc.child("User").append_attribute("version") = "2.0";
               doc.child("User").append_attribute("xmlns") = k_namespace;
               return xml_reply(doc);
             });

  router.add(verb::post, "/ISAPI/Security/users", security::Permission::user_management,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "User");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto user = std::get<pugi::xml_node>(parsed);
               const auto name = text_at(user, {"userName"});
               const auto password = text_at(user, {"password"});
               if (!name || !password) return make_error(ErrorCode::invalid_argument, "a User needs <userName> and <password>");
               auto level = level_in(user);
               if (!level) return level.error();
               auto added = services.accounts->add(*name, *password, level->value_or(security::UserLevel::user));
               if (!added) return added.error();
               ResponseStatus status;
               status.id = added->id;
               return status_reply(context, status);
             });

  router.add(verb::put, "/ISAPI/Security/users/{id}", security::Permission::change_own_password,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto account = find_user(services, context.path_parameters.at("id"));
               if (!account) return account.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "User");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto user = std::get<pugi::xml_node>(parsed);
               auto level = level_in(user);
               if (!level) return level.error();
               const bool manager = security::level_has(context.user->level, security::Permission::user_management);
               if (!manager && (account->id != context.user->id || (*level && **level != account->level)))
                 return make_error(ErrorCode::permission_denied, "only the administrator changes other accounts or levels");
               if (auto name = text_at(user, {"userName"}); name && *name != account->name)
                 return make_error(ErrorCode::not_configurable, "a user name cannot change; delete and add the account");
               auto password = text_at(user, {"password"});
               if (auto modified = services.accounts->modify(account->id, password, *level); !modified) return modified.error();
               if (services.sessions && (password || *level)) services.sessions->close_all(account->id);
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::delete_, "/ISAPI/Security/users/{id}", security::Permission::user_management,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto account = find_user(services, context.path_parameters.at("id"));
               if (!account) return account.error();
               if (auto removed = services.accounts->remove(account->id); !removed) return removed.error();
               if (services.sessions) services.sessions->close_all(account->id);
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::get, "/ISAPI/Security/userCheck", security::Permission::view_information,
             [](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto root = new_document(doc, "userCheck");
               root.append_child("statusValue").text() = 200;
               root.append_child("statusString").text() = "OK";
               root.append_child("userName").text() = context.user->name.c_str();
               root.append_child("userLevel").text() = std::string(security::to_string(context.user->level)).c_str();
               root.append_child("isDefaultPassword").text() = false;
               return xml_reply(doc);
             });

  router.add(verb::get, "/ISAPI/Security/illegalLoginLock", security::Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> { return illegal_login_lock_document(services); });
  router.add(verb::put, "/ISAPI/Security/illegalLoginLock", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "IllegalLoginLock");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               auto changes = illegal_login_lock_changes(services, std::get<pugi::xml_node>(parsed));
               if (!changes) return changes.error();
               if (!changes->empty())
                 if (auto applied = services.config->apply(*changes); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });

  if (!services.sessions) return;
  // A web session opens after a Digest or Basic login and then stands for it through the
  // WebSession cookie until logout or Control Timeout.
  router.add(verb::post, "/ISAPI/Security/sessionLogin", security::Permission::view_information,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto token = services.sessions->open(*context.user, context.client_address);
               if (!token) return token.error();
               pugi::xml_document doc;
               auto root = new_document(doc, "SessionLogin");
               root.append_child("statusValue").text() = 200;
               root.append_child("userName").text() = context.user->name.c_str();
               root.append_child("sessionID").text() = token->c_str();
               auto reply = xml_reply(doc);
               reply.response.set(http::beast_http::field::set_cookie,
                                  std::string(security::WebSessions::k_cookie_name) + "=" + *token + "; Path=/; HttpOnly");
               return reply;
             });
  router.add(verb::put, "/ISAPI/Security/sessionLogout", security::Permission::view_information,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto cookie = context.message[http::beast_http::field::cookie];
               const auto token = security::session_token_in(std::string_view(cookie.data(), cookie.size()));
               if (!services.sessions->close(token))
                 return make_error(ErrorCode::not_found, "no web session to log out: send its WebSession cookie");
               auto reply = status_reply(context, ResponseStatus{});
               reply.response.set(http::beast_http::field::set_cookie,
                                  std::string(security::WebSessions::k_cookie_name) + "=; Path=/; Max-Age=0");
               return reply;
             });
  router.add(verb::get, "/ISAPI/Security/onlineUser", security::Permission::user_management,
             [services](http::RequestContext&) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto list = new_document(doc, "OnlineUserList");
               int id = 0;
               for (const auto& user : services.sessions->online()) {
                 auto node = list.append_child("OnlineUser");
                 node.append_child("id").text() = ++id;
                 node.append_child("userName").text() = user.name.c_str();
                 node.append_child("userType").text() = std::string(security::to_string(user.level)).c_str();
                 node.append_child("clientAddress").append_child("ipAddress").text() = user.address.c_str();
                 node.append_child("loginTime").text() = core::format_utc_iso8601(user.login_time).c_str();
               }
               return xml_reply(doc);
             });
}

}  // namespace camrig::isapi
