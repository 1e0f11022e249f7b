//===- NNRTInterfaces.cpp - Bufferization and LLVM lowering of nnrt -------===//
//
// The models that let upstream passes handle nnrt.kernel_call: one-shot
// bufferization (destination style, like linalg) and ConvertToLLVM (a call of
// the runtime's `nnc_kernel_call(descriptor, n, args)`, see
// runtime/abi/nnc_kernel_abi.h).
//
//===----------------------------------------------------------------------===//

#include "dialects/nnrt/NNRTDialect.h"

#include "mlir/Conversion/ConvertToLLVM/ToLLVMInterface.h"
#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectRegistry.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;
using namespace nnc::nnrt;

namespace {

//===----------------------------------------------------------------------===//
// Bufferization
//===----------------------------------------------------------------------===//

struct KernelCallBufferization
    : bufferization::DstBufferizableOpInterfaceExternalModel<
          KernelCallBufferization, KernelCallOp> {
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    auto call = cast<KernelCallOp>(op);
    auto buffersOf = [&](ValueRange values,
                         SmallVectorImpl<Value> &buffers) -> LogicalResult {
      for (Value v : values) {
        FailureOr<Value> buffer =
            bufferization::getBuffer(rewriter, v, options, state);
        if (failed(buffer))
          return failure();
        buffers.push_back(*buffer);
      }
      return success();
    };
    SmallVector<Value> inputs, outputs;
    if (failed(buffersOf(call.getInputs(), inputs)) ||
        failed(buffersOf(call.getOutputs(), outputs)))
      return failure();
    rewriter.setInsertionPoint(op);
    KernelCallOp::create(rewriter, op->getLoc(), TypeRange{},
                         call.getKernelAttr(), call.getDescriptorAttr(),
                         call.getHasSideEffectsAttr(), inputs, outputs);
    bufferization::replaceOpWithBufferizedValues(rewriter, op, outputs);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// LLVM
//===----------------------------------------------------------------------===//

/// The address of a private constant global of `type` holding `value`, one
/// global per distinct value, named `<prefix><xxh3 of bytes>` (xxh3, not
/// llvm::hash_value, which is seeded per process in builds with assertions:
/// the same model compiles to the same object file).
Value uniqueConstantAddress(OpBuilder &b, Location loc, ModuleOp module,
                            StringRef prefix, StringRef bytes, Type type,
                            Attribute value) {
  std::string name = (prefix + llvm::utohexstr(llvm::xxh3_64bits(bytes))).str();
  auto global = module.lookupSymbol<LLVM::GlobalOp>(name);
  for (unsigned suffix = 1; global; ++suffix) {
    if (global.getValueOrNull() == value)
      break;
    std::string alternative = name + "_" + std::to_string(suffix);
    global = module.lookupSymbol<LLVM::GlobalOp>(alternative);
    if (!global)
      name = alternative;
  }
  if (!global) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    global = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                    LLVM::Linkage::Private, name, value);
  }
  return LLVM::AddressOfOp::create(b, loc, global);
}

/// The descriptor string as a NUL-terminated private constant.
Value descriptorAddress(OpBuilder &b, Location loc, ModuleOp module,
                        StringRef descriptor) {
  std::string contents = descriptor.str();
  contents.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(IntegerType::get(b.getContext(), 8),
                                       contents.size());
  return uniqueConstantAddress(b, loc, module, "nnc_kernel_descriptor_",
                               descriptor, type, b.getStringAttr(contents));
}

