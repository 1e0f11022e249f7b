//===- PassUtils.cpp - Helpers shared by nnc's passes ---------------------===//

#include "passes/PassUtils.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

func::FuncOp nnc::lookupFunction(ModuleOp module, StringRef name,
                                 StringRef suffix) {
  std::string symbol = name.str();
  if (symbol.empty()) {
    auto model = module->getAttrOfType<StringAttr>("nn.model");
    if (!model) {
      module.emitError() << "no function given and the module has no "
                            "nn.model attribute";
      return nullptr;
    }
    symbol = (model.getValue() + suffix).str();
  }
  auto func = module.lookupSymbol<func::FuncOp>(symbol);
  if (!func)
    module.emitError() << "the module has no function @" << symbol;
  return func;
}

Operation *nnc::createOp(OpBuilder &b, Location loc, StringRef name,
                         ValueRange operands, TypeRange types,
                         ArrayRef<NamedAttribute> attrs) {
  OperationState state(loc, name);
  state.addOperands(operands);
  state.addTypes(types);
  state.addAttributes(attrs);
  return b.create(state);
}

Value nnc::scalarConstant(OpBuilder &b, Location loc, Type elementType,
                          double value) {
  auto type = RankedTensorType::get({}, elementType);
  return createOp(b, loc, "nn.constant", {}, {type},
                  {b.getNamedAttr(
                      "value", DenseElementsAttr::get(
                                   type, b.getFloatAttr(elementType, value)))})
      ->getResult(0);
}
