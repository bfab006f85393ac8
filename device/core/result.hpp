// Errors that cross module boundaries: a value with a message a user can act on.
// Result<T> holds either a T or an Error (std::expected is C++23; this is the C++20 subset we use).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace camrig {

//! What went wrong, in terms each protocol maps to its own status (RTSP status, ISAPI
//! subStatusCode, SOAP fault) in one place.
enum class ErrorCode {
  invalid_argument,     //!< malformed or wrong type
  out_of_range,         //!< well-formed but outside the allowed range or list
  not_configurable,     //!< refused by the current state of another setting
  not_found,
  already_exists,
  permission_denied,
  unavailable,          //!< busy, over a limit, or the resource is not ready
  io_error,
  internal,
};

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace camrig
