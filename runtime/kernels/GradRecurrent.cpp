//===- GradRecurrent.cpp - Backward of the RNN, LSTM and GRU kernels ------===//
//
// Two passes. The forward pass recomputes every layer/direction as
// Recurrent.cpp does (the input projection of all steps in one GEMM, one
// hidden GEMM per step) and keeps, per time step, the activated gates and
// the states entering the step. The backward pass walks the layers top-down
// and each direction's steps in reverse processing order. Only the
// hidden-state gradient must be a GEMM per step ([B, G*H] x [G*H, H]), since
// the next (earlier) step needs it; the pre-activation gate gradients of all
// steps are kept, so dW_ih, dW_hh, the biases and the layer-input gradient
// are each one GEMM or column sum over all T*B rows afterwards.
// Activations are time-major ([T, B, *]) internally, as in the forward.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/GradRecurrent.h"

#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Grad.h"
#include "runtime/kernels/KernelUtil.h"
#include "runtime/kernels/RecurrentUtil.h"
#include "runtime/kernels/Shape.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace nnc::rt;
using namespace nnc::rt::kernels;
using namespace nnc::rt::kernels::detail;

namespace {

/// Values kept per (step, batch row), in blocks of H: LSTM i, f, g, o and
/// tanh(c_t); GRU r, z, n and W_hn h + b_hn (the reset gate scales it, so
/// dr needs it); RNN h_t (the activation's derivative follows from it).
int64_t savedOf(Cell cell) {
  switch (cell) {
  case Cell::LSTM:
    return 5;
  case Cell::GRU:
    return 4;
  default:
    return 1;
  }
}

/// What the backward needs from one layer/direction's forward, in time
/// order: row t belongs to the step that consumed input t, whichever the
/// direction.
template <class T> struct Trace {
  std::vector<T> saved; // [T, B, S*H], see savedOf
  std::vector<T> hPrev; // [T, B, H]: the hidden state entering the step
  std::vector<T> cPrev; // [T, B, H]: the LSTM cell state entering the step
};

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

/// out[j] = sum over rows of src[r, j] ([rows, n]), accumulated in double
/// because the T*B rows of an f32 bias gradient can be many.
template <class T>
void columnSums(const T *src, int64_t rows, int64_t n, T *out) {
  std::vector<double> acc(static_cast<size_t>(n), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j)
      acc[size_t(j)] += double(src[r * n + j]);
  for (int64_t j = 0; j < n; ++j)
    out[j] = T(acc[size_t(j)]);
}

/// One forward step for the whole batch, as Recurrent.cpp's cellStep, also
/// writing the values of savedOf(cell) to `saved` ([B, S*H]). `gx` and `hg`
/// are [B, G*H], the input and hidden projections with their biases.
template <class T>
void forwardStep(Cell cell, int64_t batch, int64_t hidden, const T *gx,
                 const T *hg, T *h, T *c, T *saved) {
  const int64_t gh = gatesOf(cell) * hidden, sh = savedOf(cell) * hidden;
  const int64_t H = hidden;
  for (int64_t b = 0; b < batch; ++b) {
    const T *x = gx + b * gh, *r = hg + b * gh;
    T *hb = h + b * H, *s = saved + b * sh;
    switch (cell) {
    case Cell::RNNTanh:
      for (int64_t j = 0; j < H; ++j)
        s[j] = hb[j] = tanhFast(x[j] + r[j]);
      break;
    case Cell::RNNRelu:
      for (int64_t j = 0; j < H; ++j)
        s[j] = hb[j] = std::max(x[j] + r[j], T(0));
      break;
    case Cell::LSTM: {
      T *cb = c + b * H;
      for (int64_t j = 0; j < H; ++j) {
        T i = sigmoid(x[j] + r[j]);
        T f = sigmoid(x[H + j] + r[H + j]);
        T g = tanhFast(x[2 * H + j] + r[2 * H + j]);
        T o = sigmoid(x[3 * H + j] + r[3 * H + j]);
        cb[j] = f * cb[j] + i * g;
        T tc = tanhFast(cb[j]);
        hb[j] = o * tc;
        s[j] = i, s[H + j] = f, s[2 * H + j] = g, s[3 * H + j] = o;
        s[4 * H + j] = tc;
      }
      break;
    }
    case Cell::GRU:
      for (int64_t j = 0; j < H; ++j) {
        T rg = sigmoid(x[j] + r[j]);
        T z = sigmoid(x[H + j] + r[H + j]);
        T hn = r[2 * H + j]; // W_hn h + b_hn, inside the reset product
        T n = tanhFast(x[2 * H + j] + rg * hn);
        hb[j] = (T(1) - z) * n + z * hb[j];
        s[j] = rg, s[H + j] = z, s[2 * H + j] = n, s[3 * H + j] = hn;
      }
      break;
    }
  }
}

/// Backward of one step for the whole batch. `dh` ([B, H]) is dL/dh_t (from
/// the output and the later steps); for LSTM `dc` holds dL/dc_t and is
/// replaced by dL/dc_{t-1}. Writes the pre-activation gradients of the
/// input projection `dgx` and of the hidden projection `dgh` ([B, G*H],
/// which are also the bias gradients' rows). They coincide, and may be the
/// same buffer, except for GRU, where the reset gate scales the hidden part
/// of n. Sets `dhPrev` to the part of dL/dh_{t-1} that bypasses W_hh: GRU's
/// z * dh, zero otherwise.
template <class T>
void backwardStep(Cell cell, int64_t batch, int64_t hidden, const T *saved,
                  const T *hPrev, const T *cPrev, const T *dh, T *dc, T *dgx,
                  T *dgh, T *dhPrev) {
  const int64_t gh = gatesOf(cell) * hidden, sh = savedOf(cell) * hidden;
  const int64_t H = hidden;
  for (int64_t b = 0; b < batch; ++b) {
    const T *s = saved + b * sh, *dhb = dh + b * H;
    T *gx = dgx + b * gh, *gr = dgh + b * gh, *dp = dhPrev + b * H;
    switch (cell) {
    case Cell::RNNTanh:
      for (int64_t j = 0; j < H; ++j)
        gx[j] = dhb[j] * (T(1) - s[j] * s[j]);
      std::fill(dp, dp + H, T(0));
      break;
    case Cell::RNNRelu:
      // As torch's threshold_backward: no gradient where the output is 0.
      for (int64_t j = 0; j < H; ++j)
        gx[j] = s[j] > T(0) ? dhb[j] : T(0);
      std::fill(dp, dp + H, T(0));
      break;
    case Cell::LSTM: {
      const T *cp = cPrev + b * H;
      T *dcb = dc + b * H;
      for (int64_t j = 0; j < H; ++j) {
        T i = s[j], f = s[H + j], g = s[2 * H + j], o = s[3 * H + j];
        T tc = s[4 * H + j];
        // h = o tanh(c) adds its share to the cell gradient.
        T dcv = dcb[j] + dhb[j] * o * (T(1) - tc * tc);
        gx[j] = dcv * g * i * (T(1) - i);
        gx[H + j] = dcv * cp[j] * f * (T(1) - f);
        gx[2 * H + j] = dcv * i * (T(1) - g * g);
        gx[3 * H + j] = dhb[j] * tc * o * (T(1) - o);
        dcb[j] = dcv * f;
      }
      std::fill(dp, dp + H, T(0));
      break;
    }
    case Cell::GRU: {
      const T *hp = hPrev + b * H;
      for (int64_t j = 0; j < H; ++j) {
        T r = s[j], z = s[H + j], n = s[2 * H + j], hn = s[3 * H + j];
        T dn = dhb[j] * (T(1) - z) * (T(1) - n * n);
        T dz = dhb[j] * (hp[j] - n) * z * (T(1) - z);
        T dr = dn * hn * r * (T(1) - r);
        gx[j] = gr[j] = dr;
        gx[H + j] = gr[H + j] = dz;
        gx[2 * H + j] = dn;
        gr[2 * H + j] = dn * r;
        dp[j] = dhb[j] * z;
      }
      break;
    }
    }
  }
}

template <class T>
RecurrentGrads
backwardTyped(Cell cell, const Tensor &gradOutput, const Tensor &gradHN,
              const Tensor &gradCN, const Tensor &input, const Tensor &h0,
              const Tensor &c0, const std::vector<Tensor> &weights,
              const RecurrentOptions &opt) {
  const bool isLSTM = cell == Cell::LSTM, isGRU = cell == Cell::GRU;
  const DType dtype = input.dtype();
  const int64_t batch = input.dim(opt.batchFirst ? 0 : 1);
  const int64_t steps = input.dim(opt.batchFirst ? 1 : 0);
  const int64_t hidden = opt.hiddenSize, layers = opt.numLayers;
  const int64_t dirs = opt.bidirectional ? 2 : 1;
  const int64_t gh = gatesOf(cell) * hidden, sh = savedOf(cell) * hidden;
  const int64_t perDirection = opt.hasBiases ? 4 : 2;
  const Shape stateShape = {layers * dirs, batch, hidden};
  const int64_t stateSize = batch * hidden, rows = steps * batch;
  const bool dropping = opt.dropout > 0 && layers > 1;

  // Forward. xs[l] is layer l's time-major input (after dropout), which
  // dW_ih needs.
  std::vector<Tensor> xs(static_cast<size_t>(layers));
  xs[0] = opt.batchFirst ? permute(input, {1, 0, 2}) : input;
  std::vector<Trace<T>> traces(static_cast<size_t>(layers * dirs));
  std::vector<T> gx(static_cast<size_t>(rows * gh)),
      hg(static_cast<size_t>(batch * gh));
  std::vector<T> h(static_cast<size_t>(stateSize)),
      c(static_cast<size_t>(stateSize));
  for (int64_t l = 0; l < layers; ++l) {
    const int64_t inSize = xs[size_t(l)].dim(2);
    // Only the layers below the last feed another layer; the last layer's
    // output itself is not needed for the backward.
    const bool feeds = l + 1 < layers;
    Tensor out =
        feeds ? Tensor(dtype, {steps, batch, dirs * hidden}) : Tensor();
    for (int64_t d = 0; d < dirs; ++d) {
      const int64_t index = l * dirs + d;
      const Tensor *w = &weights[size_t(index * perDirection)];
      const T *bIh = opt.hasBiases ? w[2].data<T>() : nullptr;
      const T *bHh = opt.hasBiases ? w[3].data<T>() : nullptr;

      fillRows(gx.data(), rows, gh, bIh);
      gemm(false, true, rows, gh, inSize, T(1), xs[size_t(l)].data<T>(), inSize,
           w[0].data<T>(), inSize, T(1), gx.data(), gh);

      if (h0.defined())
        std::memcpy(h.data(), h0.data<T>() + index * stateSize,
                    sizeof(T) * stateSize);
      else
        std::fill(h.begin(), h.end(), T(0));
      if (isLSTM && c0.defined())
        std::memcpy(c.data(), c0.data<T>() + index * stateSize,
                    sizeof(T) * stateSize);
      else
        std::fill(c.begin(), c.end(), T(0));

      Trace<T> &tr = traces[size_t(index)];
      tr.saved.resize(static_cast<size_t>(rows * sh));
      tr.hPrev.resize(static_cast<size_t>(rows * hidden));
      if (isLSTM)
        tr.cPrev.resize(static_cast<size_t>(rows * hidden));
      for (int64_t s = 0; s < steps; ++s) {
        const int64_t t = d == 0 ? s : steps - 1 - s;
        std::memcpy(tr.hPrev.data() + t * stateSize, h.data(),
                    sizeof(T) * stateSize);
        if (isLSTM)
          std::memcpy(tr.cPrev.data() + t * stateSize, c.data(),
                      sizeof(T) * stateSize);
        fillRows(hg.data(), batch, gh, bHh);
        gemm(false, true, batch, gh, hidden, T(1), h.data(), hidden,
             w[1].data<T>(), hidden, T(1), hg.data(), gh);
        forwardStep(cell, batch, hidden, gx.data() + t * batch * gh, hg.data(),
                    h.data(), c.data(), tr.saved.data() + t * batch * sh);
        if (feeds) {
          T *o = out.data<T>() + t * batch * dirs * hidden + d * hidden;
          for (int64_t b = 0; b < batch; ++b)
            std::memcpy(o + b * dirs * hidden, h.data() + b * hidden,
                        sizeof(T) * hidden);
        }
      }
    }
    if (feeds)
      xs[size_t(l + 1)] =
          dropping ? dropout(out, opt.dropout, /*spatial=*/false,
                             /*training=*/true, opt.dropoutSeed, uint64_t(l))
                   : out;
  }

  // Backward, top layer first. dY is the gradient of the current layer's
  // (time-major, pre-dropout) output.
  RecurrentGrads grads;
  grads.h0 = Tensor(dtype, stateShape);
  if (isLSTM)
    grads.c0 = Tensor(dtype, stateShape);
  grads.weights.resize(weights.size());
  Tensor dY = !gradOutput.defined()
                  ? Tensor(dtype, {steps, batch, dirs * hidden})
              : opt.batchFirst ? permute(gradOutput, {1, 0, 2})
                               : gradOutput;
  // For LSTM and RNN the input and hidden projections get the same
  // gradient, so dgh aliases dgx.
  std::vector<T> dgx(static_cast<size_t>(rows * gh)),
      dghOwn(static_cast<size_t>(isGRU ? rows * gh : 0));
  std::vector<T> dh(static_cast<size_t>(stateSize)),
      dhPrev(static_cast<size_t>(stateSize));
  std::vector<T> dc(static_cast<size_t>(stateSize));
  for (int64_t l = layers - 1; l >= 0; --l) {
    const Tensor &x = xs[size_t(l)];
    const int64_t inSize = x.dim(2);
    Tensor dX(dtype, {steps, batch, inSize});
    const T *dy = dY.data<T>();
    for (int64_t d = 0; d < dirs; ++d) {
      const int64_t index = l * dirs + d;
      const Tensor *w = &weights[size_t(index * perDirection)];
      const Trace<T> &tr = traces[size_t(index)];
      T *dgh = isGRU ? dghOwn.data() : dgx.data();

      if (gradHN.defined())
        std::memcpy(dh.data(), gradHN.data<T>() + index * stateSize,
                    sizeof(T) * stateSize);
      else
        std::fill(dh.begin(), dh.end(), T(0));
      if (isLSTM && gradCN.defined())
        std::memcpy(dc.data(), gradCN.data<T>() + index * stateSize,
                    sizeof(T) * stateSize);
      else
        std::fill(dc.begin(), dc.end(), T(0));

      for (int64_t s = steps - 1; s >= 0; --s) {
        const int64_t t = d == 0 ? s : steps - 1 - s;
        // h_t also went to the output, column block d.
        const T *dyt = dy + t * batch * dirs * hidden + d * hidden;
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t j = 0; j < hidden; ++j)
            dh[size_t(b * hidden + j)] += dyt[b * dirs * hidden + j];
        T *dgxt = dgx.data() + t * batch * gh, *dght = dgh + t * batch * gh;
        backwardStep(cell, batch, hidden, tr.saved.data() + t * batch * sh,
                     tr.hPrev.data() + t * stateSize,
                     isLSTM ? tr.cPrev.data() + t * stateSize : nullptr,
                     dh.data(), dc.data(), dgxt, dght, dhPrev.data());
        // dh_{t-1} += dgh_t W_hh.
        gemm(false, false, batch, hidden, gh, T(1), dght, gh, w[1].data<T>(),
             hidden, T(1), dhPrev.data(), hidden);
        std::swap(dh, dhPrev);
      }
      std::memcpy(grads.h0.data<T>() + index * stateSize, dh.data(),
                  sizeof(T) * stateSize);
      if (isLSTM)
        std::memcpy(grads.c0.data<T>() + index * stateSize, dc.data(),
                    sizeof(T) * stateSize);

      // All steps at once: dW_ih = dGx^T X, dW_hh = dGh^T H_prev,
      // dX += dGx W_ih (both directions add into dX).
      Tensor *gw = &grads.weights[size_t(index * perDirection)];
      gw[0] = Tensor::uninitialized(dtype, w[0].shape());
      gw[1] = Tensor::uninitialized(dtype, w[1].shape());
      gemm(true, false, gh, inSize, rows, T(1), dgx.data(), gh, x.data<T>(),
           inSize, T(0), gw[0].data<T>(), inSize);
      gemm(true, false, gh, hidden, rows, T(1), dgh, gh, tr.hPrev.data(),
           hidden, T(0), gw[1].data<T>(), hidden);
      if (opt.hasBiases) {
        gw[2] = Tensor::uninitialized(dtype, w[2].shape());
        gw[3] = Tensor::uninitialized(dtype, w[3].shape());
        columnSums(dgx.data(), rows, gh, gw[2].data<T>());
        columnSums(dgh, rows, gh, gw[3].data<T>());
      }
      gemm(false, false, rows, inSize, gh, T(1), dgx.data(), gh, w[0].data<T>(),
           inSize, T(1), dX.data<T>(), inSize);
    }
    if (l == 0)
      grads.input = opt.batchFirst ? permute(dX, {1, 0, 2}) : dX;
    else
      // Layer l's input was layer l-1's output through the dropout mask.
      dY = dropping ? dropoutBackward(dX, opt.dropout, /*spatial=*/false,
                                      opt.dropoutSeed, uint64_t(l - 1))
                    : dX;
  }
  return grads;
}

