//===- EmitEntryPoints.cpp - The ABI of compiled functions ----------------===//
//
// Two passes that give every compiled function the same C ABI (see
// runtime/compiled/ModelSignature.h): a JSON metadata string describing its
// inputs, outputs, parameters and workspace, and `nnc_entry_<f>(void **)`.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/nn/NNKernelDescriptor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/Support/JSON.h"

namespace nnc {
#define GEN_PASS_DEF_EMITMETADATA
#define GEN_PASS_DEF_EMITENTRYPOINTS
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;
using namespace nnc;

namespace {

constexpr llvm::StringLiteral kMetadataPrefix = "nnc_metadata_";

LogicalResult describe(func::FuncOp func, DictionaryAttr signature,
                       StringRef key, llvm::json::Array &out) {
  auto entries = dyn_cast_or_null<ArrayAttr>(signature.get(key));
  if (!entries)
    return func.emitError("nnc.signature needs '")
           << key << "', an array of {name, type} entries";
  for (auto [i, entry] : llvm::enumerate(entries)) {
    auto dict = dyn_cast<DictionaryAttr>(entry);
    auto name =
        dict ? dyn_cast_or_null<StringAttr>(dict.get("name")) : StringAttr();
    auto typeAttr =
        dict ? dyn_cast_or_null<TypeAttr>(dict.get("type")) : TypeAttr();
    auto type = typeAttr ? dyn_cast<RankedTensorType>(typeAttr.getValue())
                         : RankedTensorType();
    if (!name || !type)
      return func.emitError("nnc.signature '")
             << key << "' entry " << i
             << " needs a string 'name' and a ranked tensor 'type'";
    const char *dtype = nn::runtimeDTypeName(type.getElementType());
    if (!dtype)
      return func.emitError("no runtime dtype for ") << type;
    llvm::json::Array shape;
    for (int64_t d : type.getShape())
      shape.push_back(d);
    out.push_back(llvm::json::Object{{"name", name.getValue()},
                                     {"dtype", dtype},
                                     {"shape", std::move(shape)}});
  }
  return success();
}

struct EmitMetadataPass : nnc::impl::EmitMetadataBase<EmitMetadataPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    module->removeAttr("nn.model");
    for (auto func : module.getOps<func::FuncOp>()) {
      auto signature = func->getAttrOfType<DictionaryAttr>("nnc.signature");
      if (!signature)
        continue;
      llvm::json::Array inputs, outputs, params;
      if (failed(describe(func, signature, "inputs", inputs)) ||
          failed(describe(func, signature, "outputs", outputs)) ||
          failed(describe(func, signature, "params", params)))
        return signalPassFailure();
      int64_t workspace = 0;
      if (auto bytes = func->getAttrOfType<IntegerAttr>("nnc.workspace_bytes"))
        workspace = bytes.getInt();
      llvm::json::Object metadata{{"abi", 1},
                                  {"model", func.getSymName()},
                                  {"function", func.getSymName()},
                                  {"inputs", std::move(inputs)},
                                  {"outputs", std::move(outputs)},
                                  {"params", std::move(params)},
                                  {"workspace_bytes", workspace}};
      std::string json;
      llvm::raw_string_ostream os(json);
      os << llvm::json::Value(std::move(metadata));
      json.push_back('\0');

      OpBuilder b(module.getBodyRegion());
      b.setInsertionPointToEnd(module.getBody());
      auto type = LLVM::LLVMArrayType::get(b.getI8Type(), json.size());
      LLVM::GlobalOp::create(
          b, func.getLoc(), type, /*isConstant=*/true, LLVM::Linkage::External,
          (kMetadataPrefix + func.getSymName()).str(), b.getStringAttr(json));

      func->removeAttr("nnc.signature");
      func->removeAttr("nnc.workspace_bytes");
      func.removeArgAttrsAttr();
      func.removeResAttrsAttr();
    }
  }
};

struct EmitEntryPointsPass
    : nnc::impl::EmitEntryPointsBase<EmitEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<StringRef> functions;
    for (auto global : module.getOps<LLVM::GlobalOp>())
      if (global.getSymName().starts_with(kMetadataPrefix))
        functions.push_back(
            global.getSymName().drop_front(kMetadataPrefix.size()));
    for (StringRef name : functions)
      if (failed(emitEntryPoint(module, name)))
        return signalPassFailure();
  }

  /// Moves the body of @name into `nnc_entry_<name>(void **args)`, which
  /// loads each argument, the aligned pointer of a memref descriptor, from
  /// args[i]. Moving the body rather than calling the function avoids a call
  /// with one argument per parameter: LLVM's interprocedural passes and
  /// instruction selection take time quadratic in the arguments of a call,
  /// seconds for a model with a thousand parameters.
  LogicalResult emitEntryPoint(ModuleOp module, StringRef name) {
    auto function = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
    if (!function || function.isExternal())
      return module.emitError("no function body for @") << name;
    MLIRContext *ctx = &getContext();
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    auto type = function.getFunctionType();
    if (!isa<LLVM::LLVMVoidType>(type.getReturnType()) ||
        llvm::any_of(type.getParams(), [&](Type t) { return t != ptr; }))
      return function.emitError("a compiled function must return nothing and "
                                "take one pointer per memref (the "
                                "bare-pointer calling convention)");
    if (!SymbolTable::symbolKnownUseEmpty(function, module))
      return function.emitError("a compiled function cannot be called inside "
                                "the module: its body becomes the entry point");

    OpBuilder b(function);
    Location loc = function.getLoc();
    auto entry = LLVM::LLVMFuncOp::create(
        b, loc, ("nnc_entry_" + name).str(),
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr}));
    Block *prologue = entry.addEntryBlock(b);
    Block &body = function.getBody().front();
    prologue->getOperations().splice(prologue->end(), body.getOperations());
    for (BlockArgument arg : body.getArguments()) {
      // Loaded just before the first use: a thousand parameter loads at the
      // top of one basic block, all live across every call, cost
      // instruction selection and scheduling time quadratic in their number.
      Operation *first = nullptr;
      for (Operation *user : arg.getUsers()) {
        Operation *at = prologue->findAncestorOpInBlock(*user);
        if (!at) { // a later block: load in the prologue's first op
          first = &prologue->front();
          break;
        }
        if (!first || at->isBeforeInBlock(first))
          first = at;
      }
      if (!first)
        continue;
      b.setInsertionPoint(first);
      Value slot = LLVM::GEPOp::create(
          b, loc, ptr, ptr, prologue->getArgument(0),
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(arg.getArgNumber())});
      Value descriptor = LLVM::LoadOp::create(b, loc, ptr, slot);
      // A descriptor starts {allocated pointer, aligned pointer, ...}.
      Value aligned = LLVM::GEPOp::create(b, loc, ptr, ptr, descriptor,
                                          ArrayRef<LLVM::GEPArg>{1});
      arg.replaceAllUsesWith(LLVM::LoadOp::create(b, loc, ptr, aligned));
    }
    Region &region = entry.getBody();
    region.getBlocks().splice(region.end(), function.getBody().getBlocks(),
                              std::next(function.getBody().begin()),
                              function.getBody().end());
    function.erase();
    return success();
  }
};

} // namespace
