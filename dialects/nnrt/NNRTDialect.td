//===- NNRTDialect.td - The nnrt dialect --------------------*- tablegen -*-===//
//
// `nnrt`: the boundary between compiled code and the nnc runtime. nn ops that
// nnc does not generate code for are lowered to `nnrt.kernel_call`, which
// bufferizes like a destination-style linalg op and becomes one call of the
// runtime's `nnc_kernel_call` (or, with static layouts,
// `nnc_kernel_call_static`) entry point in LLVM. Generated loop nests run on
// the runtime's threads through `nnrt.parallel_call`.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NNRT_NNRTDIALECT_TD
#define NNC_DIALECTS_NNRT_NNRTDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NNRT_Dialect : Dialect {
  let name = "nnrt";
  let cppNamespace = "::nnc::nnrt";
  let summary = "Calls from compiled code into the nnc runtime's kernels";
}

class NNRT_Op<string mnemonic, list<Trait> traits = []>
    : Op<NNRT_Dialect, mnemonic, traits>;

// Ranked only: the LLVM lowering passes each memref's rank beside its
// descriptor, and kernels are compiled for static shapes.
def NNRT_Operand : AnyTypeOf<[AnyRankedTensor, AnyMemRef],
                             "ranked tensor or memref">;

def NNRT_KernelCallOp : NNRT_Op<"kernel_call", [
    AttrSizedOperandSegments, DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Evaluates one nn op with the runtime's kernel for it";
  let description = [{
    `descriptor` is the op's kernel descriptor (its name, operand and result
    dtypes and attributes, see runtime/abi/nnc_kernel_abi.h); `kernel` repeats
    the op name for readers. On tensors the op returns one tensor per `outs`
    operand (destination style, like linalg); on buffers it has no results
    and writes its `outs`.
    ```mlir
    %y = nnrt.kernel_call "conv" ins(%x, %w : tensor<1x1x28x28xf32>, tensor<6x1x5x5xf32>)
           outs(%init : tensor<1x6x24x24xf32>) {descriptor = "op=conv\n..."}
           -> tensor<1x6x24x24xf32>
    ```

    Otherwise the call only reads its `ins` and writes its `outs`: on
    tensors it is pure and is removed when its results are unused. A kernel
    with effects beyond that (a random draw, an optimiser step or another
    update of training state, which may have no `outs` at all) carries
    `has_side_effects`: the op then also writes the default resource, in
    both forms, so it is neither merged with another call nor removed.
    ```mlir
    nnrt.kernel_call "assign" ins(%v : tensor<16xf32>)
      {descriptor = "op=assign\n...", has_side_effects}
    ```
  }];
  let arguments = (ins StrAttr:$kernel, StrAttr:$descriptor,
                       UnitAttr:$has_side_effects,
                       Variadic<NNRT_Operand>:$inputs,
                       Variadic<NNRT_Operand>:$outputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $kernel (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    (`outs` `(` $outputs^ `:` type($outputs) `)`)? attr-dict
    (`->` type($results)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getOutputsMutable();
    }
  }];
  let hasVerifier = 1;
}

def NNRT_ParallelCallOp : NNRT_Op<"parallel_call", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Runs a loop nest over chunks of its outer loop in parallel";
  let description = [{
    Calls `callee(operands..., begin, end)` for disjoint chunks
    `[begin, end)` that cover `[0, extent)`, each at least `grain` long
    unless it is the last, on the runtime's thread pool (the calling thread
    takes part; with one thread it is one call over the whole range). The
    callee takes the operands followed by two `index` arguments, returns
    nothing, and must compute each chunk independently of the others: it is
    a loop nest whose outer loop is parallel, restricted to the chunk
    (nnc-outline-loop-nests builds it).
    ```mlir
    nnrt.parallel_call @nnc_loop_nest_3(%x, %y) extent 32 grain 4
        : memref<32x64xf32>, memref<32x64xf32>
    ```
    In LLVM it becomes `nnc_parallel_for(body, args, extent, grain)`, where
    `body` unpacks the operands from `args` and calls the callee.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                       Variadic<AnyType>:$operands,
                       ConfinedAttr<I64Attr, [IntPositive]>:$extent,
                       ConfinedAttr<I64Attr, [IntPositive]>:$grain);
  let assemblyFormat = [{
    $callee `(` $operands `)` `extent` $extent `grain` $grain attr-dict
    (`:` type($operands)^)?
  }];
}

#endif // NNC_DIALECTS_NNRT_NNRTDIALECT_TD
