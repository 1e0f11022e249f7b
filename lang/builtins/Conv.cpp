//===- Conv.cpp - Convolution, pooling and normalisation ------------------===//
//
// conv1d/2d/3d, conv_transpose1d/2d, max/avg/adaptive/global pooling and
// batch/layer/group/instance normalisation. Layouts are PyTorch's
// channels-first [N, C, *spatial]; parameters get torch.nn's state_dict names
// and default initialisation, in the input's element type.
//
//===----------------------------------------------------------------------===//

#include "lang/SemaImpl.h"

#include <cmath>

using namespace nnc;
using namespace nnc::sema;

namespace {

using Attrs = std::vector<std::pair<std::string, Attr>>;

int64_t floorDivInt(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0)))
    --q;
  return q;
}

int64_t ceilDivInt(int64_t a, int64_t b) { return -floorDivInt(-a, b); }

/// The number of spatial dims of `conv2d`, `max_pool1d`, ...: the digit
/// before the trailing "d".
size_t spatialRank(const std::string &op) { return op[op.size() - 2] - '0'; }

std::string layoutString(size_t spatial) {
  static const char *names[] = {"", "L", "H, W", "D, H, W"};
  return std::string("[N, C, ") + names[spatial] + "]";
}

/// Requires a floating-point input of layout [N, C, *spatial].
bool checkSpatialInput(Call &c, size_t spatial) {
  if (!c.requireFloat("input"))
    return false;
  const TensorType &t = c.type(c.tensor("input"));
  if (t.shape.size() == spatial + 2)
    return true;
  c.error("input", "'" + c.op() + "' expects an input of rank " +
                       std::to_string(spatial + 2) + " " +
                       layoutString(spatial) + ", got " + t.str());
  return false;
}

/// A per-spatial-dim int argument (one int for all dims, or a list of one
/// per dim), each in [lo, kMaxDim] so that the size formulas cannot overflow.
std::optional<std::vector<int64_t>> spatialInts(Call &c, const char *param,
                                                size_t spatial, int64_t lo) {
  std::vector<int64_t> v = c.ints(param, spatial);
  if (c.failed)
    return std::nullopt;
  for (int64_t x : v) {
    if (x >= lo && x <= Elaborator::kMaxDim)
      continue;
    std::string given =
        c.arg(param).isInt() ? std::to_string(x) : dimsString(v);
    c.error(param,
            "'" + std::string(param) + "' of '" + c.op() + "' must be " +
                (x < lo ? "at least " + std::to_string(lo)
                        : "at most " + std::to_string(Elaborator::kMaxDim)) +
                ", got " + given);
    return std::nullopt;
  }
  return v;
}

int64_t product(const std::vector<int64_t> &v) {
  int64_t p = 1;
  for (int64_t x : v)
    if (__builtin_mul_overflow(p, x, &p))
      return INT64_MAX;
  return p;
}

/// The sliding-window geometry shared by convolution and pooling.
struct Window {
  std::vector<int64_t> kernel, stride, padding, dilation;
  bool ceilMode = false;
};

/// Appends the output size of every spatial dim of `in` to `out`, or reports
/// why a window does not fit.
bool appendWindowDims(Call &c, const Shape &in, const Window &w, Shape &out) {
  for (size_t i = 0; i < w.kernel.size(); ++i) {
    const Dim &size = in[i + 2];
    int64_t k = w.kernel[i], s = w.stride[i], p = w.padding[i],
            d = w.dilation[i];
    auto o = windowOutputSize(size, k, s, p, d, w.ceilMode);
    if (!o) {
      c.error("input", "output size of spatial dimension " + std::to_string(i) +
                           " of '" + c.op() + "' overflows");
      return false;
    }
    if (!o->isConstant() || o->value() >= 1) {
      out.push_back(*o);
      continue;
    }
    int64_t effective = d * (k - 1) + 1, padded = size.value() + 2 * p;
    std::string kernelText =
        d == 1 ? "kernel_size " + std::to_string(k)
               : "dilated kernel size " + std::to_string(effective) +
                     " (kernel_size " + std::to_string(k) + ", dilation " +
                     std::to_string(d) + ")";
    c.error("kernel_size", "'" + c.op() + "': " + kernelText +
                               " is larger than the padded input (" +
                               std::to_string(padded) +
                               ") in spatial dimension " + std::to_string(i) +
                               " of " + c.type(c.tensor("input")).str());
    return false;
  }
  return true;
}

