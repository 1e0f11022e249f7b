//===- ShapeKernels.cpp - Adapters: reductions, shapes, gather/scatter ----===//
//
// Ops whose result size comes from the program (reshape, expand,
// scatter_reduce) read it from the caller: the preallocated result of
// compiled code, or the sizes the executor computes from the result type and
// the op's index operands.
//
//===----------------------------------------------------------------------===//

#include "runtime/abi/Kernels.h"
#include "runtime/kernels/Reduce.h"
#include "runtime/kernels/Shape.h"

using namespace nnc::rt;
using namespace nnc::rt::abi;
namespace k = nnc::rt::kernels;

/// An axis attribute normalised against `rank`; fails if out of range.
static bool axisOf(KernelCall &c, int64_t rank, int64_t &axis) {
  axis = c.attrs.getInt("axis");
  if (axis < 0)
    axis += rank;
  if (axis >= 0 && axis < rank)
    return true;
  return c.fail("axis " + std::to_string(c.attrs.getInt("axis")) +
                " is out of range for rank " + std::to_string(rank));
}

static bool reduce(KernelCall &c) {
  k::ReduceOp op;
  if (!k::reduceOpFromName(std::string(c.op), op))
    return c.fail("not a reduction");
  return c.setResult(0, k::reduce(op, c.operand(0), c.attrs.getInts("dims"),
                                  c.attrs.getBool("keepdim")));
}

static bool reshape(KernelCall &c) {
  Shape shape;
  if (!c.knownResultShape(0, shape))
    return false;
  const Tensor &x = c.operand(0);
  if (numElements(shape) != x.numel())
    return c.fail("cannot reshape " + x.typeString() + " to " +
                  shapeString(shape));
  return c.setResult(0, k::reshape(x, shape));
}

static bool expand(KernelCall &c) {
  Shape shape;
  if (!c.knownResultShape(0, shape))
    return false;
  const Tensor &x = c.operand(0);
  // Broadcasting rules are checked here: sizes come from run time.
  int64_t offset = int64_t(shape.size()) - x.rank();
  bool ok = offset >= 0;
  for (int64_t d = 0; ok && d < x.rank(); ++d)
    ok = x.dim(d) == 1 || x.dim(d) == shape[offset + d];
  if (!ok)
    return c.fail("cannot expand " + x.typeString() + " to " +
                  shapeString(shape));
  return c.setResult(0, k::expand(x, shape));
}

static bool permute(KernelCall &c) {
  return c.setResult(0,
                     k::permute(c.operand(0), c.attrs.getInts("permutation")));
}

static bool concat(KernelCall &c) {
  std::vector<Tensor> inputs = c.variadic(0);
  if (inputs.empty())
    return c.fail("nothing to concatenate");
  int64_t rank = inputs.front().rank(), axis;
  if (!axisOf(c, rank, axis))
    return false;
  for (const Tensor &t : inputs) {
    bool ok = t.rank() == rank;
    for (int64_t d = 0; ok && d < rank; ++d)
      ok = d == axis || t.dim(d) == inputs.front().dim(d);
    if (!ok)
      return c.fail("cannot concatenate " + inputs.front().typeString() +
                    " and " + t.typeString());
  }
  return c.setResult(0, k::concat(inputs, axis));
}

static bool slice(KernelCall &c) {
  return c.setResult(0, k::slice(c.operand(0), c.attrs.getInt("axis"),
                                 c.attrs.getInt("start"), c.attrs.getInt("end"),
                                 c.attrs.getInt("step", 1)));
}

static bool split(KernelCall &c) {
  const Tensor &x = c.operand(0);
  std::vector<int64_t> sizes = c.attrs.getInts("sizes");
  int64_t axis;
  if (!axisOf(c, x.rank(), axis))
    return false;
  if (sizes.size() != c.results.size())
    return c.fail(std::to_string(sizes.size()) + " split sizes for " +
                  std::to_string(c.results.size()) + " results");
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if (total != x.dim(axis))
    return c.fail("split sizes add up to " + std::to_string(total) +
                  " but the dimension is " + std::to_string(x.dim(axis)));
  std::vector<Tensor> parts = k::split(x, axis, sizes);
  for (size_t i = 0; i < parts.size(); ++i)
    if (!c.setResult(i, std::move(parts[i])))
      return false;
  return true;
}

static bool patchify(KernelCall &c) {
  return c.setResult(0,
                     k::patchify(c.operand(0), c.attrs.getInts("patch_size")));
}

static bool topK(KernelCall &c) {
  const Tensor &x = c.operand(0);
  int64_t axis, kk = c.attrs.getInt("k");
  if (!axisOf(c, x.rank(), axis))
    return false;
  if (kk > x.dim(axis))
    return c.fail("k = " + std::to_string(kk) +
                  " is larger than the dimension (" +
                  std::to_string(x.dim(axis)) + ")");
  k::TopKResult r = k::topK(x, kk, axis);
  return c.setResult(0, std::move(r.values)) &&
         c.setResult(1, std::move(r.indices));
}

static bool gather(KernelCall &c) {
  std::string err;
  Tensor out =
      k::gather(c.operand(0), c.operand(1), c.attrs.getInt("axis"), err);
  if (!out.defined())
    return c.fail(err);
  return c.setResult(0, std::move(out));
}

/// The number of segments is the result's dim 0.
static bool scatterReduce(KernelCall &c) {
  k::ScatterReduce r;
  if (!k::scatterReduceFromName(c.attrs.getString("reduce"), r))
    return c.fail("unknown reduction '" + c.attrs.getString("reduce") + "'");
  Shape shape;
  if (!c.knownResultShape(0, shape))
    return false;
  if (shape.empty())
    return c.fail("the result has rank 0");
  std::string err;
  Tensor out = k::scatterReduce(c.operand(0), c.operand(1), shape[0], r, err);
  if (!out.defined())
    return c.fail(err);
  return c.setResult(0, std::move(out));
}

void nnc::rt::abi::registerShapeKernels(Registry &r) {
  for (const char *name :
       {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min"})
    r.add(name, reduce, "1", 1, {"dims"});
  r.add("reshape", reshape, "1");
  r.add("expand", expand, "1");
  r.add("permute", permute, "1", 1, {"permutation"});
  r.add("concat", concat, "*", 1, {"axis"});
  r.add("slice", slice, "1", 1, {"axis", "start", "end"});
  r.add("split", split, "1", -1, {"axis", "sizes"});
  r.add("patchify", patchify, "1", 1, {"patch_size"});
  r.add("top_k", topK, "1", 2, {"k", "axis"});
  r.add("gather", gather, "11", 1, {"axis"});
  // The third ODS group is the optional `index` size operand: never a tensor,
  // so it is empty whenever the op reaches a kernel (its size is then the
  // result's static dim 0).
  r.add("scatter_reduce", scatterReduce, "11?", 1, {"reduce"});
}
