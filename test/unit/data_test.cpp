//===- data_test.cpp - Data sets and views of a running experiment --------===//

#include "RunSupport.h"
#include "ScratchDir.h"

#include "kiln/idx.h"
#include "kiln/program.h"
#include "kiln/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

namespace {

using kiln::test::Argv;
using kiln::test::idxFile;
using kiln::test::ScratchDir;
using testing::ExitedWithCode;
using testing::HasSubstr;

constexpr int kRows = 10, kFeatures = 6;

/// Image i has pixel j = 10 i + j; its label is i, so rows show where they
/// came from.
void writeSplit(const std::string &dir, const std::string &prefix) {
  std::filesystem::create_directories(dir);
  std::string pixels, labels;
  for (int i = 0; i < kRows; ++i) {
    for (int j = 0; j < kFeatures; ++j)
      pixels += char(10 * i + j);
    labels += char(i);
  }
  kiln::test::writeFile(dir + "/" + prefix + "-images-idx3-ubyte",
                        idxFile(kiln::idx::U8, {kRows, 2, 3}, pixels));
  kiln::test::writeFile(dir + "/" + prefix + "-labels-idx1-ubyte",
                        idxFile(kiln::idx::U8, {kRows}, labels));
}

std::vector<int32_t> labelsOf(kiln_run *run, const kiln_data *data) {
  std::vector<int32_t> labels(size_t(kiln_data_rows(data)));
  kiln_data_field_i32(run, data, "y", labels.data(), int64_t(labels.size()));
  return labels;
}

std::vector<float> imagesOf(kiln_run *run, const kiln_data *data) {
  std::vector<float> images(size_t(kiln_data_rows(data)) * kFeatures);
  kiln_data_field_f32(run, data, "x", images.data(), int64_t(images.size()));
  return images;
}

bool isPermutation(std::vector<int32_t> values) {
  std::sort(values.begin(), values.end());
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] != int32_t(i))
      return false;
  return true;
}

/// A started run whose --data-dir holds a train and a test split.
class DataTest : public testing::Test {
protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    writeSplit(dataDir, "train");
    writeSplit(dataDir, "t10k");
    run = startRun({"--out", dir / "out", "--data-dir", dataDir});
    train = kiln_data_mnist(run, "fashion_mnist", "train", nullptr);
  }

  kiln_run *startRun(std::initializer_list<std::string> args) {
    return runs.start(args);
  }

  ScratchDir dir;
  std::string dataDir = dir / "data";
  kiln::test::StartedRuns runs;
  kiln_run *run = nullptr;
  kiln_data *train = nullptr;
};

TEST_F(DataTest, ReadsFieldsScaled) {
  ASSERT_EQ(kiln_data_rows(train), kRows);
  std::vector<float> images = imagesOf(run, train);
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kFeatures; ++j)
      ASSERT_EQ(images[i * kFeatures + j], float(10 * i + j) / 255.0f);
  std::vector<int32_t> expected(kRows);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(labelsOf(run, train), expected);
  EXPECT_EQ(kiln_data_rows(kiln_data_mnist(run, "mnist", "test", nullptr)),
            kRows);
}

TEST_F(DataTest, LoadsEachSplitOnce) {
  EXPECT_EQ(kiln_data_mnist(run, "fashion_mnist", "train", nullptr), train);
  EXPECT_EQ(kiln_data_mnist(run, "fashion_mnist", "train", dataDir.c_str()),
            train);
  EXPECT_NE(kiln_data_mnist(run, "fashion_mnist", "test", nullptr), train);
}

