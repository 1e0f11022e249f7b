//===- Diagnostics.h - Source files and clang-style diagnostics -*- C++ -*-===//
//
// The front end reports every problem through a DiagnosticEngine: a message
// with a location, rendered as `file:line:col: error: msg`, the source line and
// a caret, followed by its notes. In verify mode (lit tests) the engine instead
// compares what was reported with `expected-error {{...}}` annotations found
// in the source comments.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_LANG_DIAGNOSTICS_H
#define NNC_LANG_DIAGNOSTICS_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace nnc {

/// A position in a source file. Lines and columns are 1-based; file 0 means
/// "no location" (command-line input, built-in definitions).
struct SourceLoc {
  uint32_t file = 0;
  uint32_t line = 0;
  uint32_t col = 0;
  /// Length of the highlighted token, for the ~~~ underline.
  uint32_t length = 1;

  bool isValid() const { return file != 0; }
  bool operator==(const SourceLoc &o) const {
    return file == o.file && line == o.line && col == o.col;
  }
  bool operator<(const SourceLoc &o) const {
    if (file != o.file)
      return file < o.file;
    if (line != o.line)
      return line < o.line;
    return col < o.col;
  }
};

/// Owns the text of every file the front end has read.
class SourceManager {
public:
  /// Registers a buffer and returns its file id (never 0).
  uint32_t addBuffer(std::string name, std::string text);
  const std::string &name(uint32_t file) const;
  const std::string &text(uint32_t file) const;
  /// The text of a 1-based line, without its line terminator.
  std::string lineText(uint32_t file, uint32_t line) const;
  uint32_t numFiles() const { return files.size(); }

private:
  struct File {
    std::string name, text;
    std::vector<size_t> lineStarts;
  };
  std::vector<File> files;
};

enum class Severity { Note, Warning, Error };

struct Diagnostic {
  Severity severity;
  SourceLoc loc;
  std::string message;
  std::vector<Diagnostic> notes;
};

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(SourceManager &sources) : sources(sources) {}

  /// Reports an error; returns it so that notes can be attached. Identical
  /// reports (same location and text) are merged: a block instantiated many
  /// times reports its own mistake once.
  Diagnostic &error(SourceLoc loc, std::string message);
  Diagnostic &warning(SourceLoc loc, std::string message);
  static void note(Diagnostic &diag, SourceLoc loc, std::string message);

  unsigned numErrors() const { return errorCount; }
  /// Caps reports so that hostile input cannot produce unbounded output.
  static constexpr unsigned kMaxErrors = 50;
  bool tooManyErrors() const { return errorCount >= kMaxErrors; }

  /// Writes all reports, clang style, in the order they were made.
  void print(llvm::raw_ostream &os, bool color = false) const;

  /// Compares the reports with `expected-error/warning/note {{text}}`
  /// annotations (optionally `@+N`, `@-N` or `@LINE`) in every file given.
  /// Prints mismatches to `os` and returns true when all matched.
  bool verify(llvm::raw_ostream &os) const;

private:
  Diagnostic &report(Severity severity, SourceLoc loc, std::string message);
  void printOne(llvm::raw_ostream &os, const Diagnostic &d, bool color) const;

  SourceManager &sources;
  std::vector<std::unique_ptr<Diagnostic>> diags;
  Diagnostic dropped{Severity::Error, {}, "", {}};
  unsigned errorCount = 0;
};

/// Returns the candidate closest to `name` by edit distance, or "" when none
/// is close enough to be a plausible typo.
std::string closestMatch(const std::string &name,
                         const std::vector<std::string> &candidates);

} // namespace nnc

#endif // NNC_LANG_DIAGNOSTICS_H
