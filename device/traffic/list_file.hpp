// Allowlist/blocklist files: the batch template the web page offers for download, filled in and
// uploaded again, as CSV or as an .xlsx spreadsheet, optionally encrypted with a password
// (AES-256-GCM, key from PBKDF2-HMAC-SHA256). Parsing is strict: one bad row refuses the file.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"
#include "device/traffic/plate_list.hpp"

namespace camrig::traffic {

enum class ListFileFormat { csv, xlsx };
std::optional<ListFileFormat> parse_list_file_format(std::string_view text);
std::string_view content_type(ListFileFormat format);
std::string_view file_extension(ListFileFormat format);

//! The template's columns, in order.
inline constexpr const char* k_list_file_columns[] = {"Plate No.", "List Type", "Start Time", "End Time",
                                                      "Owner Name", "Card No.",  "Phone No."};
//! Uploads larger than this are refused before parsing.
inline constexpr std::size_t k_max_list_file_bytes = 8 * 1024 * 1024;

//! The entries as a file; no entries gives the empty template.
std::string export_list_file(const std::vector<PlateEntry>& entries, ListFileFormat format);

struct ParsedListFile {
  ListFileFormat format = ListFileFormat::csv;
  std::vector<PlateEntry> entries;
  std::vector<std::string> labels;  //!< "line 3" (CSV) or "row 3" (xlsx), one per entry
};

//! Reads a CSV or .xlsx file (told apart by content), refusing it whole, with the line or row of
//! the first problem, on a bad header, bad field, plate listed twice, or more rows than fit.
Result<ParsedListFile> parse_list_file(std::string_view data);

//! Parses (decrypting with `password` if the file is encrypted) and stores every entry, or none.
Result<std::size_t> import_list_file(PlateList& list, std::string_view data, const std::string& password = {});

bool is_encrypted_list_file(std::string_view data);
//! Refuses passwords shorter than 8 characters.
Result<std::string> encrypt_list_file(std::string_view data, std::string_view password);
Result<std::string> decrypt_list_file(std::string_view data, std::string_view password);

}  // namespace camrig::traffic
