//===- NNShapeOps.td - Reshapes, slicing, gathering ---------*- tablegen -*-===//

#ifndef NNC_DIALECTS_NN_NNSHAPEOPS_TD
#define NNC_DIALECTS_NN_NNSHAPEOPS_TD

include "dialects/nn/NNDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_ReshapeOp : NN_Op<"reshape", [Pure]> {
  let summary = "Reinterprets the elements in a new shape";
  let description = [{
    The result type gives the shape; each `?` dim of the result takes its
    size from one index operand, in order.
    ```mlir
    %y = nn.reshape %x : tensor<8x16x5x5xf32> -> tensor<8x400xf32>
    %z = nn.reshape %x [%n] : tensor<?x16x5x5xf32> -> tensor<?x400xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input, Variadic<Index>:$dynamic_sizes);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = [{
    $input (`[` $dynamic_sizes^ `]`)? attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def NN_ExpandOp : NN_Op<"expand", [Pure]> {
  let summary = "Broadcasts the input to the result type (broadcast_to)";
  let description = [{
    The result has the input's rank or more; input dims align with the
    trailing result dims and must be 1 or equal. Each `?` dim of the result
    takes its size from one index operand, in order.
    ```mlir
    %y = nn.expand %x : tensor<1x16xf32> -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input, Variadic<Index>:$dynamic_sizes);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = [{
    $input (`[` $dynamic_sizes^ `]`)? attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def NN_PermuteOp : NN_Op<"permute", [Pure, NN_InferTensorType]> {
  let summary = "Permutes the dims: result dim i = input dim permutation[i]";
  let description = [{
    ```mlir
    %y = nn.permute %x {permutation = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def NN_ConcatOp : NN_Op<"concat", [Pure, NN_InferTensorType]> {
  let summary = "Concatenates tensors along `axis`";
  let description = [{
    ```mlir
    %y = nn.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_AnyTensor>:$inputs, NN_I64Attr:$axis);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, $result)
  }];
}

def NN_SliceOp : NN_Op<"slice", [Pure, NN_InferTensorType]> {
  let summary = "Python slice input[start:end:step] along `axis`";
  let description = [{
    Negative start/end count from the end; both are clamped to the dim.
    ```mlir
    %y = nn.slice %x {axis = 1 : i64, end = 9223372036854775807 : i64, start = -2 : i64} : tensor<4x10xf32> -> tensor<4x2xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input, NN_I64Attr:$axis,
                       NN_I64Attr:$start, NN_I64Attr:$end,
                       DefaultValuedAttr<NN_I64Attr, "1">:$step);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def NN_SplitOp : NN_Op<"split", [Pure, NN_InferTensorType]> {
  let summary = "Splits along `axis` into pieces of the given sizes";
  let description = [{
    ```mlir
    %a, %b = nn.split %x {axis = 1 : i64, sizes = array<i64: 2, 6>} : tensor<4x8xf32> -> tensor<4x2xf32>, tensor<4x6xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input, NN_I64Attr:$axis,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<NN_AnyTensor>:$results);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($results)";
}

def NN_PatchifyOp : NN_Op<"patchify", [Pure, NN_InferTensorType]> {
  let summary = "Cuts images into flattened non-overlapping patches (ViT)";
  let description = [{
    [N, C, H, W] -> [N, (H / ph) * (W / pw), C * ph * pw], patches in row-major
    order, each flattened as (c, i, j).
    ```mlir
    %p = nn.patchify %x {patch_size = array<i64: 4, 4>} : tensor<2x3x32x32xf32> -> tensor<2x64x48xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$patch_size);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def NN_TopKOp : NN_Op<"top_k", [Pure, NN_InferTensorType]> {
  let summary = "The k largest values along `axis` and their indices";
  let description = [{
    ```mlir
    %v, %i = nn.top_k %x {axis = -1 : i64, k = 5 : i64} : tensor<8x100xf32> -> tensor<8x5xf32>, tensor<8x5xi64>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_I64Attr:$k,
                       NN_I64Attr:$axis);
  let results = (outs NN_NumericTensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($values) `,` type($indices)
  }];
}

def NN_GatherOp : NN_Op<"gather", [Pure, NN_InferTensorType]> {
  let summary = "Selects entries along `axis` by a 1-D index (index_select)";
  let description = [{
    ```mlir
    %y = nn.gather %x, %idx {axis = 0 : i64} : tensor<10x4xf32>, tensor<3xi64> -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins NN_AnyTensor:$input, NN_IntTensor:$index,
                       NN_I64Attr:$axis);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $index attr-dict `:` type($input) `,` type($index) `->`
    type($result)
  }];
}

def NN_ScatterReduceOp : NN_Op<"scatter_reduce", [Pure]> {
  let summary = "Segment reduction of rows of `src` by a 1-D index";
  let description = [{
    result[n] = reduce(src[e] for e where index[e] == n). src [E, F...],
    index [E] -> [N, F...]. N is the result type's dim 0, or the `size`
    operand when that dim is `?` (GNN message aggregation).
    ```mlir
    %agg = nn.scatter_reduce %msg, %dst {reduce = "sum"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<10x16xf32>
    %agg2 = nn.scatter_reduce %msg, %dst size %n {reduce = "mean"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<?x16xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$src, NN_IntTensor:$index,
                       Optional<Index>:$dim_size, StrAttr:$reduce);
  let results = (outs NN_NumericTensor:$result);
  let assemblyFormat = [{
    $src `,` $index (`size` $dim_size^)? attr-dict `:` type($src) `,`
    type($index) `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // NNC_DIALECTS_NN_NNSHAPEOPS_TD
