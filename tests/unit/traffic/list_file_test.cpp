#include "device/traffic/list_file.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <pugixml.hpp>
#include <unistd.h>

#include "device/core/lockstep_clock.hpp"
#include "device/traffic/zip_archive.hpp"

namespace camrig::traffic {
namespace {

hal::WallTime at(const char* text) { return *parse_time(text); }

class ListFileTest : public ::testing::Test {
 protected:
  core::LockstepClock clock{at("2026-06-01T12:00:00Z")};
  std::unique_ptr<PlateList> list = PlateList::open(":memory:", clock).value();

  void fill() {
    PlateEntry a;
    a.plate = "ABC123";
    a.start = at("2026-01-01T00:00:00Z");
    a.end = at("2026-12-31T23:59:59Z");
    a.owner_name = "Zoë \"Z\" O'Hara, <Esq> & Co";
    a.card_number = "C0001";
    a.phone_number = "+1 (555) 0100";
    PlateEntry b;
    b.plate = "BLK999";
    b.list = ListType::blocklist;
    PlateEntry c;
    c.plate = "X1";
    c.owner_name = " spaced ";
    ASSERT_TRUE(list->apply_batch({a, b, c}).ok());
  }

  void expect_refused(const std::string& file, const std::string& fragment) {
    const auto before = list->entries().size();
    auto imported = import_list_file(*list, file);
    ASSERT_FALSE(imported.ok()) << "accepted: " << file.substr(0, 200);
    EXPECT_NE(imported.error().message.find(fragment), std::string::npos) << imported.error().message;
    EXPECT_EQ(list->entries().size(), before) << "nothing imported";
  }
};

const std::string k_header = "Plate No.,List Type,Start Time,End Time,Owner Name,Card No.,Phone No.\r\n";

bool same_entries(const std::vector<PlateEntry>& a, const std::vector<PlateEntry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].plate != b[i].plate || a[i].list != b[i].list || a[i].start != b[i].start || a[i].end != b[i].end ||
        a[i].owner_name != b[i].owner_name || a[i].card_number != b[i].card_number || a[i].phone_number != b[i].phone_number)
      return false;
  }
  return true;
}

TEST_F(ListFileTest, CsvRoundTrip) {
  fill();
  const auto original = list->entries();
  const auto file = export_list_file(original, ListFileFormat::csv);
  EXPECT_NE(file.find("\"Zoë \"\"Z\"\" O'Hara, <Esq> & Co\""), std::string::npos) << file;
  ASSERT_TRUE(list->clear(ListType::allowlist).ok());
  ASSERT_TRUE(list->clear(ListType::blocklist).ok());
  auto imported = import_list_file(*list, file);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(*imported, 3U);
  // Owner names are trimmed on import, as every cell is.
  auto expected = original;
  for (auto& e : expected) e.owner_name = e.owner_name == " spaced " ? "spaced" : e.owner_name;
  EXPECT_TRUE(same_entries(list->entries(), expected));
}

