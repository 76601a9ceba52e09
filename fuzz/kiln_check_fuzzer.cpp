//===- kiln_check_fuzzer.cpp - libFuzzer target over parse and check -----===//
//
// Feeds arbitrary bytes to the .kiln front-end as one source file. Any crash,
// sanitizer report or hang is a bug: malformed input must only produce
// diagnostics. Built by scripts/fuzz.sh with clang's -fsanitize=fuzzer.
//
//===----------------------------------------------------------------------===//

#include "frontends/Language/Frontend.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::SourceMgr sourceMgr;
  // Count errors without printing them: printing is not under test and
  // would slow the search down.
  kiln::lang::DiagnosticEngine diags(sourceMgr, nullptr);
  kiln::lang::Frontend frontend(sourceMgr, diags,
                                {kiln::lang::defaultStdlibDir()});
  frontend.loadBuffer(llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz.kiln"));
  frontend.check();
  return 0;
}
