//===- NNOps.cpp - Parameters, constants and search-space ops -------------===//
//
// Also the home of the tablegen'erated op definitions. The verifiers and
// result-type inference of the layer ops live in one file per family
// (NNElementwiseOps.cpp, NNLayerOps.cpp, ...).
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace mlir;
using namespace nnc::nn;

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ParameterOp
//===----------------------------------------------------------------------===//

LogicalResult ParameterOp::verify() {
  StringRef init = getInit();
  if (failed(checkOneOf(OpDiag(*this), "init", init,
                        {"uniform", "normal", "constant", "zeros", "ones"})))
    return failure();

  Type elementType = getTensorType().getElementType();
  bool isFloat = isa<FloatType>(elementType);
  if (!isFloat && !elementType.isInteger(1) && !elementType.isInteger(8) &&
      !elementType.isInteger(32) && !elementType.isInteger(64))
    return emitOpError() << "has unsupported element type " << elementType;
  // Random initialisers only make sense for trainable floats; integer buffers
  // (e.g. num_batches_tracked) are zeros, ones or a constant.
  if (!isFloat && (init == "uniform" || init == "normal"))
    return emitOpError() << "init '" << init
                         << "' needs a float parameter, got " << elementType;

  if (std::optional<double> scale = getInitScale()) {
    if (!std::isfinite(*scale))
      return emitOpError() << "init_scale must be finite, got " << *scale;
    if ((init == "uniform" || init == "normal") && *scale < 0)
      return emitOpError() << "init_scale (the " << init
                           << (init == "uniform" ? " bound" : " std")
                           << ") must be >= 0, got " << *scale;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ParamOp
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  Operation *symbol = symbolTable.lookupNearestSymbolFrom(*this, getNameAttr());
  if (!symbol)
    return emitOpError() << "refers to unknown parameter " << getNameAttr();
  auto param = dyn_cast<ParameterOp>(symbol);
  if (!param)
    return emitOpError() << "refers to " << getNameAttr() << ", which is a '"
                         << symbol->getName() << "', not an nn.parameter";
  if (param.getType() != getType())
    return emitOpError() << "reads " << getType() << " but parameter "
                         << getNameAttr() << " has type " << param.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult
ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                             Adaptor adaptor,
                             SmallVectorImpl<Type> &inferredReturnTypes) {
  ElementsAttr value = adaptor.getValue();
  if (!value)
    return failure();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return OpDiag(loc, getOperationName())()
           << "value must be a ranked tensor, got " << value.getType();
  inferredReturnTypes.push_back(type);
  return success();
}

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError() << "has result type " << getType()
                         << " but its value has type " << getValue().getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// ChoiceOp
//===----------------------------------------------------------------------===//

// nn.choice "name" attr-dict : type { "candidate" { ... }, ... }
ParseResult ChoiceOp::parse(OpAsmParser &parser, OperationState &result) {
  Builder &builder = parser.getBuilder();
  // A plain string: parseAttribute would take the `: type` that follows as
  // the string attribute's own type.
  std::string name;
  Type resultType;
  if (parser.parseString(&name) ||
      parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseColonType(resultType))
    return failure();
  result.addAttribute("name", builder.getStringAttr(name));
  result.addTypes(resultType);

  SmallVector<Attribute> candidates;
  auto parseCandidate = [&]() -> ParseResult {
    std::string candidate;
    if (parser.parseString(&candidate))
      return failure();
    candidates.push_back(builder.getStringAttr(candidate));
    return parser.parseRegion(*result.addRegion());
  };
  if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Braces,
                                     parseCandidate))
    return failure();
  result.addAttribute("candidates", builder.getArrayAttr(candidates));
  return success();
}

void ChoiceOp::print(OpAsmPrinter &p) {
  p << " ";
  p.printAttributeWithoutType(getNameAttr());
  p.printOptionalAttrDict((*this)->getAttrs(), {"name", "candidates"});
  p << " : " << getType() << " {";
  p.increaseIndent();
  for (auto [i, candidate, region] :
       llvm::enumerate(getCandidates(), getAlternatives())) {
    if (i > 0)
      p << ",";
    p.printNewline();
    p.printAttributeWithoutType(candidate);
    p << " ";
    p.printRegion(region, /*printEntryBlockArgs=*/false,
                  /*printBlockTerminators=*/true);
  }
  p.decreaseIndent();
  p.printNewline();
  p << "}";
}

LogicalResult ChoiceOp::verify() {
  if (getName().empty())
    return emitOpError() << "needs a non-empty name";
  ArrayAttr candidates = getCandidates();
  if (candidates.size() < 2)
    return emitOpError() << "needs at least 2 candidates, got "
                         << candidates.size();
  llvm::StringSet<> seen;
  for (Attribute candidate : candidates) {
    StringRef text = cast<StringAttr>(candidate).getValue();
    if (!seen.insert(text).second)
      return emitOpError() << "candidate '" << text << "' appears twice";
  }
  if (getNumRegions() != candidates.size())
    return emitOpError() << "has " << candidates.size() << " candidates but "
                         << getNumRegions() << " regions";
  return success();
}

LogicalResult ChoiceOp::verifyRegions() {
  for (auto [candidate, region] : llvm::zip(
           getCandidates().getAsValueRange<StringAttr>(), getAlternatives())) {
    Block &block = region.front();
    if (block.empty() || !isa<YieldOp>(block.back()))
      return emitOpError() << "candidate '" << candidate
                           << "' must end in nn.yield";
  }
  return success();
}

void ChoiceOp::getSuccessorRegions(RegionBranchPoint point,
                                   SmallVectorImpl<RegionSuccessor> &regions) {
  // Entering the op runs one of the candidates; each candidate returns to the
  // op's result.
  if (point.isParent()) {
    for (Region &region : getAlternatives())
      regions.emplace_back(&region);
    return;
  }
  regions.emplace_back(getOperation(), getOperation()->getResults());
}

void ChoiceOp::getRegionInvocationBounds(
    ArrayRef<Attribute>, SmallVectorImpl<InvocationBounds> &invocationBounds) {
  // Exactly one candidate runs, but which one is not known here.
  invocationBounds.append(getNumRegions(), InvocationBounds(0, 1));
}

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

LogicalResult YieldOp::verify() {
  auto choice = cast<ChoiceOp>((*this)->getParentOp());
  if (getValue().getType() == choice.getType())
    return success();
  unsigned index = (*this)->getParentRegion()->getRegionNumber();
  InFlightDiagnostic diag = emitOpError() << "yields " << getValue().getType();
  if (index < choice.getCandidates().size())
    diag << " in candidate " << cast<StringAttr>(choice.getCandidates()[index]);
  return diag << " but the enclosing nn.choice produces " << choice.getType();
}
