//===- Registration.h - Dialects used by nnc --------------------*- C++ -*-===//

#ifndef NNC_DIALECTS_REGISTRATION_H
#define NNC_DIALECTS_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace nnc {

/// Registers the nn dialect and every upstream dialect nnc lowers through,
/// together with the external interface models that bufferization,
/// ConvertToLLVM and the LLVM IR / NVVM translations look up at run time.
void registerNNCDialects(mlir::DialectRegistry &registry);

} // namespace nnc

#endif // NNC_DIALECTS_REGISTRATION_H
