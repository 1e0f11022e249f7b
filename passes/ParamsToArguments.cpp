//===- ParamsToArguments.cpp - Weights as function arguments --------------===//

#include "passes/Passes.h"

#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/StringSet.h"

#include "llvm/ADT/StringSet.h"

#include <map>

namespace nnc {
#define GEN_PASS_DEF_PARAMSTOARGUMENTS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

/// A list of {name, type} dictionaries.
ArrayAttr describe(MLIRContext *ctx, ArrayRef<std::string> names,
                   TypeRange types) {
  SmallVector<Attribute> entries;
  Builder b(ctx);
  for (auto [name, type] : llvm::zip(names, types))
    entries.push_back(
        b.getDictionaryAttr({b.getNamedAttr("name", b.getStringAttr(name)),
                             b.getNamedAttr("type", TypeAttr::get(type))}));
  return b.getArrayAttr(entries);
}

/// `nn.name` of argument/result `i`, or a positional default.
template <typename GetAttr>
std::string nameOf(GetAttr get, unsigned i, StringRef prefix) {
  if (auto name = dyn_cast_or_null<StringAttr>(get(i)))
    return name.str();
  return (prefix + Twine(i)).str();
}

struct ParamsToArgumentsPass
    : nnc::impl::ParamsToArgumentsBase<ParamsToArgumentsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal())
        convert(func);
    // Declarations that nothing names any more go; nn.optimizer_step and
    // nn.assign still name theirs (convert-nn-to-kernel-calls removes those).
    llvm::StringSet<> named;
    getOperation().walk([&](Operation *op) {
      op->getAttrDictionary().walk(
          [&](SymbolRefAttr ref) { named.insert(ref.getRootReference()); });
    });
    for (auto parameter :
         llvm::make_early_inc_range(getOperation().getOps<nn::ParameterOp>()))
      if (!named.contains(parameter.getSymName()))
        parameter.erase();
  }

  void convert(func::FuncOp func) {
    MLIRContext *ctx = func.getContext();
    unsigned numInputs = func.getNumArguments();
    std::vector<std::string> inputs, outputs, params;
    for (unsigned i = 0; i < numInputs; ++i)
      inputs.push_back(
          nameOf([&](unsigned k) { return func.getArgAttr(k, "nn.name"); }, i,
                 "input"));
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      outputs.push_back(
          nameOf([&](unsigned k) { return func.getResultAttr(k, "nn.name"); },
                 i, "output"));

    std::map<std::string, BlockArgument> argumentOf;
    SmallVector<Type> paramTypes;
    Block &entry = func.getBody().front();
    func.walk([&](nn::ParamOp param) {
      std::string name = param.getName().str();
      auto it = argumentOf.find(name);
      if (it == argumentOf.end()) {
        unsigned index = func.getNumArguments();
        if (failed(func.insertArgument(
                index, param.getType(),
                DictionaryAttr::get(
                    ctx, {NamedAttribute(StringAttr::get(ctx, "nn.param"),
                                         StringAttr::get(ctx, name))}),
                param.getLoc())))
          return;
        it = argumentOf.emplace(name, entry.getArgument(index)).first;
        params.push_back(name);
        paramTypes.push_back(param.getType());
      }
      param.replaceAllUsesWith(it->second);
      param.erase();
    });

    Builder b(ctx);
    func->setAttr(
        "nnc.signature",
        b.getDictionaryAttr(
            {b.getNamedAttr(
                 "inputs",
                 describe(ctx, inputs,
                          func.getArgumentTypes().take_front(numInputs))),
             b.getNamedAttr("outputs",
                            describe(ctx, outputs, func.getResultTypes())),
             b.getNamedAttr("params", describe(ctx, params, paramTypes))}));
  }
};

} // namespace
