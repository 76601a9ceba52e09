//===- checkpoint_export.cpp - Parameters to and from other formats -------===//
//
// A checkpoint's parameters as safetensors (a little-endian uint64 header
// length, a JSON header, the tensors' bytes) or .npz (a zip, stored
// uncompressed, of one .npy file per parameter), and safetensors files read
// for --init-from.
//
//===----------------------------------------------------------------------===//

#include "kiln/checkpoint.h"

#include "support.h"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace kiln::checkpoint {
namespace {

/// A header over 100 MB is damage, not a header.
constexpr uint64_t kMaxSafetensorsHeader = uint64_t(100) << 20;
constexpr int kMaxJsonDepth = 64;

template <typename T> void appendLittleEndian(std::string &out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i)
    out += char(uint64_t(value) >> (8 * i) & 0xff);
}

std::string shapeJson(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

/// The parameters of a checkpoint, which export writes.
std::vector<const Blob *> parametersOf(const Contents &contents) {
  std::vector<const Blob *> parameters;
  for (const Blob &blob : contents.tensors)
    if (blob.parameter)
      parameters.push_back(&blob);
  return parameters;
}

/// Writes `chunks` to `path` through a temporary file and a rename.
std::string
writeFile(const std::string &path,
          const std::vector<std::pair<const void *, uint64_t>> &chunks) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    for (const auto &[data, size] : chunks)
      out.write(static_cast<const char *>(data), std::streamsize(size));
    out.flush();
    if (!out) {
      std::string error = systemError(temporary);
      std::remove(temporary.c_str());
      return error;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::string error = systemError(path);
    std::remove(temporary.c_str());
    return error;
  }
  return "";
}

std::string exportSafetensors(const Contents &contents,
                              const std::string &output) {
  std::string header = "{";
  uint64_t offset = 0;
  std::vector<std::pair<const void *, uint64_t>> chunks = {{nullptr, 0},
                                                           {nullptr, 0}};
  for (const Blob *blob : parametersOf(contents)) {
    if (header.size() > 1)
      header += ',';
    json::appendString(header, blob->name);
    header += ":{\"dtype\":\"F32\",\"shape\":" + shapeJson(blob->shape) +
              ",\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + blob->size) + "]}";
    offset += blob->size;
    chunks.push_back({blob->data, blob->size});
  }
  header += '}';
  // The data starts 8-byte aligned: the header is padded with spaces.
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string length;
  appendLittleEndian(length, uint64_t(header.size()));
  chunks[0] = {length.data(), length.size()};
  chunks[1] = {header.data(), header.size()};
  return writeFile(output, chunks);
}

/// A .npy file's preamble and header: little-endian f32, C order.
std::string npyHeader(const std::vector<int64_t> &shape) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i)
    dict += (i ? ", " : "") + std::to_string(shape[i]);
  dict += shape.size() == 1 ? ",), }" : "), }";
  // Version 1.0: magic, version, uint16 length; the data 64-byte aligned.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string header = "\x93NUMPY\x01";
  header += '\0';
  appendLittleEndian(header, uint16_t(dict.size()));
  return header + dict;
}

