//===- idx.cpp - IDX files (MNIST, Fashion-MNIST) -------------------------===//

#include "kiln/idx.h"

#include "support.h"

#include "kiln/runtime.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace kiln::idx {
namespace {

/// zlib counts in uInt: feed it at most this much at a time.
constexpr size_t kZlibChunk = size_t(1) << 30;

std::string offsetText(uint64_t offset, bool gzip) {
  return "byte offset " + std::to_string(offset) +
         (gzip ? " of the decompressed data" : "");
}

std::string hex(uint64_t value, int digits) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%0*llx", digits,
                static_cast<unsigned long long>(value));
  return text;
}

std::string dimsText(const std::vector<uint32_t> &dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

/// Bytes per element of a type code; 0 for an unknown code.
size_t elementSize(uint8_t type) {
  switch (type) {
  case U8:
  case I8:
    return 1;
  case I16:
    return 2;
  case I32:
  case F32:
    return 4;
  case F64:
    return 8;
  default:
    return 0;
  }
}

std::string gunzip(const uint8_t *bytes, size_t size, const std::string &name,
                   std::vector<uint8_t> &out) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    return name + ": cannot initialize zlib";
  std::unique_ptr<z_stream, int (*)(z_stream *)> guard(&z, inflateEnd);
  out.resize(std::max<size_t>(4096, size * 4));
  size_t fed = 0;
  z.next_in = const_cast<Bytef *>(bytes);
  for (;;) {
    if (z.avail_in == 0 && fed < size) {
      z.avail_in = uInt(std::min(size - fed, kZlibChunk));
      fed += z.avail_in;
    }
    if (z.total_out == out.size())
      out.resize(out.size() * 2);
    z.next_out = out.data() + z.total_out;
    z.avail_out = uInt(std::min(out.size() - z.total_out, kZlibChunk));
    int status = inflate(&z, Z_NO_FLUSH);
    if (status == Z_STREAM_END)
      break;
    if (status == Z_OK)
      continue;
    // Input and output space are always offered, so Z_BUF_ERROR means the
    // input ran out mid-stream.
    if (status == Z_BUF_ERROR)
      return name + ": truncated gzip stream at compressed byte offset " +
             std::to_string(z.total_in);
    return name + ": corrupt gzip data at compressed byte offset " +
           std::to_string(z.total_in) + ": " +
           (z.msg ? z.msg : "zlib error " + std::to_string(status));
  }
  if (z.total_in != size)
    return name + ": " + std::to_string(size - z.total_in) +
           " trailing bytes after the gzip stream at compressed byte offset " +
           std::to_string(z.total_in);
  out.resize(z.total_out);
  return "";
}

std::string parseRaw(const uint8_t *bytes, size_t size, const std::string &name,
                     bool gzip, Array &out) {
  if (size < 4)
    return name + ": truncated header: " + std::to_string(size) +
           " bytes, where an IDX header needs at least 4";
  if (bytes[0] != 0 || bytes[1] != 0)
    return name + ": bad magic " +
           hex(uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 |
                   uint32_t(bytes[2]) << 8 | bytes[3],
               8) +
           " at " + offsetText(0, gzip) +
           " (an IDX file starts with two zero bytes)";
  size_t width = elementSize(bytes[2]);
  if (width == 0)
    return name + ": unknown element type code " + hex(bytes[2], 2) + " at " +
           offsetText(2, gzip);
  size_t rank = bytes[3];
  size_t header = 4 + 4 * rank;
  if (size < header)
    return name + ": truncated header: rank " + std::to_string(rank) +
           " needs " + std::to_string(header) + " header bytes, found " +
           std::to_string(size);
  std::vector<uint32_t> dims(rank);
  uint64_t elements = 1;
  for (size_t i = 0; i < rank; ++i) {
    const uint8_t *p = bytes + 4 + 4 * i;
    dims[i] = uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 |
              uint32_t(p[2]) << 8 | p[3];
    if (dims[i] && elements > UINT64_MAX / width / dims[i])
      return name + ": dimension overflow: " + dimsText(dims) +
             " elements of " + std::to_string(width) +
             " bytes exceed 2^64 bytes at " + offsetText(4 + 4 * i, gzip);
    elements *= dims[i];
  }
  uint64_t expected = elements * width, present = size - header;
  if (present != expected) {
    std::string shape = dimsText(dims) + " elements of type " +
                        hex(bytes[2], 2) + " need " + std::to_string(expected) +
                        " data bytes from " + offsetText(header, gzip);
    if (present < expected)
      return name + ": size mismatch: " + shape + ", but only " +
             std::to_string(present) + " are present (truncated)";
    return name + ": size mismatch: " + shape + ", but " +
           std::to_string(present - expected) + " trailing bytes follow at " +
           offsetText(header + expected, gzip);
  }
  out.type = bytes[2];
  out.dims = std::move(dims);
  out.data.assign(bytes + header, bytes + size);
  return "";
}

