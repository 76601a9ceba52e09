//===- rng.cpp - Counter-based random numbers (Philox4x32-10) -------------===//
//
// Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3" (SC'11). The
// key is the seed; the 128-bit counter is (counter, stream).
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"

#include <cmath>

namespace {

constexpr uint32_t kMultiplier0 = 0xD2511F53, kMultiplier1 = 0xCD9E8D57;
constexpr uint32_t kWeyl0 = 0x9E3779B9, kWeyl1 = 0xBB67AE85;

void mulhilo(uint32_t a, uint32_t b, uint32_t &hi, uint32_t &lo) {
  uint64_t product = uint64_t(a) * b;
  hi = uint32_t(product >> 32);
  lo = uint32_t(product);
}

/// 2^-32 * (x + 0.5): uniform in (0, 1), never 0, so log() is safe.
double openUnit(uint32_t x) { return (double(x) + 0.5) * 0x1p-32; }

} // namespace

extern "C" {

kiln_philox_block kiln_philox4x32(uint64_t seed, uint64_t stream,
                                  uint64_t counter) {
  uint32_t c[4] = {uint32_t(counter), uint32_t(counter >> 32), uint32_t(stream),
                   uint32_t(stream >> 32)};
  uint32_t k[2] = {uint32_t(seed), uint32_t(seed >> 32)};
  for (int round = 0; round < 10; ++round) {
    if (round) {
      k[0] += kWeyl0;
      k[1] += kWeyl1;
    }
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kMultiplier0, c[0], hi0, lo0);
    mulhilo(kMultiplier1, c[2], hi1, lo1);
    uint32_t next[4] = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    for (int i = 0; i < 4; ++i)
      c[i] = next[i];
  }
  return {{c[0], c[1], c[2], c[3]}};
}

void kiln_rng_uniform_f32(uint64_t seed, uint64_t stream, uint64_t offset,
                          float *out, size_t n, float low, float high) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits = kiln_philox4x32(seed, stream, offset + i).words[0];
    // The top 24 bits give every float in [0, 1) a multiple of 2^-24.
    float unit = float(bits >> 8) * 0x1p-24f;
    out[i] = low + (high - low) * unit;
  }
}

void kiln_rng_normal_f32(uint64_t seed, uint64_t stream, uint64_t offset,
                         float *out, size_t n, float mean, float stddev) {
  for (size_t i = 0; i < n; ++i) {
    kiln_philox_block b = kiln_philox4x32(seed, stream, offset + i);
    double radius = std::sqrt(-2.0 * std::log(openUnit(b.words[0])));
    double angle = 2.0 * M_PI * openUnit(b.words[1]);
    out[i] = float(mean + stddev * radius * std::cos(angle));
  }
}

} // extern "C"
