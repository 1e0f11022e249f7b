//===- Executor.cpp - Signature, parameters and inputs --------------------===//

#include "runtime/executor/Executor.h"
#include "runtime/executor/Interpreter.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Random.h"

#include "dialects/nn/NNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cmath>
#include <functional>

using namespace nnc;
using namespace nnc::exec;

bool nnc::exec::toSpec(mlir::Type type, TensorSpec &spec) {
  auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type);
  if (!tensor)
    return false;
  mlir::Type e = tensor.getElementType();
  if (e.isF32())
    spec.dtype = rt::DType::F32;
  else if (e.isF64())
    spec.dtype = rt::DType::F64;
  else if (e.isF16())
    spec.dtype = rt::DType::F16;
  else if (e.isBF16())
    spec.dtype = rt::DType::BF16;
  else if (e.isInteger(64))
    spec.dtype = rt::DType::I64;
  else if (e.isInteger(32))
    spec.dtype = rt::DType::I32;
  else if (e.isInteger(8))
    spec.dtype = rt::DType::I8;
  else if (e.isInteger(1))
    spec.dtype = rt::DType::Bool;
  else
    return false;
  spec.shape.clear();
  for (int64_t d : tensor.getShape())
    spec.shape.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
  return true;
}

std::optional<Executor> Executor::create(mlir::ModuleOp module,
                                         const std::string &function,
                                         std::string &error) {
  Executor ex;
  ex.module = module;
  ex.kernels = std::make_shared<KernelCache>();
  std::string name = function;
  if (name.empty())
    if (auto model = module->getAttrOfType<mlir::StringAttr>("nn.model"))
      name = model.str();
  ex.func = module.lookupSymbol<mlir::func::FuncOp>(name);
  if (!ex.func) {
    error = "the module has no function '" + name + "'";
    return std::nullopt;
  }
  auto type = ex.func.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    TensorSpec spec;
    if (!toSpec(type.getInput(i), spec)) {
      error = "input " + std::to_string(i) + " has an unsupported type";
      return std::nullopt;
    }
    auto n = ex.func.getArgAttrOfType<mlir::StringAttr>(i, "nn.name");
    spec.name = n ? n.str() : "arg" + std::to_string(i);
    if (auto dims = ex.func.getArgAttrOfType<mlir::ArrayAttr>(i, "nn.dims"))
      for (auto d : dims)
        if (auto s = mlir::dyn_cast<mlir::StringAttr>(d))
          spec.dimNames.push_back(s.str());
    ex.inputSpecs.push_back(spec);
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    TensorSpec spec;
    if (!toSpec(type.getResult(i), spec)) {
      error = "output " + std::to_string(i) + " has an unsupported type";
      return std::nullopt;
    }
    auto n = ex.func.getResultAttrOfType<mlir::StringAttr>(i, "nn.name");
    spec.name = n ? n.str() : "result" + std::to_string(i);
    ex.outputSpecs.push_back(spec);
  }
  for (auto p : module.getOps<nn::ParameterOp>()) {
    TensorSpec spec;
    spec.name = p.getSymName().str();
    if (!toSpec(p.getType(), spec)) {
      error = "parameter '" + spec.name + "' has an unsupported type";
      return std::nullopt;
    }
    ex.paramSpecs.push_back(spec);
  }
  return ex;
}

void Executor::initParameters(uint64_t seed) {
  params.clear();
  for (auto p : module.getOps<nn::ParameterOp>()) {
    TensorSpec spec;
    toSpec(p.getType(), spec);
    std::string name = p.getSymName().str();
    // A stream per parameter, keyed by its name: adding a layer does not
    // change the initial values of the others.
    uint64_t stream = std::hash<std::string>{}(name);
    std::string init = p.getInit().str();
    double scale = p.getInitScale().value_or(0.0);
    rt::Tensor t;
    if (init == "uniform")
      t = rt::kernels::randomUniform(spec.shape, spec.dtype, seed, stream,
                                     -scale, scale);
    else if (init == "normal")
      t = rt::kernels::binary(
          rt::kernels::BinaryOp::Mul,
          rt::kernels::randomNormal(spec.shape, spec.dtype, seed, stream),
          rt::Tensor::full(spec.dtype, {}, scale));
    else if (init == "ones" || init == "constant")
      t = rt::Tensor::full(spec.dtype, spec.shape,
                           init == "ones" ? 1.0 : scale);
    else
      t = rt::Tensor(spec.dtype, spec.shape); // zeros
    params[name] = std::move(t);
  }
}

