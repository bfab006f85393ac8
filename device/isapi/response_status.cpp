#include "device/isapi/response_status.hpp"

#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

namespace camrig::isapi {
namespace {

using http::beast_http::status;

ResponseStatus make(status http_status, int code, const char* text, const char* sub, std::uint32_t error_code,
                    std::string message) {
  return ResponseStatus{http_status, code, text, sub, error_code, std::move(message), std::nullopt};
}

}  // namespace

// errorCode follows Hikvision's layout: statusCode in the top nibble, a sub-status number below.
ResponseStatus response_status_for(const Error& error, status http_status) {
  switch (http_status) {
    case status::unauthorized: return make(http_status, 4, "Invalid Operation", "unAuthorized", 0x40000001, error.message);
    case status::method_not_allowed:
    case status::not_found:
      if (error.code == ErrorCode::not_found && http_status == status::method_not_allowed)
        return make(http_status, 4, "Invalid Operation", "notSupport", 0x40000002, error.message);
      break;
    case status::forbidden:
      if (error.code == ErrorCode::unavailable)
        return make(http_status, 4, "Invalid Operation", "ipLocked", 0x40000003, error.message);
      break;
    default: break;
  }
  switch (error.code) {
    case ErrorCode::invalid_argument:
    case ErrorCode::out_of_range: return make(http_status, 6, "Invalid XML Content", "badParameters", 0x60000001, error.message);
    case ErrorCode::already_exists: return make(http_status, 6, "Invalid XML Content", "nameExist", 0x60000002, error.message);
    case ErrorCode::not_configurable:
      return make(http_status, 4, "Invalid Operation", "invalidOperation", 0x40000004, error.message);
    case ErrorCode::permission_denied: return make(http_status, 4, "Invalid Operation", "lowPrivilege", 0x40000005, error.message);
    case ErrorCode::not_found: return make(http_status, 4, "Invalid Operation", "notSupport", 0x40000002, error.message);
    case ErrorCode::unavailable: return make(http_status, 2, "Device Busy", "deviceBusy", 0x20000001, error.message);
    case ErrorCode::io_error:
    case ErrorCode::internal: return make(http_status, 3, "Device Error", "deviceError", 0x30000001, error.message);
  }
  return make(http_status, 3, "Device Error", "deviceError", 0x30000001, error.message);
}

ResponseStatus bad_xml_format(std::string message) {
  return make(status::bad_request, 5, "Invalid XML Format", "badXmlFormat", 0x50000001, std::move(message));
}

ResponseStatus not_activated() {
  return make(status::forbidden, 4, "Invalid Operation", "notActivated", 0x40000006,
              "the device is not activated: set the admin password with PUT /ISAPI/System/activate");
}

http::Response render(const http::RequestContext& context, const ResponseStatus& status) {
  http::Response response{status.http_status, context.message.version()};
  const auto format = context.query.find("format");
  if (format != context.query.end() && format->second == "json") {
    nlohmann::json doc{{"requestURL", context.path},          {"statusCode", status.status_code},
                       {"statusString", status.status_string}, {"subStatusCode", status.sub_status_code},
                       {"errorCode", status.error_code},       {"errorMsg", status.error_msg}};
    if (status.id) doc["id"] = *status.id;
    response.set(http::beast_http::field::content_type, "application/json; charset=\"UTF-8\"");
    // Messages quote what the client sent; bytes that are not UTF-8 become U+FFFD instead of throwing.
    response.body() = doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
  }
  pugi::xml_document doc;
  auto declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child("ResponseStatus");
  root.append_attribute("version") = "2.0";
  root.append_attribute("xmlns") = k_namespace;
  root.append_child("requestURL").text() = context.path.c_str();
  root.append_child("statusCode").text() = status.status_code;
  root.append_child("statusString").text() = status.status_string.c_str();
  if (status.id) root.append_child("id").text() = *status.id;
  root.append_child("subStatusCode").text() = status.sub_status_code.c_str();
  root.append_child("errorCode").text() = status.error_code;
  root.append_child("errorMsg").text() = status.error_msg.c_str();
  std::ostringstream out;
  doc.save(out, "  ");
  response.set(http::beast_http::field::content_type, "application/xml; charset=\"UTF-8\"");
  response.body() = out.str();
  return response;
}

}  // namespace camrig::isapi
