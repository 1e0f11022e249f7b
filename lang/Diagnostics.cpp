//===- Diagnostics.cpp - Source files and clang-style diagnostics ---------===//

#include "lang/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace nnc;

uint32_t SourceManager::addBuffer(std::string name, std::string text) {
  File f{std::move(name), std::move(text), {0}};
  for (size_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n')
      f.lineStarts.push_back(i + 1);
  files.push_back(std::move(f));
  return files.size();
}

const std::string &SourceManager::name(uint32_t file) const {
  return files[file - 1].name;
}

const std::string &SourceManager::text(uint32_t file) const {
  return files[file - 1].text;
}

std::string SourceManager::lineText(uint32_t file, uint32_t line) const {
  if (file == 0 || file > files.size())
    return "";
  const File &f = files[file - 1];
  if (line == 0 || line > f.lineStarts.size())
    return "";
  size_t begin = f.lineStarts[line - 1];
  size_t end = f.text.find('\n', begin);
  if (end == std::string::npos)
    end = f.text.size();
  std::string text = f.text.substr(begin, end - begin);
  if (!text.empty() && text.back() == '\r')
    text.pop_back();
  return text;
}

Diagnostic &DiagnosticEngine::report(Severity severity, SourceLoc loc,
                                     std::string message) {
  for (auto &d : diags)
    if (d->severity == severity && d->loc == loc && d->message == message) {
      // Merged with an earlier identical report; notes added to this one
      // would duplicate the first report's, so they go nowhere.
      dropped.notes.clear();
      return dropped;
    }
  if (severity == Severity::Error) {
    if (tooManyErrors()) {
      dropped.notes.clear();
      return dropped;
    }
    ++errorCount;
  }
  diags.push_back(std::make_unique<Diagnostic>(
      Diagnostic{severity, loc, std::move(message), {}}));
  return *diags.back();
}

Diagnostic &DiagnosticEngine::error(SourceLoc loc, std::string message) {
  return report(Severity::Error, loc, std::move(message));
}

Diagnostic &DiagnosticEngine::warning(SourceLoc loc, std::string message) {
  return report(Severity::Warning, loc, std::move(message));
}

void DiagnosticEngine::note(Diagnostic &diag, SourceLoc loc,
                            std::string message) {
  diag.notes.push_back(Diagnostic{Severity::Note, loc, std::move(message), {}});
}

static const char *severityName(Severity s) {
  switch (s) {
  case Severity::Note:
    return "note";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "error";
}

void DiagnosticEngine::printOne(llvm::raw_ostream &os, const Diagnostic &d,
                                bool color) const {
  if (d.loc.isValid())
    os << sources.name(d.loc.file) << ":" << d.loc.line << ":" << d.loc.col
       << ": ";
  if (color)
    os.changeColor(d.severity == Severity::Error ? llvm::raw_ostream::RED
                   : d.severity == Severity::Warning
                       ? llvm::raw_ostream::MAGENTA
                       : llvm::raw_ostream::CYAN,
                   /*bold=*/true);
  os << severityName(d.severity) << ": ";
  if (color)
    os.resetColor();
  os << d.message << "\n";
  if (!d.loc.isValid())
    return;
  std::string line = sources.lineText(d.loc.file, d.loc.line);
  // Binary garbage is not echoed: the location says where the problem is.
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(line.data());
  const auto *cursor = begin;
  if (line.empty() || line.size() > 500 ||
      std::any_of(
          line.begin(), line.end(),
          [](char c) { return (unsigned char)c < 0x20 && c != '\t'; }) ||
      !llvm::isLegalUTF8String(&cursor, begin + line.size()))
    return;
  // Tabs are kept in the caret line so the caret stays under the token.
  std::string caret;
  for (uint32_t i = 1; i < d.loc.col && i <= line.size(); ++i)
    caret += line[i - 1] == '\t' ? '\t' : ' ';
  caret += '^';
  uint32_t maxLen = line.size() >= d.loc.col ? line.size() - d.loc.col + 1 : 1;
  for (uint32_t i = 1; i < std::min(d.loc.length, maxLen); ++i)
    caret += '~';
  os << line << "\n" << caret << "\n";
}

void DiagnosticEngine::print(llvm::raw_ostream &os, bool color) const {
  for (auto &d : diags) {
    printOne(os, *d, color);
    for (auto &n : d->notes)
      printOne(os, n, color);
  }
  if (errorCount >= kMaxErrors)
    os << "fatal error: too many errors emitted, stopping now\n";
}

namespace {
struct Expectation {
  Severity severity;
  uint32_t file, line;
  std::string text;
  bool matched = false;
};
} // namespace

/// Finds `expected-<kind>[@+N|@-N] {{text}}` annotations in one file.
static void collectExpectations(const SourceManager &sources, uint32_t file,
                                std::vector<Expectation> &out,
                                llvm::raw_ostream &os, bool &ok) {
  llvm::StringRef text = sources.text(file);
  uint32_t line = 1;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == llvm::StringRef::npos)
      eol = text.size();
    llvm::StringRef lineText = text.slice(pos, eol);
    size_t at = 0;
    while ((at = lineText.find("expected-", at)) != llvm::StringRef::npos) {
      llvm::StringRef rest = lineText.drop_front(at + 9);
      at += 9;
      Severity sev;
      if (rest.consume_front("error"))
        sev = Severity::Error;
      else if (rest.consume_front("warning"))
        sev = Severity::Warning;
      else if (rest.consume_front("note"))
        sev = Severity::Note;
      else
        continue;
      int64_t target = line;
      if (rest.consume_front("@")) {
        bool minus = rest.starts_with("-");
        if (!rest.consume_front("+"))
          rest.consume_front("-");
        unsigned offset = 0;
        if (rest.consumeInteger(10, offset)) {
          os << sources.name(file) << ":" << line
             << ": error: malformed expected-* line offset\n";
          ok = false;
          continue;
        }
        target += minus ? -int64_t(offset) : int64_t(offset);
      }
      rest = rest.ltrim();
      if (!rest.consume_front("{{")) {
        os << sources.name(file) << ":" << line
           << ": error: expected '{{' after expected-* annotation\n";
        ok = false;
        continue;
      }
      size_t close = rest.find("}}");
      if (close == llvm::StringRef::npos) {
        os << sources.name(file) << ":" << line
           << ": error: unterminated '{{' in expected-* annotation\n";
        ok = false;
        continue;
      }
      out.push_back({sev, file, uint32_t(std::max<int64_t>(target, 0)),
                     rest.take_front(close).str()});
    }
    pos = eol + 1;
    ++line;
  }
}