TEST_F(DataTest, DirectoryFromArgumentEnvironmentOrDefault) {
  std::string other = dir / "other";
  writeSplit(other, "train");
  kiln_run *plain = startRun({"--out", dir / "out2"});
  EXPECT_NE(kiln_data_mnist(plain, "mnist", "train", other.c_str()), nullptr);

  setenv("KILN_DATA_DIR", other.c_str(), 1);
  EXPECT_EQ(kiln_data_rows(kiln_data_mnist(plain, "mnist", "train", nullptr)),
            kRows);
  unsetenv("KILN_DATA_DIR");

  if (std::filesystem::exists("/usr/share/datasets/mnist"))
    GTEST_SKIP() << "/usr/share/datasets/mnist exists";
  EXPECT_EXIT(kiln_data_mnist(plain, "mnist", "test", nullptr),
              ExitedWithCode(1),
              "error: cannot load mnist test \\(/usr/share/datasets/mnist\\): "
              "/usr/share/datasets/mnist/t10k-images-idx3-ubyte");
}

TEST_F(DataTest, LoadErrorsNameTheFile) {
  EXPECT_EXIT(kiln_data_mnist(run, "cifar", "train", nullptr),
              ExitedWithCode(1),
              "error: unknown data set 'cifar' \\(expected mnist or "
              "fashion_mnist\\)");
  std::string broken = dir / "broken";
  writeSplit(broken, "train");
  std::string labels = broken + "/train-labels-idx1-ubyte";
  std::string bytes = kiln::test::readFile(labels);
  kiln::test::writeFile(labels, bytes.substr(0, bytes.size() - 3));
  EXPECT_EXIT(kiln_data_mnist(run, "mnist", "train", broken.c_str()),
              ExitedWithCode(1),
              "error: cannot load mnist train .*broken/"
              "train-labels-idx1-ubyte: size mismatch.*truncated");
  std::filesystem::remove(labels);
  EXPECT_EXIT(kiln_data_mnist(run, "mnist", "train", broken.c_str()),
              ExitedWithCode(1), "train-labels-idx1-ubyte\\(\\.gz\\): no such");
  EXPECT_EXIT(kiln_data_mnist(run, "mnist", "valid", nullptr),
              ExitedWithCode(1), "unknown split 'valid'");
}

TEST_F(DataTest, ShuffleIsADeterministicPermutationOfTheSeedAlone) {
  std::vector<int32_t> a = labelsOf(run, kiln_data_shuffle(run, 0, train, 3));
  std::vector<int32_t> b = labelsOf(run, kiln_data_shuffle(run, 1, train, 3));
  std::vector<int32_t> c = labelsOf(run, kiln_data_shuffle(run, 2, train, 4));
  EXPECT_TRUE(isPermutation(a));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);

  // Another run, with another --seed, shuffles alike.
  kiln_run *other = startRun({"--out", dir / "out2", "--seed", "99"});
  kiln_data *otherTrain =
      kiln_data_mnist(other, "mnist", "train", dataDir.c_str());
  EXPECT_EQ(labelsOf(other, kiln_data_shuffle(other, 0, otherTrain, 3)), a);

  // Shuffling a shuffled view permutes its rows again.
  kiln_data *twice =
      kiln_data_shuffle(run, 3, kiln_data_shuffle(run, 4, train, 3), 4);
  std::vector<int32_t> expected(kRows);
  for (int i = 0; i < kRows; ++i)
    expected[i] = a[c[i]];
  EXPECT_EQ(labelsOf(run, twice), expected);
  // Images travel with their labels.
  std::vector<float> images = imagesOf(run, twice);
  for (int i = 0; i < kRows; ++i)
    EXPECT_EQ(images[i * kFeatures], float(10 * expected[i]) / 255.0f);
}

