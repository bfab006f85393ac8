// Escaping for text written into XML by hand (element text and double-quoted attribute values):
// the documents built as strings share it (ONVIF discovery datagrams and event messages, the
// bench's HTML report, whose text needs the same four characters escaped).
#pragma once

#include <string>
#include <string_view>

namespace camrig::core {

inline std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace camrig::core
