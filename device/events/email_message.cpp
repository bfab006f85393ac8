#include "device/events/email_message.hpp"

#include <cstdio>
#include <ctime>

#include "device/core/base64.hpp"

namespace camrig::events {
namespace {

bool is_ascii(const std::string& text) {
  for (const unsigned char c : text)
    if (c >= 0x80 || c == '\r' || c == '\n') return false;
  return true;
}

// Header values may only hold ASCII; anything else travels as an RFC 2047 encoded word.
std::string header_text(const std::string& text) {
  if (is_ascii(text)) return text;
  return "=?UTF-8?B?" + core::base64_encode(std::string_view(text)) + "?=";
}

std::string mailbox(const MailAddress& address) {
  if (address.name.empty()) return "<" + address.address + ">";
  if (!is_ascii(address.name)) return header_text(address.name) + " <" + address.address + ">";
  std::string quoted;
  for (const char c : address.name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return "\"" + quoted + "\" <" + address.address + ">";
}

std::string rfc5322_date(hal::WallTime time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(time));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  // Day and month names are fixed English tokens in RFC 5322, whatever the locale.
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[utc.tm_wday], utc.tm_mday,
                months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

std::string crlf_lines(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\r') continue;
    if (c == '\n') out += "\r\n";
    else out += c;
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

// Base64 lines of 76 characters, the MIME limit.
std::string base64_lines(const std::string& bytes) {
  const auto encoded = core::base64_encode(std::string_view(bytes));
  std::string out;
  for (std::size_t at = 0; at < encoded.size(); at += 76) out += encoded.substr(at, 76) + "\r\n";
  return out;
}

}  // namespace

std::string render_message(const EmailMessage& message, const std::string& boundary) {
  std::string out;
  out += "Date: " + rfc5322_date(message.date) + "\r\n";
  out += "From: " + mailbox(message.from) + "\r\n";
  out += "To: ";
  for (std::size_t i = 0; i < message.to.size(); ++i) out += (i ? ",\r\n " : "") + mailbox(message.to[i]);
  out += "\r\n";
  out += "Subject: " + header_text(message.subject) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  const std::string text_headers = "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n";
  if (message.attachments.empty()) return out + text_headers + "\r\n" + crlf_lines(message.body);
  out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n" + text_headers + "\r\n" + crlf_lines(message.body);
  for (const auto& attachment : message.attachments) {
    out += "--" + boundary + "\r\n";
    out += "Content-Type: image/jpeg; name=\"" + attachment.file_name + "\"\r\n";
    out += "Content-Transfer-Encoding: base64\r\n";
    out += "Content-Disposition: attachment; filename=\"" + attachment.file_name + "\"\r\n\r\n";
    out += base64_lines(attachment.jpeg);
  }
  out += "--" + boundary + "--\r\n";
  return out;
}

std::string dot_stuff(const std::string& rendered) {
  std::string out;
  out.reserve(rendered.size() + 8);
  bool line_start = true;
  for (const char c : rendered) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out + ".\r\n";
}

}  // namespace camrig::events
