#include "device/rtsp/status.hpp"

namespace camrig::rtsp {

int status_for(const RequestError& failure) {
  const auto code = failure.error.code;
  switch (code) {
    case ErrorCode::internal:
    case ErrorCode::io_error: return 500;
    case ErrorCode::permission_denied: return 403;
    default: break;
  }
  switch (failure.subject) {
    case Subject::request:
      return code == ErrorCode::out_of_range ? 413 : 400;
    case Subject::stream:
      if (code == ErrorCode::not_found) return 404;
      if (code == ErrorCode::unavailable) return 503;
      if (code == ErrorCode::out_of_range) return 415;  // a codec the payloaders do not carry
      return 400;
    case Subject::session:
      if (code == ErrorCode::not_found) return 454;
      if (code == ErrorCode::unavailable) return 453;  // session limit reached
      return 400;
    case Subject::state:
      return 455;
    case Subject::transport:
      return code == ErrorCode::invalid_argument || code == ErrorCode::out_of_range ? 461 : 400;
    case Subject::method:
      return 501;
    case Subject::version:
      return 505;
    case Subject::tunnel:
      if (code == ErrorCode::not_found) return 404;
      if (code == ErrorCode::out_of_range) return 413;
      if (code == ErrorCode::already_exists) return 409;
      return 400;
  }
  return 500;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 453: return "Not Enough Bandwidth";
    case 454: return "Session Not Found";
    case 455: return "Method Not Valid in This State";
    case 459: return "Aggregate Operation Not Allowed";
    case 461: return "Unsupported Transport";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "RTSP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace camrig::rtsp
