#include "sim/network/impairment.hpp"

#include <string>

namespace camrig::sim {

namespace {

bool is_percent(double value) { return value >= 0.0 && value <= 100.0; }

}  // namespace

Result<void> validate(const Impairment& impairment) {
  if (impairment.delay.count() < 0 || impairment.jitter.count() < 0 || impairment.reorder_hold.count() < 0) {
    return make_error(ErrorCode::out_of_range, "delay, jitter and reorder_hold must not be negative");
  }
  if (!is_percent(impairment.loss_percent)) {
    return make_error(ErrorCode::out_of_range, "loss_percent must be within 0..100");
  }
  if (!is_percent(impairment.duplicate_percent)) {
    return make_error(ErrorCode::out_of_range, "duplicate_percent must be within 0..100");
  }
  if (!is_percent(impairment.reorder_percent)) {
    return make_error(ErrorCode::out_of_range, "reorder_percent must be within 0..100");
  }
  return {};
}

}  // namespace camrig::sim
