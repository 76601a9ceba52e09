//===- crc32c_test.cpp - CRC-32C ------------------------------------------===//

#include "kiln/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct Golden {
  std::string name, bytes;
  uint32_t crc;
};

/// The standard check value and the vectors of RFC 3720, appendix B.4.
std::vector<Golden> goldenVectors() {
  std::string ascending(32, 0);
  for (int i = 0; i < 32; ++i)
    ascending[i] = char(i);
  return {{"123456789", "123456789", 0xe3069283},
          {"32 zeros", std::string(32, '\0'), 0x8a9136aa},
          {"32 0xff", std::string(32, '\xff'), 0x62a8ab43},
          {"0..31", ascending, 0x46dd794e},
          {"empty", "", 0}};
}

TEST(Crc32c, GoldenVectors) {
  for (const Golden &g : goldenVectors()) {
    EXPECT_EQ(kiln::crc32c(g.bytes.data(), g.bytes.size()), g.crc) << g.name;
    EXPECT_EQ(kiln::crc32cPortable(g.bytes.data(), g.bytes.size()), g.crc)
        << g.name;
  }
}

TEST(Crc32c, ExtendsAcrossSplitsAndAlignments) {
  std::string bytes(1000, 0);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = char(i * 131 + 7);
  uint32_t whole = kiln::crc32cPortable(bytes.data(), bytes.size());
  for (size_t split : {0u, 1u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
    uint32_t head = kiln::crc32c(bytes.data(), split);
    EXPECT_EQ(kiln::crc32c(bytes.data() + split, bytes.size() - split, head),
              whole)
        << "split at " << split;
  }
}

TEST(Crc32c, MaskIsTfRecords) {
  EXPECT_EQ(kiln::crc32cMask(0), 0xa282ead8u);
  EXPECT_EQ(kiln::crc32cMask(0x00008000), 0xa282ead9u);
  EXPECT_EQ(kiln::crc32cMask(0x00000001), 0xa284ead8u);
}

} // namespace
