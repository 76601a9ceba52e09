//===- alloc.cpp - A caching allocator for compiled code's temporaries ----===//
//
// Every block is aligned to at least KILN_BUFFER_ALIGNMENT and preceded by a
// header of one alignment unit recording where the system block starts and
// which free list it returns to. Sizes round up to a size class: multiples of
// 64 bytes up to 4 KiB, then four classes per power of two (at most 25%
// waste). A freed block waits on its class's free list, linked through the
// block itself, for the next request of that class and alignment, so a step
// that allocates and frees the same sizes every time reaches a steady state
// with no system allocation. Cached blocks are kept for the process's life.
//
//===----------------------------------------------------------------------===//

#include "kiln/program.h"
#include "kiln/runtime.h"

#include <cstdlib>
#include <mutex>

namespace {

constexpr size_t kSmallStep = 64;
constexpr size_t kSmallLimit = 4096;
constexpr int kNumSmallClasses = int(kSmallLimit / kSmallStep);
/// Above kSmallLimit: four classes per power of two up to 2^47 bytes.
constexpr int kLargestPower = 47;
constexpr int kNumClasses = kNumSmallClasses + 4 * (kLargestPower - 12);
/// Alignments cached: 64 << 0 .. 64 << 6 (4 KiB). Larger ones, and sizes
/// beyond the classes, go to the system every time.
constexpr int kNumAlignments = 7;
constexpr int kUncached = -1;

struct Header {
  void *system; ///< what the system returned, to free
  int32_t sizeClass;
  int32_t alignment; ///< index: 64 << alignment bytes
};

struct FreeBlock {
  FreeBlock *next;
};

std::mutex mutex;
FreeBlock *freeLists[kNumAlignments][kNumClasses];
kiln_alloc_stats stats;

/// The class of a request, or kUncached.
int sizeClassOf(size_t size) {
  if (size <= kSmallLimit)
    return size == 0 ? 0 : int((size - 1) / kSmallStep);
  // size in (2^p, 2^(p+1)]: classes 2^p * (1 + q/4), q = 1..4.
  int power = 63 - __builtin_clzll(uint64_t(size - 1));
  if (power >= kLargestPower)
    return kUncached;
  size_t quarter = size_t(1) << (power - 2);
  auto q = int((size - 1 - (size_t(1) << power)) / quarter) + 1;
  return kNumSmallClasses + 4 * (power - 12) + (q - 1);
}

size_t classBytes(int sizeClass) {
  if (sizeClass < kNumSmallClasses)
    return size_t(sizeClass + 1) * kSmallStep;
  int power = 12 + (sizeClass - kNumSmallClasses) / 4;
  int q = (sizeClass - kNumSmallClasses) % 4 + 1;
  return (size_t(1) << power) + size_t(q) * (size_t(1) << (power - 2));
}

Header *headerOf(void *block) { return static_cast<Header *>(block) - 1; }

void *allocate(size_t alignment, size_t size) {
  if (alignment & (alignment - 1))
    return nullptr; // not a power of two
  if (alignment < KILN_BUFFER_ALIGNMENT)
    alignment = KILN_BUFFER_ALIGNMENT;
  int alignmentIndex = __builtin_ctzll(alignment) - 6;
  int sizeClass = sizeClassOf(size);
  bool cached = sizeClass != kUncached && alignmentIndex < kNumAlignments;
  size_t bytes = cached ? classBytes(sizeClass) : size;

  std::lock_guard<std::mutex> lock(mutex);
  if (cached) {
    if (FreeBlock *block = freeLists[alignmentIndex][sizeClass]) {
      freeLists[alignmentIndex][sizeClass] = block->next;
      stats.cached_bytes -= bytes;
      ++stats.live_blocks;
      return block;
    }
  }
  // The header takes one alignment unit, so the block stays aligned.
  size_t total = alignment + bytes;
  total = (total + alignment - 1) / alignment * alignment;
  if (total < bytes)
    return nullptr; // overflow
  void *system = std::aligned_alloc(alignment, total);
  if (!system)
    return nullptr;
  ++stats.system_allocations;
  ++stats.live_blocks;
  void *block = static_cast<char *>(system) + alignment;
  *headerOf(block) = {system, cached ? sizeClass : kUncached,
                      cached ? alignmentIndex : kUncached};
  return block;
}

} // namespace

extern "C" {

void *_mlir_memref_to_llvm_alloc(size_t size) {
  return allocate(KILN_BUFFER_ALIGNMENT, size);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return allocate(alignment, size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  Header header = *headerOf(ptr);
  std::lock_guard<std::mutex> lock(mutex);
  --stats.live_blocks;
  if (header.sizeClass == kUncached) {
    std::free(header.system);
    return;
  }
  auto *block = static_cast<FreeBlock *>(ptr);
  block->next = freeLists[header.alignment][header.sizeClass];
  freeLists[header.alignment][header.sizeClass] = block;
  stats.cached_bytes += classBytes(header.sizeClass);
}

kiln_alloc_stats kiln_alloc_get_stats(void) {
  std::lock_guard<std::mutex> lock(mutex);
  return stats;
}

} // extern "C"
