//===- ModelHeader.h - The C header of a compiled model ---------*- C++ -*-===//
//
// `nnc compile` emits, for a compiled function F, the symbols nnc_entry_F and
// nnc_metadata_F (and, with embedded weights, nnc_weights_F and
// nnc_weights_size_F; see runtime/capi/nnc_model.h). The header generated
// here declares them for C and C++ callers, wraps them in
//   static inline nnc_model *F_create(const char *weights_path);
// and describes the signature with macros (F in upper case):
//   F_NUM_INPUTS, F_NUM_OUTPUTS, and per input / output i
//   F_INPUT_<i>_NAME, _DTYPE, _RANK, _NUMEL and _SHAPE (an initializer list
//   {d0, d1, ...}; absent for rank 0, which C cannot spell), and the same
//   with OUTPUT.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TOOLS_NNC_MODELHEADER_H
#define NNC_TOOLS_NNC_MODELHEADER_H

#include "runtime/compiled/ModelSignature.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace nnc::driver {

/// `name` as a C identifier: characters other than letters, digits and '_'
/// become '_', and a leading digit (or an empty name) gets a '_' prefix. The
/// compiler must name the symbols it emits with the same function F.
std::string modelSymbolName(llvm::StringRef name);

/// The C header for the function compiled under `symbolBase` (sanitised with
/// modelSymbolName) with signature `sig`. With `embeddedWeights` F_create
/// falls back to the weights in the binary when given no path; without, a
/// model with parameters needs a path.
std::string generateModelHeader(const rt::ModelSignature &sig,
                                llvm::StringRef symbolBase,
                                bool embeddedWeights = false);

} // namespace nnc::driver

#endif // NNC_TOOLS_NNC_MODELHEADER_H
