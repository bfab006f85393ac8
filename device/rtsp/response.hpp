// An RTSP response under construction and its wire form. Every response the server sends,
// success or error, goes through serialize(), so framing (CSeq echo, Content-Length) is uniform.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace camrig::rtsp {

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  Response& set(std::string name, std::string value);
  //! Status line, headers, Content-Length when there is a body, blank line, body.
  std::string serialize() const;
};

}  // namespace camrig::rtsp
