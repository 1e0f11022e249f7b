//===- InterpreterShapeOps.cpp - Shapes, pooling, norms, reductions -------===//

#include "runtime/executor/Executor.h"
#include "runtime/executor/Interpreter.h"
#include "runtime/executor/InterpreterUtil.h"
#include "runtime/kernels/Norm.h"
#include "runtime/kernels/Pool.h"
#include "runtime/kernels/Reduce.h"
#include "runtime/kernels/Shape.h"

#include "dialects/nn/NNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace nnc;
using namespace nnc::exec;
namespace k = nnc::rt::kernels;

namespace nnc::exec {
bool runShapeOp(Interpreter &interp, mlir::Operation &op, bool &ok);
} // namespace nnc::exec

/// The shape of `result`: static sizes from its type, `?` sizes from the
/// op's index operands in order.
static rt::Shape resultShape(Interpreter &in, mlir::Value result,
                             mlir::OperandRange dynamicSizes) {
  auto type = mlir::cast<mlir::RankedTensorType>(result.getType());
  rt::Shape shape;
  unsigned next = 0;
  for (int64_t d : type.getShape())
    shape.push_back(
        mlir::ShapedType::isDynamic(d) ? in.index(dynamicSizes[next++]) : d);
  return shape;
}

bool nnc::exec::runShapeOp(Interpreter &in, mlir::Operation &op, bool &ok) {
  auto T = [&](mlir::Value v) -> const rt::Tensor & { return in.tensor(v); };
  return llvm::TypeSwitch<mlir::Operation *, bool>(&op)
      // Pooling.
      .Case([&](nn::MaxPoolOp o) {
        in.set(o.getResult(),
               k::maxPool(T(o.getInput()), vec(o.getKernelSize()),
                          vec(o.getStride()), vec(o.getPadding()),
                          vec(o.getDilation()), o.getCeilMode()));
        return true;
      })
      .Case([&](nn::AvgPoolOp o) {
        in.set(o.getResult(),
               k::avgPool(T(o.getInput()), vec(o.getKernelSize()),
                          vec(o.getStride()), vec(o.getPadding()),
                          o.getCeilMode(), o.getCountIncludePad()));
        return true;
      })
      .Case([&](nn::AdaptiveAvgPoolOp o) {
        in.set(o.getResult(),
               k::adaptiveAvgPool(T(o.getInput()), vec(o.getOutputSize())));
        return true;
      })
      .Case([&](nn::AdaptiveMaxPoolOp o) {
        in.set(o.getResult(),
               k::adaptiveMaxPool(T(o.getInput()), vec(o.getOutputSize())));
        return true;
      })
      // Normalisation (inference: batch norm uses running statistics).
      .Case([&](nn::BatchNormOp o) {
        in.set(o.getResult(),
               k::batchNorm(T(o.getInput()), in.optional(o.getWeight()),
                            in.optional(o.getBias()), T(o.getRunningMean()),
                            T(o.getRunningVar()), o.getEpsilon()));
        return true;
      })
      .Case([&](nn::LayerNormOp o) {
        in.set(o.getResult(),
               k::layerNorm(T(o.getInput()), in.optional(o.getWeight()),
                            in.optional(o.getBias()),
                            vec(o.getNormalizedShape()), o.getEpsilon()));
        return true;
      })
      .Case([&](nn::GroupNormOp o) {
        in.set(o.getResult(),
               k::groupNorm(T(o.getInput()), in.optional(o.getWeight()),
                            in.optional(o.getBias()), o.getNumGroups(),
                            o.getEpsilon()));
        return true;
      })
      // Reductions.
      .Case<nn::ReduceSumOp, nn::ReduceMeanOp, nn::ReduceMaxOp,
            nn::ReduceMinOp>([&](auto o) {
        k::ReduceOp r;
        k::reduceOpFromName(op.getName().stripDialect().str(), r);
        in.set(o.getResult(),
               k::reduce(r, T(o.getInput()), vec(o.getDims()), o.getKeepdim()));
        return true;
      })
      // Shapes.
      .Case([&](nn::ReshapeOp o) {
        rt::Shape shape = resultShape(in, o.getResult(), o.getDynamicSizes());
        if (rt::numElements(shape) != T(o.getInput()).numel()) {
          ok = in.fail(op, "cannot reshape " + T(o.getInput()).typeString() +
                               " to " + rt::shapeString(shape));
          return true;
        }
        in.set(o.getResult(), k::reshape(T(o.getInput()), shape));
        return true;
      })
      .Case([&](nn::ExpandOp o) {
        rt::Shape shape = resultShape(in, o.getResult(), o.getDynamicSizes());
        const rt::Tensor &x = T(o.getInput());
        // Broadcasting rules checked here: sizes come from run time.
        int64_t offset = int64_t(shape.size()) - x.rank();
        for (int64_t d = 0; d < x.rank(); ++d)
          if (x.dim(d) != 1 && x.dim(d) != shape[offset + d]) {
            ok = in.fail(op, "cannot expand " + x.typeString() + " to " +
                                 rt::shapeString(shape));
            return true;
          }
        in.set(o.getResult(), k::expand(x, shape));
        return true;
      })
      .Case([&](nn::PermuteOp o) {
        in.set(o.getResult(),
               k::permute(T(o.getInput()), vec(o.getPermutation())));
        return true;
      })
      .Case([&](nn::ConcatOp o) {
        std::vector<rt::Tensor> inputs;
        for (mlir::Value v : o.getInputs())
          inputs.push_back(T(v));
        int64_t rank = inputs.front().rank();
        int64_t axis = o.getAxis() < 0 ? o.getAxis() + rank : o.getAxis();
        for (auto &t : inputs)
          for (int64_t d = 0; d < rank; ++d)
            if (d != axis && t.dim(d) != inputs.front().dim(d)) {
              ok = in.fail(op, "cannot concatenate " +
                                   inputs.front().typeString() + " and " +
                                   t.typeString());
              return true;
            }
        in.set(o.getResult(), k::concat(inputs, axis));
        return true;
      })
      .Case([&](nn::SliceOp o) {
        in.set(o.getResult(), k::slice(T(o.getInput()), o.getAxis(),
                                       o.getStart(), o.getEnd(), o.getStep()));
        return true;
      })
      .Case([&](nn::SplitOp o) {
        const rt::Tensor &x = T(o.getInput());
        std::vector<int64_t> sizes = vec(o.getSizes());
        int64_t axis = o.getAxis() < 0 ? o.getAxis() + x.rank() : o.getAxis();
        int64_t total = 0;
        for (int64_t s : sizes)
          total += s;
        if (total != x.dim(axis)) {
          ok = in.fail(op, "split sizes add up to " + std::to_string(total) +
                               " but the dimension is " +
                               std::to_string(x.dim(axis)));
          return true;
        }
        auto parts = k::split(x, axis, sizes);
        for (unsigned i = 0; i < parts.size(); ++i)
          in.set(o.getResults()[i], parts[i]);
        return true;
      })
      .Case([&](nn::PatchifyOp o) {
        in.set(o.getResult(),
               k::patchify(T(o.getInput()), vec(o.getPatchSize())));
        return true;
      })
      .Case([&](nn::TopKOp o) {
        const rt::Tensor &x = T(o.getInput());
        int64_t axis = o.getAxis() < 0 ? o.getAxis() + x.rank() : o.getAxis();
        if (o.getK() > x.dim(axis)) {
          ok = in.fail(op, "k = " + std::to_string(o.getK()) +
                               " is larger than the dimension (" +
                               std::to_string(x.dim(axis)) + ")");
          return true;
        }
        auto r = k::topK(x, o.getK(), axis);
        in.set(o.getValues(), r.values);
        in.set(o.getIndices(), r.indices);
        return true;
      })
      // Graph message passing.
      .Case([&](nn::GatherOp o) {
        std::string err;
        rt::Tensor out =
            k::gather(T(o.getInput()), T(o.getIndex()), o.getAxis(), err);
        if (!out.defined())
          ok = in.fail(op, err);
        in.set(o.getResult(), out);
        return true;
      })
      .Case([&](nn::ScatterReduceOp o) {
        k::ScatterReduce r;
        k::scatterReduceFromName(o.getReduce().str(), r);
        auto type = mlir::cast<mlir::RankedTensorType>(o.getResult().getType());
        int64_t rows =
            o.getDimSize() ? in.index(o.getDimSize()) : type.getShape()[0];
        std::string err;
        rt::Tensor out =
            k::scatterReduce(T(o.getSrc()), T(o.getIndex()), rows, r, err);
        if (!out.defined())
          ok = in.fail(op, err);
        in.set(o.getResult(), out);
        return true;
      })
      .Default([](mlir::Operation *) { return false; });
}
