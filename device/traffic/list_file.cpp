#include "device/traffic/list_file.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pugixml.hpp>

#include "device/core/text.hpp"
#include "device/traffic/zip_archive.hpp"

namespace camrig::traffic {
namespace {

constexpr std::size_t k_column_count = std::size(k_list_file_columns);
//! A file may hold both lists in full.
constexpr std::size_t k_max_rows = 2 * PlateList::k_capacity;
constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view k_encrypted_magic = "CAMRIGENC1";
constexpr int k_pbkdf2_iterations = 100000;
constexpr std::size_t k_salt_bytes = 16;
constexpr std::size_t k_iv_bytes = 12;
constexpr std::size_t k_tag_bytes = 16;

constexpr const char* k_sheet_namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* k_relationship_namespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr const char* k_package_relationships = "http://schemas.openxmlformats.org/package/2006/relationships";

using Row = std::vector<std::string>;

Row to_row(const PlateEntry& entry) {
  return {entry.plate,
          std::string(to_string(entry.list)),
          entry.start ? format_time(*entry.start) : std::string(),
          entry.end ? format_time(*entry.end) : std::string(),
          entry.owner_name,
          entry.card_number,
          entry.phone_number};
}

// ---- CSV (RFC 4180) ----

std::string csv_field(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string write_csv(const std::vector<PlateEntry>& entries) {
  std::string out(k_utf8_bom);  // so spreadsheet programs read the owner names as UTF-8
  const auto append = [&](const Row& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      out += csv_field(row[i]);
    }
    out += "\r\n";
  };
  append(Row(std::begin(k_list_file_columns), std::end(k_list_file_columns)));
  for (const auto& entry : entries) append(to_row(entry));
  return out;
}

struct NumberedRow {
  std::size_t number = 0;  // line (CSV) or row (xlsx) where the record starts
  Row cells;
};

Result<std::vector<NumberedRow>> read_csv(std::string_view text) {
  if (text.starts_with(k_utf8_bom)) text.remove_prefix(k_utf8_bom.size());
  std::vector<NumberedRow> rows;
  NumberedRow row{1, {}};
  std::string field;
  std::size_t line = 1;
  bool quoted = false;
  bool field_started = false;
  const auto end_field = [&] {
    row.cells.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\0') return make_error(ErrorCode::invalid_argument, "line " + std::to_string(line) + ": the file is not text (CSV) nor an .xlsx spreadsheet");
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (field_started && !field.empty())
        return make_error(ErrorCode::invalid_argument, "line " + std::to_string(line) + ": a quote inside an unquoted field");
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      rows.push_back(std::move(row));
      row = NumberedRow{++line, {}};
      if (rows.size() > k_max_rows + 1)
        return make_error(ErrorCode::out_of_range, "the file has more than " + std::to_string(k_max_rows) + " rows");
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) return make_error(ErrorCode::invalid_argument, "line " + std::to_string(row.number) + ": a quoted field is not closed");
  if (field_started || !field.empty() || !row.cells.empty()) {
    end_field();
    rows.push_back(std::move(row));
  }
  return rows;
}

// ---- xlsx (SpreadsheetML) ----

std::string xml_text(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return out.str();
}

pugi::xml_node start_document(pugi::xml_document& doc, const char* root, const char* xmlns) {
  auto declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  declaration.append_attribute("standalone") = "yes";
  auto node = doc.append_child(root);
  node.append_attribute("xmlns") = xmlns;
  return node;
}

std::string column_name(std::size_t index) {
  std::string name;
  for (++index; index > 0; index = (index - 1) / 26) name.insert(name.begin(), static_cast<char>('A' + (index - 1) % 26));
  return name;
}

std::string write_xlsx(const std::vector<PlateEntry>& entries) {
  std::vector<ZipEntry> parts;
  {
    pugi::xml_document doc;
    auto types = start_document(doc, "Types", "http://schemas.openxmlformats.org/package/2006/content-types");
    const auto add_default = [&](const char* extension, const char* type) {
      auto node = types.append_child("Default");
      node.append_attribute("Extension") = extension;
      node.append_attribute("ContentType") = type;
    };
    const auto add_override = [&](const char* part, const char* type) {
      auto node = types.append_child("Override");
      node.append_attribute("PartName") = part;
      node.append_attribute("ContentType") = type;
    };
    add_default("rels", "application/vnd.openxmlformats-package.relationships+xml");
    add_default("xml", "application/xml");
    add_override("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml");
    add_override("/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml");
    add_override("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml");
    parts.push_back({"[Content_Types].xml", xml_text(doc)});
  }
  const auto relationships = [&](const char* name, std::vector<std::pair<const char*, const char*>> targets) {
    pugi::xml_document doc;
    auto root = start_document(doc, "Relationships", k_package_relationships);
    int id = 0;
    for (const auto& [type, target] : targets) {
      auto node = root.append_child("Relationship");
      node.append_attribute("Id") = ("rId" + std::to_string(++id)).c_str();
      node.append_attribute("Type") = (std::string(k_relationship_namespace) + "/" + type).c_str();
      node.append_attribute("Target") = target;
    }
    parts.push_back({name, xml_text(doc)});
  };
  relationships("_rels/.rels", {{"officeDocument", "xl/workbook.xml"}});
  {
    pugi::xml_document doc;
    auto workbook = start_document(doc, "workbook", k_sheet_namespace);
    workbook.append_attribute("xmlns:r") = k_relationship_namespace;
    auto sheet = workbook.append_child("sheets").append_child("sheet");
    sheet.append_attribute("name") = "Plates";
    sheet.append_attribute("sheetId") = 1;
    sheet.append_attribute("r:id") = "rId1";
    parts.push_back({"xl/workbook.xml", xml_text(doc)});
  }
  relationships("xl/_rels/workbook.xml.rels", {{"worksheet", "worksheets/sheet1.xml"}, {"styles", "styles.xml"}});
  {
    // Style 1 is the Text number format (49): typed dates stay text, as the import expects.
    pugi::xml_document doc;
    const char* styles =
        "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
        "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
        "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        "</styleSheet>";
    doc.load_string(styles);
    auto declaration = doc.prepend_child(pugi::node_declaration);
    declaration.append_attribute("version") = "1.0";
    declaration.append_attribute("encoding") = "UTF-8";
    parts.push_back({"xl/styles.xml", xml_text(doc)});
  }
  {
    pugi::xml_document doc;
    auto worksheet = start_document(doc, "worksheet", k_sheet_namespace);
    auto column = worksheet.append_child("cols").append_child("col");
    column.append_attribute("min") = 1;
    column.append_attribute("max") = static_cast<unsigned>(k_column_count);
    column.append_attribute("width") = 22;
    column.append_attribute("style") = 1;
    column.append_attribute("customWidth") = 1;
    auto data = worksheet.append_child("sheetData");
    std::size_t number = 0;
    const auto append = [&](const Row& cells) {
      auto row = data.append_child("row");
      row.append_attribute("r") = static_cast<unsigned long long>(++number);
      for (std::size_t i = 0; i < cells.size(); ++i) {
        auto cell = row.append_child("c");
        cell.append_attribute("r") = (column_name(i) + std::to_string(number)).c_str();
        cell.append_attribute("s") = 1;
        cell.append_attribute("t") = "inlineStr";
        auto text = cell.append_child("is").append_child("t");
        text.append_attribute("xml:space") = "preserve";
        text.text() = cells[i].c_str();
      }
    };
    append(Row(std::begin(k_list_file_columns), std::end(k_list_file_columns)));
    for (const auto& entry : entries) append(to_row(entry));
    parts.push_back({"xl/worksheets/sheet1.xml", xml_text(doc)});
  }
  return write_zip(parts);
}

std::string_view local(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child_named(pugi::xml_node node, std::string_view name) {
  for (auto child : node.children())
    if (local(child) == name) return child;
  return {};
}

// Text of an inline string or shared string item: <t>, or rich-text runs <r><t>.
std::string string_item_text(pugi::xml_node item) {
  std::string text;
  for (auto part : item.children()) {
    if (local(part) == "t") text += part.text().get();
    if (local(part) == "r") text += child_named(part, "t").text().get();
  }
  return text;
}

Result<std::size_t> column_of(std::string_view reference, std::size_t row_number) {
  std::size_t column = 0;
  std::size_t letters = 0;
  for (char c : reference) {
    if (c < 'A' || c > 'Z') break;
    column = column * 26 + static_cast<std::size_t>(c - 'A' + 1);
    if (++letters > 3) break;
  }
  if (letters == 0 || letters > 3)
    return make_error(ErrorCode::invalid_argument, "row " + std::to_string(row_number) + ": bad cell reference '" + std::string(reference) + "'");
  return column - 1;
}

Result<std::vector<NumberedRow>> read_xlsx(std::string_view data) {
  auto archive = read_zip(data, 64 * 1024 * 1024);
  if (!archive) return archive.error();
  std::map<std::string, std::string, std::less<>> files;
  for (auto& entry : *archive) files[entry.name] = std::move(entry.data);
  const auto parse = [&](const std::string& name, pugi::xml_document& doc) -> Result<void> {
    const auto found = files.find(name);
    if (found == files.end()) return make_error(ErrorCode::invalid_argument, "not a valid .xlsx file: " + name + " is missing");
    if (!doc.load_buffer(found->second.data(), found->second.size()))
      return make_error(ErrorCode::invalid_argument, "not a valid .xlsx file: " + name + " is not well-formed XML");
    return {};
  };
  // The first sheet of the workbook, through the workbook's relationships.
  pugi::xml_document workbook;
  if (auto parsed = parse("xl/workbook.xml", workbook); !parsed) return parsed.error();
  const auto first_sheet = child_named(child_named(child_named(workbook, "workbook"), "sheets"), "sheet");
  std::string relationship_id;
  for (auto attribute : first_sheet.attributes()) {
    std::string_view name = attribute.name();
    if (name.ends_with(":id")) relationship_id = attribute.value();
  }
  pugi::xml_document relationships;
  if (auto parsed = parse("xl/_rels/workbook.xml.rels", relationships); !parsed) return parsed.error();
  std::string sheet_path;
  for (auto relationship : child_named(relationships, "Relationships").children())
    if (relationship_id == relationship.attribute("Id").value()) {
      std::string target = relationship.attribute("Target").value();
      sheet_path = target.starts_with("/") ? target.substr(1) : "xl/" + target;
    }
  if (sheet_path.empty()) return make_error(ErrorCode::invalid_argument, "not a valid .xlsx file: the workbook has no worksheet");

  std::vector<std::string> shared;
  if (files.contains("xl/sharedStrings.xml")) {
    pugi::xml_document strings;
    if (auto parsed = parse("xl/sharedStrings.xml", strings); !parsed) return parsed.error();
    for (auto item : child_named(strings, "sst").children())
      if (local(item) == "si") shared.push_back(string_item_text(item));
  }

  pugi::xml_document sheet;
  if (auto parsed = parse(sheet_path, sheet); !parsed) return parsed.error();
  std::vector<NumberedRow> rows;
  std::size_t previous = 0;
  for (auto row : child_named(child_named(sheet, "worksheet"), "sheetData").children()) {
    if (local(row) != "row") continue;
    const std::size_t number = row.attribute("r") ? row.attribute("r").as_ullong() : previous + 1;
    if (number <= previous) return make_error(ErrorCode::invalid_argument, "row " + std::to_string(number) + ": rows out of order");
    previous = number;
    if (rows.size() >= k_max_rows + 1)
      return make_error(ErrorCode::out_of_range, "the file has more than " + std::to_string(k_max_rows) + " rows");
    NumberedRow numbered{number, {}};
    std::size_t next_column = 0;
    for (auto cell : row.children()) {
      if (local(cell) != "c") continue;
      std::size_t column = next_column;
      if (auto reference = cell.attribute("r")) {
        auto parsed = column_of(reference.value(), number);
        if (!parsed) return parsed.error();
        column = *parsed;
      }
      next_column = column + 1;
      if (column >= k_column_count) {
        if (!text::trim(child_named(cell, "v").text().get()).empty() || child_named(cell, "is"))
          return make_error(ErrorCode::invalid_argument, "row " + std::to_string(number) + ": a value beyond the " +
                                                             std::to_string(k_column_count) + " template columns");
        continue;
      }
      const std::string type = cell.attribute("t").value();
      std::string value;
      if (type == "inlineStr") {
        value = string_item_text(child_named(cell, "is"));
      } else if (type == "s") {
        const auto index = child_named(cell, "v").text().as_ullong(~0ULL);
        if (index >= shared.size())
          return make_error(ErrorCode::invalid_argument, "row " + std::to_string(number) + ": a cell refers to a missing shared string");
        value = shared[index];
      } else {
        value = child_named(cell, "v").text().get();
        // A time typed into a cell not formatted as Text arrives as a day number.
        if ((column == 2 || column == 3) && (type.empty() || type == "n") && !value.empty())
          return make_error(ErrorCode::invalid_argument, "row " + std::to_string(number) + ": " + k_list_file_columns[column] +
                                                             " is a number; format the cell as Text and write e.g. 2026-01-31T08:00:00Z");
      }
      if (numbered.cells.size() <= column) numbered.cells.resize(column + 1);
      numbered.cells[column] = std::move(value);
    }
    rows.push_back(std::move(numbered));
  }
  return rows;
}

// ---- rows to entries ----

bool blank(const Row& row) {
  return std::all_of(row.begin(), row.end(), [](const std::string& cell) { return text::trim(cell).empty(); });
}

Result<ParsedListFile> entries_from_rows(std::vector<NumberedRow> rows, ListFileFormat format) {
  const std::string unit = format == ListFileFormat::csv ? "line " : "row ";
  ParsedListFile file;
  file.format = format;
  const auto header_at = std::find_if(rows.begin(), rows.end(), [](const NumberedRow& row) { return !blank(row.cells); });
  if (header_at == rows.end()) return make_error(ErrorCode::invalid_argument, "the file is empty: it needs the template's header row");
  const auto& header = header_at->cells;
  const auto expected = text::join(Row(std::begin(k_list_file_columns), std::end(k_list_file_columns)), ", ");
  bool header_ok = header.size() >= k_column_count;
  for (std::size_t i = 0; header_ok && i < header.size(); ++i)
    header_ok = i < k_column_count ? text::equal_ignoring_case(text::trim(header[i]), k_list_file_columns[i])
                                   : text::trim(header[i]).empty();
  if (!header_ok)
    return make_error(ErrorCode::invalid_argument, unit + std::to_string(header_at->number) +
                                                       ": the header must be the template's columns: " + expected);
  std::map<std::pair<ListType, std::string>, std::size_t> seen;
  std::array<std::size_t, 2> counts{};
  for (auto row = header_at + 1; row != rows.end(); ++row) {
    if (blank(row->cells)) continue;
    const auto where = unit + std::to_string(row->number);
    const auto refuse = [&](const std::string& why) { return make_error(ErrorCode::invalid_argument, where + ": " + why); };
    auto cells = row->cells;
    if (cells.size() > k_column_count) {
      if (!blank(Row(cells.begin() + k_column_count, cells.end())))
        return refuse("more than the " + std::to_string(k_column_count) + " template columns");
      cells.resize(k_column_count);
    }
    cells.resize(k_column_count);
    for (auto& cell : cells) cell = std::string(text::trim(cell));
    PlateEntry entry;
    entry.plate = cells[0];
    const auto list = parse_list_type(cells[1]);
    if (!list) return refuse("List Type must be allowlist or blocklist (got '" + cells[1] + "')");
    entry.list = *list;
    for (int i : {2, 3}) {
      if (cells[i].empty()) continue;
      auto time = parse_time(cells[i]);
      if (!time) return refuse(std::string(k_list_file_columns[i]) + ": " + time.error().message);
      (i == 2 ? entry.start : entry.end) = *time;
    }
    entry.owner_name = cells[4];
    entry.card_number = cells[5];
    entry.phone_number = cells[6];
    auto valid = validate_entry(std::move(entry));
    if (!valid) return refuse(valid.error().message);
    const auto [previous, fresh] = seen.emplace(std::make_pair(valid->list, valid->plate), row->number);
    if (!fresh)
      return refuse("plate " + valid->plate + " is already listed on " + unit + std::to_string(previous->second) + " for the " +
                    std::string(to_string(valid->list)));
    if (++counts[valid->list == ListType::allowlist ? 0 : 1] > PlateList::k_capacity)
      return make_error(ErrorCode::out_of_range, where + ": the file has more than " + std::to_string(PlateList::k_capacity) +
                                                     " entries for the " + std::string(to_string(valid->list)) + ", its capacity");
    file.entries.push_back(std::move(*valid));
    file.labels.push_back(where);
  }
  return file;
}

}  // namespace

std::optional<ListFileFormat> parse_list_file_format(std::string_view text) {
  const auto name = text::to_lower(text);
  if (name == "csv") return ListFileFormat::csv;
  if (name == "xlsx") return ListFileFormat::xlsx;
  return std::nullopt;
}

std::string_view content_type(ListFileFormat format) {
  return format == ListFileFormat::csv ? "text/csv; charset=utf-8"
                                       : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

std::string_view file_extension(ListFileFormat format) { return format == ListFileFormat::csv ? "csv" : "xlsx"; }

std::string export_list_file(const std::vector<PlateEntry>& entries, ListFileFormat format) {
  return format == ListFileFormat::csv ? write_csv(entries) : write_xlsx(entries);
}

Result<ParsedListFile> parse_list_file(std::string_view data) {
  if (data.size() > k_max_list_file_bytes)
    return make_error(ErrorCode::out_of_range, "the file is larger than " + std::to_string(k_max_list_file_bytes / (1024 * 1024)) + " MB");
  if (is_encrypted_list_file(data)) return make_error(ErrorCode::invalid_argument, "the file is encrypted: give its password");
  const bool zip = data.starts_with(std::string_view("PK\x03\x04", 4));
  auto rows = zip ? read_xlsx(data) : read_csv(data);
  if (!rows) return rows.error();
  return entries_from_rows(std::move(*rows), zip ? ListFileFormat::xlsx : ListFileFormat::csv);
}

Result<std::size_t> import_list_file(PlateList& list, std::string_view data, const std::string& password) {
  std::string decrypted;
  if (is_encrypted_list_file(data)) {
    auto plain = decrypt_list_file(data, password);
    if (!plain) return plain.error();
    decrypted = std::move(*plain);
    data = decrypted;
  }
  auto file = parse_list_file(data);
  if (!file) return file.error();
  auto stored = list.apply_batch(std::move(file->entries), file->labels);
  if (!stored) return stored.error();
  return stored->size();
}

bool is_encrypted_list_file(std::string_view data) { return data.starts_with(k_encrypted_magic); }

namespace {

Result<std::array<unsigned char, 32>> derive_key(std::string_view password, const unsigned char* salt) {
  std::array<unsigned char, 32> key{};
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt, static_cast<int>(k_salt_bytes),
                        k_pbkdf2_iterations, EVP_sha256(), static_cast<int>(key.size()), key.data()) != 1)
    return make_error(ErrorCode::internal, "cannot derive the file key");
  return key;
}

}  // namespace

Result<std::string> encrypt_list_file(std::string_view data, std::string_view password) {
  if (password.size() < 8) return make_error(ErrorCode::invalid_argument, "the export password needs at least 8 characters");
  unsigned char salt[k_salt_bytes];
  unsigned char iv[k_iv_bytes];
  if (RAND_bytes(salt, sizeof salt) != 1 || RAND_bytes(iv, sizeof iv) != 1)
    return make_error(ErrorCode::internal, "no random bytes for the encryption");
  auto key = derive_key(password, salt);
  if (!key) return key.error();
  std::string out(k_encrypted_magic);
  out.append(reinterpret_cast<const char*>(salt), sizeof salt);
  out.append(reinterpret_cast<const char*>(iv), sizeof iv);
  const auto header_size = out.size();
  out.resize(header_size + data.size() + k_tag_bytes);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + header_size);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  int final_length = 0;
  // The header is authenticated too, so a changed salt or IV is detected like changed content.
  if (!context || EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key->data(), iv) != 1 ||
      EVP_EncryptUpdate(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(out.data()),
                        static_cast<int>(header_size)) != 1 ||
      EVP_EncryptUpdate(context.get(), cipher, &length, reinterpret_cast<const unsigned char*>(data.data()),
                        static_cast<int>(data.size())) != 1 ||
      EVP_EncryptFinal_ex(context.get(), cipher + length, &final_length) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(k_tag_bytes), cipher + data.size()) != 1)
    return make_error(ErrorCode::internal, "cannot encrypt the file");
  return out;
}

