//===- Program.cpp - Reading a .nn file and its imports -------------------===//

#include "lang/Parser.h"
#include "lang/Sema.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace nnc;

namespace {
constexpr unsigned kMaxImportDepth = 32;
constexpr size_t kMaxFileBytes = 8u << 20;
} // namespace

bool Program::load(const std::string &path) {
  if (llvm::sys::fs::is_directory(path)) {
    diags.error({}, "'" + path + "' is a directory, not a .nn file");
    return false;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    diags.error({},
                "cannot read '" + path + "': " + buffer.getError().message());
    return false;
  }
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(path, real))
    real = path;
  uint32_t id = sources.addBuffer(path, (*buffer)->getBuffer().str());
  byPath[std::string(real)] = nullptr;
  return parseAndImport(id, llvm::sys::path::parent_path(path).str(), 0);
}

bool Program::loadBuffer(const std::string &name, std::string text) {
  uint32_t id = sources.addBuffer(name, std::move(text));
  return parseAndImport(id, ".", 0);
}

bool Program::parseAndImport(uint32_t fileId, const std::string &dir,
                             unsigned depth) {
  auto file = parseFile(fileId, sources, diags);
  if (!file)
    return false;
  const ast::File *parsed = file.get();
  files.push_back(std::move(file));
  bool ok = true;
  for (auto &imp : parsed->imports) {
    if (depth + 1 > kMaxImportDepth) {
      diags.error(imp.loc, "imports nested deeper than " +
                               std::to_string(kMaxImportDepth) + " files");
      return false;
    }
    // Relative to the importing file first, then the library directories.
    std::vector<std::string> candidates;
    if (llvm::sys::path::is_absolute(imp.path)) {
      candidates.push_back(imp.path);
    } else {
      llvm::SmallString<256> p(dir);
      llvm::sys::path::append(p, imp.path);
      candidates.push_back(std::string(p));
      for (auto &lib : libraryDirs) {
        llvm::SmallString<256> q(lib);
        llvm::sys::path::append(q, imp.path);
        candidates.push_back(std::string(q));
      }
    }
    std::string found;
    for (auto &c : candidates)
      if (llvm::sys::fs::is_regular_file(c)) {
        found = c;
        break;
      }
    if (found.empty()) {
      auto &d =
          diags.error(imp.loc, "cannot find imported file '" + imp.path + "'");
      for (auto &c : candidates)
        DiagnosticEngine::note(d, {}, "looked for '" + c + "'");
      ok = false;
      continue;
    }
    llvm::SmallString<256> real;
    if (llvm::sys::fs::real_path(found, real))
      real = found;
    if (byPath.count(std::string(real)))
      continue; // already loaded (diamond imports, or a cycle: both fine)
    byPath[std::string(real)] = nullptr;
    auto buffer = llvm::MemoryBuffer::getFile(found, /*IsText=*/true);
    if (!buffer) {
      diags.error(imp.loc, "cannot read '" + found +
                               "': " + buffer.getError().message());
      ok = false;
      continue;
    }
    if ((*buffer)->getBufferSize() > kMaxFileBytes) {
      diags.error(imp.loc, "imported file '" + found + "' is too large");
      ok = false;
      continue;
    }
    uint32_t id = sources.addBuffer(found, (*buffer)->getBuffer().str());
    ok &= parseAndImport(id, llvm::sys::path::parent_path(found).str(),
                         depth + 1);
  }
  return ok;
}
