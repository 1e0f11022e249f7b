// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @reshape_count(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'nn.reshape' op cannot reshape 24 elements ('tensor<2x3x4xf32>') into 25 ('tensor<5x5xf32>')}}
  %0 = nn.reshape %x : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_missing_size(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.reshape' op result type 'tensor<?xf32>' has 1 dynamic dims but 0 size operands were given}}
  %0 = nn.reshape %x : tensor<?x4xf32> -> tensor<?xf32>
  return
}

// -----

func.func @reshape_divisible(%x: tensor<2x3x4xf32>, %n: index) {
  // expected-error @+1 {{'nn.reshape' op cannot reshape 24 elements ('tensor<2x3x4xf32>') into 'tensor<?x5xf32>': the static dims multiply to 5}}
  %0 = nn.reshape %x [%n] : tensor<2x3x4xf32> -> tensor<?x5xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.reshape' op changes the element type from 'f32' to 'f16'}}
  %0 = nn.reshape %x : tensor<4xf32> -> tensor<2x2xf16>
  return
}

// -----

func.func @expand_size(%x: tensor<3x16xf32>) {
  // expected-error @+1 {{'nn.expand' op input dim 0 has size 3 and cannot expand to 8}}
  %0 = nn.expand %x : tensor<3x16xf32> -> tensor<8x16xf32>
  return
}

// -----

func.func @expand_rank(%x: tensor<2x3x16xf32>) {
  // expected-error @+1 {{'nn.expand' op cannot expand rank 3 to the lower rank 2}}
  %0 = nn.expand %x : tensor<2x3x16xf32> -> tensor<3x16xf32>
  return
}

// -----

func.func @expand_sizes(%x: tensor<1x16xf32>, %n: index) {
  // expected-error @+1 {{'nn.expand' op result type 'tensor<8x16xf32>' has 0 dynamic dims but 1 size operands were given}}
  %0 = nn.expand %x [%n] : tensor<1x16xf32> -> tensor<8x16xf32>
  return
}

// -----

func.func @permute_bad(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'nn.permute' op permutation [0, 0, 1] is not a permutation of 0..2 for rank 3}}
  %0 = nn.permute %x {permutation = array<i64: 0, 0, 1>} : tensor<2x3x4xf32> -> tensor<2x2x3xf32>
  return
}

// -----

func.func @permute_length(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'nn.permute' op permutation [1, 0] is not a permutation of 0..2 for rank 3}}
  %0 = nn.permute %x {permutation = array<i64: 1, 0>} : tensor<2x3x4xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @permute_result(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'nn.permute' op result 0 has type 'tensor<2x3x4xf32>' but the operands imply 'tensor<4x3x2xf32>'}}
  %0 = nn.permute %x {permutation = array<i64: 2, 1, 0>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'nn.concat' op input 1 has size 4 in dim 0 but the inputs before it have 2}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) {
  // expected-error @+1 {{'nn.concat' op input 1 must have rank 2, got rank 3 ('tensor<2x3x1xf32>')}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.concat' op axis 2 is out of range for rank 2 (expected -2 to 1)}}
  %0 = nn.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{'nn.concat' op needs at least one input}}
  %0 = nn.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'nn.slice' op step must be >= 1, got 0}}
  %0 = nn.slice %x {axis = 1 : i64, end = 4 : i64, start = 0 : i64, step = 0 : i64} : tensor<4x10xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @slice_result(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'nn.slice' op result 0 has type 'tensor<4x3xf32>' but the operands imply 'tensor<4x2xf32>'}}
  %0 = nn.slice %x {axis = 1 : i64, end = 10 : i64, start = -2 : i64} : tensor<4x10xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @split_sum(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'nn.split' op sizes [2, 5] sum to 7 but dim 1 has size 8}}
  %0:2 = nn.split %x {axis = 1 : i64, sizes = array<i64: 2, 5>} : tensor<4x8xf32> -> tensor<4x2xf32>, tensor<4x5xf32>
  return
}

// -----