std::string exportNpz(const Contents &contents, const std::string &output) {
  std::vector<const Blob *> parameters = parametersOf(contents);
  // Sized up front: the chunks point into these strings.
  std::vector<std::string> locals(parameters.size()),
      npyHeaders(parameters.size());
  std::string central;
  std::vector<std::pair<const void *, uint64_t>> chunks;
  uint64_t offset = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const Blob &blob = *parameters[i];
    std::string name = blob.name + ".npy";
    npyHeaders[i] = npyHeader(blob.shape);
    uint64_t size = npyHeaders[i].size() + blob.size;
    if (size > UINT32_MAX || offset > UINT32_MAX)
      return output + ": parameter '" + blob.name +
             "' is beyond the 4 GB an npz without zip64 holds";
    uLong crc = crc32(0, reinterpret_cast<const Bytef *>(npyHeaders[i].data()),
                      uInt(npyHeaders[i].size()));
    crc = crc32(crc, static_cast<const Bytef *>(blob.data), uInt(blob.size));
    // Stored (method 0), dated 1980-01-01 so that output is reproducible.
    auto common = [&](std::string &out) {
      appendLittleEndian(out, uint16_t(20));   // version needed: 2.0
      appendLittleEndian(out, uint16_t(0));    // flags
      appendLittleEndian(out, uint16_t(0));    // method: stored
      appendLittleEndian(out, uint16_t(0));    // time
      appendLittleEndian(out, uint16_t(0x21)); // date
      appendLittleEndian(out, uint32_t(crc));
      appendLittleEndian(out, uint32_t(size)); // compressed
      appendLittleEndian(out, uint32_t(size)); // uncompressed
      appendLittleEndian(out, uint16_t(name.size()));
      appendLittleEndian(out, uint16_t(0)); // extra field length
    };
    std::string &local = locals[i];
    appendLittleEndian(local, uint32_t(0x04034b50));
    common(local);
    local += name;
    appendLittleEndian(central, uint32_t(0x02014b50));
    appendLittleEndian(central, uint16_t(20)); // version made by
    common(central);
    appendLittleEndian(central, uint16_t(0)); // comment length
    appendLittleEndian(central, uint16_t(0)); // disk
    appendLittleEndian(central, uint16_t(0)); // internal attributes
    appendLittleEndian(central, uint32_t(0)); // external attributes
    appendLittleEndian(central, uint32_t(offset));
    central += name;
    chunks.push_back({local.data(), local.size()});
    chunks.push_back({npyHeaders[i].data(), npyHeaders[i].size()});
    chunks.push_back({blob.data, blob.size});
    offset += local.size() + size;
  }
  if (offset > UINT32_MAX)
    return output + ": the parameters are beyond the 4 GB an npz without "
                    "zip64 holds";
  std::string end;
  appendLittleEndian(end, uint32_t(0x06054b50));
  appendLittleEndian(end, uint16_t(0)); // this disk
  appendLittleEndian(end, uint16_t(0)); // the central directory's disk
  appendLittleEndian(end, uint16_t(parameters.size()));
  appendLittleEndian(end, uint16_t(parameters.size()));
  appendLittleEndian(end, uint32_t(central.size()));
  appendLittleEndian(end, uint32_t(offset));
  appendLittleEndian(end, uint16_t(0)); // comment length
  chunks.push_back({central.data(), central.size()});
  chunks.push_back({end.data(), end.size()});
  return writeFile(output, chunks);
}

/// Just enough JSON for a safetensors header.
class JsonReader {
public:
  explicit JsonReader(const std::string &text) : text_(text) {}

  bool atEnd() {
    skipSpace();
    return pos_ == text_.size();
  }
  bool consume(char c) {
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool readString(std::string &out) {
    out.clear();
    if (!consume('"'))
      return false;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"')
        return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ == text_.size())
        return false;
      char escaped = text_[pos_++];
      const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
      if (const char *found = std::strchr(from, escaped); found && escaped)
        out += to[found - from];
      else if (escaped != 'u' || !readEscapedCodePoint(out))
        return false;
    }
    return false;
  }
  bool readInt(int64_t &out) {
    skipSpace();
    size_t start = pos_;
    out = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (out > (INT64_MAX - 9) / 10)
        return false;
      out = out * 10 + (text_[pos_++] - '0');
    }
    return pos_ > start;
  }
  bool readIntArray(std::vector<int64_t> &out) {
    out.clear();
    if (!consume('['))
      return false;
    if (consume(']'))
      return true;
    do {
      int64_t value;
      if (!readInt(value))
        return false;
      out.push_back(value);
    } while (consume(','));
    return consume(']');
  }
  /// Skips any value (the __metadata__ object, unknown keys).
  bool skipValue(int depth = 0) {
    skipSpace();
    if (depth > kMaxJsonDepth || pos_ == text_.size())
      return false;
    std::string ignored;
    char c = text_[pos_];
    if (c == '"')
      return readString(ignored);
    if (c == '{' || c == '[') {
      ++pos_;
      char close = c == '{' ? '}' : ']';
      if (consume(close))
        return true;
      do {
        if (c == '{' && !(readString(ignored) && consume(':')))
          return false;
        if (!skipValue(depth + 1))
          return false;
      } while (consume(','));
      return consume(close);
    }
    size_t start = pos_;
    while (pos_ < text_.size() &&
           std::strchr("+-.0123456789eEtruefalsn", text_[pos_]) && text_[pos_])
      ++pos_;
    return pos_ > start;
  }
  size_t position() const { return pos_; }

private:
  void skipSpace() {
    while (pos_ < text_.size() && std::strchr(" \t\r\n", text_[pos_]) &&
           text_[pos_])
      ++pos_;
  }
  bool readEscapedCodePoint(std::string &out) {
    if (pos_ + 4 > text_.size())
      return false;
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      int digit = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
      if (digit < 0)
        return false;
      code = code * 16 + unsigned(digit);
    }
    // UTF-8 of a code point of the Basic Multilingual Plane.
    if (code < 0x80) {
      out += char(code);
    } else if (code < 0x800) {
      out += char(0xc0 | code >> 6);
      out += char(0x80 | (code & 0x3f));
    } else {
      out += char(0xe0 | code >> 12);
      out += char(0x80 | (code >> 6 & 0x3f));
      out += char(0x80 | (code & 0x3f));
    }
    return true;
  }

  const std::string &text_;
  size_t pos_ = 0;
};

