//===- Builtins.h - The operator table, for tools and docs -------*- C++
//-*-===//
#ifndef NNC_LANG_BUILTINS_H
#define NNC_LANG_BUILTINS_H

#include <string>
#include <utility>
#include <vector>

namespace nnc {
/// (name, signature) of every operator, sorted by name.
std::vector<std::pair<std::string, std::string>> builtinSignatures();
} // namespace nnc

#endif
