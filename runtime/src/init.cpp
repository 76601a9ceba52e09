//===- init.cpp - Parameter initializers ----------------------------------===//

#include "kiln/runtime.h"

#include <algorithm>
#include <cmath>

extern "C" {

void kiln_fill_f32(float *out, size_t n, float value) {
  std::fill(out, out + n, value);
}

void kiln_init_glorot_uniform_f32(uint64_t seed, uint64_t stream, float *out,
                                  size_t n, int64_t fanIn, int64_t fanOut) {
  float limit = std::sqrt(6.0f / float(fanIn + fanOut));
  kiln_rng_uniform_f32(seed, stream, 0, out, n, -limit, limit);
}

void kiln_init_kaiming_normal_f32(uint64_t seed, uint64_t stream, float *out,
                                  size_t n, int64_t fanIn) {
  kiln_rng_normal_f32(seed, stream, 0, out, n, 0.0f,
                      std::sqrt(2.0f / float(fanIn)));
}

void kiln_init_kaiming_uniform_f32(uint64_t seed, uint64_t stream, float *out,
                                   size_t n, int64_t fanIn) {
  float limit = std::sqrt(6.0f / float(fanIn));
  kiln_rng_uniform_f32(seed, stream, 0, out, n, -limit, limit);
}

} // extern "C"
