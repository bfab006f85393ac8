#include "device/isapi/settings_resource.hpp"

#include "device/isapi/xml.hpp"

namespace camrig::isapi {

using http::beast_http::verb;

void append_settings(pugi::xml_node root, const core::ConfigService& config, const std::vector<SettingsField>& fields) {
  for (const auto& field : fields) {
    if (field.write_only) continue;
    auto parent = root;
    if (*field.group) {
      parent = child(root, field.group);
      if (!parent) parent = root.append_child(field.group);
    }
    parent.append_child(field.element).text() = core::to_string(config.get(field.key)).c_str();
  }
}

Result<std::vector<core::ConfigService::Change>> settings_changes(const core::ConfigService& config, pugi::xml_node root,
                                                                  const std::vector<SettingsField>& fields) {
  std::vector<core::ConfigService::Change> changes;
  for (const auto& field : fields) {
    const auto text = *field.group ? text_at(root, {field.group, field.element}) : text_at(root, {field.element});
    if (!text) continue;
    auto value = config.spec(field.key)->parse(*text);
    if (!value) return make_error(value.error().code, "<" + std::string(field.element) + ">: " + value.error().message);
    changes.emplace_back(field.key, std::move(*value));
  }
  return changes;
}

http::Reply settings_document(const core::ConfigService& config, const char* root_name,
                              const std::vector<SettingsField>& fields) {
  pugi::xml_document doc;
  append_settings(new_document(doc, root_name), config, fields);
  return xml_reply(doc);
}

Result<void> apply_settings_document(core::ConfigService& config, pugi::xml_node root,
                                     const std::vector<SettingsField>& fields) {
  auto changes = settings_changes(config, root, fields);
  if (!changes) return changes.error();
  return config.apply(*changes);
}

void add_settings_resource(http::Router& router, const DeviceServices& services, const std::string& path,
                           const char* root_name, const std::vector<SettingsField>& fields,
                           RequestCheck check_request, DocumentCheck check_document) {
  router.add(verb::get, path, security::Permission::parameter_settings,
             [services, root_name, &fields, check_request](http::RequestContext& context) -> Result<http::Reply> {
               if (check_request)
                 if (auto checked = check_request(context); !checked) return checked.error();
               return settings_document(*services.config, root_name, fields);
             });
  router.add(verb::put, path, security::Permission::parameter_settings,
             [services, root_name, &fields, check_request, check_document](http::RequestContext& context) -> Result<http::Reply> {
               if (check_request)
                 if (auto checked = check_request(context); !checked) return checked.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, root_name);
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto root = std::get<pugi::xml_node>(parsed);
               if (check_document)
                 if (auto checked = check_document(root); !checked) return checked.error();
               if (auto applied = apply_settings_document(*services.config, root, fields); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace camrig::isapi