bool Executor::loadParameters(const std::map<std::string, rt::Tensor> &tensors,
                              const std::string &source, std::string &error) {
  std::map<std::string, rt::Tensor> loaded;
  for (auto &spec : paramSpecs) {
    auto it = tensors.find(spec.name);
    if (it == tensors.end()) {
      error = source + ": missing tensor '" + spec.name + "' (expected " +
              rt::dtypeName(spec.dtype) + rt::shapeString(spec.shape) + ")";
      return false;
    }
    const rt::Tensor &t = it->second;
    if (t.dtype() != spec.dtype || t.shape() != spec.shape) {
      error = source + ": tensor '" + spec.name + "' is " + t.typeString() +
              ", expected " + rt::dtypeName(spec.dtype) +
              rt::shapeString(spec.shape);
      return false;
    }
    loaded[spec.name] = t;
  }
  for (auto &[name, t] : tensors)
    if (!loaded.count(name)) {
      error = source + ": unexpected tensor '" + name + "' " + t.typeString() +
              ": the model has no such parameter";
      return false;
    }
  params = std::move(loaded);
  return true;
}

bool Executor::selectCandidate(const std::string &choice,
                               const std::string &label, std::string &error) {
  bool choiceFound = false, labelFound = false;
  func.walk([&](nn::ChoiceOp op) {
    if (op.getName() != choice)
      return;
    choiceFound = true;
    for (auto c : op.getCandidates())
      labelFound |= mlir::cast<mlir::StringAttr>(c).getValue() == label;
  });
  if (!choiceFound) {
    error = "the model has no choice named '" + choice + "'";
    return false;
  }
  if (!labelFound) {
    error = "choice '" + choice + "' has no candidate '" + label + "'";
    return false;
  }
  selected[choice] = label;
  return true;
}

bool Executor::run(const std::vector<rt::Tensor> &inputs,
                   std::vector<rt::Tensor> &outputs, const RunOptions &options,
                   std::string &error) {
  if (inputs.size() != inputSpecs.size()) {
    error = "the model takes " + std::to_string(inputSpecs.size()) +
            " inputs, got " + std::to_string(inputs.size());
    return false;
  }
  std::map<std::string, int64_t> bound;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSpec &spec = inputSpecs[i];
    const rt::Tensor &t = inputs[i];
    std::string expected = std::string(rt::dtypeName(spec.dtype)) + "[";
    for (size_t d = 0; d < spec.shape.size(); ++d)
      expected +=
          (d ? ", " : "") + (spec.shape[d] < 0 && d < spec.dimNames.size()
                                 ? spec.dimNames[d]
                                 : std::to_string(spec.shape[d]));
    expected += "]";
    auto fail = [&](const std::string &why) {
      error = "input '" + spec.name + "' is " + t.typeString() + ", expected " +
              expected + ": " + why;
      return false;
    };
    if (t.dtype() != spec.dtype)
      return fail("wrong element type");
    if (t.rank() != int64_t(spec.shape.size()))
      return fail("wrong rank");
    for (size_t d = 0; d < spec.shape.size(); ++d) {
      if (spec.shape[d] >= 0 && t.dim(d) != spec.shape[d])
        return fail("dimension " + std::to_string(d) + " differs");
      if (spec.shape[d] < 0 && d < spec.dimNames.size()) {
        auto [it, inserted] = bound.emplace(spec.dimNames[d], t.dim(d));
        if (!inserted && it->second != t.dim(d))
          return fail(spec.dimNames[d] + " is " + std::to_string(it->second) +
                      " in an earlier input");
      }
      if (t.dim(d) <= 0)
        return fail("dimension " + std::to_string(d) + " is empty");
    }
  }
  if (params.size() != paramSpecs.size()) {
    error = "parameters are not initialised or loaded";
    return false;
  }
  Interpreter interp(params, selected, options, *kernels);
  return interp.runFunction(func, inputs, outputs, error);
}