TEST_F(ListFileTest, XlsxRoundTripAndWellFormedParts) {
  fill();
  const auto original = list->entries();
  const auto file = export_list_file(original, ListFileFormat::xlsx);
  auto parts = read_zip(file, 1 << 20);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  std::vector<std::string> names;
  for (const auto& part : *parts) {
    names.push_back(part.name);
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_buffer(part.data.data(), part.data.size())) << part.name;
  }
  for (const char* required : {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                               "xl/worksheets/sheet1.xml", "xl/styles.xml"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;

  // An independent ZIP reader agrees the archive is sound.
  if (std::filesystem::exists("/usr/bin/unzip")) {
    const auto path = std::filesystem::temp_directory_path() / ("camrig_list_" + std::to_string(::getpid()) + ".xlsx");
    std::ofstream(path, std::ios::binary) << file;
    const auto command = "/usr/bin/unzip -tq " + path.string() + " > /dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0);
    std::filesystem::remove(path);
  }

  ASSERT_TRUE(list->clear(ListType::allowlist).ok());
  ASSERT_TRUE(list->clear(ListType::blocklist).ok());
  auto imported = import_list_file(*list, file);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  auto expected = original;
  for (auto& e : expected) e.owner_name = e.owner_name == " spaced " ? "spaced" : e.owner_name;
  EXPECT_TRUE(same_entries(list->entries(), expected));
}

TEST_F(ListFileTest, EmptyTemplateImportsNothing) {
  for (auto format : {ListFileFormat::csv, ListFileFormat::xlsx}) {
    auto imported = import_list_file(*list, export_list_file({}, format));
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    EXPECT_EQ(*imported, 0U);
  }
}

TEST_F(ListFileTest, XlsxWithSharedStringsAndSparseCellsAsSpreadsheetProgramsWriteThem) {
  const std::string sheet =
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c>"
      "<c r=\"D1\" t=\"s\"><v>3</v></c><c r=\"E1\" t=\"s\"><v>4</v></c><c r=\"F1\" t=\"s\"><v>5</v></c><c r=\"G1\" t=\"s\"><v>6</v></c></row>"
      "<row r=\"2\"><c r=\"A2\"><v>123456</v></c><c r=\"B2\" t=\"s\"><v>7</v></c><c r=\"E2\" t=\"s\"><v>8</v></c></row>"
      "<row r=\"4\"><c r=\"A4\" t=\"str\"><v>ZZZ9</v></c><c r=\"B4\" t=\"s\"><v>7</v></c><c r=\"D4\" t=\"s\"><v>9</v></c></row>"
      "</sheetData></worksheet>";
  const std::string strings =
      "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
      "<si><t>Plate No.</t></si><si><t>List Type</t></si><si><t>Start Time</t></si><si><t>End Time</t></si>"
      "<si><t>Owner Name</t></si><si><t>Card No.</t></si><si><t>Phone No.</t></si><si><t>allowlist</t></si>"
      "<si><r><t>Ann </t></r><r><t>Lee</t></r></si><si><t>2026-07-01T00:00:00Z</t></si></sst>";
  const std::string workbook =
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
      "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId3\"/></sheets></workbook>";
  const std::string rels =
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId3\" Type=\"x\" Target=\"/xl/worksheets/data.xml\"/></Relationships>";
  const auto file = write_zip({{"xl/workbook.xml", workbook}, {"xl/_rels/workbook.xml.rels", rels},
                               {"xl/sharedStrings.xml", strings}, {"xl/worksheets/data.xml", sheet}});
  auto imported = import_list_file(*list, file);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(*imported, 2U);
  const auto entries = list->entries();
  EXPECT_EQ(entries[0].plate, "123456");
  EXPECT_EQ(entries[0].owner_name, "Ann Lee");
  EXPECT_EQ(entries[1].end, at("2026-07-01T00:00:00Z"));
}

TEST_F(ListFileTest, MalformedCsvIsRefusedWithItsLine) {
  fill();
  expect_refused("Plate,List\r\nABC,allowlist\r\n", "line 1: the header must be");
  expect_refused(k_header + "NEW1,allowlist,,,,,\r\nNEW2,allowlist,2026-02-30T00:00:00Z,,,,\r\n", "line 3: Start Time");
  expect_refused(k_header + "NEW1,allowlist,,,,,\r\nNEW2,whitelist,,,,,\r\n", "line 3: List Type");
  expect_refused(k_header + "NEW1,allowlist,,,,,\r\n\r\nNEW-1,allowlist,,,,,\r\n", "line 4: plate NEW1 is already listed on line 2");
  expect_refused(k_header + "NEW1,allowlist,,,,,\r\nN?W2,allowlist,,,,,\r\n", "line 3: Plate No.");
  expect_refused(k_header + "NEW1,allowlist,,,,,,extra\r\n", "line 2: more than the 7 template columns");
  expect_refused(k_header + "NEW1,allowlist,,,\"unterminated,,\r\n", "line 2: a quoted field is not closed");
  expect_refused(k_header + "NEW1,allowlist,2026-02-01T00:00:00Z,2026-01-01T00:00:00Z,,,\r\n", "line 2: Start Time");
  expect_refused(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "not text");
  expect_refused("", "empty");
  EXPECT_TRUE(list->search({.plate_contains = "NEW"}).entries.empty());
}

TEST_F(ListFileTest, MalformedXlsxIsRefused) {
  fill();
  auto good = export_list_file(list->entries(), ListFileFormat::xlsx);
  expect_refused(good.substr(0, good.size() / 2), "not a valid .xlsx");
  auto corrupted = good;
  corrupted[corrupted.size() / 3] = static_cast<char>(corrupted[corrupted.size() / 3] ^ 0x55);
  expect_refused(corrupted, ".xlsx");
  const auto number_date =
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">"
      "<c t=\"inlineStr\"><is><t>Plate No.</t></is></c><c t=\"inlineStr\"><is><t>List Type</t></is></c>"
      "<c t=\"inlineStr\"><is><t>Start Time</t></is></c><c t=\"inlineStr\"><is><t>End Time</t></is></c>"
      "<c t=\"inlineStr\"><is><t>Owner Name</t></is></c><c t=\"inlineStr\"><is><t>Card No.</t></is></c>"
      "<c t=\"inlineStr\"><is><t>Phone No.</t></is></c></row><row r=\"5\"><c t=\"inlineStr\"><is><t>NEW9</t></is></c>"
      "<c t=\"inlineStr\"><is><t>allowlist</t></is></c><c><v>46023.5</v></c></row></sheetData></worksheet>";
  const auto workbook =
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
      "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
  const auto rels =
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"x\" Target=\"worksheets/sheet1.xml\"/></Relationships>";
  expect_refused(write_zip({{"xl/workbook.xml", workbook}, {"xl/_rels/workbook.xml.rels", rels},
                            {"xl/worksheets/sheet1.xml", number_date}}),
                 "row 5: Start Time is a number");
  expect_refused(write_zip({{"xl/workbook.xml", workbook}}), "xl/_rels/workbook.xml.rels is missing");
}

TEST_F(ListFileTest, AFileOverTheCapacityIsRefusedWhole) {
  std::string file = k_header;
  for (std::size_t i = 0; i <= PlateList::k_capacity; ++i) file += "P" + std::to_string(100000 + i) + ",allowlist,,,,,\r\n";
  expect_refused(file, "line 10002: the file has more than 10000 entries for the allowlist");
  EXPECT_EQ(list->size(ListType::allowlist), 0U);
}

TEST_F(ListFileTest, AFileThatOverfillsTheStoredListIsRefusedWithItsRow) {
  std::vector<PlateEntry> batch(PlateList::k_capacity - 1);
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].plate = "P" + std::to_string(100000 + i);
  ASSERT_TRUE(list->apply_batch(batch).ok());
  expect_refused(k_header + "NEW1,allowlist,,,,,\r\nNEW2,allowlist,,,,,\r\n", "line 3: the allowlist is full");
}

TEST_F(ListFileTest, EncryptedExportNeedsItsPassword) {
  fill();
  const auto plain = export_list_file(list->entries(), ListFileFormat::xlsx);
  EXPECT_FALSE(encrypt_list_file(plain, "short").ok());
  auto sealed = encrypt_list_file(plain, "Correct-horse-1");
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  EXPECT_TRUE(is_encrypted_list_file(*sealed));
  EXPECT_EQ(sealed->find("ABC123"), std::string::npos);
  ASSERT_TRUE(list->clear(ListType::allowlist).ok());
  expect_refused(*sealed, "encrypted: give its password");
  auto wrong = import_list_file(*list, *sealed, "Wrong-password-1");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("password is wrong"), std::string::npos);
  auto tampered = *sealed;
  tampered[20] = static_cast<char>(tampered[20] ^ 1);
  EXPECT_FALSE(import_list_file(*list, tampered, "Correct-horse-1").ok());
  auto imported = import_list_file(*list, *sealed, "Correct-horse-1");
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(list->size(ListType::allowlist), 2U);
}

}  // namespace
}  // namespace camrig::traffic