/// Kernel, stride, padding and dilation of a convolution or pooling call;
/// `stride: none` means the kernel size (pooling), and `dilation` is 1 for
/// ops without it (avg_pool).
std::optional<Window> readWindow(Call &c, size_t spatial, bool hasDilation) {
  Window w;
  auto kernel = spatialInts(c, "kernel_size", spatial, 1);
  if (!kernel)
    return std::nullopt;
  w.kernel = *kernel;
  if (c.isNone("stride")) {
    w.stride = w.kernel;
  } else if (auto stride = spatialInts(c, "stride", spatial, 1)) {
    w.stride = *stride;
  } else {
    return std::nullopt;
  }
  auto padding = spatialInts(c, "padding", spatial, 0);
  if (!padding)
    return std::nullopt;
  w.padding = *padding;
  w.dilation.assign(spatial, 1);
  if (hasDilation) {
    auto dilation = spatialInts(c, "dilation", spatial, 1);
    if (!dilation)
      return std::nullopt;
    w.dilation = *dilation;
  }
  return w;
}

/// The channel count (dim 1) and its divisibility by `groups`.
std::optional<int64_t> channels(Call &c, int x) {
  return c.staticDim(x, 1, "input", "the number of channels");
}

/// Creates `weight` [dim0, perGroup, *kernel] and, when asked, `bias`, both
/// uniform in +-bound as torch.nn's kaiming_uniform(a = sqrt(5)) default
/// gives, with fan_in = perGroup * prod(kernel).
std::vector<int> convParams(Call &c, int64_t dim0, int64_t perGroup,
                            const std::vector<int64_t> &kernel,
                            int64_t outChannels, DType dtype) {
  Shape weight = {Dim::constant(dim0), Dim::constant(perGroup)};
  for (int64_t k : kernel)
    weight.push_back(Dim::constant(k));
  double fanIn = double(perGroup) * double(product(kernel));
  double bound = 1.0 / std::sqrt(fanIn);
  std::vector<int> ids = {c.tensor("input")};
  ids.push_back(
      c.parameter("weight", std::move(weight), "uniform", bound, false, dtype));
  if (c.flag("bias"))
    ids.push_back(c.parameter("bias", {Dim::constant(outChannels)}, "uniform",
                              bound, false, dtype));
  return ids;
}

/// The arguments conv and conv_transpose read first, in this order.
struct ConvArgs {
  int x;
  TensorType in;
  int64_t out, groups;
  Window w;
};

std::optional<ConvArgs> readConvArgs(Call &c, size_t spatial) {
  if (!checkSpatialInput(c, spatial))
    return std::nullopt;
  int x = c.tensor("input");
  TensorType in = c.type(x);
  auto out = c.intIn("out_channels", 1);
  auto groups = c.intIn("groups", 1);
  auto w = readWindow(c, spatial, true);
  if (!out || !groups || !w)
    return std::nullopt;
  return ConvArgs{x, std::move(in), *out, *groups, std::move(*w)};
}

bool checkGroups(Call &c, int64_t in, int64_t out, int64_t groups) {
  if (in % groups != 0) {
    c.error("groups", "input has " + std::to_string(in) +
                          " channels, which is not divisible by groups=" +
                          std::to_string(groups));
    return false;
  }
  if (out % groups != 0) {
    c.error("groups",
            "out_channels=" + std::to_string(out) +
                " is not divisible by groups=" + std::to_string(groups));
    return false;
  }
  return true;
}

