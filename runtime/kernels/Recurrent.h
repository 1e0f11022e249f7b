//===- Recurrent.h - RNN, LSTM and GRU forward kernels ----------*- C++ -*-===//
//
// Multi-layer, optionally bidirectional recurrent layers with PyTorch's
// layout, weight order and gate order (nn.rnn / nn.lstm / nn.gru).
//
// Conventions shared by the three kernels (float tensors of one dtype; f32
// and f64 natively, f16/bf16 through f32; results have the input's dtype):
//  - input is [B, T, I] when `batchFirst`, else [T, B, I].
//  - `weights` holds, per layer l and per direction (forward, then reverse),
//    weight_ih [G*H, in_l], weight_hh [G*H, H], then bias_ih [G*H] and
//    bias_hh [G*H] when `hasBiases` (in_0 = I, in_l = D*H after). This is the
//    order of PyTorch's `_flat_weights`.
//  - h0 / c0 are [L*D, B, H]; an undefined Tensor means zeros.
//  - Results: output [B, T, D*H] (or [T, B, D*H]) holding the last layer's
//    hidden states (forward in columns [0, H), reverse in [H, 2H)); h_n (and
//    c_n) [L*D, B, H] holding each layer/direction's final state.
//  - Inter-layer dropout (PyTorch's `dropout`, applied in training to the
//    output of every layer but the last) is applied only when
//    RecurrentOptions::dropout > 0; the default of 0 is inference.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_RECURRENT_H
#define NNC_RUNTIME_KERNELS_RECURRENT_H

#include "runtime/Tensor.h"

#include <vector>

namespace nnc::rt::kernels {

/// The attributes common to nn.rnn, nn.lstm and nn.gru.
struct RecurrentOptions {
  int64_t hiddenSize = 0;
  int64_t numLayers = 1;
  bool bidirectional = false;
  bool batchFirst = false;
  bool hasBiases = true;
  /// Training-mode inter-layer dropout probability; 0 (inference) disables
  /// it. When positive, layer l < numLayers - 1's output sequence, in the
  /// time-major layout [T, B, D*H] whatever `batchFirst` is, goes through
  /// kernels::dropout(out, dropout, /*spatial=*/false, /*training=*/true,
  /// dropoutSeed, /*stream=*/l) before it feeds layer l + 1, so the mask is
  /// a pure function of (dropoutSeed, l, element) and the backward kernels
  /// (GradRecurrent.h) regenerate it.
  double dropout = 0;
  uint64_t dropoutSeed = 0;
};

/// output, h_n and (LSTM only; undefined otherwise) c_n.
struct RecurrentResult {
  Tensor output, hN, cN;
};

/// torch.nn.RNN(nonlinearity = "relu" if `relu` else "tanh"):
/// h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh).
RecurrentResult rnn(const Tensor &input, const Tensor &h0,
                    const std::vector<Tensor> &weights,
                    const RecurrentOptions &options, bool relu);

/// torch.nn.LSTM, gate blocks i, f, g, o:
/// c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t).
RecurrentResult lstm(const Tensor &input, const Tensor &h0, const Tensor &c0,
                     const std::vector<Tensor> &weights,
                     const RecurrentOptions &options);

/// torch.nn.GRU, gate blocks r, z, n:
/// n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.
RecurrentResult gru(const Tensor &input, const Tensor &h0,
                    const std::vector<Tensor> &weights,
                    const RecurrentOptions &options);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_RECURRENT_H