bool DiagnosticEngine::verify(llvm::raw_ostream &os) const {
  bool ok = true;
  std::vector<Expectation> expected;
  for (uint32_t f = 1; f <= sources.numFiles(); ++f)
    collectExpectations(sources, f, expected, os, ok);

  auto match = [&](const Diagnostic &d) {
    for (auto &e : expected)
      if (!e.matched && e.severity == d.severity && e.file == d.loc.file &&
          e.line == d.loc.line && llvm::StringRef(d.message).contains(e.text)) {
        e.matched = true;
        return true;
      }
    return false;
  };
  auto unexpected = [&](const Diagnostic &d) {
    ok = false;
    os << "error: unexpected " << severityName(d.severity);
    if (d.loc.isValid())
      os << " at " << sources.name(d.loc.file) << ":" << d.loc.line << ":"
         << d.loc.col;
    os << ": " << d.message << "\n";
  };
  for (auto &d : diags) {
    if (!match(*d))
      unexpected(*d);
    // Notes must be matched only when the test asks for notes on that line;
    // a note that points into an imported file cannot be annotated there.
    for (auto &n : d->notes)
      if (!match(n) && n.loc.file == d->loc.file &&
          std::any_of(expected.begin(), expected.end(), [&](auto &e) {
            return e.severity == Severity::Note && e.file == n.loc.file;
          }))
        unexpected(n);
  }
  for (auto &e : expected)
    if (!e.matched) {
      ok = false;
      os << sources.name(e.file) << ":" << e.line << ": error: expected "
         << severityName(e.severity) << " not produced: " << e.text << "\n";
    }
  return ok;
}

std::string nnc::closestMatch(const std::string &name,
                              const std::vector<std::string> &candidates) {
  std::string best;
  unsigned bestDistance = ~0u;
  // Short names tolerate one edit, longer ones a third of their length; a
  // swapped pair of letters ("flaot") counts as one edit.
  unsigned limit = name.size() <= 3 ? 1 : std::max<size_t>(2, name.size() / 3);
  for (auto &c : candidates) {
    unsigned d = llvm::StringRef(name).edit_distance(c, true, limit + 1);
    if (d > 1 && name.size() == c.size()) {
      for (size_t i = 0; i + 1 < name.size(); ++i) {
        std::string swapped = name;
        std::swap(swapped[i], swapped[i + 1]);
        if (swapped == c)
          d = 1;
      }
    }
    if (d <= limit && d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}
