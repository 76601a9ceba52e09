//===- idx.h - IDX files (MNIST, Fashion-MNIST) ---------------------------===//
//
// The runtime's C++ API behind kiln_dataset_load_mnist. An IDX file is a
// 4-byte magic (0, 0, a type code, the rank), the rank's dimensions as
// big-endian uint32, then the elements row-major. Every function returns an
// empty string on success, else a message naming the file, the problem and,
// where it applies, the byte offset (of the decompressed data for .gz files).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IDX_H
#define KILN_IDX_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::idx {

/// The type codes of IDX elements.
enum TypeCode : uint8_t {
  U8 = 0x08,
  I8 = 0x09,
  I16 = 0x0b,
  I32 = 0x0c,
  F32 = 0x0d,
  F64 = 0x0e,
};

/// One IDX array; `data` holds the elements as stored (big-endian).
struct Array {
  uint8_t type = 0;
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

/// Parses an IDX file held in memory, gzip-compressed or not (told apart by
/// the gzip magic). `name` names it in errors.
[[nodiscard]] std::string parse(const uint8_t *bytes, size_t size,
                                const std::string &name, Array &out);

/// Reads and parses the file at `path`.
[[nodiscard]] std::string read(const std::string &path, Array &out);

/// One split of an MNIST-format data set.
struct Dataset {
  uint32_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> images; ///< [count, rows, cols]
  std::vector<uint8_t> labels; ///< [count]
};

/// Loads split "train" or "test" from `dir`: {train,t10k}-images-idx3-ubyte
/// and {train,t10k}-labels-idx1-ubyte, each raw or with a .gz suffix.
[[nodiscard]] std::string loadMnist(const std::string &dir,
                                    const std::string &split, Dataset &out);

} // namespace kiln::idx

#endif // KILN_IDX_H