TEST_F(DataTest, TakeAndBatch) {
  kiln_data *shuffled = kiln_data_shuffle(run, 0, train, 5);
  std::vector<int32_t> order = labelsOf(run, shuffled);
  kiln_data *first = kiln_data_take(run, 1, shuffled, 7);
  EXPECT_EQ(labelsOf(run, first),
            std::vector<int32_t>(order.begin(), order.begin() + 7));

  EXPECT_EQ(kiln_data_num_batches(first, 3), 2);
  EXPECT_EQ(kiln_data_num_batches(train, 3), 3);
  kiln_data *batch = kiln_data_batch(run, 2, first, 1, 3);
  EXPECT_EQ(labelsOf(run, batch),
            std::vector<int32_t>(order.begin() + 3, order.begin() + 6));
  EXPECT_EQ(labelsOf(run, kiln_data_batch(run, 3, train, 2, 3)),
            (std::vector<int32_t>{6, 7, 8}));
  EXPECT_EQ(labelsOf(run, kiln_data_take(run, 4, train, 2)),
            (std::vector<int32_t>{0, 1}));

  EXPECT_EXIT(kiln_data_batch(run, 2, first, 2, 3), ExitedWithCode(1),
              "error: batch 2 of size 3 is out of range: a view of 7 rows of "
              "fashion_mnist train \\(.*\\) has 2 full batches");
  EXPECT_EXIT(kiln_data_batch(run, 2, first, -1, 3), ExitedWithCode(1),
              "out of range");
  EXPECT_EXIT(kiln_data_num_batches(first, 0), ExitedWithCode(1),
              "error: batch size 0 is not positive");
  EXPECT_EXIT(kiln_data_take(run, 1, first, 8), ExitedWithCode(1),
              "error: cannot take 8 rows of a view of 7 rows");
}

TEST_F(DataTest, PermuteMovesFeaturesOfX) {
  int32_t permutation[kFeatures] = {2, 0, 1, 5, 3, 4};
  kiln_data *permuted = kiln_data_permute(run, 0, train, permutation, 6);
  std::vector<float> images = imagesOf(run, permuted);
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kFeatures; ++j)
      ASSERT_EQ(images[i * kFeatures + permutation[j]],
                float(10 * i + j) / 255.0f);
  EXPECT_EQ(labelsOf(run, permuted), labelsOf(run, train));

  // Permuting again composes; batches keep the permutation.
  kiln_data *again = kiln_data_permute(run, 1, permuted, permutation, 6);
  kiln_data *batch = kiln_data_batch(run, 2, again, 1, 5);
  images = imagesOf(run, batch);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < kFeatures; ++j)
      ASSERT_EQ(images[i * kFeatures + permutation[permutation[j]]],
                float(10 * (i + 5) + j) / 255.0f);

  int32_t repeated[kFeatures] = {0, 1, 2, 3, 3, 5};
  EXPECT_EXIT(kiln_data_permute(run, 0, train, repeated, 6), ExitedWithCode(1),
              "error: not a permutation of 0..5: element 4 is 3");
  EXPECT_EXIT(kiln_data_permute(run, 0, train, permutation, 5),
              ExitedWithCode(1),
              "error: a permutation of 5 features does not fit field x of "
              "fashion_mnist train \\(.*\\) \\(6 features\\)");
}

TEST_F(DataTest, FieldReadsCheckTheirBuffer) {
  kiln_data *batch = kiln_data_batch(run, 0, train, 0, 3);
  std::vector<float> images(100);
  std::vector<int32_t> labels(3);
  EXPECT_EXIT(kiln_data_field_f32(run, batch, "x", images.data(), 17),
              ExitedWithCode(1),
              "error: field 'x' of a view of 3 rows of fashion_mnist train "
              "\\(.*\\) has 18 elements \\(6 per row\\), but the buffer to "
              "fill holds 17");
  EXPECT_EXIT(kiln_data_field_i32(run, batch, "x", labels.data(), 3),
              ExitedWithCode(1), "error: field 'x' .* is f32, read as i32");
  EXPECT_EXIT(kiln_data_field_f32(run, batch, "z", images.data(), 3),
              ExitedWithCode(1), "has no field 'z' \\(its fields: x, y\\)");
}