/// Non-negative finite epsilon of a normalisation.
std::optional<double> epsilon(Call &c) {
  auto eps = c.finiteReal("eps");
  if (eps && *eps < 0) {
    c.error("eps", "'eps' of '" + c.op() + "' must not be negative");
    return std::nullopt;
  }
  return eps;
}

/// Emits a normalisation whose optional weight and bias form the operand
/// groups after the input; `extra` operands follow them.
Value emitNorm(Call &c, const std::string &op, int x, std::optional<int> weight,
               std::optional<int> bias, const std::vector<int> &extra,
               Attrs attrs) {
  std::vector<int> operands = {x};
  std::vector<int32_t> segments = {1, weight ? 1 : 0, bias ? 1 : 0};
  if (weight)
    operands.push_back(*weight);
  if (bias)
    operands.push_back(*bias);
  for (int e : extra) {
    operands.push_back(e);
    segments.push_back(1);
  }
  TensorType t = c.type(x);
  auto r = c.emit(op, operands, std::move(attrs), {t}, segments);
  return r.empty() || r[0] < 0 ? Value::poison() : Value::ofTensor(r[0]);
}

/// Shared by max_pool and avg_pool: window, PyTorch's padding limit and the
/// output type.
std::optional<std::pair<Window, TensorType>> poolGeometry(Call &c,
                                                          bool dilated) {
  size_t spatial = spatialRank(c.op());
  if (!checkSpatialInput(c, spatial))
    return std::nullopt;
  auto w = readWindow(c, spatial, dilated);
  if (!w)
    return std::nullopt;
  w->ceilMode = c.flag("ceil_mode");
  for (size_t i = 0; i < spatial; ++i)
    if (w->padding[i] > w->kernel[i] / 2) {
      c.error("padding", "padding " + std::to_string(w->padding[i]) +
                             " must be at most half of kernel_size (" +
                             std::to_string(w->kernel[i]) + ") for '" + c.op() +
                             "'");
      return std::nullopt;
    }
  TensorType t = c.type(c.tensor("input"));
  Shape result = {t.shape[0], t.shape[1]};
  if (!appendWindowDims(c, t.shape, *w, result))
    return std::nullopt;
  t.shape = result;
  return std::make_pair(*w, t);
}

} // namespace

std::optional<Dim> sema::windowOutputSize(const Dim &in, int64_t kernel,
                                          int64_t stride, int64_t pad,
                                          int64_t dilation, bool ceilMode) {
  // All arguments are at most kMaxDim, so this cannot overflow.
  int64_t offset = 2 * pad - dilation * (kernel - 1) - 1;
  if (in.isConstant()) {
    int64_t out =
        floorDivInt(in.value() + offset + (ceilMode ? stride - 1 : 0), stride) +
        1;
    // A window that would start in the right padding is dropped.
    if (ceilMode && (out - 1) * stride >= in.value() + pad)
      --out;
    return Dim::constant(out);
  }
  if (in.coefficient() % stride == 0) {
    // in = stride * m: the size is m + a constant, and ceil_mode's rule
    // ((out - 1) * stride >= in + pad) no longer depends on the symbols.
    Dim m = *Dim::divExact(in, Dim::constant(stride));
    int64_t q =
        ceilMode ? ceilDivInt(offset, stride) : floorDivInt(offset, stride);
    if (ceilMode && q * stride >= pad)
      --q;
    return Dim::add(m, Dim::constant(q + 1));
  }
  if (!ceilMode || pad + stride <= dilation * (kernel - 1) + 1) {
    // Spelled like the .nn expression `(H + offset) // stride + 1` so that a
    // block's declared result type written that way matches. In ceil mode
    // the last window then always starts inside the input.
    auto shifted =
        Dim::add(in, Dim::constant(offset + (ceilMode ? stride - 1 : 0)));
    if (!shifted)
      return std::nullopt;
    auto quotient = Dim::floorDiv(*shifted, Dim::constant(stride));
    if (!quotient)
      return std::nullopt;
    return Dim::add(*quotient, Dim::constant(1));
  }
  return Dim::opaque("pool_ceil(" + in.str() +
                     ", kernel=" + std::to_string(kernel) +
                     ", stride=" + std::to_string(stride) +
                     ", padding=" + std::to_string(pad) +
                     ", dilation=" + std::to_string(dilation) + ")");
}

