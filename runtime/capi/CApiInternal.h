//===- CApiInternal.h - What the C API's source files share -----*- C++ -*-===//
//
// The definition behind the opaque nnc_tensor handle and the per-thread error
// that nnc_last_error() returns, for the C API's implementation files
// (CApi.cpp, ModelApi.cpp). Not part of the public interface.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_CAPI_CAPIINTERNAL_H
#define NNC_RUNTIME_CAPI_CAPIINTERNAL_H

#include "runtime/Tensor.h"

#include <string>

struct nnc_tensor {
  nnc::rt::Tensor value;
};

namespace nnc::rt::capi {

/// Sets what nnc_last_error() returns on the calling thread.
void setLastError(std::string message);

} // namespace nnc::rt::capi

#endif // NNC_RUNTIME_CAPI_CAPIINTERNAL_H
