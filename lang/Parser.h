//===- Parser.h - .nn source to AST ------------------------------*- C++
//-*-===//
//
// The only interface to the ANTLR-generated parser: everything ANTLR stays in
// Parser.cpp, which is compiled with exceptions enabled.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_LANG_PARSER_H
#define NNC_LANG_PARSER_H

#include "lang/AST.h"

namespace nnc {

/// Parses the buffer `fileId` of `sources`. Syntax errors are reported to
/// `diags` (several per run); returns null when there was any.
std::unique_ptr<ast::File> parseFile(uint32_t fileId, SourceManager &sources,
                                     DiagnosticEngine &diags);

} // namespace nnc

#endif // NNC_LANG_PARSER_H