namespace nnc::sema::handlers {

Value conv(Call &c) {
  auto a = readConvArgs(c, spatialRank(c.op()));
  if (!a)
    return Value::poison();
  const TensorType &in = a->in;
  const Window &w = a->w;
  auto inChannels = channels(c, a->x);
  if (!inChannels || !checkGroups(c, *inChannels, a->out, a->groups))
    return Value::poison();
  Shape result = {in.shape[0], Dim::constant(a->out)};
  if (!appendWindowDims(c, in.shape, w, result))
    return Value::poison();

  auto operands = convParams(c, a->out, *inChannels / a->groups, w.kernel,
                             a->out, in.dtype);
  Attrs attrs = {{"stride", Attr::integers(w.stride)},
                 {"padding", Attr::integers(w.padding)},
                 {"dilation", Attr::integers(w.dilation)},
                 {"groups", Attr::integer(a->groups)}};
  return Value::ofTensor(
      c.emit1("conv", operands, std::move(attrs), {in.dtype, result}));
}

Value convTranspose(Call &c) {
  size_t spatial = spatialRank(c.op());
  auto a = readConvArgs(c, spatial);
  if (!a)
    return Value::poison();
  const TensorType &in = a->in;
  const Window &w = a->w;
  auto outputPadding = spatialInts(c, "output_padding", spatial, 0);
  if (!outputPadding)
    return Value::poison();
  auto inChannels = channels(c, a->x);
  if (!inChannels || !checkGroups(c, *inChannels, a->out, a->groups))
    return Value::poison();

  Shape result = {in.shape[0], Dim::constant(a->out)};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t k = w.kernel[i], s = w.stride[i], p = w.padding[i],
            d = w.dilation[i], op = (*outputPadding)[i];
    // PyTorch: the extra output rows must fall inside one stride or
    // dilation step, or they would be unreachable by any input position.
    if (op >= s && op >= d)
      return c.error("output_padding",
                     "output_padding " + std::to_string(op) +
                         " must be smaller than stride (" + std::to_string(s) +
                         ") or dilation (" + std::to_string(d) + ")");
    // (in - 1) * s - 2p + d(k - 1) + output_padding + 1 = in * s + extra.
    int64_t extra = -s - 2 * p + d * (k - 1) + op + 1;
    const Dim &size = in.shape[i + 2];
    auto scaled = Dim::mul(size, Dim::constant(s));
    auto o = scaled ? Dim::add(*scaled, Dim::constant(extra)) : std::nullopt;
    if (!o)
      return c.error("input", "output size of spatial dimension " +
                                  std::to_string(i) + " of '" + c.op() +
                                  "' overflows");
    if (o->isConstant() && o->value() < 1)
      return c.error("padding",
                     "'" + c.op() + "' would give output size " + o->str() +
                         " in spatial dimension " + std::to_string(i) +
                         " (input " + size.str() + ", stride " +
                         std::to_string(s) + ", padding " + std::to_string(p) +
                         ", kernel_size " + std::to_string(k) +
                         "); it must be at least 1");
    result.push_back(*o);
  }

  // PyTorch's weight is [in, out / groups, *K] and its fan_in comes from
  // dim 1, so the bound uses out / groups.
  auto operands = convParams(c, *inChannels, a->out / a->groups, w.kernel,
                             a->out, in.dtype);
  Attrs attrs = {{"stride", Attr::integers(w.stride)},
                 {"padding", Attr::integers(w.padding)},
                 {"output_padding", Attr::integers(*outputPadding)},
                 {"dilation", Attr::integers(w.dilation)},
                 {"groups", Attr::integer(a->groups)}};
  return Value::ofTensor(c.emit1("conv_transpose", operands, std::move(attrs),
                                 {in.dtype, result}));
}

