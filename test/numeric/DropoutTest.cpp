//===- DropoutTest.cpp - graph.dropout against the runtime's Philox
//--------===//
//
// graph.dropout with a key [seed, step], compiled by the CPU pipeline, keeps
// exactly the elements whose Philox4x32-10 word (kiln_philox4x32, the
// runtime's generator) clears the rate, scaled by 1 / (1 - rate); without a
// key it is the identity.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "kiln/runtime.h"

#include "llvm/Support/FormatVariadic.h"

namespace kiln::numeric {
namespace {

using llvm::ArrayRef;
using llvm::formatv;

Array dropout(const Array &x, const Array &key, double rate, int64_t site) {
  uint64_t seed = uint64_t(int64_t(key.data[0]));
  uint64_t step = uint64_t(int64_t(key.data[1]));
  uint64_t stream =
      (uint64_t(1) << 63) | (uint64_t(site) << 32) | (step & 0xffffffffu);
  uint32_t threshold = uint32_t(std::min(rate * 4294967296.0, 4294967295.0));
  Array out = x;
  for (int64_t i = 0; i < x.size(); ++i) {
    uint32_t word = kiln_philox4x32(seed, stream, uint64_t(i)).words[0];
    out.data[i] = word >= threshold ? x.data[i] / (1.0 - rate) : 0.0;
  }
  return out;
}

std::vector<Case> cases() {
  struct DropoutCase {
    Shape shape;
    double rate;
    int64_t site;
    llvm::StringRef element;
  };
  const DropoutCase kCases[] = {{{37, 19}, 0.3, 5, "f32"},
                                {{4, 5, 6}, 0.5, 0, "f64"},
                                {{2048}, 0.1, 123, "f32"},
                                {{8, 8}, 0.0, 1, "f32"}};
  std::vector<Case> all;
  for (const DropoutCase &c : kCases) {
    std::string t = tensorType(c.shape, c.element);
    all.push_back(
        {formatv("dropout_{0}_{1}_rate_{2}", c.element, shapeName(c.shape),
                 int(c.rate * 100))
             .str(),
         formatv(R"(func.func @main(%x: {0}, %key: tensor<2xi64>) -> {0} {
  %y = graph.dropout %x, %key {{rate = {1:e} : f64, site = {2} : i64} : {0}, tensor<2xi64>
  return %y : {0}
})",
                 t, c.rate, c.site)
             .str(),
         [c](ArrayRef<Array> in) {
           return dropout(in[0], in[1], c.rate, c.site);
         },
         {Fill::nonZero(0.1, 2.0), Fill::range(0, 1000000)}});
  }
  all.push_back({"dropout_without_key_is_identity",
                 singleOp("graph.dropout %arg0 {rate = 5.000000e-01 : f64, "
                          "site = 0 : i64} : tensor<16x8xf32>"),
                 [](ArrayRef<Array> in) { return in[0]; }});
  return all;
}

INSTANTIATE_TEST_SUITE_P(Dropout, NumericTest, testing::ValuesIn(cases()),
                         caseName);

} // namespace
} // namespace kiln::numeric
