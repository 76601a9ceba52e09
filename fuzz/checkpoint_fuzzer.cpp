//===- checkpoint_fuzzer.cpp - libFuzzer target over the checkpoint loader
//-===//
//
// Feeds the checkpoint verifier either raw bytes (first byte even) or a valid
// checkpoint damaged as the rest of the input says (first byte odd): each
// 3 bytes XOR one byte of the file, and a last lone byte truncates it. Any
// crash, sanitizer report or hang is a bug; so is a file accepted with a
// blob outside it. Built by scripts/fuzz.sh --target checkpoint.
//
//===----------------------------------------------------------------------===//

#include "kiln/checkpoint.h"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace ckpt = kiln::checkpoint;

/// A small valid checkpoint: two tensors, a part, two loop levels.
std::string validCheckpoint() {
  std::vector<float> weights(19, 0.5f);
  std::vector<uint8_t> state(70, 3), part = {1, 2, 3};
  ckpt::Contents contents;
  contents.experiment = "fuzz";
  contents.programHash = "sha:fuzz";
  contents.steps = 7;
  contents.position = {{0, 1}, {3, 2}};
  contents.tensors = {
      {"w", weights.data(), weights.size() * 4, ckpt::DType::F32, {19}, true},
      {"m", state.data(), state.size(), ckpt::DType::U8, {70}, false}};
  contents.parts = {{"replay/0", part.data(), part.size()}};
  contents.trackedMetric = "acc";
  contents.trackedValue = 0.25;
  const char *tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp ? tmp : "/tmp") + "/kiln-fuzz-" +
                     std::to_string(getpid()) + ".kiln";
  if (!ckpt::save(path, contents).empty())
    std::abort();
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::remove(path.c_str());
  return bytes;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string valid = validCheckpoint();
  std::vector<uint8_t> bytes;
  if (size && data[0] % 2) {
    bytes.assign(valid.begin(), valid.end());
    size_t i = 1;
    for (; i + 3 <= size; i += 3)
      bytes[(size_t(data[i]) << 8 | data[i + 1]) % bytes.size()] ^= data[i + 2];
    if (i < size)
      bytes.resize(bytes.size() * data[i] / 256);
  } else if (size) {
    bytes.assign(data + 1, data + size);
  }
  ckpt::Contents contents;
  if (!ckpt::parse(bytes.data(), bytes.size(), "fuzz.kiln", contents).empty())
    return 0;
  const uint8_t *begin = bytes.data(), *end = begin + bytes.size();
  for (const std::vector<ckpt::Blob> *blobs :
       {&contents.tensors, &contents.parts})
    for (const ckpt::Blob &blob : *blobs) {
      const auto *start = static_cast<const uint8_t *>(blob.data);
      if (start < begin || start > end || blob.size > size_t(end - start))
        std::abort();
    }
  if (contents.position.empty())
    std::abort();
  return 0;
}