Value maxPool(Call &c) {
  auto g = poolGeometry(c, true);
  if (!g)
    return Value::poison();
  auto &[w, result] = *g;
  Attrs attrs = {{"kernel_size", Attr::integers(w.kernel)},
                 {"stride", Attr::integers(w.stride)},
                 {"padding", Attr::integers(w.padding)},
                 {"dilation", Attr::integers(w.dilation)},
                 {"ceil_mode", Attr::boolean(w.ceilMode)}};
  return Value::ofTensor(
      c.emit1("max_pool", {c.tensor("input")}, std::move(attrs), result));
}

Value avgPool(Call &c) {
  auto g = poolGeometry(c, false);
  if (!g)
    return Value::poison();
  auto &[w, result] = *g;
  Attrs attrs = {
      {"kernel_size", Attr::integers(w.kernel)},
      {"stride", Attr::integers(w.stride)},
      {"padding", Attr::integers(w.padding)},
      {"ceil_mode", Attr::boolean(w.ceilMode)},
      {"count_include_pad", Attr::boolean(c.flag("count_include_pad"))}};
  return Value::ofTensor(
      c.emit1("avg_pool", {c.tensor("input")}, std::move(attrs), result));
}

Value adaptivePool(Call &c) {
  size_t spatial = spatialRank(c.op());
  if (!checkSpatialInput(c, spatial))
    return Value::poison();
  auto size = spatialInts(c, "output_size", spatial, 1);
  if (!size)
    return Value::poison();
  TensorType t = c.type(c.tensor("input"));
  t.shape.resize(2);
  for (int64_t s : *size)
    t.shape.push_back(Dim::constant(s));
  bool isMax = c.op().rfind("adaptive_max", 0) == 0;
  return Value::ofTensor(c.emit1(
      isMax ? "adaptive_max_pool" : "adaptive_avg_pool", {c.tensor("input")},
      {{"output_size", Attr::integers(*size)}}, t));
}

Value globalPool(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  TensorType t = c.type(c.tensor("input"));
  int64_t rank = t.shape.size();
  if (rank < 3)
    return c.error("input", "'" + c.op() +
                                "' expects an input [N, C, *spatial] of rank "
                                "3 or more, got " +
                                t.str());
  // Reducing every spatial dim gives [N, C], which feeds a classifier head
  // directly (GAP replaces flatten + FC).
  std::vector<int64_t> dims;
  for (int64_t i = 2; i < rank; ++i)
    dims.push_back(i);
  t.shape.resize(2);
  const char *op = c.op() == "global_max_pool" ? "reduce_max" : "reduce_mean";
  return Value::ofTensor(c.emit1(
      op, {c.tensor("input")},
      {{"dims", Attr::integers(dims)}, {"keepdim", Attr::boolean(false)}}, t));
}

Value batchNorm(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  int x = c.tensor("input");
  TensorType t = c.type(x);
  if (t.shape.size() < 2 || t.shape.size() > 5)
    return c.error("input", "'batch_norm' expects an input [N, C, ...] of "
                            "rank 2 to 5, got " +
                                t.str());
  auto eps = epsilon(c);
  auto momentum = c.finiteReal("momentum");
  if (!eps || !momentum)
    return Value::poison();
  if (*momentum < 0 || *momentum > 1)
    return c.error("momentum", "'momentum' of 'batch_norm' must be in [0, 1]"
                               ", got " +
                                   realString(*momentum));
  auto ch = channels(c, x);
  if (!ch)
    return Value::poison();
  Shape shape = {Dim::constant(*ch)};
  // In torch.nn.BatchNorm's state_dict order.
  std::optional<int> weight, bias;
  if (c.flag("affine")) {
    weight = c.parameter("weight", shape, "ones", 0, false, t.dtype);
    bias = c.parameter("bias", shape, "zeros", 0, false, t.dtype);
  }
  int mean = c.parameter("running_mean", shape, "zeros", 0, true, t.dtype);
  int var = c.parameter("running_var", shape, "ones", 0, true, t.dtype);
  c.parameter("num_batches_tracked", {}, "zeros", 0, true, DType::I64);
  return emitNorm(
      c, "batch_norm", x, weight, bias, {mean, var},
      {{"epsilon", Attr::real(*eps)}, {"momentum", Attr::real(*momentum)}});
}

