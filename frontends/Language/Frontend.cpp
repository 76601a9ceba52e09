//===- Frontend.cpp - Load, parse and check a .kiln file ------------------===//

#include "frontends/Language/Frontend.h"

#include "frontends/Language/Parser.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace kiln::lang {

/// Imports nest at most this deep; deeper is surely a generated mistake.
static constexpr unsigned kMaxImportDepth = 32;
/// Source files larger than this are refused rather than read.
static constexpr uint64_t kMaxSourceBytes = 16 << 20;

std::string defaultStdlibDir() { return KILN_STDLIB_DIR; }

Frontend::Frontend(llvm::SourceMgr &sourceMgr, DiagnosticEngine &diags,
                   std::vector<std::string> importPaths)
    : sourceMgr(sourceMgr), diags(diags), importPaths(std::move(importPaths)),
      sema(program, diags) {}

bool Frontend::loadFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer)
    return false;
  llvm::SmallString<256> real;
  if (!llvm::sys::fs::real_path(path, real))
    loadedPaths.insert(real);
  loadBuffer(std::move(*buffer));
  return true;
}

void Frontend::loadBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer) {
  mainBufferId = sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  parseBuffer(mainBufferId, 0);
}

void Frontend::parseBuffer(unsigned bufferId, unsigned importDepth) {
  Parser parser(sourceMgr.getMemoryBuffer(bufferId)->getBuffer(), program,
                diags);
  std::vector<Decl *> decls = parser.parseFile();
  // Imported declarations come first, so they print and emit first.
  for (Decl *d : decls)
    if (auto *import = llvm::dyn_cast<ImportDecl>(d))
      loadImport(import, bufferId, importDepth + 1);
  program.decls.insert(program.decls.end(), decls.begin(), decls.end());
}

void Frontend::loadImport(const ImportDecl *import, unsigned fromBuffer,
                          unsigned importDepth) {
  llvm::StringRef wanted = import->path->value;
  if (importDepth > kMaxImportDepth) {
    diags.error(import->path->range, "imports nest too deeply");
    return;
  }
  std::vector<std::string> candidates;
  if (llvm::sys::path::is_absolute(wanted)) {
    candidates.push_back(wanted.str());
  } else {
    llvm::StringRef from =
        sourceMgr.getMemoryBuffer(fromBuffer)->getBufferIdentifier();
    llvm::SmallString<256> local(llvm::sys::path::parent_path(from));
    llvm::sys::path::append(local, wanted);
    candidates.push_back(local.str().str());
    for (const std::string &dir : importPaths) {
      llvm::SmallString<256> p(dir);
      llvm::sys::path::append(p, wanted);
      candidates.push_back(p.str().str());
    }
  }
  for (const std::string &candidate : candidates) {
    // Regular files only: "/dev/zero" must not hang the compiler.
    uint64_t size;
    if (!llvm::sys::fs::is_regular_file(candidate) ||
        llvm::sys::fs::file_size(candidate, size))
      continue;
    llvm::SmallString<256> real;
    if (llvm::sys::fs::real_path(candidate, real))
      continue;
    if (!loadedPaths.insert(real).second)
      return; // already loaded, or an import cycle
    if (size > kMaxSourceBytes) {
      diags.error(import->path->range,
                  "imported file '" + wanted + "' is too large");
      return;
    }
    auto buffer = llvm::MemoryBuffer::getFile(candidate, /*IsText=*/true);
    if (!buffer)
      continue;
    unsigned id =
        sourceMgr.AddNewSourceBuffer(std::move(*buffer), import->range.Start);
    parseBuffer(id, importDepth);
    return;
  }
  diags.error(import->path->range,
              "cannot find imported file '" + wanted + "'");
}

bool Frontend::check() {
  bool parsed = !diags.hadErrors();
  return sema.check() && parsed;
}

} // namespace kiln::lang
