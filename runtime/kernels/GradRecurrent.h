//===- GradRecurrent.h - Backward of the RNN, LSTM and GRU kernels -*- C++
//-*-===//
//
// Backpropagation through time for kernels::rnn / lstm / gru (Recurrent.h),
// reproducing torch.autograd through torch.nn.RNN / LSTM / GRU with the
// same layout, weight order (_flat_weights) and gate order as the forward
// kernels. Each kernel takes
// the forward's inputs, weights and options plus the gradients of its
// results, recomputes the forward (keeping each layer/direction's gates and
// states), and returns the gradients of every input. Float dtypes f32 and
// f64 natively, f16/bf16 through f32 (results in the input's dtype).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_KERNELS_GRADRECURRENT_H
#define NNC_RUNTIME_KERNELS_GRADRECURRENT_H

#include "runtime/Tensor.h"
#include "runtime/kernels/Recurrent.h"

#include <vector>

namespace nnc::rt::kernels {

/// Gradients of a recurrent layer's inputs. `h0` (and `c0`, LSTM only) are
/// always defined, shaped [L*D, B, H], even when the forward's initial state
/// was undefined (zeros). `weights` has the forward `weights`' order and
/// shapes.
struct RecurrentGrads {
  Tensor input, h0, c0;
  std::vector<Tensor> weights;
};

/// Autograd of torch.nn.RNN(nonlinearity = "relu" if `relu` else "tanh")
/// (kernels::rnn with the same arguments). `gradOutput` is the gradient of
/// `output`, `gradHN` that of h_n; an undefined gradient means zeros. With
/// options.dropout > 0 the forward's inter-layer dropout masks are
/// regenerated from options.dropoutSeed.
RecurrentGrads rnnBackward(const Tensor &gradOutput, const Tensor &gradHN,
                           const Tensor &input, const Tensor &h0,
                           const std::vector<Tensor> &weights,
                           const RecurrentOptions &options, bool relu);

/// Autograd of torch.nn.LSTM (kernels::lstm with the same arguments), with
/// `gradCN` the gradient of c_n; undefined gradients mean zeros.
RecurrentGrads lstmBackward(const Tensor &gradOutput, const Tensor &gradHN,
                            const Tensor &gradCN, const Tensor &input,
                            const Tensor &h0, const Tensor &c0,
                            const std::vector<Tensor> &weights,
                            const RecurrentOptions &options);

/// Autograd of torch.nn.GRU (kernels::gru with the same arguments);
/// undefined gradients mean zeros.
RecurrentGrads gruBackward(const Tensor &gradOutput, const Tensor &gradHN,
                           const Tensor &input, const Tensor &h0,
                           const std::vector<Tensor> &weights,
                           const RecurrentOptions &options);

} // namespace nnc::rt::kernels

#endif // NNC_RUNTIME_KERNELS_GRADRECURRENT_H
