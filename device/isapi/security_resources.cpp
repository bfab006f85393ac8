// /ISAPI/Security: the user list (User documents: id, userName, password, userLevel) and
// userCheck. Adding and deleting accounts is the administrator's; everyone may change their own password.
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

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
  int id = 0;
  try {
    std::size_t used = 0;
    id = std::stoi(id_text, &used);
    if (used != id_text.size()) id = 0;
  } catch (const std::exception&) {
  }
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
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::delete_, "/ISAPI/Security/users/{id}", security::Permission::user_management,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto account = find_user(services, context.path_parameters.at("id"));
               if (!account) return account.error();
               if (auto removed = services.accounts->remove(account->id); !removed) return removed.error();
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
}

}  // namespace camrig::isapi
