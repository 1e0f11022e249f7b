//===- Kernels.h - Every forward kernel of the runtime ----------*- C++ -*-===//
//
// Umbrella header: the kernel library's public API, free functions in
// nnc::rt::kernels taking `const Tensor &` inputs and plain attribute values
// and returning new tensors. See each header for the PyTorch equivalent of
// every kernel.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_KERNELS_H
#define NNC_RUNTIME_KERNELS_KERNELS_H

#include "runtime/kernels/Attention.h"
#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Dense.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Losses.h"
#include "runtime/kernels/Norm.h"
#include "runtime/kernels/Pool.h"
#include "runtime/kernels/Positions.h"
#include "runtime/kernels/Random.h"
#include "runtime/kernels/Recurrent.h"
#include "runtime/kernels/Reduce.h"
#include "runtime/kernels/Routing.h"
#include "runtime/kernels/Shape.h"

#endif // NNC_RUNTIME_KERNELS_KERNELS_H
