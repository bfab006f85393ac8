// POST /ISAPI/ContentMgmt/logSearch: the system log ("Log Search") in Hikvision's
// CMSearchDescription / CMSearchResult form. The log type is the metaId
// "log.std-cgi.com/<Major>/<Minor>" (either part may be "ALL" or left out); times are shown in
// the device's time zone, and paging is maxResults with searchResultPostion.
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "device/system/time_settings.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

constexpr std::string_view k_meta_prefix = "log.std-cgi.com";
constexpr std::size_t k_max_results = 1000;

Result<std::size_t> count_at(pugi::xml_node node, std::initializer_list<std::string_view> path, std::size_t fallback,
                             const char* name) {
  const auto text = text_at(node, path);
  if (!text) return fallback;
  if (const auto value = parse_integer(*text); value && *value >= 0) return static_cast<std::size_t>(*value);
  return make_error(ErrorCode::invalid_argument, std::string("<") + name + "> must be a whole number (got '" + *text + "')");
}

// "log.std-cgi.com/Operation/Remote: Login" → major and minor of the query.
Result<void> parse_meta_id(const std::string& meta, storage::LogQuery& query) {
  if (!meta.starts_with(k_meta_prefix))
    return make_error(ErrorCode::invalid_argument, "metaId must start with log.std-cgi.com (got '" + meta + "')");
  std::string rest = meta.substr(k_meta_prefix.size());
  if (rest.empty()) return {};
  if (rest.front() != '/') return make_error(ErrorCode::invalid_argument, "metaId must look like log.std-cgi.com/Operation/ALL");
  rest.erase(0, 1);
  const auto slash = rest.find('/');
  const std::string major = rest.substr(0, slash);
  const std::string minor = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
  if (!major.empty() && major != "ALL") {
    query.major = storage::log_major_from_string(major);
    if (!query.major)
      return make_error(ErrorCode::out_of_range,
                        "the major log type must be Alarm, Exception, Operation, Information or ALL (got '" + major + "')");
  }
  if (minor != "ALL") query.minor = minor;
  return {};
}

}  // namespace

void add_log_routes(http::Router& router, DeviceServices services) {
  router.add(verb::post, "/ISAPI/ContentMgmt/logSearch", security::Permission::maintenance,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "CMSearchDescription");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto description = std::get<pugi::xml_node>(parsed);
               auto zone = system::configured_time_zone(*services.config);
               if (!zone) return zone.error();

               storage::LogQuery query;
               if (auto meta = text_at(description, {"metaId"}))
                 if (auto understood = parse_meta_id(*meta, query); !understood) return understood.error();
               const auto span = child(child(description, "timeSpanList"), "timeSpan");
               for (const auto& [name, bound] : {std::pair{"startTime", &query.from}, std::pair{"endTime", &query.to}}) {
                 if (auto text = text_at(span, {name})) {
                   auto time = system::parse_local_time(*zone, *text);
                   if (!time) return time.error();
                   *bound = *time;
                 }
               }
               auto limit = count_at(description, {"maxResults"}, 100, "maxResults");
               if (!limit) return limit.error();
               if (*limit == 0 || *limit > k_max_results)
                 return make_error(ErrorCode::out_of_range, "maxResults must be 1 to " + std::to_string(k_max_results));
               query.limit = *limit;
               // Hikvision spells it searchResultPostion; the correct spelling is accepted too.
               auto offset = count_at(description, {"searchResultPostion"}, 0, "searchResultPostion");
               if (!offset) return offset.error();
               if (*offset == 0) offset = count_at(description, {"searchResultPosition"}, 0, "searchResultPosition");
               if (!offset) return offset.error();
               query.offset = *offset;

               auto page = services.system_log->search(query);
               if (!page) return page.error();
               pugi::xml_document out;
               auto result = new_document(out, "CMSearchResult");
               result.append_child("searchID").text() = text_at(description, {"searchID"}).value_or("").c_str();
               result.append_child("responseStatus").text() = "true";
               const bool more = query.offset + page->entries.size() < page->total;
               result.append_child("responseStatusStrg").text() =
                   page->entries.empty() ? "NO MATCHES" : (more ? "MORE" : "OK");
               result.append_child("numOfMatches").text() = static_cast<unsigned long long>(page->entries.size());
               result.append_child("totalMatches").text() = static_cast<unsigned long long>(page->total);
               auto matches = result.append_child("matchList");
               for (const auto& entry : page->entries) {
                 auto log = matches.append_child("searchMatchItem").append_child("logDescriptor");
                 const std::string major = storage::to_string(entry.major);
                 log.append_child("metaId").text() = (std::string(k_meta_prefix) + "/" + major + "/" + entry.minor).c_str();
                 log.append_child("StartDateTime").text() = system::format_local_time(*zone, entry.time).c_str();
                 log.append_child("majorType").text() = major.c_str();
                 log.append_child("minorType").text() = entry.minor.c_str();
                 log.append_child("userName").text() = entry.user.c_str();
                 log.append_child("ipAddress").text() = entry.remote_address.c_str();
                 log.append_child("channel").text() = entry.channel.c_str();
                 log.append_child("info").text() = entry.description.c_str();
               }
               return xml_reply(out);
             });
}

}  // namespace camrig::isapi
