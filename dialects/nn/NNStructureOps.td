//===- NNStructureOps.td - Parameters, constants, choices ---*- tablegen -*-===//

#ifndef NNC_DIALECTS_NN_NNSTRUCTUREOPS_TD
#define NNC_DIALECTS_NN_NNSTRUCTUREOPS_TD

include "dialects/nn/NNDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Module-level parameters
//===----------------------------------------------------------------------===//

def NN_ParameterOp : NN_Op<"parameter", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "A trainable parameter or buffer of the network";
  let description = [{
    Declares one entry of the network's state_dict. `sym_name` is the PyTorch
    state_dict key (it contains dots, so it prints quoted), `type` a statically
    shaped tensor type. `init` names the initialiser ("uniform", "normal",
    "constant", "zeros", "ones"); `init_scale` is the uniform bound, the normal
    standard deviation or the constant value. `buffer` marks non-trainable
    state such as batch-norm running statistics.

    ```mlir
    nn.parameter @"conv1.weight" : tensor<6x1x5x5xf32> {init = "uniform", init_scale = 0.2 : f64}
    nn.parameter @"bn1.running_var" : tensor<6xf32> {buffer, init = "ones"}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<AnyStaticShapeTensor>:$type,
                       StrAttr:$init,
                       OptionalAttr<NN_F64Attr>:$init_scale,
                       UnitAttr:$buffer);
  let assemblyFormat = "$sym_name `:` $type attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
  }];
}

def NN_ParamOp : NN_Op<"param", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Reads the current value of a parameter";
  let description = [{
    ```mlir
    %w = nn.param @"conv1.weight" : tensor<6x1x5x5xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def NN_ConstantOp : NN_Op<"constant", [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "A constant tensor";
  let description = [{
    ```mlir
    %c = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  // Checks the explicit result type before the interface does, with one
  // diagnostic.
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Search spaces
//===----------------------------------------------------------------------===//

def NN_ChoiceOp : NN_Op<"choice", [RecursiveMemoryEffects, NoRegionArguments,
    DeclareOpInterfaceMethods<RegionBranchOpInterface,
                              ["getRegionInvocationBounds"]>]> {
  let summary = "A choice between candidate sub-networks";
  let description = [{
    One region per candidate operation of a search space; exactly one of them
    is selected when the architecture is fixed. The regions read values from
    the enclosing scope and each yields one value of the op's result type.
    `name` is the choice's path in the model (e.g. "cells.0.edge2").

    ```mlir
    %y = nn.choice "cells.0.edge2" : tensor<1x8x16x16xf32> {
      "skip_connect" {
        nn.yield %x : tensor<1x8x16x16xf32>
      },
      "relu" {
        %r = nn.relu %x : tensor<1x8x16x16xf32>
        nn.yield %r : tensor<1x8x16x16xf32>
      }
    }
    ```
  }];
  let arguments = (ins StrAttr:$name, StrArrayAttr:$candidates);
  let results = (outs NN_AnyTensor:$result);
  let regions = (region VariadicRegion<SizedRegion<1>>:$alternatives);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def NN_YieldOp : NN_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"ChoiceOp">]> {
  let summary = "Returns the value of an nn.choice candidate";
  let arguments = (ins NN_AnyTensor:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
  let hasVerifier = 1;
}

#endif // NNC_DIALECTS_NN_NNSTRUCTUREOPS_TD