Value layerNorm(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  int x = c.tensor("input");
  TensorType t = c.type(x);
  int64_t rank = t.shape.size();
  if (rank == 0)
    return c.error("input", "'layer_norm' needs an input of rank 1 or more, "
                            "got " +
                                t.str());
  auto eps = epsilon(c);
  if (!eps)
    return Value::poison();
  std::vector<int64_t> normalized;
  if (c.isNone("normalized_shape")) {
    auto last = c.staticDim(x, rank - 1, "input", "the normalised dimension");
    if (!last)
      return Value::poison();
    normalized = {*last};
  } else {
    normalized = c.intList("normalized_shape");
    int64_t n = normalized.size();
    if (n > rank)
      return c.error("normalized_shape",
                     "normalized_shape " + dimsString(normalized) + " has " +
                         std::to_string(n) + " entries, but the input " +
                         t.str() + " has rank " + std::to_string(rank));
    Shape trailing(t.shape.end() - n, t.shape.end());
    for (int64_t i = 0; i < n; ++i)
      if (trailing[i] != Dim::constant(normalized[i]))
        return c.error("normalized_shape",
                       "normalized_shape " + dimsString(normalized) +
                           " does not match the input's trailing dimensions " +
                           shapeString(trailing) + " (input " + t.str() + ")");
  }
  Shape shape;
  for (int64_t d : normalized)
    shape.push_back(Dim::constant(d));
  std::optional<int> weight, bias;
  if (c.flag("elementwise_affine")) {
    weight = c.parameter("weight", shape, "ones", 0, false, t.dtype);
    bias = c.parameter("bias", shape, "zeros", 0, false, t.dtype);
  }
  return emitNorm(c, "layer_norm", x, weight, bias, {},
                  {{"normalized_shape", Attr::integers(normalized)},
                   {"epsilon", Attr::real(*eps)}});
}

Value groupNorm(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  bool instance = c.op() == "instance_norm";
  int x = c.tensor("input");
  TensorType t = c.type(x);
  // Instance norm normalises each channel over its spatial positions, so it
  // needs at least one spatial dim.
  size_t minRank = instance ? 3 : 2;
  if (t.shape.size() < minRank)
    return c.error("input", "'" + c.op() + "' expects an input " +
                                (instance ? "[N, C, *spatial] of rank 3"
                                          : "[N, C, ...] of rank 2") +
                                " or more, got " + t.str());
  auto eps = epsilon(c);
  auto ch = channels(c, x);
  if (!eps || !ch)
    return Value::poison();
  // Instance norm is group norm with one channel per group; like
  // torch.nn.InstanceNorm it keeps no running statistics.
  int64_t groups = *ch;
  if (!instance) {
    auto g = c.intIn("num_groups", 1);
    if (!g)
      return Value::poison();
    groups = *g;
    if (*ch % groups != 0)
      return c.error("num_groups",
                     "input has " + std::to_string(*ch) +
                         " channels, which is not divisible by num_groups=" +
                         std::to_string(groups));
  }
  Shape shape = {Dim::constant(*ch)};
  std::optional<int> weight, bias;
  if (c.flag("affine")) {
    weight = c.parameter("weight", shape, "ones", 0, false, t.dtype);
    bias = c.parameter("bias", shape, "zeros", 0, false, t.dtype);
  }
  return emitNorm(
      c, "group_norm", x, weight, bias, {},
      {{"num_groups", Attr::integer(groups)}, {"epsilon", Attr::real(*eps)}});
}

} // namespace nnc::sema::handlers
