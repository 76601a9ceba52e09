//===- CaseFiles.h - GPU test cases on disk ---------------------*- C++ -*-===//
//
// A GPU test case as files, so that a GPU machine without MLIR can check
// the kernels: DIR/case.txt ("inputs N", "results M", then one 0/1 per
// input: whether it is f32), DIR/bundle.bin (the kernel bundle of the
// case's @main), DIR/inI.bin (the inputs' bytes), DIR/outI.bin (the CPU's
// f32 results) and DIR/afterI.bin (the inputs after the CPU's call: a train
// step updates some in place). kiln-gpu-tests writes them
// (KILN_GPU_CASES), kiln-gpu-cases checks them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_GPU_CASEFILES_H
#define KILN_TEST_GPU_CASEFILES_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace kiln::gpucases {

struct Files {
  std::string bundle;
  std::vector<std::string> inputs, results, after;
  std::vector<bool> floatInputs;
};

/// max |gpu - cpu| / max |cpu| over `n` floats; infinite if either holds a
/// NaN.
inline double relativeError(const float *gpu, const float *cpu, int64_t n) {
  double largest = 0, error = 0;
  for (int64_t i = 0; i < n; ++i) {
    double g = gpu[i], c = cpu[i];
    if (std::isnan(g) || std::isnan(c))
      return INFINITY;
    largest = std::max(largest, std::fabs(c));
    error = std::max(error, std::fabs(g - c));
  }
  return error / std::max(largest, 1e-30);
}

inline bool writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  return bool(out);
}

inline bool readFile(const std::string &path, std::string &bytes) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  bytes = text.str();
  return bool(in);
}

/// An error message, or "" once `files` are in `dir` (created, with its
/// parent).
inline std::string write(const std::string &dir, const Files &files) {
  ::mkdir(dir.substr(0, dir.find_last_of('/')).c_str(), 0755);
  ::mkdir(dir.c_str(), 0755);
  std::string index = "inputs " + std::to_string(files.inputs.size()) +
                      "\nresults " + std::to_string(files.results.size()) +
                      "\n";
  for (bool isFloat : files.floatInputs)
    index += isFloat ? "1\n" : "0\n";
  bool ok = writeFile(dir + "/case.txt", index) &&
            writeFile(dir + "/bundle.bin", files.bundle);
  for (size_t i = 0; i < files.inputs.size(); ++i)
    ok = ok &&
         writeFile(dir + "/in" + std::to_string(i) + ".bin", files.inputs[i]) &&
         writeFile(dir + "/after" + std::to_string(i) + ".bin", files.after[i]);
  for (size_t i = 0; i < files.results.size(); ++i)
    ok = ok &&
         writeFile(dir + "/out" + std::to_string(i) + ".bin", files.results[i]);
  return ok ? "" : "cannot write the case files in " + dir;
}

inline std::string read(const std::string &dir, Files &files) {
  std::string index;
  if (!readFile(dir + "/case.txt", index))
    return "cannot read " + dir + "/case.txt";
  std::istringstream fields(index);
  std::string word;
  size_t inputs = 0, results = 0;
  if (!(fields >> word >> inputs >> word >> results))
    return dir + "/case.txt is malformed";
  files.inputs.resize(inputs);
  files.after.resize(inputs);
  files.results.resize(results);
  for (size_t i = 0; i < inputs; ++i) {
    int isFloat = 0;
    if (!(fields >> isFloat))
      return dir + "/case.txt is malformed";
    files.floatInputs.push_back(isFloat != 0);
  }
  bool ok = readFile(dir + "/bundle.bin", files.bundle);
  for (size_t i = 0; i < inputs; ++i)
    ok = ok &&
         readFile(dir + "/in" + std::to_string(i) + ".bin", files.inputs[i]) &&
         readFile(dir + "/after" + std::to_string(i) + ".bin", files.after[i]);
  for (size_t i = 0; i < results; ++i)
    ok = ok &&
         readFile(dir + "/out" + std::to_string(i) + ".bin", files.results[i]);
  return ok ? "" : "cannot read the case files in " + dir;
}

} // namespace kiln::gpucases

#endif // KILN_TEST_GPU_CASEFILES_H
