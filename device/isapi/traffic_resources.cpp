// /ISAPI/Traffic: the LPR camera's vehicle allowlist and blocklist (licensePlateAuditData: search,
// add/edit, delete, clear, import/export files, a plate lookup) and the allowlist fuzzy matching
// settings. Only profiles with licence plate recognition have these routes; paths in device/traffic/README.md.
#include <charconv>

#include <nlohmann/json.hpp>

#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "device/traffic/list_file.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;
using traffic::PlateEntry;

Result<std::int64_t> whole_number(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0)
    return make_error(ErrorCode::invalid_argument, std::string(what) + " must be a whole number (got '" + std::string(text) + "')");
  return value;
}

Result<std::optional<traffic::ListType>> list_in_query(const http::RequestContext& context) {
  const auto text = context.query_value("listType");
  if (!text || text->empty()) return std::optional<traffic::ListType>{};
  const auto list = traffic::parse_list_type(*text);
  if (!list) return make_error(ErrorCode::invalid_argument, "listType must be allowlist or blocklist (got '" + *text + "')");
  return std::optional<traffic::ListType>{*list};
}

bool wants_json(const http::RequestContext& context) {
  const auto format = context.query_value("format");
  return format && *format == "json";
}

http::Reply json_reply(const nlohmann::json& doc) {
  http::Reply reply;
  reply.response.set(http::beast_http::field::content_type, "application/json; charset=\"UTF-8\"");
  reply.response.body() = doc.dump(1);
  return reply;
}

nlohmann::json entry_json(const PlateEntry& entry, hal::WallTime now) {
  return {{"id", entry.id},
          {"licensePlate", entry.plate},
          {"listType", traffic::to_string(entry.list)},
          {"startTime", entry.start ? traffic::format_time(*entry.start) : ""},
          {"endTime", entry.end ? traffic::format_time(*entry.end) : ""},
          {"ownerName", entry.owner_name},
          {"cardNo", entry.card_number},
          {"phoneNo", entry.phone_number},
          {"status", traffic::to_string(entry.status_at(now))}};
}

void append_entry(pugi::xml_node parent, const PlateEntry& entry, hal::WallTime now) {
  auto node = parent.append_child("LicensePlateInfo");
  node.append_child("id").text() = static_cast<long long>(entry.id);
  node.append_child("licensePlate").text() = entry.plate.c_str();
  node.append_child("listType").text() = std::string(traffic::to_string(entry.list)).c_str();
  node.append_child("startTime").text() = entry.start ? traffic::format_time(*entry.start).c_str() : "";
  node.append_child("endTime").text() = entry.end ? traffic::format_time(*entry.end).c_str() : "";
  node.append_child("ownerName").text() = entry.owner_name.c_str();
  node.append_child("cardNo").text() = entry.card_number.c_str();
  node.append_child("phoneNo").text() = entry.phone_number.c_str();
  node.append_child("status").text() = std::string(traffic::to_string(entry.status_at(now))).c_str();
}

Result<PlateEntry> entry_from(pugi::xml_node node) {
  PlateEntry entry;
  if (auto id = text_at(node, {"id"}); id && !id->empty()) {
    auto value = whole_number(*id, "<id>");
    if (!value) return value.error();
    entry.id = *value;
  }
  entry.plate = text_at(node, {"licensePlate"}).value_or("");
  const auto list = text_at(node, {"listType"});
  if (!list) return make_error(ErrorCode::invalid_argument, "<listType> (allowlist or blocklist) is required");
  const auto type = traffic::parse_list_type(*list);
  if (!type) return make_error(ErrorCode::invalid_argument, "<listType> must be allowlist or blocklist (got '" + *list + "')");
  entry.list = *type;
  for (const char* name : {"startTime", "endTime"}) {
    const auto text = text_at(node, {name});
    if (!text || text->empty()) continue;
    auto time = traffic::parse_time(*text);
    if (!time) return make_error(time.error().code, "<" + std::string(name) + ">: " + time.error().message);
    (std::string_view(name) == "startTime" ? entry.start : entry.end) = *time;
  }
  entry.owner_name = text_at(node, {"ownerName"}).value_or("");
  entry.card_number = text_at(node, {"cardNo"}).value_or("");
  entry.phone_number = text_at(node, {"phoneNo"}).value_or("");
  return entry;
}

http::Reply fuzzy_document(const DeviceServices& services) {
  const auto& config = *services.config;
  pugi::xml_document doc;
  auto root = new_document(doc, "FuzzyMatch");
  root.append_child("enabled").text() = config.get_bool("traffic.fuzzy_match.enabled");
  root.append_child("missingEndCharacter").text() = config.get_bool("traffic.fuzzy_match.missing_end_character");
  root.append_child("extraEndCharacter").text() = config.get_bool("traffic.fuzzy_match.extra_end_character");
  root.append_child("misreadCharacters").text() = static_cast<long long>(config.get_int("traffic.fuzzy_match.misread_characters"));
  auto list = root.append_child("CharacterRuleList");
  auto rules = traffic::parse_character_rules(config.get_string("traffic.fuzzy_match.interchangeable_characters"));
  for (const auto& [a, b] : rules ? *rules : std::vector<traffic::CharacterRule>{}) {
    auto rule = list.append_child("CharacterRule");
    rule.append_child("character").text() = std::string(1, a).c_str();
    rule.append_child("interchangeableWith").text() = std::string(1, b).c_str();
  }
  return xml_reply(doc);
}

