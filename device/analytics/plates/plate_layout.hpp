// Plate layouts of a region ("Plate Algorithm" in the LPR manual): which positions hold letters
// and which digits. A read of a layout's length gets the usual OCR confusions at each position
// turned the way the layout wants (2 -> Z where a letter belongs, B -> 8 where a digit does).
#pragma once

#include <string>
#include <vector>

#include "device/analytics/plates/plate_ocr.hpp"

namespace camrig::analytics::plates {

//! A layout is a string of 'L' (letter), 'D' (digit) and '?' (either), e.g. "LLDDDLL".
bool valid_layout(const std::string& layout);

//! Applies the layout of the read's length that the read already fits best; with none, or
//! several equally good ones that disagree at a position, the read is left as it is there. A correction halves that character's confidence,
//! so a clean read of the same vehicle outvotes it.
void apply_layouts(OcrRead& read, const std::vector<std::string>& layouts);

}  // namespace camrig::analytics::plates