/// The file of `stem` in `dir`, raw or with .gz; an error when neither is.
std::string findFile(const std::string &dir, const std::string &stem,
                     std::string &path) {
  path = (std::filesystem::path(dir) / stem).string();
  std::error_code ignored;
  if (std::filesystem::exists(path, ignored))
    return "";
  if (std::filesystem::exists(path + ".gz", ignored)) {
    path += ".gz";
    return "";
  }
  return path + "(.gz): no such file";
}

std::string expectShape(const std::string &path, const Array &array,
                        size_t rank, const char *what) {
  bool gzip = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  if (array.type != U8)
    return path + ": wrong element type code " + hex(array.type, 2) + " at " +
           offsetText(2, gzip) + ": " + what + " must be unsigned bytes (0x08)";
  if (array.dims.size() != rank)
    return path + ": wrong rank " + std::to_string(array.dims.size()) + " at " +
           offsetText(3, gzip) + ": " + what + " must have rank " +
           std::to_string(rank);
  return "";
}

} // namespace

std::string parse(const uint8_t *bytes, size_t size, const std::string &name,
                  Array &out) {
  if (size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
    std::vector<uint8_t> inflated;
    if (std::string error = gunzip(bytes, size, name, inflated); !error.empty())
      return error;
    return parseRaw(inflated.data(), inflated.size(), name, true, out);
  }
  return parseRaw(bytes, size, name, false, out);
}

std::string read(const std::string &path, Array &out) {
  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"),
                                              std::fclose);
  if (!file)
    return systemError(path);
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  while (size_t n = std::fread(chunk, 1, sizeof chunk, file.get()))
    bytes.insert(bytes.end(), chunk, chunk + n);
  if (std::ferror(file.get()))
    return systemError(path);
  return parse(bytes.data(), bytes.size(), path, out);
}

std::string loadMnist(const std::string &dir, const std::string &split,
                      Dataset &out) {
  if (split != "train" && split != "test")
    return "unknown split '" + split + "' (expected train or test)";
  std::string prefix = split == "train" ? "train" : "t10k";
  std::string imagesPath, labelsPath;
  Array images, labels;
  std::string error = findFile(dir, prefix + "-images-idx3-ubyte", imagesPath);
  if (error.empty())
    error = findFile(dir, prefix + "-labels-idx1-ubyte", labelsPath);
  if (error.empty())
    error = read(imagesPath, images);
  if (error.empty())
    error = expectShape(imagesPath, images, 3, "images");
  if (error.empty())
    error = read(labelsPath, labels);
  if (error.empty())
    error = expectShape(labelsPath, labels, 1, "labels");
  if (!error.empty())
    return error;
  if (images.dims[0] != labels.dims[0])
    return "images/labels count mismatch: " + imagesPath + " has " +
           std::to_string(images.dims[0]) + " images, " + labelsPath + " has " +
           std::to_string(labels.dims[0]) + " labels";
  out.count = images.dims[0];
  out.rows = images.dims[1];
  out.cols = images.dims[2];
  out.images = std::move(images.data);
  out.labels = std::move(labels.data);
  return "";
}

} // namespace kiln::idx

extern "C" {

int32_t kiln_dataset_load_mnist(const char *dir, const char *split,
                                kiln_dataset *out) {
  *out = kiln_dataset{};
  kiln::idx::Dataset dataset;
  std::string error =
      kiln::idx::loadMnist(dir ? dir : KILN_FASHION_MNIST_DIR, split, dataset);
  if (!error.empty()) {
    kiln::setLastError(std::move(error));
    return -1;
  }
  auto *images =
      static_cast<uint8_t *>(kiln_buffer_alloc(dataset.images.size()));
  auto *labels = static_cast<int32_t *>(
      kiln_buffer_alloc(dataset.labels.size() * sizeof(int32_t)));
  if (!images || !labels) {
    kiln_buffer_free(images);
    kiln_buffer_free(labels);
    kiln::setLastError("out of memory loading the " + std::string(split) +
                       " split");
    return -1;
  }
  std::memcpy(images, dataset.images.data(), dataset.images.size());
  std::copy(dataset.labels.begin(), dataset.labels.end(), labels);
  *out = {dataset.count, dataset.rows, dataset.cols, images, labels};
  return 0;
}

void kiln_dataset_free(kiln_dataset *dataset) {
  kiln_buffer_free(dataset->images);
  kiln_buffer_free(dataset->labels);
  *dataset = kiln_dataset{};
}

} // extern "C"
