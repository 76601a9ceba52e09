//===- ScratchDir.h - A fresh directory per test --------------------------===//

#ifndef KILN_TEST_UNIT_SCRATCHDIR_H
#define KILN_TEST_UNIT_SCRATCHDIR_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

namespace kiln::test {

/// An empty directory named after the running test, removed afterwards.
class ScratchDir {
public:
  ScratchDir() {
    const testing::TestInfo *info =
        testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(testing::TempDir()) /
            ("kiln-" + std::string(info->test_suite_name()) + "-" +
             info->name() + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;

  const std::filesystem::path &path() const { return path_; }
  std::string operator/(const std::string &name) const {
    return (path_ / name).string();
  }

private:
  std::filesystem::path path_;
};

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// True when `python3 -c <code>` runs and exits 0 (output discarded).
inline bool pythonRuns(const std::string &code) {
  // Debian's interpreter holds Debian's Python packages even where another
  // python3 comes first on PATH.
  for (const char *python : {"/usr/bin/python3", "python3"})
    if (std::system((std::string(python) + " -c '" + code + "' >/dev/null 2>&1")
                        .c_str()) == 0)
      return true;
  return false;
}

} // namespace kiln::test

#endif // KILN_TEST_UNIT_SCRATCHDIR_H
