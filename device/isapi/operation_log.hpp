// The system log entry an ISAPI operation leaves: who (account, client address) did what.
#pragma once

#include <string>

#include "device/http/router.hpp"
#include "device/storage/system_log.hpp"

namespace camrig::isapi {

//! Appends an Operation entry ("Remote: Reboot") for the request's user; does nothing without a log.
inline void log_operation(storage::SystemLog* log, const http::RequestContext& context, std::string minor,
                          std::string description = {}) {
  if (!log) return;
  storage::LogEntry entry;
  entry.major = storage::LogMajor::operation;
  entry.minor = std::move(minor);
  entry.user = context.user ? context.user->name : std::string();
  entry.remote_address = context.client_address;
  entry.description = std::move(description);
  (void)log->append(std::move(entry));  // a full or failing log must not fail the operation itself
}

}  // namespace camrig::isapi
