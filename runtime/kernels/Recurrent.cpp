//===- Recurrent.cpp - RNN, LSTM and GRU forward kernels ------------------===//
//
// Each layer/direction runs in two phases: the input projection of all time
// steps at once (one SGEMM of [T*B, in] x [in, G*H]), then the recurrence,
// one small SGEMM of [B, H] x [H, G*H] per step followed by the gate update.
// Activations are kept time-major ([T, B, *]) internally so that every step
// reads and writes contiguous [B, *] blocks.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/Recurrent.h"

#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/KernelUtil.h"
#include "runtime/kernels/RecurrentUtil.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Sets each of the `rows` rows of `dst` ([rows, n]) to `bias` (or zeros).
template <class T>
void fillRows(T *dst, int64_t rows, int64_t n, const T *bias) {
  for (int64_t r = 0; r < rows; ++r) {
    if (bias)
      std::memcpy(dst + r * n, bias, sizeof(T) * n);
    else
      std::memset(dst + r * n, 0, sizeof(T) * n);
  }
}

/// One step of the cell for the whole batch. `gx` and `hg` are [B, G*H]: the
/// input and hidden projections including their biases. Updates h (and c)
/// in place.
template <class T>
void cellStep(Cell cell, int64_t batch, int64_t hidden, const T *gx,
              const T *hg, T *h, T *c) {
  const int64_t gh = gatesOf(cell) * hidden;
  for (int64_t b = 0; b < batch; ++b) {
    const T *x = gx + b * gh, *r = hg + b * gh;
    T *hb = h + b * hidden;
    switch (cell) {
    case Cell::RNNTanh:
      for (int64_t j = 0; j < hidden; ++j)
        hb[j] = tanhFast(x[j] + r[j]);
      break;
    case Cell::RNNRelu:
      for (int64_t j = 0; j < hidden; ++j)
        hb[j] = std::max(x[j] + r[j], T(0));
      break;
    case Cell::LSTM: {
      T *cb = c + b * hidden;
      for (int64_t j = 0; j < hidden; ++j) {
        T i = sigmoid(x[j] + r[j]);
        T f = sigmoid(x[hidden + j] + r[hidden + j]);
        T g = tanhFast(x[2 * hidden + j] + r[2 * hidden + j]);
        T o = sigmoid(x[3 * hidden + j] + r[3 * hidden + j]);
        cb[j] = f * cb[j] + i * g;
        hb[j] = o * tanhFast(cb[j]);
      }
      break;
    }
    case Cell::GRU:
      for (int64_t j = 0; j < hidden; ++j) {
        T rg = sigmoid(x[j] + r[j]);
        T z = sigmoid(x[hidden + j] + r[hidden + j]);
        // b_hn stays inside the reset product, as in PyTorch.
        T n = tanhFast(x[2 * hidden + j] + rg * r[2 * hidden + j]);
        hb[j] = (T(1) - z) * n + z * hb[j];
      }
      break;
    }
  }
}

