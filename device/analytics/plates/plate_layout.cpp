#include "device/analytics/plates/plate_layout.hpp"

#include <algorithm>

namespace camrig::analytics::plates {

namespace {

// Shapes the whitelisted Tesseract output mixes up on plate fonts.
char as_letter(char c) {
  switch (c) {
    case '0': return 'D';
    case '1': return 'J';
    case '2': return 'Z';
    case '4': return 'A';
    case '5': return 'S';
    case '6': return 'G';
    case '7': return 'T';
    case '8': return 'B';
    default: return c;
  }
}

char as_digit(char c) {
  switch (c) {
    case 'O': case 'D': case 'Q': return '0';
    case 'I': case 'J': case 'L': return '1';
    case 'Z': return '2';
    case 'A': return '4';
    case 'S': return '5';
    case 'G': return '6';
    case 'T': return '7';
    case 'B': return '8';
    default: return c;
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool valid_layout(const std::string& layout) {
  return !layout.empty() && layout.size() <= 16 &&
         std::all_of(layout.begin(), layout.end(), [](char c) { return c == 'L' || c == 'D' || c == '?'; });
}

void apply_layouts(OcrRead& read, const std::vector<std::string>& layouts) {
  // The layouts of the read's length that it already fits best; where tied layouts disagree,
  // that position is left alone.
  auto mismatches = [&](const std::string& layout) {
    int n = 0;
    for (std::size_t i = 0; i < layout.size(); ++i) {
      n += (layout[i] == 'L' && is_digit(read.text[i])) || (layout[i] == 'D' && !is_digit(read.text[i]));
    }
    return n;
  };
  int fewest = 1 << 30;
  for (const auto& layout : layouts) {
    if (layout.size() == read.text.size()) fewest = std::min(fewest, mismatches(layout));
  }
  std::vector<const std::string*> best;
  for (const auto& layout : layouts) {
    if (layout.size() == read.text.size() && mismatches(layout) == fewest) best.push_back(&layout);
  }
  for (std::size_t i = 0; i < read.text.size(); ++i) {
    char wanted = 0;  // 'L', 'D', '?' (tied layouts disagree) or 0 (no layout)
    for (const auto* layout : best) wanted = wanted == 0 || wanted == (*layout)[i] ? (*layout)[i] : '?';
    char& c = read.text[i];
    const char fixed = wanted == 'L' && is_digit(c) ? as_letter(c) : wanted == 'D' && !is_digit(c) ? as_digit(c) : c;
    if (fixed != c) {
      c = fixed;
      read.confidence[i] /= 2;
    }
  }
}

}  // namespace camrig::analytics::plates