Result<std::vector<core::ConfigService::Change>> fuzzy_changes(pugi::xml_node root) {
  std::vector<core::ConfigService::Change> changes;
  const std::pair<const char*, const char*> switches[] = {
      {"enabled", "traffic.fuzzy_match.enabled"},
      {"missingEndCharacter", "traffic.fuzzy_match.missing_end_character"},
      {"extraEndCharacter", "traffic.fuzzy_match.extra_end_character"},
  };
  for (const auto& [name, key] : switches) {
    const auto value = bool_at(root, {name});
    if (!value) return value.error();
    if (*value) changes.emplace_back(key, **value);
  }
  if (const auto text = text_at(root, {"misreadCharacters"})) {
    auto count = whole_number(*text, "<misreadCharacters>");
    if (!count) return count.error();
    changes.emplace_back("traffic.fuzzy_match.misread_characters", *count);
  }
  if (const auto list = child(root, "CharacterRuleList")) {
    std::string text;
    for (auto rule : list.children()) {
      if (local_name(rule) != "CharacterRule") continue;
      if (!text.empty()) text += ',';
      text += text_at(rule, {"character"}).value_or("") + "<->" + text_at(rule, {"interchangeableWith"}).value_or("");
    }
    auto rules = traffic::parse_character_rules(text);
    if (!rules) return rules.error();
    changes.emplace_back("traffic.fuzzy_match.interchangeable_characters", traffic::format_character_rules(*rules));
  }
  return changes;
}

std::string list_secret_key(const http::RequestContext& context) { return context.query_value("secretkey").value_or(""); }

}  // namespace