template <class T>
RecurrentResult runTyped(Cell cell, const Tensor &input, const Tensor &h0,
                         const Tensor &c0, const std::vector<Tensor> &weights,
                         const RecurrentOptions &opt) {
  const bool isLSTM = cell == Cell::LSTM;
  const DType dtype = input.dtype();
  const int64_t batch = input.dim(opt.batchFirst ? 0 : 1);
  const int64_t steps = input.dim(opt.batchFirst ? 1 : 0);
  const int64_t hidden = opt.hiddenSize, layers = opt.numLayers;
  const int64_t dirs = opt.bidirectional ? 2 : 1;
  const int64_t gh = gatesOf(cell) * hidden;
  const int64_t perDirection = opt.hasBiases ? 4 : 2;
  const Shape stateShape = {layers * dirs, batch, hidden};
  const int64_t stateSize = batch * hidden;

  RecurrentResult result;
  result.hN = Tensor(dtype, stateShape);
  if (isLSTM)
    result.cN = Tensor(dtype, stateShape);

  // The current layer's input, time-major [T, B, in].
  int64_t inSize = input.dim(2);
  Tensor x = input;
  if (opt.batchFirst) {
    x = Tensor(dtype, {steps, batch, inSize});
    swapLeadingDims(input.data<T>(), x.data<T>(), batch, steps, inSize);
  }

  std::vector<T> gx(size_t(steps * batch * gh)), hg(size_t(batch * gh));
  for (int64_t l = 0; l < layers; ++l) {
    Tensor out(dtype, {steps, batch, dirs * hidden});
    for (int64_t d = 0; d < dirs; ++d) {
      const int64_t index = l * dirs + d;
      const Tensor *w = &weights[size_t(index * perDirection)];
      const T *bIh = opt.hasBiases ? w[2].data<T>() : nullptr;
      const T *bHh = opt.hasBiases ? w[3].data<T>() : nullptr;

      // gx = x W_ih^T + b_ih for all steps at once.
      fillRows(gx.data(), steps * batch, gh, bIh);
      gemm(false, true, steps * batch, gh, inSize, T(1), x.data<T>(), inSize,
           w[0].data<T>(), inSize, T(1), gx.data(), gh);

      T *h = result.hN.data<T>() + index * stateSize;
      T *c = isLSTM ? result.cN.data<T>() + index * stateSize : nullptr;
      if (h0.defined())
        std::memcpy(h, h0.data<T>() + index * stateSize, sizeof(T) * stateSize);
      if (isLSTM && c0.defined())
        std::memcpy(c, c0.data<T>() + index * stateSize, sizeof(T) * stateSize);

      for (int64_t s = 0; s < steps; ++s) {
        const int64_t t = d == 0 ? s : steps - 1 - s;
        // hg = h W_hh^T + b_hh.
        fillRows(hg.data(), batch, gh, bHh);
        gemm(false, true, batch, gh, hidden, T(1), h, hidden, w[1].data<T>(),
             hidden, T(1), hg.data(), gh);
        cellStep(cell, batch, hidden, gx.data() + t * batch * gh, hg.data(), h,
                 c);
        T *o = out.data<T>() + t * batch * dirs * hidden + d * hidden;
        for (int64_t b = 0; b < batch; ++b)
          std::memcpy(o + b * dirs * hidden, h + b * hidden,
                      sizeof(T) * hidden);
      }
    }
    // Training-mode dropout between layers; the stream is the layer index
    // so every layer draws an independent, reproducible mask.
    x = opt.dropout > 0 && l + 1 < layers
            ? dropout(out, opt.dropout, /*spatial=*/false, /*training=*/true,
                      opt.dropoutSeed, uint64_t(l))
            : out;
    inSize = dirs * hidden;
  }

  if (opt.batchFirst) {
    result.output = Tensor(dtype, {batch, steps, inSize});
    swapLeadingDims(x.data<T>(), result.output.data<T>(), steps, batch, inSize);
  } else {
    result.output = x;
  }
  return result;
}

/// f32/f64 natively; f16/bf16 through f32 with the results cast back.
RecurrentResult runRecurrent(Cell cell, const char *kernel, const Tensor &input,
                             const Tensor &h0, const Tensor &c0,
                             const std::vector<Tensor> &weights,
                             const RecurrentOptions &opt) {
  const DType dtype = input.dtype();
  if (isHalf(dtype)) {
    std::vector<Tensor> wide;
    for (const Tensor &w : weights)
      wide.push_back(widenHalf(w));
    RecurrentResult r = runTyped<float>(cell, widenHalf(input), widenHalf(h0),
                                        widenHalf(c0), wide, opt);
    return {cast(r.output, dtype), cast(r.hN, dtype),
            r.cN.defined() ? cast(r.cN, dtype) : Tensor()};
  }
  return dispatchFloat(dtype, kernel, [&](auto tag) {
    return runTyped<decltype(tag)>(cell, input, h0, c0, weights, opt);
  });
}

} // namespace

RecurrentResult kernels::rnn(const Tensor &input, const Tensor &h0,
                             const std::vector<Tensor> &weights,
                             const RecurrentOptions &options, bool relu) {
  return runRecurrent(relu ? Cell::RNNRelu : Cell::RNNTanh, "rnn", input, h0,
                      Tensor(), weights, options);
}

RecurrentResult kernels::lstm(const Tensor &input, const Tensor &h0,
                              const Tensor &c0,
                              const std::vector<Tensor> &weights,
                              const RecurrentOptions &options) {
  return runRecurrent(Cell::LSTM, "lstm", input, h0, c0, weights, options);
}

RecurrentResult kernels::gru(const Tensor &input, const Tensor &h0,
                             const std::vector<Tensor> &weights,
                             const RecurrentOptions &options) {
  return runRecurrent(Cell::GRU, "gru", input, h0, Tensor(), weights, options);
}
