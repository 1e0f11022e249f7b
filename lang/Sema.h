//===- Sema.h - Loading, checking and elaborating .nn programs --*- C++ -*-===//
#ifndef NNC_LANG_SEMA_H
#define NNC_LANG_SEMA_H

#include "lang/AST.h"
#include "lang/Graph.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nnc {

/// A .nn file with everything it imports, parsed.
class Program {
public:
  Program(SourceManager &sources, DiagnosticEngine &diags,
          std::vector<std::string> libraryDirs)
      : sources(sources), diags(diags), libraryDirs(std::move(libraryDirs)) {}

  /// Reads and parses `path` and, transitively, its imports. Returns false
  /// (with diagnostics) on any error.
  bool load(const std::string &path);
  /// Like load, for text that is not on disk (the fuzzer, tests).
  bool loadBuffer(const std::string &name, std::string text);

  const ast::File *mainFile() const {
    return files.empty() ? nullptr : files.front().get();
  }
  const std::vector<std::unique_ptr<ast::File>> &allFiles() const {
    return files;
  }

  SourceManager &sources;
  DiagnosticEngine &diags;

private:
  bool parseAndImport(uint32_t fileId, const std::string &dir, unsigned depth);
  std::vector<std::string> libraryDirs;
  std::vector<std::unique_ptr<ast::File>> files;
  std::map<std::string, const ast::File *> byPath;
};

/// Model parameter values given on the command line (`-D name=value`).
using Overrides = std::map<std::string, std::string>;

/// Checks the whole program (names, recursion, every model) and returns the
/// elaborated graph of each model of the main file, in declaration order.
/// Returns nullopt if any error was reported.
std::optional<std::vector<Graph>> checkProgram(Program &program,
                                               const Overrides &overrides);

} // namespace nnc

#endif // NNC_LANG_SEMA_H
