//===- alloc_test.cpp - The caching allocator of compiled code ------------===//

#include "kiln/program.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace {

bool aligned(const void *p, size_t alignment) {
  return reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

TEST(Alloc, BlocksAreAlignedAndUsable) {
  for (size_t size : {size_t(0), size_t(1), size_t(63), size_t(100),
                      size_t(4096), size_t(4097), size_t(1) << 20}) {
    void *p = _mlir_memref_to_llvm_alloc(size);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(aligned(p, 64)) << size;
    std::memset(p, 0xab, size);
    _mlir_memref_to_llvm_free(p);
  }
  for (size_t alignment : {1, 16, 64, 128, 4096, 8192}) {
    void *p = _mlir_memref_to_llvm_aligned_alloc(alignment, 1000);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(aligned(p, alignment < 64 ? 64 : alignment)) << alignment;
    std::memset(p, 0xcd, 1000);
    _mlir_memref_to_llvm_free(p);
  }
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(48, 10), nullptr);
  _mlir_memref_to_llvm_free(nullptr);
}

TEST(Alloc, FreedBlocksServeTheirSizeClass) {
  void *p = _mlir_memref_to_llvm_alloc(1000);
  _mlir_memref_to_llvm_free(p);
  // 1000 and 990 bytes share the 1024-byte class.
  void *q = _mlir_memref_to_llvm_alloc(990);
  EXPECT_EQ(q, p);
  kiln_alloc_stats before = kiln_alloc_get_stats();
  void *r = _mlir_memref_to_llvm_alloc(990);
  EXPECT_NE(r, q);
  kiln_alloc_stats after = kiln_alloc_get_stats();
  EXPECT_EQ(after.live_blocks, before.live_blocks + 1);
  _mlir_memref_to_llvm_free(q);
  _mlir_memref_to_llvm_free(r);
  EXPECT_EQ(kiln_alloc_get_stats().live_blocks, before.live_blocks - 1);
  EXPECT_GE(kiln_alloc_get_stats().cached_bytes, 2048u);
}

TEST(Alloc, SteadyStateMakesNoSystemAllocation) {
  // The temporaries of a train step: allocated, some freed early, the rest
  // at the end.
  const size_t sizes[] = {64 * 784 * 4, 64 * 256 * 4,  256 * 4,
                          64 * 10 * 4,  784 * 256 * 4, 40,
                          64 * 256 * 4, 5000};
  auto step = [&] {
    std::vector<void *> blocks;
    for (size_t i = 0; i < std::size(sizes); ++i) {
      blocks.push_back(_mlir_memref_to_llvm_aligned_alloc(64, sizes[i]));
      if (i % 3 == 2) {
        _mlir_memref_to_llvm_free(blocks[i - 1]);
        blocks[i - 1] = nullptr;
      }
    }
    for (void *block : blocks)
      _mlir_memref_to_llvm_free(block);
  };
  step();
  kiln_alloc_stats warm = kiln_alloc_get_stats();
  for (int i = 0; i < 100; ++i)
    step();
  kiln_alloc_stats after = kiln_alloc_get_stats();
  EXPECT_EQ(after.system_allocations, warm.system_allocations);
  EXPECT_EQ(after.live_blocks, warm.live_blocks);
  EXPECT_EQ(after.cached_bytes, warm.cached_bytes);
}

TEST(Alloc, ThreadsShareTheCache) {
  uint64_t live = kiln_alloc_get_stats().live_blocks;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < 1000; ++i) {
        void *p = _mlir_memref_to_llvm_alloc(size_t(64 * (1 + (i + t) % 70)));
        std::memset(p, t, 64);
        _mlir_memref_to_llvm_free(p);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(kiln_alloc_get_stats().live_blocks, live);
}

} // namespace