Result<std::string> decrypt_list_file(std::string_view data, std::string_view password) {
  const auto header_size = k_encrypted_magic.size() + k_salt_bytes + k_iv_bytes;
  if (!is_encrypted_list_file(data) || data.size() < header_size + k_tag_bytes)
    return make_error(ErrorCode::invalid_argument, "the file is not an encrypted list file");
  if (password.empty()) return make_error(ErrorCode::invalid_argument, "the file is encrypted: give its password");
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  auto key = derive_key(password, bytes + k_encrypted_magic.size());
  if (!key) return key.error();
  const auto cipher_size = data.size() - header_size - k_tag_bytes;
  std::string out(cipher_size, '\0');
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::array<unsigned char, k_tag_bytes> tag{};
  std::copy_n(bytes + header_size + cipher_size, k_tag_bytes, tag.begin());
  int length = 0;
  int final_length = 0;
  const bool ok = context &&
                  EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key->data(),
                                     bytes + k_encrypted_magic.size() + k_salt_bytes) == 1 &&
                  EVP_DecryptUpdate(context.get(), nullptr, &length, bytes, static_cast<int>(header_size)) == 1 &&
                  EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(out.data()), &length, bytes + header_size,
                                    static_cast<int>(cipher_size)) == 1 &&
                  EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(k_tag_bytes), tag.data()) == 1 &&
                  EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(out.data()) + length, &final_length) == 1;
  if (!ok) return make_error(ErrorCode::permission_denied, "the password is wrong or the encrypted file is damaged");
  return out;
}

}  // namespace camrig::traffic
