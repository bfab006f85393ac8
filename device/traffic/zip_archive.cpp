#include "device/traffic/zip_archive.hpp"

#include <cstdint>

#include <zlib.h>

namespace camrig::traffic {
namespace {

constexpr std::uint32_t k_local_header = 0x04034b50;
constexpr std::uint32_t k_central_header = 0x02014b50;
constexpr std::uint32_t k_end_of_directory = 0x06054b50;
constexpr std::uint16_t k_dos_date_1980 = (0 << 9) | (1 << 5) | 1;

void put16(std::string& out, std::uint32_t value) {
  out += static_cast<char>(value & 0xff);
  out += static_cast<char>((value >> 8) & 0xff);
}
void put32(std::string& out, std::uint32_t value) {
  put16(out, value & 0xffff);
  put16(out, value >> 16);
}
std::uint32_t get16(std::string_view in, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(in[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(in[at + 1])) << 8;
}
std::uint32_t get32(std::string_view in, std::size_t at) { return get16(in, at) | get16(in, at + 2) << 16; }

std::uint32_t crc_of(std::string_view data) {
  return static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

std::string deflate_raw(std::string_view data) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

Result<std::string> inflate_raw(std::string_view data, std::size_t expected, std::size_t limit) {
  if (expected > limit) return make_error(ErrorCode::out_of_range, "the file unpacks to more than " + std::to_string(limit) + " bytes");
  std::string out(expected, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return make_error(ErrorCode::internal, "cannot start decompression");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&stream, Z_FINISH);
  const auto produced = stream.total_out;
  inflateEnd(&stream);
  if (rc != Z_STREAM_END || produced != expected) return make_error(ErrorCode::invalid_argument, "damaged compressed data");
  return out;
}

}  // namespace

std::string write_zip(const std::vector<ZipEntry>& entries) {
  std::string out;
  std::string directory;
  for (const auto& entry : entries) {
    const auto packed = deflate_raw(entry.data);
    const auto crc = crc_of(entry.data);
    const auto offset = static_cast<std::uint32_t>(out.size());
    const auto header = [&](std::string& to, bool central) {
      put32(to, central ? k_central_header : k_local_header);
      if (central) put16(to, 20);  // made by
      put16(to, 20);               // needed to extract
      put16(to, 0x0800);           // names are UTF-8
      put16(to, 8);                // deflate
      put16(to, 0);                // time
      put16(to, k_dos_date_1980);
      put32(to, crc);
      put32(to, static_cast<std::uint32_t>(packed.size()));
      put32(to, static_cast<std::uint32_t>(entry.data.size()));
      put16(to, static_cast<std::uint32_t>(entry.name.size()));
      put16(to, 0);  // extra
      if (central) {
        put16(to, 0);  // comment
        put16(to, 0);  // disk
        put16(to, 0);  // internal attributes
        put32(to, 0);  // external attributes
        put32(to, offset);
      }
      to += entry.name;
    };
    header(out, false);
    out += packed;
    header(directory, true);
  }
  const auto directory_offset = static_cast<std::uint32_t>(out.size());
  out += directory;
  put32(out, k_end_of_directory);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(entries.size()));
  put16(out, static_cast<std::uint32_t>(entries.size()));
  put32(out, static_cast<std::uint32_t>(directory.size()));
  put32(out, directory_offset);
  put16(out, 0);
  return out;
}

Result<std::vector<ZipEntry>> read_zip(std::string_view archive, std::size_t max_unpacked) {
  const auto damaged = [](const std::string& why) { return make_error(ErrorCode::invalid_argument, "not a valid .xlsx (ZIP) file: " + why); };
  if (archive.size() < 22 || get32(archive, 0) != k_local_header) return damaged("it does not start with a ZIP header");
  std::size_t end = std::string_view::npos;
  const std::size_t lowest = archive.size() > 22 + 65535 ? archive.size() - 22 - 65535 : 0;
  for (std::size_t at = archive.size() - 22 + 1; at-- > lowest;) {
    if (get32(archive, at) == k_end_of_directory) {
      end = at;
      break;
    }
  }
  if (end == std::string_view::npos) return damaged("no central directory");
  const auto count = get16(archive, end + 10);
  const auto directory_size = get32(archive, end + 12);
  const auto directory_offset = get32(archive, end + 16);
  if (count == 0xffff || directory_offset == 0xffffffff) return damaged("ZIP64 archives are not supported");
  if (static_cast<std::size_t>(directory_offset) + directory_size > end) return damaged("central directory out of bounds");

  std::vector<ZipEntry> entries;
  std::size_t unpacked_total = 0;
  std::size_t at = directory_offset;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (at + 46 > end || get32(archive, at) != k_central_header) return damaged("damaged central directory");
    const auto flags = get16(archive, at + 8);
    const auto method = get16(archive, at + 10);
    const auto crc = get32(archive, at + 16);
    const std::size_t packed_size = get32(archive, at + 20);
    const std::size_t size = get32(archive, at + 24);
    const std::size_t name_length = get16(archive, at + 28);
    const std::size_t extra_length = get16(archive, at + 30);
    const std::size_t comment_length = get16(archive, at + 32);
    const std::size_t local = get32(archive, at + 42);
    if (at + 46 + name_length + extra_length + comment_length > end) return damaged("damaged central directory");
    ZipEntry entry;
    entry.name = std::string(archive.substr(at + 46, name_length));
    at += 46 + name_length + extra_length + comment_length;
    if (flags & 1U) return damaged("entry " + entry.name + " is encrypted");
    if (local + 30 > archive.size() || get32(archive, local) != k_local_header) return damaged("damaged entry " + entry.name);
    const std::size_t data_at = local + 30 + get16(archive, local + 26) + get16(archive, local + 28);
    if (data_at + packed_size > archive.size()) return damaged("entry " + entry.name + " is truncated");
    unpacked_total += size;
    if (unpacked_total > max_unpacked)
      return make_error(ErrorCode::out_of_range, "the file unpacks to more than " + std::to_string(max_unpacked) + " bytes");
    const auto packed = archive.substr(data_at, packed_size);
    if (method == 0) {
      if (packed_size != size) return damaged("entry " + entry.name + " has inconsistent sizes");
      entry.data = std::string(packed);
    } else if (method == 8) {
      auto inflated = inflate_raw(packed, size, max_unpacked);
      if (!inflated) return damaged("entry " + entry.name + ": " + inflated.error().message);
      entry.data = std::move(*inflated);
    } else {
      return damaged("entry " + entry.name + " uses an unsupported compression method");
    }
    if (crc_of(entry.data) != crc) return damaged("entry " + entry.name + " fails its CRC check");
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace camrig::traffic