/// f32/f64 natively; f16/bf16 through f32 with the gradients cast back.
RecurrentGrads runBackward(Cell cell, const char *kernel,
                           const Tensor &gradOutput, const Tensor &gradHN,
                           const Tensor &gradCN, const Tensor &input,
                           const Tensor &h0, const Tensor &c0,
                           const std::vector<Tensor> &weights,
                           const RecurrentOptions &opt) {
  const DType dtype = input.dtype();
  if (isHalf(dtype)) {
    std::vector<Tensor> wide;
    for (const Tensor &w : weights)
      wide.push_back(widenHalf(w));
    RecurrentGrads g = backwardTyped<float>(
        cell, widenHalf(gradOutput), widenHalf(gradHN), widenHalf(gradCN),
        widenHalf(input), widenHalf(h0), widenHalf(c0), wide, opt);
    RecurrentGrads r;
    r.input = cast(g.input, dtype);
    r.h0 = cast(g.h0, dtype);
    if (g.c0.defined())
      r.c0 = cast(g.c0, dtype);
    for (const Tensor &w : g.weights)
      r.weights.push_back(cast(w, dtype));
    return r;
  }
  return dispatchFloat(dtype, kernel, [&](auto tag) {
    return backwardTyped<decltype(tag)>(cell, gradOutput, gradHN, gradCN, input,
                                        h0, c0, weights, opt);
  });
}

} // namespace

