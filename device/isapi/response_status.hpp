// Hikvision's ResponseStatus document, the answer to every ISAPI write and every ISAPI error:
// requestURL, statusCode/statusString, subStatusCode, errorCode, errorMsg. The mapping from a
// camrig Error (and the HTTP status the router chose) to those fields lives here, once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "device/core/result.hpp"
#include "device/http/router.hpp"

namespace camrig::isapi {

inline constexpr const char* k_namespace = "http://www.hikvision.com/ver20/XMLSchema";

struct ResponseStatus {
  http::beast_http::status http_status = http::beast_http::status::ok;
  int status_code = 1;  //!< 1 OK, 2 Device Busy, 3 Device Error, 4 Invalid Operation, 5 Invalid XML Format, 6 Invalid XML Content
  std::string status_string = "OK";
  std::string sub_status_code = "ok";
  std::uint32_t error_code = 1;
  std::string error_msg = "ok";
  std::optional<int> id;  //!< the created resource, after a POST
};

//! The one mapping of errors to ISAPI statuses. `http_status` is http::status_for(error) unless the
//! router refused the request itself (401, 403 locked or low privilege, 404, 405).
ResponseStatus response_status_for(const Error& error, http::beast_http::status http_status);
//! A body that is not well-formed XML (statusCode 5, badXmlFormat).
ResponseStatus bad_xml_format(std::string message);
//! Every API but activation and device information answers this until the device is activated.
ResponseStatus not_activated();

//! The ResponseStatus as XML, or as JSON when the request asked for ?format=json.
http::Response render(const http::RequestContext& context, const ResponseStatus& status);

}  // namespace camrig::isapi
