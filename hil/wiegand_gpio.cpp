#include "hil/wiegand_gpio.hpp"

#include <gpiod.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace camrig::hil {

namespace {

std::string system_error(int error) { return std::strerror(error); }

bool is_offset(const std::string& text) {
  return !text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789") == std::string::npos;
}

struct ChipCloser {
  void operator()(gpiod_chip* chip) const { gpiod_chip_close(chip); }
};
using ChipHandle = std::unique_ptr<gpiod_chip, ChipCloser>;

Result<gpiod_line*> find_line(gpiod_chip* chip, const std::string& chip_name, const std::string& spec, const char* role) {
  if (spec.empty()) {
    return make_error(ErrorCode::invalid_argument, std::string("no GPIO line given for Wiegand ") + role);
  }
  errno = 0;
  gpiod_line* line = is_offset(spec) ? gpiod_chip_get_line(chip, static_cast<unsigned>(std::stoul(spec)))
                                     : gpiod_chip_find_line(chip, spec.c_str());
  if (line) return line;
  const int error = errno;
  std::string message = "Wiegand " + std::string(role) + ": no line " + spec + " on " + chip_name;
  if (is_offset(spec)) message += " (it has " + std::to_string(gpiod_chip_num_lines(chip)) + " lines)";
  else if (error != 0 && error != ENOENT) message += ": " + system_error(error);
  return make_error(ErrorCode::not_found, message);
}

Result<void> request(gpiod_line* line, const std::string& consumer, const std::string& what) {
  if (gpiod_line_request_output(line, consumer.c_str(), 1) == 0) return {};
  const int error = errno;
  if (error == EBUSY) {
    const char* user = gpiod_line_consumer(line);
    return make_error(ErrorCode::unavailable,
                      what + " is in use" + (user ? std::string(" by \"") + user + "\"" : std::string()) +
                          ": free it or choose another line");
  }
  return make_error(error == EACCES || error == EPERM ? ErrorCode::permission_denied : ErrorCode::io_error,
                    "cannot drive " + what + " as an output: " + system_error(error));
}

}  // namespace

Result<std::unique_ptr<GpioWiegandLines>> GpioWiegandLines::open(const WiegandGpioConfig& config) {
  if (config.chip.empty()) return make_error(ErrorCode::invalid_argument, "no GPIO chip given for the Wiegand port");
  errno = 0;
  ChipHandle chip(gpiod_chip_open_lookup(config.chip.c_str()));
  if (!chip) {
    const int error = errno;
    if (error == EACCES || error == EPERM) {
      return make_error(ErrorCode::permission_denied,
                        "GPIO chip " + config.chip + ": " + system_error(error) + " (the user needs access to /dev/gpiochip*)");
    }
    return make_error(ErrorCode::not_found, "no GPIO chip " + config.chip + " (see gpiodetect for the chips there are)");
  }
  const std::string chip_name = gpiod_chip_name(chip.get());
  auto d0 = find_line(chip.get(), chip_name, config.d0, "D0");
  if (!d0) return d0.error();
  auto d1 = find_line(chip.get(), chip_name, config.d1, "D1");
  if (!d1) return d1.error();
  const unsigned d0_offset = gpiod_line_offset(*d0), d1_offset = gpiod_line_offset(*d1);
  if (d0_offset == d1_offset) {
    return make_error(ErrorCode::invalid_argument,
                      "Wiegand D0 and D1 are both line " + std::to_string(d0_offset) + " of " + chip_name + ": they need two lines");
  }
  const std::string d0_text = chip_name + " line " + std::to_string(d0_offset) + " (Wiegand D0)";
  const std::string d1_text = chip_name + " line " + std::to_string(d1_offset) + " (Wiegand D1)";
  // Requested high at once: a line that is low while idle reads as a stream of bits.
  if (auto requested = request(*d0, config.consumer, d0_text); !requested) return requested.error();
  if (auto requested = request(*d1, config.consumer, d1_text); !requested) {
    gpiod_line_release(*d0);
    return requested.error();
  }
  std::string description = chip_name + " lines " + std::to_string(d0_offset) + " (D0) and " +
                            std::to_string(d1_offset) + " (D1)";
  return std::unique_ptr<GpioWiegandLines>(new GpioWiegandLines(chip.release(), *d0, *d1, std::move(description)));
}

GpioWiegandLines::GpioWiegandLines(gpiod_chip* chip, gpiod_line* d0, gpiod_line* d1, std::string description)
    : chip_(chip), d0_(d0), d1_(d1), description_(std::move(description)) {}

GpioWiegandLines::~GpioWiegandLines() {
  gpiod_line_release(d0_);
  gpiod_line_release(d1_);
  gpiod_chip_close(chip_);
}

Result<void> GpioWiegandLines::set(WiegandLine line, bool high) {
  if (gpiod_line_set_value(line == WiegandLine::d0 ? d0_ : d1_, high ? 1 : 0) == 0) return {};
  return make_error(ErrorCode::io_error, description_ + ": " + system_error(errno));
}

Result<std::unique_ptr<hal::WiegandOutput>> open_gpio_wiegand(const WiegandGpioConfig& config, WiegandTiming timing) {
  if (auto valid = validate(timing); !valid) return valid.error();
  auto lines = GpioWiegandLines::open(config);
  if (!lines) return lines.error();
  return std::unique_ptr<hal::WiegandOutput>(std::make_unique<WiegandPort>(std::move(*lines), timing));
}

}  // namespace camrig::hil
