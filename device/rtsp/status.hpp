// The one place where an error value becomes an RTSP status code. Handlers report what failed
// (the subject) and why (camrig::Error); this table decides the code the client sees.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "device/core/result.hpp"

namespace camrig::rtsp {

//! What part of a request an error is about; the same ErrorCode means different statuses for
//! different subjects (not_found is 404 for a stream but 454 for a session).
//! `tunnel` is the HTTP side of RTSP-over-HTTP (its statuses are HTTP ones).
enum class Subject { request, stream, session, state, transport, method, version, tunnel };

struct RequestError {
  Subject subject = Subject::request;
  Error error;
};

inline RequestError request_error(Subject subject, ErrorCode code, std::string message) {
  return RequestError{subject, Error{code, std::move(message)}};
}

//! RTSP status code (RFC 2326 §7.1.1) for a failed request.
int status_for(const RequestError& failure);

//! Reason phrase of a status code.
std::string_view reason_phrase(int status);

}  // namespace camrig::rtsp
