//===- buffer_test.cpp - Aligned runtime buffers --------------------------===//

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

TEST(Buffer, AlignedAndZeroed) {
  for (size_t bytes : {1u, 63u, 64u, 65u, 4096u, 1000003u}) {
    auto *p = static_cast<unsigned char *>(kiln_buffer_alloc(bytes));
    ASSERT_NE(p, nullptr) << bytes;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % KILN_BUFFER_ALIGNMENT, 0u);
    for (size_t i = 0; i < bytes; ++i)
      ASSERT_EQ(p[i], 0) << "byte " << i << " of " << bytes;
    kiln_buffer_free(p);
  }
}

TEST(Buffer, ZeroBytesIsAFreeableBuffer) {
  void *p = kiln_buffer_alloc(0);
  ASSERT_NE(p, nullptr);
  kiln_buffer_free(p);
}

TEST(Buffer, OverflowingRequestFails) {
  EXPECT_EQ(kiln_buffer_alloc(SIZE_MAX - 3), nullptr);
}

TEST(Buffer, AbiVersion) {
  EXPECT_EQ(kiln_runtime_abi_version(), KILN_RUNTIME_ABI_VERSION);
}

} // namespace