/// Bytes per element of a safetensors dtype; 0 for one not known here.
uint64_t dtypeWidth(const std::string &dtype) {
  for (auto [name, width] :
       std::initializer_list<std::pair<const char *, uint64_t>>{{"F64", 8},
                                                                {"F32", 4},
                                                                {"F16", 2},
                                                                {"BF16", 2},
                                                                {"I64", 8},
                                                                {"I32", 4},
                                                                {"I16", 2},
                                                                {"I8", 1},
                                                                {"U8", 1},
                                                                {"BOOL", 1}})
    if (dtype == name)
      return width;
  return 0;
}

} // namespace

std::string readSafetensors(const std::string &path,
                            std::vector<NamedTensor> &out) {
  out.clear();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return systemError(path);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto fail = [&](const std::string &what) { return path + ": " + what; };
  if (bytes.size() < 8)
    return fail("too short to be a safetensors file");
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = headerSize << 8 | uint8_t(bytes[size_t(i)]);
  if (headerSize > kMaxSafetensorsHeader || headerSize > bytes.size() - 8)
    return fail("the header length " + std::to_string(headerSize) +
                " does not fit in the file");
  std::string header = bytes.substr(8, headerSize);
  uint64_t dataSize = bytes.size() - 8 - headerSize;
  JsonReader reader(header);
  auto badHeader = [&]() {
    return fail("malformed JSON header near byte " +
                std::to_string(8 + reader.position()));
  };
  if (!reader.consume('{'))
    return badHeader();
  if (!reader.consume('}')) {
    do {
      std::string name;
      if (!reader.readString(name) || !reader.consume(':'))
        return badHeader();
      if (name == "__metadata__") {
        if (!reader.skipValue())
          return badHeader();
        continue;
      }
      NamedTensor tensor;
      tensor.name = name;
      std::vector<int64_t> offsets;
      if (!reader.consume('{'))
        return badHeader();
      do {
        std::string key;
        if (!reader.readString(key) || !reader.consume(':'))
          return badHeader();
        bool read = key == "dtype"          ? reader.readString(tensor.dtype)
                    : key == "shape"        ? reader.readIntArray(tensor.shape)
                    : key == "data_offsets" ? reader.readIntArray(offsets)
                                            : reader.skipValue();
        if (!read)
          return badHeader();
      } while (reader.consume(','));
      if (!reader.consume('}'))
        return badHeader();
      uint64_t width = dtypeWidth(tensor.dtype), elements = 1;
      if (!width)
        return fail("tensor '" + name + "' has unknown dtype '" + tensor.dtype +
                    "'");
      for (int64_t d : tensor.shape)
        elements = d && elements > UINT64_MAX / uint64_t(d)
                       ? UINT64_MAX
                       : elements * uint64_t(d);
      if (offsets.size() != 2 || offsets[0] > offsets[1] ||
          uint64_t(offsets[1]) > dataSize)
        return fail("tensor '" + name + "' has data_offsets outside the " +
                    std::to_string(dataSize) + " bytes of data");
      if (uint64_t(offsets[1] - offsets[0]) / width != elements ||
          uint64_t(offsets[1] - offsets[0]) % width != 0)
        return fail("tensor '" + name + "' has " +
                    std::to_string(offsets[1] - offsets[0]) +
                    " bytes, not those of its shape " +
                    shapeJson(tensor.shape));
      tensor.bytes = bytes.substr(8 + headerSize + uint64_t(offsets[0]),
                                  uint64_t(offsets[1] - offsets[0]));
      out.push_back(std::move(tensor));
    } while (reader.consume(','));
    if (!reader.consume('}'))
      return badHeader();
  }
  if (!reader.atEnd())
    return badHeader();
  return "";
}

} // namespace kiln::checkpoint

extern "C" int32_t kiln_checkpoint_export(const char *checkpoint,
                                          const char *format,
                                          const char *output) {
  kiln::checkpoint::File file;
  std::string error = file.open(checkpoint);
  if (error.empty()) {
    if (std::strcmp(format, "safetensors") == 0)
      error = kiln::checkpoint::exportSafetensors(file.contents(), output);
    else if (std::strcmp(format, "npz") == 0)
      error = kiln::checkpoint::exportNpz(file.contents(), output);
    else
      error = "unknown export format '" + std::string(format) +
              "' (safetensors or npz)";
  }
  if (error.empty())
    return 0;
  kiln::setLastError(error);
  return -1;
}