TEST_F(DataTest, SitesReuseTheirViewWithoutAllocating) {
  uint64_t probe = kiln::test::operatorNewCalls();
  // An allocation that escapes, so that no optimizer removes it.
  static std::vector<std::vector<int>> escaping;
  escaping.emplace_back(1000);
  ASSERT_GT(kiln::test::operatorNewCalls(), probe) << "new is not counted";

  constexpr int kBatch = 3;
  std::vector<float> images(kBatch * kFeatures);
  std::vector<int32_t> labels(kBatch), seen;
  seen.reserve(100);
  kiln_data *firstView = kiln_data_shuffle(run, 0, train, 0);
  bool viewsStable = true;
  uint64_t allocationsBefore = 0;
  for (int epoch = 0; epoch < 6; ++epoch) {
    if (epoch == 2)
      allocationsBefore = kiln::test::operatorNewCalls();
    // `d = d.shuffle(...)` at one site: a view derived from itself.
    kiln_data *d = kiln_data_shuffle(run, 0, train, epoch);
    d = kiln_data_shuffle(run, 0, d, epoch + 100);
    viewsStable = viewsStable && d == firstView;
    for (int64_t b = 0, n = kiln_data_num_batches(d, kBatch); b < n; ++b) {
      kiln_data *batch = kiln_data_batch(run, 1, d, b, kBatch);
      kiln_data_field_f32(run, batch, "x", images.data(), kBatch * kFeatures);
      kiln_data_field_i32(run, batch, "y", labels.data(), kBatch);
      if (epoch == 5)
        seen.insert(seen.end(), labels.begin(), labels.end());
    }
  }
  EXPECT_EQ(kiln::test::operatorNewCalls(), allocationsBefore);
  EXPECT_TRUE(viewsStable);

  // The last epoch saw 9 distinct rows, in the order of the twice-shuffled
  // view.
  kiln_data *expected =
      kiln_data_shuffle(run, 3, kiln_data_shuffle(run, 2, train, 5), 105);
  std::vector<int32_t> order = labelsOf(run, expected);
  EXPECT_EQ(seen, std::vector<int32_t>(order.begin(), order.begin() + 9));
}

TEST_F(DataTest, PermutationsAreDeterministicAndOnTheirOwnStream) {
  std::vector<int32_t> a(784), b(784), c(784);
  kiln_run_permutation(run, 1, a.data(), 784);
  kiln_run_permutation(run, 1, b.data(), 784);
  kiln_run_permutation(run, 2, c.data(), 784);
  EXPECT_TRUE(isPermutation(a));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);

  std::vector<int32_t> small(kRows);
  kiln_run_permutation(run, 3, small.data(), kRows);
  EXPECT_TRUE(isPermutation(small));
  EXPECT_NE(small, labelsOf(run, kiln_data_shuffle(run, 0, train, 3)));
}

TEST(Data, DefaultDataSetLoadsWhenInstalled) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist"))
    GTEST_SKIP() << "Fashion-MNIST is not installed";
  ScratchDir dir;
  Argv argv{"--out", dir / "out"};
  unsetenv("KILN_DATA_DIR");
  kiln_run *run = kiln_run_create(argv.argc(), argv.argv(), "exp", "");
  ASSERT_EQ(kiln_run_start(run), -1);
  kiln_data *test = kiln_data_mnist(run, "fashion_mnist", "test", nullptr);
  EXPECT_EQ(kiln_data_rows(test), 10000);
  std::vector<float> images(784 * 2);
  kiln_data_field_f32(run, kiln_data_take(run, 0, test, 2), "x", images.data(),
                      784 * 2);
  EXPECT_GE(*std::min_element(images.begin(), images.end()), 0.0f);
  EXPECT_LE(*std::max_element(images.begin(), images.end()), 1.0f);
  testing::internal::CaptureStderr();
  kiln_run_finish(run);
  testing::internal::GetCapturedStderr();
}

} // namespace