void add_traffic_routes(http::Router& router, DeviceServices services) {
  const std::string base = "/ISAPI/Traffic/channels/{channel}/licensePlateAuditData";
  auto* plates = services.plates;

  router.add(verb::get, base, security::Permission::parameter_settings,
             [services, plates](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               traffic::PlateQuery query;
               auto list = list_in_query(context);
               if (!list) return list.error();
               query.list = *list;
               query.plate_contains = context.query_value("licensePlate").value_or("");
               if (const auto status = context.query_value("status"); status && !status->empty()) {
                 query.status = traffic::parse_entry_status(*status);
                 if (!query.status)
                   return make_error(ErrorCode::invalid_argument, "status must be active or expired (got '" + *status + "')");
               }
               for (const auto& [name, field] : {std::pair{"searchResultPosition", &query.offset}, std::pair{"maxResults", &query.limit}}) {
                 if (const auto text = context.query_value(name)) {
                   auto value = whole_number(*text, name);
                   if (!value) return value.error();
                   *field = static_cast<std::size_t>(*value);
                 }
               }
               if (query.limit == 0 || query.limit > 1000)
                 return make_error(ErrorCode::out_of_range, "maxResults must be 1 to 1000");
               const auto found = plates->search(query);
               const auto now = plates->now();
               if (wants_json(context)) {
                 nlohmann::json entries = nlohmann::json::array();
                 for (const auto& entry : found.entries) entries.push_back(entry_json(entry, now));
                 return json_reply({{"LicensePlateInfoList",
                                     {{"totalMatches", found.total}, {"numOfMatches", found.entries.size()}, {"LicensePlateInfo", entries}}}});
               }
               pugi::xml_document doc;
               auto root = new_document(doc, "LicensePlateInfoList");
               root.append_child("totalMatches").text() = static_cast<unsigned long long>(found.total);
               root.append_child("numOfMatches").text() = static_cast<unsigned long long>(found.entries.size());
               for (const auto& entry : found.entries) append_entry(root, entry, now);
               return xml_reply(doc);
             });

  // Entries with an <id> are edited, the others added; all of them or none.
  router.add(verb::put, base, security::Permission::parameter_settings,
             [services, plates](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "LicensePlateInfoList");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               std::vector<PlateEntry> entries;
               for (auto node : std::get<pugi::xml_node>(parsed).children()) {
                 if (local_name(node) != "LicensePlateInfo") continue;
                 auto entry = entry_from(node);
                 if (!entry)
                   return make_error(entry.error().code, "LicensePlateInfo " + std::to_string(entries.size() + 1) + ": " + entry.error().message);
                 entries.push_back(std::move(*entry));
               }
               if (entries.empty()) return make_error(ErrorCode::invalid_argument, "the LicensePlateInfoList holds no LicensePlateInfo");
               std::vector<std::string> labels;
               for (std::size_t i = 0; i < entries.size(); ++i) labels.push_back("LicensePlateInfo " + std::to_string(i + 1));
               auto stored = plates->apply_batch(std::move(entries), labels, false);
               if (!stored) return stored.error();
               ResponseStatus status;
               if (stored->size() == 1) status.id = static_cast<int>(stored->front().id);
               return status_reply(context, status);
             });

  // ?id=N deletes one entry; ?listType=L clears a list ("Clear"), with &status=expired only its
  // expired entries ("Clear Expired Data").
  router.add(verb::delete_, base, security::Permission::parameter_settings,
             [services, plates](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               if (const auto id = context.query_value("id")) {
                 auto value = whole_number(*id, "id");
                 if (!value) return value.error();
                 if (auto removed = plates->remove(*value); !removed) return removed.error();
                 return status_reply(context, ResponseStatus{});
               }
               auto list = list_in_query(context);
               if (!list) return list.error();
               if (!*list)
                 return make_error(ErrorCode::invalid_argument,
                                   "say what to delete: ?id=<entry>, ?listType=allowlist|blocklist, or with &status=expired");
               const auto status = context.query_value("status");
               if (status && *status != "expired")
                 return make_error(ErrorCode::invalid_argument, "only status=expired can be cleared (got '" + *status + "')");
               auto cleared = status ? plates->clear_expired(**list) : plates->clear(**list);
               if (!cleared) return cleared.error();
               return status_reply(context, ResponseStatus{});
             });

  // What the camera makes of a read plate: the verdict, and which entry and rule decided it.
  router.add(verb::get, base + "/record", security::Permission::parameter_settings,
             [services, plates](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               const auto plate = context.query_value("licensePlate");
               if (!plate || plate->empty()) return make_error(ErrorCode::invalid_argument, "give the read plate: ?licensePlate=ABC123");
               auto settings = traffic::FuzzySettings::from_config(*services.config);
               if (!settings) return settings.error();
               const auto result = plates->lookup(*plate, traffic::FuzzyMatcher(*settings));
               const auto now = plates->now();
               if (wants_json(context)) {
                 nlohmann::json record{{"licensePlate", *plate}, {"verdict", traffic::to_string(result.verdict)}};
                 if (result.match) {
                   record["matchRule"] = traffic::to_string(result.match->rule);
                   record["LicensePlateInfo"] = entry_json(result.match->entry, now);
                 }
                 return json_reply({{"LicensePlateRecord", record}});
               }
               pugi::xml_document doc;
               auto root = new_document(doc, "LicensePlateRecord");
               root.append_child("licensePlate").text() = plate->c_str();
               root.append_child("verdict").text() = std::string(traffic::to_string(result.verdict)).c_str();
               if (result.match) {
                 root.append_child("matchRule").text() = std::string(traffic::to_string(result.match->rule)).c_str();
                 append_entry(root, result.match->entry, now);
               }
               return xml_reply(doc);
             });

  // The body is the file itself (CSV or .xlsx; encrypted files need ?secretkey=).
  router.add(verb::put, base + "/import", security::Permission::parameter_settings,
             [services, plates](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               auto imported = traffic::import_list_file(*plates, context.message.body(), list_secret_key(context));
               if (!imported) return imported.error();
               return status_reply(context, ResponseStatus{});
             });

  // ?format=csv|xlsx (csv by default), ?listType= for one list, ?secretkey= to encrypt.
  router.add(verb::get, base + "/export", security::Permission::parameter_settings,
             [services, plates](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               const auto format_text = context.query_value("format").value_or("csv");
               const auto format = traffic::parse_list_file_format(format_text);
               if (!format) return make_error(ErrorCode::invalid_argument, "format must be csv or xlsx (got '" + format_text + "')");
               auto list = list_in_query(context);
               if (!list) return list.error();
               auto file = traffic::export_list_file(plates->entries(*list), *format);
               std::string name = "plates." + std::string(traffic::file_extension(*format));
               std::string type(traffic::content_type(*format));
               if (const auto password = list_secret_key(context); !password.empty()) {
                 auto sealed = traffic::encrypt_list_file(file, password);
                 if (!sealed) return sealed.error();
                 file = std::move(*sealed);
                 name += ".enc";
                 type = "application/octet-stream";
               }
               http::Reply reply;
               reply.response.set(http::beast_http::field::content_type, type);
               reply.response.set(http::beast_http::field::content_disposition, "attachment; filename=\"" + name + "\"");
               reply.response.body() = std::move(file);
               return reply;
             });

  router.add(verb::get, "/ISAPI/Traffic/channels/{channel}/fuzzyMatch", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               return fuzzy_document(services);
             });

  router.add(verb::put, "/ISAPI/Traffic/channels/{channel}/fuzzyMatch", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "FuzzyMatch");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               auto changes = fuzzy_changes(std::get<pugi::xml_node>(parsed));
               if (!changes) return changes.error();
               if (auto applied = services.config->apply(*changes); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace camrig::isapi
