// Qualified XML names ("prefix:local") as the ONVIF code meets them: element names of the documents
// read with pugixml (discovery, analytics rule parameters) and the tags gSOAP reports. Without gSOAP.
#pragma once

#include <string_view>

namespace camrig::onvif {

//! The local part of a qualified name, after its last colon ("tt:Point" -> "Point"); a name
//! without a prefix is its own local name.
inline std::string_view local_name(std::string_view qname) {
  const auto colon = qname.rfind(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

}  // namespace camrig::onvif
