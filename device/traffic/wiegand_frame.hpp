// Wiegand framing of the LPR camera: a card number (with a facility code in the 26-bit format)
// as a 26-bit or 34-bit frame with its leading even and trailing odd parity bits, and how a read
// plate becomes a card number (its digits, or the card number of its allowlist entry).
#pragma once

#include <cstdint>
#include <string_view>

#include "device/core/result.hpp"
#include "device/hal/wiegand_output.hpp"

namespace camrig::traffic {

enum class WiegandFormat { bits26, bits34 };

//! "26" / "34", the values of `wiegand.format`.
Result<WiegandFormat> parse_wiegand_format(std::string_view text);
//! The largest card number a frame of `format` carries: 65535 (26-bit), 4294967295 (34-bit).
std::uint64_t max_card_number(WiegandFormat format);

//! 26-bit: P(even over bits 1-12) + facility code (8 bits) + card number (16 bits) + P(odd over
//! bits 13-24). 34-bit: P(even over bits 1-16) + card number (32 bits) + P(odd over bits 17-32);
//! the 34-bit frame has no facility code. Refuses numbers the format cannot carry.
Result<hal::WiegandFrame> encode_wiegand(WiegandFormat format, std::uint64_t card_number, unsigned facility_code = 0);

//! The digits of a plate in order, read as one decimal number ("7ABC123" -> 7123); refuses a plate
//! without digits and a number above what `format` carries.
Result<std::uint64_t> card_number_from_plate(std::string_view plate, WiegandFormat format);
//! An allowlist entry's card number (decimal digits only) checked against `format`.
Result<std::uint64_t> card_number_from_text(std::string_view card_number, WiegandFormat format);

}  // namespace camrig::traffic