func.func @split_results(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'nn.split' op has 1 results but 2 were inferred}}
  %0 = nn.split %x {axis = 1 : i64, sizes = array<i64: 4, 4>} : tensor<4x8xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @patchify_divisible(%x: tensor<2x3x30x32xf32>) {
  // expected-error @+1 {{'nn.patchify' op image size 30x32 is not divisible by patch size 4x4}}
  %0 = nn.patchify %x {patch_size = array<i64: 4, 4>} : tensor<2x3x30x32xf32> -> tensor<2x56x48xf32>
  return
}

// -----

func.func @patchify_rank(%x: tensor<3x32x32xf32>) {
  // expected-error @+1 {{'nn.patchify' op input must have rank 4, got rank 3 ('tensor<3x32x32xf32>')}}
  %0 = nn.patchify %x {patch_size = array<i64: 4, 4>} : tensor<3x32x32xf32> -> tensor<64x48xf32>
  return
}

// -----

func.func @top_k_too_large(%x: tensor<8x4xf32>) {
  // expected-error @+1 {{'nn.top_k' op k = 5 exceeds the size 4 of dim 1}}
  %0:2 = nn.top_k %x {axis = 1 : i64, k = 5 : i64} : tensor<8x4xf32> -> tensor<8x5xf32>, tensor<8x5xi64>
  return
}

// -----

func.func @top_k_indices(%x: tensor<8x4xf32>) {
  // expected-error @+1 {{'nn.top_k' op result #1 must be ranked tensor of 64-bit signless integer values}}
  %0:2 = nn.top_k %x {axis = 1 : i64, k = 2 : i64} : tensor<8x4xf32> -> tensor<8x2xf32>, tensor<8x2xi32>
  return
}

// -----

func.func @gather_index_rank(%x: tensor<10x4xf32>, %i: tensor<3x1xi64>) {
  // expected-error @+1 {{'nn.gather' op index must have rank 1, got rank 2 ('tensor<3x1xi64>')}}
  %0 = nn.gather %x, %i {axis = 0 : i64} : tensor<10x4xf32>, tensor<3x1xi64> -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_result(%x: tensor<10x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{'nn.gather' op result 0 has type 'tensor<3x4xf32>' but the operands imply 'tensor<10x3xf32>'}}
  %0 = nn.gather %x, %i {axis = 1 : i64} : tensor<10x4xf32>, tensor<3xi64> -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_rows(%m: tensor<40x16xf32>, %i: tensor<30xi64>) {
  // expected-error @+1 {{'nn.scatter_reduce' op src has 40 rows but index has 30 entries}}
  %0 = nn.scatter_reduce %m, %i {reduce = "sum"} : tensor<40x16xf32>, tensor<30xi64> -> tensor<10x16xf32>
  return
}

// -----

func.func @scatter_size_needed(%m: tensor<40x16xf32>, %i: tensor<40xi64>) {
  // expected-error @+1 {{'nn.scatter_reduce' op result dim 0 is dynamic, so the size operand is required}}
  %0 = nn.scatter_reduce %m, %i {reduce = "sum"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<?x16xf32>
  return
}

// -----

func.func @scatter_size_extra(%m: tensor<40x16xf32>, %i: tensor<40xi64>, %n: index) {
  // expected-error @+1 {{'nn.scatter_reduce' op result dim 0 is static (10), so the size operand must be omitted}}
  %0 = nn.scatter_reduce %m, %i size %n {reduce = "sum"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<10x16xf32>
  return
}

// -----

func.func @scatter_reduce_kind(%m: tensor<40x16xf32>, %i: tensor<40xi64>) {
  // expected-error @+1 {{'nn.scatter_reduce' op reduce must be one of 'sum', 'mean', 'max', 'min'; got 'prod'}}
  %0 = nn.scatter_reduce %m, %i {reduce = "prod"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<10x16xf32>
  return
}

// -----

func.func @scatter_features(%m: tensor<40x16xf32>, %i: tensor<40xi64>) {
  // expected-error @+1 {{'nn.scatter_reduce' op result dim 1 has size 8 but src has 16}}
  %0 = nn.scatter_reduce %m, %i {reduce = "mean"} : tensor<40x16xf32>, tensor<40xi64> -> tensor<10x8xf32>
  return
}
