//===- buffer.cpp - Aligned host buffers ----------------------------------===//

#include "kiln/runtime.h"

#include <cstdlib>
#include <cstring>

extern "C" {

uint32_t kiln_runtime_abi_version(void) { return KILN_RUNTIME_ABI_VERSION; }

void *kiln_buffer_alloc(size_t bytes) {
  // aligned_alloc wants a size that is a multiple of the alignment; a request
  // for zero bytes still yields a distinct, freeable buffer.
  size_t rounded = (bytes + KILN_BUFFER_ALIGNMENT - 1) / KILN_BUFFER_ALIGNMENT *
                   KILN_BUFFER_ALIGNMENT;
  if (rounded < bytes)
    return nullptr; // overflow
  if (rounded == 0)
    rounded = KILN_BUFFER_ALIGNMENT;
  void *p = std::aligned_alloc(KILN_BUFFER_ALIGNMENT, rounded);
  if (p)
    std::memset(p, 0, rounded);
  return p;
}

void kiln_buffer_free(void *buffer) { std::free(buffer); }

} // extern "C"
