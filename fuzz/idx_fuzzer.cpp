//===- idx_fuzzer.cpp - libFuzzer target over the IDX parser --------------===//
//
// Feeds arbitrary bytes, raw or gzip, to the runtime's IDX parser. Any crash,
// sanitizer report, hang or out-of-memory is a bug: malformed input must only
// produce an error message. Built by scripts/fuzz.sh --target idx.
//
//===----------------------------------------------------------------------===//

#include "kiln/idx.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln::idx::Array array;
  if (!kiln::idx::parse(data, size, "fuzz.idx", array).empty())
    return 0;
  // A parsed array holds exactly its elements, of 1, 2, 4 or 8 bytes each.
  uint64_t elements = 1;
  for (uint32_t d : array.dims)
    elements *= d;
  uint64_t bytes = array.data.size(), width = elements ? bytes / elements : 0;
  bool consistent =
      elements ? bytes % elements == 0 &&
                     (width == 1 || width == 2 || width == 4 || width == 8)
               : bytes == 0;
  if (!consistent)
    std::abort();
  return 0;
}
