// XML helpers for the ISAPI documents (pugixml): new documents in Hikvision's namespace, lookup of
// children by local name whatever prefix a client used, and parsing of request bodies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <pugixml.hpp>

#include "device/http/router.hpp"
#include "device/isapi/response_status.hpp"

namespace camrig::isapi {

//! A document whose root element is `root_name`, version 2.0, in the ISAPI namespace.
pugi::xml_node new_document(pugi::xml_document& doc, const char* root_name);
//! The first child element with this local name (prefixes ignored).
pugi::xml_node child(pugi::xml_node node, std::string_view local_name);
//! The text of the child path ("Video", "videoCodecType"), trimmed; nullopt if absent.
std::optional<std::string> text_at(pugi::xml_node node, std::initializer_list<std::string_view> path);
std::string_view local_name(pugi::xml_node node);
//! A decimal whole number that is all of `text` (an optional sign, then digits); nullopt for
//! anything else, including a number outside 64 bits. Ids, counts and values of documents.
std::optional<std::int64_t> parse_integer(std::string_view text);
//! The same, within int's range.
std::optional<int> parse_int(std::string_view text);
//! The text of the element <element> as an int; invalid_argument naming the element otherwise.
Result<int> element_int(const std::string& text, std::string_view element);
//! The text of the element <element> as an xs:boolean (true, false, 1 or 0); invalid_argument
//! naming the element otherwise.
Result<bool> element_bool(const std::string& text, std::string_view element);
//! The boolean at the child path, or nullopt if the element is absent; invalid_argument if its
//! text is not a boolean.
Result<std::optional<bool>> bool_at(pugi::xml_node node, std::initializer_list<std::string_view> path);

//! ISAPI's normalised screen for positions on the picture (regions, masks, overlays): 704 x 576
//! units from the top-left corner. The Smart behaviour rules use a 1000 x 1000 one of their own.
inline constexpr int k_screen_width = 704;
inline constexpr int k_screen_height = 576;
//! <normalizedScreenSize> of that screen.
void append_screen(pugi::xml_node node);

//! Parses the request body and checks the root element; a ResponseStatus (badXmlFormat) otherwise.
std::variant<pugi::xml_node, ResponseStatus> parse_body(pugi::xml_document& doc, const http::RequestContext& context,
                                                        std::string_view root_name);

//! 200 with the document as application/xml.
http::Reply xml_reply(const pugi::xml_document& doc);
//! A ResponseStatus reply (success or refusal).
http::Reply status_reply(const http::RequestContext& context, const ResponseStatus& status);

}  // namespace camrig::isapi
