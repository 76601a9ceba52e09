//===- crc32c.cpp - CRC-32C (Castagnoli) ----------------------------------===//

#include "kiln/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace kiln {
namespace {

/// The reflected polynomial 0x1EDC6F41.
constexpr uint32_t kPolynomial = 0x82f63b78;

std::array<uint32_t, 256> makeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ (crc & 1 ? kPolynomial : 0);
    table[i] = crc;
  }
  return table;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t
crc32cHardware(const unsigned char *p, size_t size, uint32_t crc) {
  uint64_t state = ~crc;
  for (; size >= 8; p += 8, size -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    state = _mm_crc32_u64(state, word);
  }
  uint32_t narrow = uint32_t(state);
  for (; size; ++p, --size)
    narrow = _mm_crc32_u8(narrow, *p);
  return ~narrow;
}
#endif

} // namespace

uint32_t crc32cPortable(const void *data, size_t size, uint32_t crc) {
  static const std::array<uint32_t, 256> table = makeTable();
  const auto *p = static_cast<const unsigned char *>(data);
  crc = ~crc;
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint32_t crc32c(const void *data, size_t size, uint32_t crc) {
#if defined(__x86_64__)
  static const bool hardware = __builtin_cpu_supports("sse4.2");
  if (hardware)
    return crc32cHardware(static_cast<const unsigned char *>(data), size, crc);
#endif
  return crc32cPortable(data, size, crc);
}

} // namespace kiln
