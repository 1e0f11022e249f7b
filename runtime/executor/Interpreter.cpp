//===- Interpreter.cpp - Op-by-op evaluation: control and structure -------===//
//
// The evaluation loop, index arithmetic for dynamic sizes, parameters,
// constants and search-space choices. Every other nn op, gradient and
// training-step ops included, runs through its kernel adapter
// (runtime/abi/Kernels.h, InterpreterKernels.cpp). After every op the result
// shapes are checked against the op's result types: a run-time size that
// contradicts the program (a symbolic dimension bound inconsistently, a slice
// past a short sequence) is an error naming the op's source location, never a
// silent wrong answer.
//
//===----------------------------------------------------------------------===//

#include "runtime/executor/Interpreter.h"
#include "runtime/executor/Executor.h"
#include "runtime/kernels/Elementwise.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/TypeSwitch.h"

#include "llvm/Support/raw_ostream.h"
#include <chrono>

using namespace nnc;
using namespace nnc::exec;

static std::string locationString(mlir::Location loc) {
  // Ops inside block instances carry a NameLoc around the source location.
  if (auto file = loc->findInstanceOf<mlir::FileLineColLoc>())
    return file.getFilename().str() + ":" + std::to_string(file.getLine()) +
           ":" + std::to_string(file.getColumn());
  return "";
}

Interpreter::Interpreter(std::map<std::string, rt::Tensor> &params,
                         const std::map<std::string, std::string> &selected,
                         const Executor::RunOptions &options,
                         KernelCache &kernels)
    : params(params), selected(selected), kernels(kernels),
      context(options.seed, options.stochastic), profile(options.profile) {
  context.setGradientHandler(options.applyGradients);
  // The new value is what later runs see. Only a declared buffer of the same
  // type may be rebound: anything else would corrupt the parameter set that
  // checkpoints save.
  context.setAssignHook([&params](const std::string &name,
                                  const rt::Tensor &value, std::string &why) {
    auto it = params.find(name);
    if (it == params.end()) {
      why = "the model has no buffer '" + name + "'";
      return false;
    }
    if (it->second.dtype() != value.dtype() ||
        it->second.shape() != value.shape()) {
      why = "buffer '" + name + "' is " + it->second.typeString() +
            ", the new value is " + value.typeString();
      return false;
    }
    it->second = value;
    return true;
  });
}

bool Interpreter::fail(mlir::Operation &op, const std::string &message) {
  std::string where = locationString(op.getLoc());
  *error = (where.empty() ? "" : where + ": ") + "'" +
           op.getName().getStringRef().str() + "': " + message;
  return false;
}

bool Interpreter::runFunction(mlir::func::FuncOp func,
                              const std::vector<rt::Tensor> &inputs,
                              std::vector<rt::Tensor> &outputs,
                              std::string &err) {
  error = &err;
  rt::abi::ScopedRunContext scope(context);
  mlir::Block &body = func.getBody().front();
  for (unsigned i = 0; i < body.getNumArguments(); ++i)
    set(body.getArgument(i), inputs[i]);
  // Activations are released after their last use, so peak memory is that
  // of the live values rather than of every intermediate of the model.
  llvm::DenseMap<mlir::Operation *, llvm::SmallVector<mlir::Value>> lastUses;
  auto noteLastUse = [&](mlir::Value v) {
    mlir::Operation *last = nullptr;
    for (mlir::OpOperand &use : v.getUses())
      if (mlir::Operation *top = body.findAncestorOpInBlock(*use.getOwner()))
        if (!last || last->isBeforeInBlock(top))
          last = top;
    if (last && !mlir::isa<mlir::func::ReturnOp>(last))
      lastUses[last].push_back(v);
  };
  for (mlir::Value arg : body.getArguments())
    noteLastUse(arg);
  for (mlir::Operation &op : body)
    for (mlir::Value result : op.getResults())
      noteLastUse(result);

  for (mlir::Operation &op : body) {
    if (auto ret = mlir::dyn_cast<mlir::func::ReturnOp>(op)) {
      outputs.clear();
      for (mlir::Value v : ret.getOperands())
        outputs.push_back(tensor(v));
      return true;
    }
    auto start = std::chrono::steady_clock::now();
    if (!runOp(op))
      return false;
    if (profile) {
      auto &entry = (*profile)[op.getName().getStringRef().str()];
      entry.milliseconds += std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - start)
                                .count();
      ++entry.calls;
    }
    if (auto it = lastUses.find(&op); it != lastUses.end())
      for (mlir::Value v : it->second)
        tensors.erase(v);
  }
  err = "function '" + func.getName().str() + "' has no return";
  return false;
}

bool Interpreter::runRegion(mlir::Region &region, rt::Tensor &result) {
  for (mlir::Operation &op : region.front()) {
    if (auto yield = mlir::dyn_cast<nn::YieldOp>(op)) {
      result = tensor(yield.getValue());
      return true;
    }
    if (!runOp(op))
      return false;
  }
  return fail(*region.getParentOp(), "candidate region has no nn.yield");
}

