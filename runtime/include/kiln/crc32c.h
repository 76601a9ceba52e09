//===- crc32c.h - CRC-32C (Castagnoli) ------------------------------------===//
//
// The checksum of TFRecord framing (TensorBoard event files) and of
// checkpoints. A runtime-internal C++ API: generated code never calls it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CRC32C_H
#define KILN_CRC32C_H

#include <cstddef>
#include <cstdint>

namespace kiln {

/// CRC-32C of `size` bytes, continuing from `crc` (the CRC of the bytes
/// before them; 0 to start). Uses SSE4.2 where the CPU has it.
uint32_t crc32c(const void *data, size_t size, uint32_t crc = 0);
/// The same with a table, whatever the CPU: the reference for the above.
uint32_t crc32cPortable(const void *data, size_t size, uint32_t crc = 0);

/// TFRecord's masked CRC: a CRC stored next to the data it covers, rotated
/// and offset so that a CRC of data containing CRCs stays well distributed.
inline uint32_t crc32cMask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

} // namespace kiln

#endif // KILN_CRC32C_H
