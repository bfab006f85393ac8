// An email as the camera sends it: sender, up to 3 receivers, subject, a plain-text body and JPEG
// attachments, rendered as an RFC 5322 / MIME message (multipart/mixed when pictures are
// attached). The SMTP client sends the rendered text; nothing here touches the network.
#pragma once

#include <string>
#include <vector>

#include "device/hal/clock.hpp"

namespace camrig::events {

struct MailAddress {
  std::string name;     //!< display name; may be empty
  std::string address;  //!< "user@example.com"
};

struct MailAttachment {
  std::string file_name;  //!< "picture1.jpg"
  std::string jpeg;       //!< the bytes of the picture
};

struct EmailMessage {
  MailAddress from;
  std::vector<MailAddress> to;
  std::string subject;
  std::string body;  //!< plain text, lines separated by '\n'
  std::vector<MailAttachment> attachments;
  hal::WallTime date{};
};

//! The message as sent after DATA: CRLF line ends, headers first, pictures base64-encoded.
//! Non-ASCII names and subjects are RFC 2047 encoded. `boundary` separates the MIME parts.
std::string render_message(const EmailMessage& message, const std::string& boundary);

//! The DATA form of a rendered message: lines starting with '.' doubled (RFC 5321 4.5.2) and the
//! terminating "\r\n.\r\n" appended.
std::string dot_stuff(const std::string& rendered);

}  // namespace camrig::events
