#include "device/traffic/wiegand_frame.hpp"

#include <string>

namespace camrig::traffic {
namespace {

void append_bits(std::vector<bool>& bits, std::uint64_t value, int count) {
  for (int bit = count - 1; bit >= 0; --bit) bits.push_back(((value >> bit) & 1u) != 0);
}

bool odd_ones(const std::vector<bool>& bits, std::size_t first, std::size_t last) {
  bool odd = false;
  for (std::size_t i = first; i <= last; ++i) odd ^= bits[i];
  return odd;
}

const char* format_name(WiegandFormat format) { return format == WiegandFormat::bits26 ? "26-bit" : "34-bit"; }

Result<std::uint64_t> checked(std::uint64_t number, WiegandFormat format, std::string_view what) {
  if (number > max_card_number(format))
    return make_error(ErrorCode::out_of_range,
                      std::string(what) + " " + std::to_string(number) + " is above " +
                          std::to_string(max_card_number(format)) + ", the largest card number of a " +
                          format_name(format) + " Wiegand frame" +
                          (format == WiegandFormat::bits26 ? "; choose the 34-bit format" : ""));
  return number;
}

}  // namespace

Result<WiegandFormat> parse_wiegand_format(std::string_view text) {
  if (text == "26") return WiegandFormat::bits26;
  if (text == "34") return WiegandFormat::bits34;
  return make_error(ErrorCode::out_of_range, "Wiegand format must be 26 or 34 (got '" + std::string(text) + "')");
}

std::uint64_t max_card_number(WiegandFormat format) {
  return format == WiegandFormat::bits26 ? 0xFFFFull : 0xFFFFFFFFull;
}

Result<hal::WiegandFrame> encode_wiegand(WiegandFormat format, std::uint64_t card_number, unsigned facility_code) {
  if (auto fits = checked(card_number, format, "card number"); !fits) return fits.error();
  hal::WiegandFrame frame;
  auto& bits = frame.bits;
  bits.push_back(false);  // leading parity, set below once the data bits are known
  if (format == WiegandFormat::bits26) {
    if (facility_code > 0xFF)
      return make_error(ErrorCode::out_of_range,
                        "facility code " + std::to_string(facility_code) + " is above 255, the largest of a 26-bit frame");
    append_bits(bits, facility_code, 8);
    append_bits(bits, card_number, 16);
  } else {
    append_bits(bits, card_number, 32);
  }
  const std::size_t data = bits.size() - 1;  // 24 or 32
  const std::size_t half = data / 2;
  bits[0] = odd_ones(bits, 1, half);               // even parity: the first half plus P has an even count
  bits.push_back(!odd_ones(bits, half + 1, data));  // odd parity: the second half plus P has an odd count
  return frame;
}

Result<std::uint64_t> card_number_from_plate(std::string_view plate, WiegandFormat format) {
  std::uint64_t number = 0;
  bool any = false;
  for (const char c : plate) {
    if (c < '0' || c > '9') continue;
    any = true;
    number = number * 10 + static_cast<std::uint64_t>(c - '0');
    if (number > max_card_number(format))
      return make_error(ErrorCode::out_of_range, "the digits of plate '" + std::string(plate) + "' are above " +
                                                     std::to_string(max_card_number(format)) + ", the largest card number of a " +
                                                     format_name(format) + " Wiegand frame");
  }
  if (!any) return make_error(ErrorCode::invalid_argument, "plate '" + std::string(plate) + "' has no digits for a Wiegand card number");
  return number;
}

Result<std::uint64_t> card_number_from_text(std::string_view card_number, WiegandFormat format) {
  if (card_number.empty() || card_number.size() > 10 || card_number.find_first_not_of("0123456789") != std::string_view::npos)
    return make_error(ErrorCode::invalid_argument,
                      "card number '" + std::string(card_number) + "' is not a decimal number of up to 10 digits");
  return checked(std::stoull(std::string(card_number)), format, "card number");
}

}  // namespace camrig::traffic