RecurrentGrads kernels::rnnBackward(const Tensor &gradOutput,
                                    const Tensor &gradHN, const Tensor &input,
                                    const Tensor &h0,
                                    const std::vector<Tensor> &weights,
                                    const RecurrentOptions &options,
                                    bool relu) {
  return runBackward(relu ? Cell::RNNRelu : Cell::RNNTanh, "rnnBackward",
                     gradOutput, gradHN, Tensor(), input, h0, Tensor(), weights,
                     options);
}

RecurrentGrads kernels::lstmBackward(const Tensor &gradOutput,
                                     const Tensor &gradHN, const Tensor &gradCN,
                                     const Tensor &input, const Tensor &h0,
                                     const Tensor &c0,
                                     const std::vector<Tensor> &weights,
                                     const RecurrentOptions &options) {
  return runBackward(Cell::LSTM, "lstmBackward", gradOutput, gradHN, gradCN,
                     input, h0, c0, weights, options);
}

RecurrentGrads kernels::gruBackward(const Tensor &gradOutput,
                                    const Tensor &gradHN, const Tensor &input,
                                    const Tensor &h0,
                                    const std::vector<Tensor> &weights,
                                    const RecurrentOptions &options) {
  return runBackward(Cell::GRU, "gruBackward", gradOutput, gradHN, Tensor(),
                     input, h0, Tensor(), weights, options);
}