/// The layout table of nnc_kernel_call_static for `types`: {rank, offset,
/// sizes, strides} per memref, or nullopt if one is not static.
std::optional<SmallVector<int64_t>> staticLayouts(TypeRange types) {
  SmallVector<int64_t> table;
  for (Type type : types) {
    auto memref = cast<MemRefType>(type);
    SmallVector<int64_t> strides;
    int64_t offset;
    if (!memref.hasStaticShape() ||
        failed(memref.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(offset) ||
        llvm::any_of(strides, ShapedType::isDynamic))
      return std::nullopt;
    table.push_back(memref.getRank());
    table.push_back(offset);
    llvm::append_range(table, memref.getShape());
    llvm::append_range(table, strides);
  }
  return table;
}

/// The layout table as a private constant i64 array.
Value layoutsAddress(OpBuilder &b, Location loc, ModuleOp module,
                     ArrayRef<int64_t> table) {
  Type i64 = b.getI64Type();
  auto type = LLVM::LLVMArrayType::get(i64, std::max<size_t>(1, table.size()));
  SmallVector<int64_t> padded(table);
  if (padded.empty())
    padded.push_back(0);
  auto value = DenseIntElementsAttr::get(
      RankedTensorType::get({int64_t(padded.size())}, i64), padded);
  StringRef bytes(reinterpret_cast<const char *>(padded.data()),
                  padded.size() * sizeof(int64_t));
  return uniqueConstantAddress(b, loc, module, "nnc_kernel_layouts_", bytes,
                               type, value);
}

/// nnrt.kernel_call on memrefs -> nnc_kernel_call_static(descriptor, n,
/// layouts, data) when every operand's layout is static: a constant table of
/// the layouts and a stack array of the operands' aligned pointers.
/// Otherwise nnc_kernel_call(descriptor, n, args), where args is a stack
/// array of unranked memrefs {rank, ranked descriptor*}.
struct KernelCallToLLVM : ConvertOpToLLVMPattern<KernelCallOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;

  LogicalResult
  matchAndRewrite(KernelCallOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // A call on tensors without `outs` has no results either: ask for
    // operands that are not tensors, not for zero results. The llvm.call it
    // becomes has unknown effects, so `has_side_effects` needs no attribute
    // there.
    if (op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not bufferized");
    Location loc = op.getLoc();
    auto module = op->getParentOfType<ModuleOp>();
    MLIRContext *ctx = op.getContext();
    Type i64 = IntegerType::get(ctx, 64);
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type unranked = LLVM::LLVMStructType::getLiteral(ctx, {i64, ptr});

    SmallVector<Value> memrefs(op.getInputs());
    llvm::append_range(memrefs, op.getOutputs());
    SmallVector<Value> converted(adaptor.getInputs());
    llvm::append_range(converted, adaptor.getOutputs());

    // The descriptor and the operand count, just before the call.
    auto descriptorAndCount = [&]() -> std::pair<Value, Value> {
      return {descriptorAddress(rewriter, loc, module, op.getDescriptor()),
              LLVM::ConstantOp::create(rewriter, loc, i64,
                                       static_cast<int64_t>(memrefs.size()))};
    };
    // Stack slots live in the entry block so a call inside a loop does not
    // grow the stack.
    auto func = op->getParentOfType<FunctionOpInterface>();
    OpBuilder entry(ctx);
    entry.setInsertionPointToStart(&func.getFunctionBody().front());
    Value one = LLVM::ConstantOp::create(entry, loc, i64, 1);

    // Static layouts (all of compiled models'): a constant table and one
    // pointer per operand, a fraction of the code of full descriptors.
    if (std::optional<SmallVector<int64_t>> table =
            staticLayouts(ValueRange(memrefs).getTypes())) {
      auto arrayType =
          LLVM::LLVMArrayType::get(ptr, std::max<size_t>(1, memrefs.size()));
      Value data = LLVM::AllocaOp::create(entry, loc, ptr, arrayType, one);
      for (auto [i, value] : llvm::enumerate(converted)) {
        Value slot = LLVM::GEPOp::create(
            rewriter, loc, ptr, ptr, data,
            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        LLVM::StoreOp::create(rewriter, loc,
                              MemRefDescriptor(value).alignedPtr(rewriter, loc),
                              slot);
      }
      FailureOr<LLVM::LLVMFuncOp> callee = LLVM::lookupOrCreateFn(
          rewriter, module, "nnc_kernel_call_static", {ptr, i64, ptr, ptr},
          LLVM::LLVMVoidType::get(ctx));
      if (failed(callee))
        return failure();
      Value layouts = layoutsAddress(rewriter, loc, module, *table);
      auto [descriptor, count] = descriptorAndCount();
      LLVM::CallOp::create(rewriter, loc, *callee,
                           ValueRange{descriptor, count, layouts, data});
      rewriter.eraseOp(op);
      return success();
    }

    auto arrayType = LLVM::LLVMArrayType::get(unranked, memrefs.size());
    Value args = LLVM::AllocaOp::create(entry, loc, ptr, arrayType, one);
    SmallVector<Value> slots;
    for (Value c : converted)
      slots.push_back(
          LLVM::AllocaOp::create(entry, loc, ptr, c.getType(), one));

    for (auto [i, memref, value] : llvm::enumerate(memrefs, converted)) {
      LLVM::StoreOp::create(rewriter, loc, value, slots[i]);
      int64_t rank = cast<MemRefType>(memref.getType()).getRank();
      Value element = LLVM::UndefOp::create(rewriter, loc, unranked);
      Value rankValue = LLVM::ConstantOp::create(rewriter, loc, i64, rank);
      element = LLVM::InsertValueOp::create(rewriter, loc, element, rankValue,
                                            ArrayRef<int64_t>{0});
      element = LLVM::InsertValueOp::create(rewriter, loc, element, slots[i],
                                            ArrayRef<int64_t>{1});
      Value address = LLVM::GEPOp::create(
          rewriter, loc, ptr, arrayType, args,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
      LLVM::StoreOp::create(rewriter, loc, element, address);
    }

    FailureOr<LLVM::LLVMFuncOp> callee =
        LLVM::lookupOrCreateFn(rewriter, module, "nnc_kernel_call",
                               {ptr, i64, ptr}, LLVM::LLVMVoidType::get(ctx));
    if (failed(callee))
      return failure();
    auto [descriptor, count] = descriptorAndCount();
    LLVM::CallOp::create(rewriter, loc, *callee,
                         ValueRange{descriptor, count, args});
    rewriter.eraseOp(op);
    return success();
  }
};

/// The function `<callee>_parallel_body(void *args, i64 begin, i64 end)`
/// that nnc_parallel_for calls: it loads the callee's operands, of `types`,
/// from the 8-byte slots at `args` and calls the callee on the chunk.
LLVM::LLVMFuncOp parallelBody(OpBuilder &b, Location loc, ModuleOp module,
                              StringRef callee, TypeRange types) {
  std::string name = (callee + "_parallel_body").str();
  if (auto body = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return body;
  MLIRContext *ctx = b.getContext();
  Type i64 = IntegerType::get(ctx, 64);
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto body = LLVM::LLVMFuncOp::create(
      b, loc, name,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                  {ptr, i64, i64}),
      LLVM::Linkage::Internal);
  Block *entry = body.addEntryBlock(b);
  b.setInsertionPointToStart(entry);
  SmallVector<Value> args;
  for (auto [i, type] : llvm::enumerate(types)) {
    Value slot =
        LLVM::GEPOp::create(b, loc, ptr, i64, entry->getArgument(0),
                            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
    args.push_back(LLVM::LoadOp::create(b, loc, type, slot));
  }
  args.push_back(entry->getArgument(1));
  args.push_back(entry->getArgument(2));
  LLVM::CallOp::create(b, loc, TypeRange{}, FlatSymbolRefAttr::get(ctx, callee),
                       args);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  return body;
}

/// nnrt.parallel_call -> nnc_parallel_for(body, args, extent, grain), where
/// args is a stack array with an 8-byte slot per operand. A memref is passed
/// as its aligned pointer: compiled functions use the bare-pointer calling
/// convention (their shapes are static).
struct ParallelCallToLLVM : ConvertOpToLLVMPattern<ParallelCallOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;

  LogicalResult
  matchAndRewrite(ParallelCallOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto module = op->getParentOfType<ModuleOp>();
    MLIRContext *ctx = op.getContext();
    Type i64 = IntegerType::get(ctx, 64);
    Type ptr = LLVM::LLVMPointerType::get(ctx);

    SmallVector<Value> values;
    for (auto [operand, converted] :
         llvm::zip(op.getOperands(), adaptor.getOperands())) {
      Value value = converted;
      if (isa<MemRefType>(operand.getType()))
        value = MemRefDescriptor(converted).alignedPtr(rewriter, loc);
      Type type = value.getType();
      bool fits = isa<LLVM::LLVMPointerType>(type) ||
                  (type.isIntOrFloat() && type.getIntOrFloatBitWidth() <= 64);
      if (!fits)
        return rewriter.notifyMatchFailure(op, "operand wider than a slot");
      values.push_back(value);
    }

    // Stack slots live in the entry block so a call inside a loop does not
    // grow the stack.
    auto func = op->getParentOfType<FunctionOpInterface>();
    OpBuilder entry(ctx);
    entry.setInsertionPointToStart(&func.getFunctionBody().front());
    Value one = LLVM::ConstantOp::create(entry, loc, i64, 1);
    auto arrayType =
        LLVM::LLVMArrayType::get(i64, std::max<size_t>(1, values.size()));
    Value args = LLVM::AllocaOp::create(entry, loc, ptr, arrayType, one);
    for (auto [i, value] : llvm::enumerate(values)) {
      Value slot =
          LLVM::GEPOp::create(rewriter, loc, ptr, i64, args,
                              ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      LLVM::StoreOp::create(rewriter, loc, value, slot);
    }

    LLVM::LLVMFuncOp body = parallelBody(rewriter, loc, module, op.getCallee(),
                                         ValueRange(values).getTypes());
    FailureOr<LLVM::LLVMFuncOp> parallelFor = LLVM::lookupOrCreateFn(
        rewriter, module, "nnc_parallel_for", {ptr, ptr, i64, i64},
        LLVM::LLVMVoidType::get(ctx));
    if (failed(parallelFor))
      return failure();
    Value bodyAddress = LLVM::AddressOfOp::create(rewriter, loc, body);
    Value extent = LLVM::ConstantOp::create(rewriter, loc, i64, op.getExtent());
    Value grain = LLVM::ConstantOp::create(rewriter, loc, i64, op.getGrain());
    LLVM::CallOp::create(rewriter, loc, *parallelFor,
                         ValueRange{bodyAddress, args, extent, grain});
    rewriter.eraseOp(op);
    return success();
  }
};

struct NNRTToLLVMInterface : ConvertToLLVMPatternInterface {
  using ConvertToLLVMPatternInterface::ConvertToLLVMPatternInterface;
  void populateConvertToLLVMConversionPatterns(
      ConversionTarget &target, LLVMTypeConverter &typeConverter,
      RewritePatternSet &patterns) const final {
    patterns.add<KernelCallToLLVM, ParallelCallToLLVM>(typeConverter);
  }
};

} // namespace

void nnc::nnrt::registerNNRTInterfaceModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, NNRTDialect *dialect) {
    KernelCallOp::attachInterface<KernelCallBufferization>(*ctx);
    dialect->addInterfaces<NNRTToLLVMInterface>();
  });
}
