//===- NNDialect.td - The nn dialect ------------------------*- tablegen -*-===//
//
// The `nn` dialect: the layer-level IR that the nnc front end emits. Every
// value is a builtin ranked tensor; module-level `nn.parameter` symbols hold
// the trainable state under PyTorch state_dict names.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_DIALECTS_NN_NNDIALECT_TD
#define NNC_DIALECTS_NN_NNDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::nnc::nn";
  let summary = "Neural-network layers on ranked tensors";
  let description = [{
    Layer-level operations (convolution, normalisation, attention, recurrent
    cells, losses, ...) with PyTorch semantics, plus module-level parameter
    symbols (`nn.parameter`) that are read with `nn.param`, and `nn.choice`
    for architecture search spaces.
  }];
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Attribute constraints
//===----------------------------------------------------------------------===//

// Same storage as the builtin I64Attr (an i64 IntegerAttr), but the getter
// returns a signed value: axes and slice bounds are negative on purpose.
def NN_I64Attr : TypedSignlessIntegerAttrBase<I64, "int64_t",
                                              "64-bit signless integer attribute"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

// Same storage as F64Attr (an f64 FloatAttr); the getter returns a double.
def NN_F64Attr : FloatAttrBase<F64, "64-bit float attribute"> {
  let returnType = "double";
  let convertFromStorage = "$_self.getValueAsDouble()";
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def NN_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def NN_IntTensor : RankedTensorOf<[I8, I32, I64]>;
def NN_NumericTensor : RankedTensorOf<[F16, BF16, F32, F64, I8, I32, I64]>;
def NN_AnyTensor : RankedTensorOf<[F16, BF16, F32, F64, I8, I32, I64, I1]>;
// Masks are i1 (true = attend / ignore, depending on the op) or a float
// tensor that is added to the scores.
def NN_MaskOrFloatTensor : RankedTensorOf<[I1, F16, BF16, F32, F64]>;

//===----------------------------------------------------------------------===//
// Base classes and shared traits
//===----------------------------------------------------------------------===//

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

// Result types are a function of operands and attributes. Inference does all
// shape checks of these ops and reports them with the op name; the trait's
// verifier runs it before the (region-time) InferTypeOpInterface check, so a
// bad op gets one precise diagnostic instead of an extra "failed to infer
// returned types". Explicit result types (as the front end writes them) may
// be less static than the inferred ones: `?` matches any size, but element
// types, ranks and known sizes must agree.
def NN_InferTensorTypeTrait : NativeOpTrait<"InferTensorType", [],
  /*extraOpDeclaration=*/[{
    static ::llvm::LogicalResult
    inferReturnTypes(::mlir::MLIRContext *context,
                     std::optional<::mlir::Location> location, Adaptor adaptor,
                     ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes);
    static bool isCompatibleReturnTypes(::mlir::TypeRange l,
                                        ::mlir::TypeRange r) {
      return ::nnc::nn::areCompatibleReturnTypes(l, r);
    }
  }],
  /*extraOpDefinition=*/[{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes) {
      $cppClass::Adaptor adaptor(operands, attributes, properties, regions);
      return $cppClass::inferReturnTypes(context, location, adaptor,
                                         inferredReturnTypes);
    }
  }]> {
  let cppNamespace = "::nnc::nn";
}

def NN_InferTensorType : TraitList<[
  DeclareOpInterfaceMethods<InferTypeOpInterface>,
  NN_InferTensorTypeTrait
]>;

#endif // NNC_DIALECTS_NN_NNDIALECT_TD
