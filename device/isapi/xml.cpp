#include "device/isapi/xml.hpp"

#include <charconv>
#include <limits>

#include <sstream>

#include "device/core/text.hpp"

namespace camrig::isapi {

pugi::xml_node new_document(pugi::xml_document& doc, const char* root_name) {
  auto declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child(root_name);
  root.append_attribute("version") = "2.0";
  root.append_attribute("xmlns") = k_namespace;
  return root;
}

std::string_view local_name(pugi::xml_node node) {
  std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node node, std::string_view name) {
  for (auto element = node.first_child(); element; element = element.next_sibling())
    if (element.type() == pugi::node_element && local_name(element) == name) return element;
  return {};
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int> parse_int(std::string_view text) {
  const auto value = parse_integer(text);
  if (!value || *value < std::numeric_limits<int>::min() || *value > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(*value);
}

std::optional<std::string> text_at(pugi::xml_node node, std::initializer_list<std::string_view> path) {
  for (const auto name : path) {
    node = child(node, name);
    if (!node) return std::nullopt;
  }
  return std::string(text::trim(node.text().get()));
}

Result<int> element_int(const std::string& text, std::string_view element) {
  if (const auto value = parse_int(text)) return *value;
  // Appended rather than a + chain, which GCC 12 inlines here into a false -Wstringop-overflow.
  return make_error(ErrorCode::invalid_argument,
                    std::string("<").append(element).append("> must be an integer (got '").append(text).append("')"));
}

Result<bool> element_bool(const std::string& text, std::string_view element) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return make_error(ErrorCode::invalid_argument,
                    std::string("<").append(element).append("> must be true or false (got '").append(text).append("')"));
}

Result<std::optional<bool>> bool_at(pugi::xml_node node, std::initializer_list<std::string_view> path) {
  const auto text = text_at(node, path);
  if (!text) return std::optional<bool>{};
  auto value = element_bool(*text, *(path.end() - 1));
  if (!value) return value.error();
  return std::optional<bool>{*value};
}

void append_screen(pugi::xml_node node) {
  auto screen = node.append_child("normalizedScreenSize");
  screen.append_child("normalizedScreenWidth").text() = k_screen_width;
  screen.append_child("normalizedScreenHeight").text() = k_screen_height;
}

std::variant<pugi::xml_node, ResponseStatus> parse_body(pugi::xml_document& doc, const http::RequestContext& context,
                                                        std::string_view root_name) {
  const auto& body = context.message.body();
  const auto parsed = doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return bad_xml_format(std::string("the body is not well-formed XML: ") + parsed.description() +
                                     " at offset " + std::to_string(parsed.offset));
  auto root = doc.document_element();
  if (local_name(root) != root_name)
    return bad_xml_format("expected a " + std::string(root_name) + " document, got " + std::string(local_name(root)));
  return root;
}

http::Reply xml_reply(const pugi::xml_document& doc) {
  http::Reply reply;
  std::ostringstream out;
  doc.save(out, "  ");
  reply.response.result(http::beast_http::status::ok);
  reply.response.set(http::beast_http::field::content_type, "application/xml; charset=\"UTF-8\"");
  reply.response.body() = out.str();
  return reply;
}

http::Reply status_reply(const http::RequestContext& context, const ResponseStatus& status) {
  return http::Reply{render(context, status), nullptr};
}

}  // namespace camrig::isapi
