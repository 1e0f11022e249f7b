//===- Npy.h - Read and write NumPy .npy files -------------------*- C++
//-*-===//
//
// The .npy format (versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a
// version, a little-endian header length, a Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// padded with spaces and ended by '\n', then the raw C-order data. Only
// little-endian (or byte-sized) f2 f4 f8 i1 i4 i8 u1 b1 in C order are read;
// Fortran order, big-endian and other dtypes are errors that say so.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_IO_NPY_H
#define NNC_RUNTIME_IO_NPY_H

#include "runtime/Tensor.h"

#include <optional>
#include <string>

namespace nnc::rt {

/// Reads the array in `path`. On error returns nullopt and sets `error`.
std::optional<Tensor> readNpy(const std::string &path, std::string &error);

/// Writes `tensor` to `path` as .npy version 1.0 (2.0 only if the header
/// would not fit 1.0's 64 KiB), atomically. bf16 has no NumPy dtype and is
/// an error.
bool writeNpy(const std::string &path, const Tensor &tensor,
              std::string &error);

} // namespace nnc::rt

#endif // NNC_RUNTIME_IO_NPY_H
