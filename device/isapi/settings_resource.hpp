// A settings document over the config service: each element of an ISAPI document names one
// parameter, GET renders the current values and PUT stores the given ones all or nothing, so
// every settings resource that is a flat view of parameters is declared as a table, not coded.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <pugixml.hpp>

#include "device/core/config_service.hpp"
#include "device/http/router.hpp"
#include "device/isapi/isapi.hpp"

namespace camrig::isapi {

//! One element of a settings document and the parameter behind it; `group` nests it one level.
struct SettingsField {
  const char* group;  //!< "" for a direct child of the root
  const char* element;
  const char* key;
  bool write_only = false;  //!< accepted on PUT, never shown (passwords)
};

//! Runs before GET and PUT (e.g. "the channel in the path exists").
using RequestCheck = std::function<Result<void>(const http::RequestContext&)>;
//! Runs on a PUT's document before anything is stored (checks the parameters cannot express).
using DocumentCheck = std::function<Result<void>(pugi::xml_node root)>;

//! Appends each field's current value under `root` (write-only ones left out), groups created as needed.
void append_settings(pugi::xml_node root, const core::ConfigService& config, const std::vector<SettingsField>& fields);
//! The changes a document asks for, each value parsed by its parameter's spec; elements left out
//! are not changed. For documents that add parts of their own before applying them all together.
Result<std::vector<core::ConfigService::Change>> settings_changes(const core::ConfigService& config, pugi::xml_node root,
                                                                  const std::vector<SettingsField>& fields);

http::Reply settings_document(const core::ConfigService& config, const char* root_name,
                              const std::vector<SettingsField>& fields);
//! Elements left out keep their values; all given values are checked together and stored or none.
Result<void> apply_settings_document(core::ConfigService& config, pugi::xml_node root,
                                     const std::vector<SettingsField>& fields);

//! GET and PUT of `path` under the parameter-settings permission. `fields` must outlive the router.
void add_settings_resource(http::Router& router, const DeviceServices& services, const std::string& path,
                           const char* root_name, const std::vector<SettingsField>& fields,
                           RequestCheck check_request = {}, DocumentCheck check_document = {});

}  // namespace camrig::isapi
