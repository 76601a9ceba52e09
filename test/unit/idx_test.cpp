//===- idx_test.cpp - IDX files and MNIST-format data sets ----------------===//

#include "RunSupport.h"
#include "ScratchDir.h"

#include "kiln/idx.h"
#include "kiln/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using kiln::test::idxFile;
using kiln::test::ScratchDir;
using testing::HasSubstr;

std::string gzip(const std::string &bytes) {
  z_stream z{};
  EXPECT_EQ(
      deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
  z.avail_in = bytes.size();
  z.next_out = reinterpret_cast<Bytef *>(out.data());
  z.avail_out = out.size();
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string parseError(const std::string &bytes,
                       const std::string &name = "f.idx") {
  kiln::idx::Array array;
  return kiln::idx::parse(reinterpret_cast<const uint8_t *>(bytes.data()),
                          bytes.size(), name, array);
}

/// Writes a small split: `count` images of 2x3 and labels, image i filled
/// with i, label i = i % 10.
void writeSplit(const ScratchDir &dir, const std::string &prefix,
                uint32_t count, bool gzipImages, bool gzipLabels) {
  std::string pixels, labels;
  for (uint32_t i = 0; i < count; ++i) {
    pixels += std::string(6, char(i));
    labels += char(i % 10);
  }
  std::string images = idxFile(kiln::idx::U8, {count, 2, 3}, pixels);
  std::string labelFile = idxFile(kiln::idx::U8, {count}, labels);
  kiln::test::writeFile(
      dir / (prefix + "-images-idx3-ubyte" + (gzipImages ? ".gz" : "")),
      gzipImages ? gzip(images) : images);
  kiln::test::writeFile(
      dir / (prefix + "-labels-idx1-ubyte" + (gzipLabels ? ".gz" : "")),
      gzipLabels ? gzip(labelFile) : labelFile);
}

TEST(Idx, ParsesRawAndGzip) {
  std::string raw = idxFile(kiln::idx::I16, {2, 3}, std::string(12, '\x07'));
  for (const std::string &bytes : {raw, gzip(raw)}) {
    kiln::idx::Array array;
    ASSERT_EQ(kiln::idx::parse(reinterpret_cast<const uint8_t *>(bytes.data()),
                               bytes.size(), "f", array),
              "");
    EXPECT_EQ(array.type, kiln::idx::I16);
    EXPECT_EQ(array.dims, (std::vector<uint32_t>{2, 3}));
    EXPECT_EQ(array.data, std::vector<uint8_t>(12, 7));
  }
}

TEST(Idx, TruncatedData) {
  std::string error = parseError(idxFile(kiln::idx::U8, {10}, "12345"));
  EXPECT_THAT(error, HasSubstr("f.idx: size mismatch"));
  EXPECT_THAT(error, HasSubstr("need 10 data bytes from byte offset 8"));
  EXPECT_THAT(error, HasSubstr("only 5 are present (truncated)"));
}

TEST(Idx, TrailingBytes) {
  EXPECT_THAT(parseError(idxFile(kiln::idx::I32, {2}, std::string(9, 'x'))),
              HasSubstr("1 trailing bytes follow at byte offset 16"));
}

TEST(Idx, TruncatedHeader) {
  EXPECT_THAT(parseError(std::string("\0\0", 2)),
              HasSubstr("truncated header: 2 bytes"));
  EXPECT_THAT(parseError(idxFile(kiln::idx::U8, {1, 2, 3}, "").substr(0, 9)),
              HasSubstr("rank 3 needs 16 header bytes, found 9"));
}

TEST(Idx, BadMagic) {
  EXPECT_THAT(parseError(std::string("\x01\x02\x08\x01", 4)),
              HasSubstr("f.idx: bad magic 0x01020801 at byte offset 0"));
}

TEST(Idx, UnknownTypeCode) {
  EXPECT_THAT(parseError(idxFile(0x07, {1}, "x")),
              HasSubstr("unknown element type code 0x07 at byte offset 2"));
}

TEST(Idx, HugeDimensions) {
  // 2^96 elements overflow at the third dimension, at byte offset 12.
  std::string error = parseError(
      idxFile(kiln::idx::U8, {0xffffffff, 0xffffffff, 0xffffffff}, ""));
  EXPECT_THAT(error, HasSubstr("dimension overflow"));
  EXPECT_THAT(error, HasSubstr("at byte offset 12"));
  // 2^64 - 2^33 + 1 bytes do not overflow: a size mismatch, nothing allocated.
  EXPECT_THAT(parseError(idxFile(kiln::idx::U8, {0xffffffff, 0xffffffff}, "")),
              HasSubstr("size mismatch"));
  EXPECT_THAT(
      parseError(idxFile(kiln::idx::F64, {0x80000000, 0x80000000, 4}, "")),
      HasSubstr("dimension overflow"));
}

TEST(Idx, GzipOffsetsAreOfTheDecompressedData) {
  EXPECT_THAT(parseError(gzip(idxFile(kiln::idx::U8, {4}, "123"))),
              HasSubstr("from byte offset 8 of the decompressed data"));
}

TEST(Idx, GzipCorruption) {
  std::string raw = idxFile(kiln::idx::U8, {1000}, std::string(1000, 'a'));
  std::string compressed = gzip(raw);
  std::string truncated = compressed.substr(0, compressed.size() / 2);
  EXPECT_THAT(parseError(truncated), HasSubstr("truncated gzip stream"));

  std::string flipped = compressed;
  flipped[12] ^= 0x55;
  EXPECT_THAT(parseError(flipped), HasSubstr("corrupt gzip data"));

  // A damaged trailer: the data decompress but fail their CRC.
  std::string badCrc = compressed;
  badCrc[badCrc.size() - 6] ^= 1;
  EXPECT_THAT(parseError(badCrc),
              HasSubstr("corrupt gzip data at compressed byte offset"));

  EXPECT_THAT(parseError(compressed + "xyz"),
              HasSubstr("3 trailing bytes after the gzip stream"));
  EXPECT_THAT(parseError("\x1f\x8b"), HasSubstr("truncated gzip stream"));
}

TEST(Idx, MissingFile) {
  ScratchDir dir;
  kiln::idx::Array array;
  std::string error = kiln::idx::read(dir / "absent", array);
  EXPECT_THAT(error, HasSubstr("absent: No such file or directory"));
}

TEST(Idx, LoadsAGeneratedSplitRawAndGzip) {
  ScratchDir dir;
  writeSplit(dir, "train", 25, false, true);
  writeSplit(dir, "t10k", 5, true, false);
  kiln::idx::Dataset train, test;
  ASSERT_EQ(kiln::idx::loadMnist(dir.path(), "train", train), "");
  ASSERT_EQ(kiln::idx::loadMnist(dir.path(), "test", test), "");
  EXPECT_EQ(train.count, 25u);
  EXPECT_EQ(test.count, 5u);
  EXPECT_EQ(train.rows, 2u);
  EXPECT_EQ(train.cols, 3u);
  ASSERT_EQ(train.images.size(), 25u * 6);
  EXPECT_EQ(train.images[6 * 17 + 4], 17);
  EXPECT_EQ(train.labels[17], 7);
}

TEST(Idx, LoaderChecksShapesAndCounts) {
  ScratchDir dir;
  writeSplit(dir, "train", 3, false, false);
  kiln::idx::Dataset dataset;
  EXPECT_THAT(kiln::idx::loadMnist(dir.path(), "test", dataset),
              HasSubstr("t10k-images-idx3-ubyte(.gz): no such file"));
  EXPECT_THAT(kiln::idx::loadMnist(dir.path(), "valid", dataset),
              HasSubstr("unknown split 'valid'"));

  kiln::test::writeFile(dir / "train-labels-idx1-ubyte",
                        idxFile(kiln::idx::U8, {4}, "0123"));
  EXPECT_THAT(kiln::idx::loadMnist(dir.path(), "train", dataset),
              HasSubstr("images/labels count mismatch"));

  kiln::test::writeFile(dir / "train-labels-idx1-ubyte",
                        idxFile(kiln::idx::I32, {3}, std::string(12, '\0')));
  EXPECT_THAT(kiln::idx::loadMnist(dir.path(), "train", dataset),
              HasSubstr("train-labels-idx1-ubyte: wrong element type code "
                        "0x0c at byte offset 2"));

  kiln::test::writeFile(dir / "train-images-idx3-ubyte",
                        idxFile(kiln::idx::U8, {3, 6}, std::string(18, '\0')));
  EXPECT_THAT(kiln::idx::loadMnist(dir.path(), "train", dataset),
              HasSubstr("wrong rank 2 at byte offset 3: images must have "
                        "rank 3"));
}

TEST(Idx, CAbiLoadsAndReportsErrors) {
  ScratchDir dir;
  writeSplit(dir, "train", 12, true, true);
  kiln_dataset dataset;
  ASSERT_EQ(kiln_dataset_load_mnist(dir.path().c_str(), "train", &dataset), 0)
      << kiln_last_error();
  EXPECT_EQ(dataset.count, 12);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(dataset.images) % KILN_BUFFER_ALIGNMENT,
            0u);
  EXPECT_EQ(dataset.images[6 * 11], 11);
  EXPECT_EQ(dataset.labels[11], 1);
  kiln_dataset_free(&dataset);
  EXPECT_EQ(dataset.images, nullptr);

  EXPECT_EQ(kiln_dataset_load_mnist(dir.path().c_str(), "test", &dataset), -1);
  EXPECT_EQ(dataset.images, nullptr);
  EXPECT_THAT(kiln_last_error(), HasSubstr("t10k-images-idx3-ubyte(.gz)"));
}

TEST(Idx, FashionMnist) {
  if (!std::filesystem::exists(KILN_FASHION_MNIST_DIR))
    GTEST_SKIP() << KILN_FASHION_MNIST_DIR << " is not installed";
  for (auto [split, count] :
       {std::pair<const char *, int64_t>{"train", 60000}, {"test", 10000}}) {
    kiln_dataset dataset;
    ASSERT_EQ(kiln_dataset_load_mnist(nullptr, split, &dataset), 0)
        << kiln_last_error();
    EXPECT_EQ(dataset.count, count);
    EXPECT_EQ(dataset.rows, 28);
    EXPECT_EQ(dataset.cols, 28);
    // Fashion-MNIST is balanced: every one of the 10 classes has a tenth.
    std::array<int64_t, 10> histogram{};
    for (int64_t i = 0; i < dataset.count; ++i) {
      ASSERT_GE(dataset.labels[i], 0);
      ASSERT_LT(dataset.labels[i], 10);
      ++histogram[dataset.labels[i]];
    }
    for (int64_t n : histogram)
      EXPECT_EQ(n, count / 10) << split;
    double sum = 0;
    for (int64_t i = 0; i < dataset.count * 28 * 28; ++i)
      sum += dataset.images[i];
    double mean = sum / double(dataset.count * 28 * 28);
    EXPECT_GT(mean, 60) << split; // about 73 for both splits
    EXPECT_LT(mean, 85) << split;
    kiln_dataset_free(&dataset);
  }
}

} // namespace