/// Checks a computed tensor against the type the program declares for it.
static bool matchesType(const rt::Tensor &t, mlir::Type type,
                        std::string &why) {
  TensorSpec spec;
  if (!toSpec(type, spec)) {
    why = "unsupported result type";
    return false;
  }
  if (t.dtype() != spec.dtype || t.rank() != int64_t(spec.shape.size())) {
    why = "computed " + t.typeString() + " for a result of rank " +
          std::to_string(spec.shape.size());
    return false;
  }
  for (size_t d = 0; d < spec.shape.size(); ++d)
    if (spec.shape[d] >= 0 && t.dim(d) != spec.shape[d]) {
      why = "computed " + t.typeString() + " but the program says dimension " +
            std::to_string(d) + " is " + std::to_string(spec.shape[d]) +
            " (a symbolic size has a different value at run time)";
      return false;
    }
  return true;
}

bool Interpreter::runOp(mlir::Operation &op) {
  bool ok = true;
  bool handled =
      llvm::TypeSwitch<mlir::Operation *, bool>(&op)
          .Case([&](mlir::arith::ConstantOp c) {
            auto attr = mlir::dyn_cast<mlir::IntegerAttr>(c.getValue());
            if (!attr || !c.getType().isIndex())
              return false;
            indices[c.getResult()] = attr.getInt();
            return true;
          })
          .Case([&](mlir::arith::MulIOp m) {
            indices[m.getResult()] = index(m.getLhs()) * index(m.getRhs());
            return true;
          })
          .Case([&](mlir::tensor::DimOp d) {
            auto c = d.getConstantIndex();
            if (!c) {
              ok = fail(op, "dimension index must be a constant");
              return true;
            }
            indices[d.getResult()] = tensor(d.getSource()).dim(*c);
            return true;
          })
          .Case([&](nn::ParamOp p) {
            auto it = params.find(p.getName().str());
            if (it == params.end()) {
              ok = fail(op,
                        "parameter '" + p.getName().str() + "' has no value");
              return true;
            }
            set(p.getResult(), it->second);
            return true;
          })
          .Case([&](nn::ConstantOp c) {
            auto dense = mlir::dyn_cast<mlir::DenseElementsAttr>(c.getValue());
            TensorSpec spec;
            if (!dense || !toSpec(c.getType(), spec)) {
              ok = fail(op, "only dense constants are supported");
              return true;
            }
            rt::Tensor t(spec.dtype, spec.shape);
            int64_t n = t.numel();
            if (mlir::isa<mlir::FloatType>(dense.getElementType())) {
              auto values = dense.getValues<llvm::APFloat>();
              for (int64_t i = 0; i < n; ++i)
                t.set(i, values[dense.isSplat() ? 0 : i].convertToDouble());
            } else {
              auto values = dense.getValues<llvm::APInt>();
              for (int64_t i = 0; i < n; ++i)
                t.set(i,
                      double(values[dense.isSplat() ? 0 : i].getSExtValue()));
            }
            set(c.getResult(), std::move(t));
            return true;
          })
          .Case([&](nn::ChoiceOp choice) {
            ok = runChoice(choice);
            return true;
          })
          .Default([&](mlir::Operation *) { return runKernelOp(op, ok); });
  if (!handled)
    return fail(op, "the reference executor does not implement this op");
  if (!ok)
    return false;
  for (mlir::Value result : op.getResults()) {
    if (!mlir::isa<mlir::RankedTensorType>(result.getType()))
      continue;
    auto it = tensors.find(result);
    if (it == tensors.end() || !it->second.defined())
      return fail(op, "produced no value");
    std::string why;
    if (!matchesType(it->second, result.getType(), why))
      return fail(op, why);
  }
  return true;
}

bool Interpreter::runChoice(nn::ChoiceOp choice) {
  auto labels = choice.getCandidates();
  auto it = selected.find(choice.getName().str());
  if (it != selected.end()) {
    for (unsigned i = 0; i < labels.size(); ++i)
      if (mlir::cast<mlir::StringAttr>(labels[i]).getValue() == it->second) {
        rt::Tensor result;
        if (!runRegion(choice->getRegion(i), result))
          return false;
        set(choice.getResult(), result);
        return true;
      }
    return fail(*choice, "no candidate '" + it->second + "'");
  }
  // DARTS' continuous relaxation with alpha = 0: the mean of the candidates.
  rt::Tensor sum;
  for (unsigned i = 0; i < labels.size(); ++i) {
    rt::Tensor result;
    if (!runRegion(choice->getRegion(i), result))
      return false;
    sum = i == 0 ? result.clone()
                 : rt::kernels::binary(rt::kernels::BinaryOp::Add, sum, result);
  }
  rt::Tensor scale(sum.dtype(), {});
  scale.set(0, 1.0 / double(labels.size()));
  set(choice.getResult(),
      rt::kernels::binary(rt::kernels::BinaryOp::Mul, sum, scale));
  return true;
}
