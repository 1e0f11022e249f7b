// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s

// Elementwise ops become one linalg.generic each, with numpy broadcasting in
// the operands' indexing maps; data movement becomes tensor/linalg ops.
// Float formulas take their constants from outside the body.

// CHECK-DAG: #[[ID1:map[0-9]*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SCALAR:map[0-9]*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[COL:map[0-9]*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[FIRST_ROW:map[0-9]*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[EXPAND:map[0-9]*]] = affine_map<(d0, d1, d2) -> (0, d2)>
// CHECK-DAG: #[[ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

//===----------------------------------------------------------------------===//
// Unary activations and math
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @relu(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK:         %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[X]] : tensor<2x3xf32>) outs(%[[INIT]] : tensor<2x3xf32>) {
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.maximumf %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
// CHECK-NEXT:    } -> tensor<2x3xf32>
// CHECK-NEXT:    return %[[R]]
func.func @relu(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.relu %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// f64 is generated too.
// CHECK-LABEL: func.func @sigmoid(
// CHECK:         %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK:         linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%{{.*}} : tensor<4xf64>) outs(%{{.*}} : tensor<4xf64>)
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: f64, %{{[a-z0-9_]+}}: f64):
// CHECK-NEXT:      %[[NEG:.*]] = arith.negf %[[IN]] : f64
// CHECK-NEXT:      %[[EXP:.*]] = math.exp %[[NEG]] : f64
// CHECK-NEXT:      %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f64
// CHECK-NEXT:      %[[Y:.*]] = arith.divf %[[ONE]], %[[DEN]] : f64
// CHECK-NEXT:      linalg.yield %[[Y]] : f64
func.func @sigmoid(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = nn.sigmoid %x : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// CHECK-LABEL: func.func @silu(
// CHECK:         %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[NEG:.*]] = arith.negf %[[IN]] : f32
// CHECK-NEXT:      %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:      %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT:      %[[SIG:.*]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK-NEXT:      %[[Y:.*]] = arith.mulf %[[IN]], %[[SIG]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @silu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.silu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @tanh(
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = math.tanh %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.tanh %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @exp(
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = math.exp %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @exp(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @log(
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = math.log %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @log(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.log %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @sqrt(
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = math.sqrt %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @sqrt(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.sqrt %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @rsqrt(
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = math.rsqrt %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @rsqrt(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.rsqrt %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @abs(
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = math.absf %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @abs(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.abs %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @neg(
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.negf %[[IN]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.neg %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// 0.5 x (1 + erf(x / sqrt(2)))
// CHECK-LABEL: func.func @gelu(
// CHECK-DAG:     %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:     %[[RSQRT2:.*]] = arith.constant 0.70710{{[0-9]*}} : f32
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[H:.*]] = arith.mulf %[[HALF]], %[[IN]] : f32
// CHECK-NEXT:      %[[S:.*]] = arith.mulf %[[IN]], %[[RSQRT2]] : f32
// CHECK-NEXT:      %[[E:.*]] = math.erf %[[S]] : f32
// CHECK-NEXT:      %[[P:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK-NEXT:      %[[Y:.*]] = arith.mulf %[[H]], %[[P]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @gelu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.gelu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
// CHECK-LABEL: func.func @gelu_tanh(
// CHECK-DAG:     %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:     %[[K:.*]] = arith.constant 4.471500e-02 : f32
// CHECK-DAG:     %[[SQRT2PI:.*]] = arith.constant 0.79788{{[0-9]*}} : f32
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[H:.*]] = arith.mulf %[[HALF]], %[[IN]] : f32
// CHECK-NEXT:      %[[X2:.*]] = arith.mulf %[[IN]], %[[IN]] : f32
// CHECK-NEXT:      %[[X3:.*]] = arith.mulf %[[IN]], %[[X2]] : f32
// CHECK-NEXT:      %[[KX3:.*]] = arith.mulf %[[K]], %[[X3]] : f32
// CHECK-NEXT:      %[[SUM:.*]] = arith.addf %[[IN]], %[[KX3]] : f32
// CHECK-NEXT:      %[[ARG:.*]] = arith.mulf %[[SQRT2PI]], %[[SUM]] : f32
// CHECK-NEXT:      %[[T:.*]] = math.tanh %[[ARG]] : f32
// CHECK-NEXT:      %[[P:.*]] = arith.addf %[[ONE]], %[[T]] : f32
// CHECK-NEXT:      %[[Y:.*]] = arith.mulf %[[H]], %[[P]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @gelu_tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.gelu %x {approximate = "tanh"} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// x > 0 ? x : alpha (exp(x) - 1)
// CHECK-LABEL: func.func @elu(
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[ALPHA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[EM1:.*]] = math.expm1 %[[IN]] : f32
// CHECK-NEXT:      %[[NEG:.*]] = arith.mulf %[[ALPHA]], %[[EM1]] : f32
// CHECK-NEXT:      %[[POS:.*]] = arith.cmpf ogt, %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT:      %[[Y:.*]] = arith.select %[[POS]], %[[IN]], %[[NEG]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @elu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.elu %x {alpha = 0.5 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// scale * elu(x, alpha) with PyTorch's constants.
// CHECK-LABEL: func.func @selu(
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[ALPHA:.*]] = arith.constant 1.67326{{[0-9]*}} : f32
// CHECK-DAG:     %[[SCALE:.*]] = arith.constant 1.05070{{[0-9]*}} : f32
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[EM1:.*]] = math.expm1 %[[IN]] : f32
// CHECK-NEXT:      %[[NEG:.*]] = arith.mulf %[[ALPHA]], %[[EM1]] : f32
// CHECK-NEXT:      %[[POS:.*]] = arith.cmpf ogt, %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT:      %[[ELU:.*]] = arith.select %[[POS]], %[[IN]], %[[NEG]] : f32
// CHECK-NEXT:      %[[Y:.*]] = arith.mulf %[[SCALE]], %[[ELU]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @selu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.selu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// x > 0 ? x : slope x
// CHECK-LABEL: func.func @leaky_relu(
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[SLOPE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[NEG:.*]] = arith.mulf %[[SLOPE]], %[[IN]] : f32
// CHECK-NEXT:      %[[POS:.*]] = arith.cmpf ogt, %[[IN]], %[[ZERO]] : f32
// CHECK-NEXT:      %[[Y:.*]] = arith.select %[[POS]], %[[IN]], %[[NEG]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @leaky_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.leaky_relu %x {negative_slope = 0.25 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// beta x > threshold ? x : log(1 + exp(beta x)) / beta
// CHECK-LABEL: func.func @softplus(
// CHECK-DAG:     %[[BETA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-DAG:     %[[THRESHOLD:.*]] = arith.constant 1.000000e+01 : f32
// CHECK:         ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[BX:.*]] = arith.mulf %[[BETA]], %[[IN]] : f32
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[BX]] : f32
// CHECK-NEXT:      %[[L:.*]] = math.log1p %[[E]] : f32
// CHECK-NEXT:      %[[SOFT:.*]] = arith.divf %[[L]], %[[BETA]] : f32
// CHECK-NEXT:      %[[LINEAR:.*]] = arith.cmpf ogt, %[[BX]], %[[THRESHOLD]] : f32
// CHECK-NEXT:      %[[Y:.*]] = arith.select %[[LINEAR]], %[[IN]], %[[SOFT]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
func.func @softplus(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.softplus %x {beta = 2.0 : f64, threshold = 10.0 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// Binary arithmetic with broadcasting
//===----------------------------------------------------------------------===//

// Operands align to the right; a missing leading dim is dropped from the
// map, a size-1 dim that is stretched reads index 0.

// CHECK-LABEL: func.func @add_row(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<3xf32>)
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT:    %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>) outs(%[[INIT]] : tensor<2x3xf32>) {
// CHECK-NEXT:    ^bb0(%[[L:[a-z0-9_]+]]: f32, %[[RR:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.addf %[[L]], %[[RR]] : f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
// CHECK-NEXT:    } -> tensor<2x3xf32>
// CHECK-NEXT:    return %[[R]]
func.func @add_row(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = nn.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @sub_scalar(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[C:[a-z0-9_]+]]: tensor<f32>)
// CHECK:         linalg.generic {indexing_maps = [#[[ID2]], #[[SCALAR]], #[[ID2]]], {{.*}} ins(%[[A]], %[[C]] : tensor<2x3xf32>, tensor<f32>)
// CHECK-NEXT:    ^bb0(%[[L:[a-z0-9_]+]]: f32, %[[R:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.subf %[[L]], %[[R]] : f32
func.func @sub_scalar(%a: tensor<2x3xf32>, %c: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.sub %a, %c : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Both operands stretched: a column times a row.
// CHECK-LABEL: func.func @mul_outer(
// CHECK-SAME:    %[[D:[a-z0-9_]+]]: tensor<2x1xf32>, %[[E:[a-z0-9_]+]]: tensor<1x3xf32>)
// CHECK:         linalg.generic {indexing_maps = [#[[COL]], #[[FIRST_ROW]], #[[ID2]]], {{.*}} ins(%[[D]], %[[E]] : tensor<2x1xf32>, tensor<1x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[L:[a-z0-9_]+]]: f32, %[[R:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.mulf %[[L]], %[[R]] : f32
func.func @mul_outer(%d: tensor<2x1xf32>, %e: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.mul %d, %e : tensor<2x1xf32>, tensor<1x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A size-1 dim of a size-1 result is not a broadcast.
// CHECK-LABEL: func.func @div_same(
// CHECK:         linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x3xf32>, tensor<1x3xf32>)
// CHECK-NEXT:    ^bb0(%[[L:[a-z0-9_]+]]: f32, %[[R:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.divf %[[L]], %[[R]] : f32
func.func @div_same(%a: tensor<1x3xf32>, %b: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %0 = nn.div %a, %b : tensor<1x3xf32>, tensor<1x3xf32> -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// CHECK-LABEL: func.func @pow(
// CHECK:         linalg.generic {indexing_maps = [#[[ID2]], #[[SCALAR]], #[[ID2]]]
// CHECK-NEXT:    ^bb0(%[[L:[a-z0-9_]+]]: f32, %[[R:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = math.powf %[[L]], %[[R]] : f32
func.func @pow(%a: tensor<2x3xf32>, %c: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.pow %a, %c : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// The broadcast operand may be on either side.
// CHECK-LABEL: func.func @maximum(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[D:[a-z0-9_]+]]: tensor<2x1xf32>)
// CHECK:         linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[ID2]]], {{.*}} ins(%[[A]], %[[D]] :
// CHECK-NEXT:    ^bb0(%[[L:[a-z0-9_]+]]: f32, %[[R:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.maximumf %[[L]], %[[R]] : f32
func.func @maximum(%a: tensor<2x3xf32>, %d: tensor<2x1xf32>) -> tensor<2x3xf32> {
  %0 = nn.maximum %a, %d : tensor<2x3xf32>, tensor<2x1xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @minimum(
// CHECK-SAME:    %[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<3xf32>)
// CHECK:         linalg.generic {indexing_maps = [#[[ROW]], #[[ID2]], #[[ID2]]], {{.*}} ins(%[[B]], %[[A]] : tensor<3xf32>, tensor<2x3xf32>)
// CHECK-NEXT:    ^bb0(%[[L:[a-z0-9_]+]]: f32, %[[R:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.minimumf %[[L]], %[[R]] : f32
func.func @minimum(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = nn.minimum %b, %a : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// Dropout is the identity at inference.
// CHECK-LABEL: func.func @dropout(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT:    return %[[X]] : tensor<2x3xf32>
func.func @dropout(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.dropout %x {p = 0.5 : f64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @reshape(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>)
// CHECK:         %[[SHAPE:.*]] = arith.constant dense<[6, 4]> : tensor<2xi64>
// CHECK-NEXT:    %[[R:.*]] = tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
// CHECK-NEXT:    return %[[R]]
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = nn.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// CHECK-LABEL: func.func @permute(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>)
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK-NEXT:    %[[R:.*]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK-NEXT:    return %[[R]]
func.func @permute(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = nn.permute %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// A new leading dim and a stretched size-1 dim.
// CHECK-LABEL: func.func @expand(
// CHECK-SAME:    %[[Y:[a-z0-9_]+]]: tensor<1x4xf32>)
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<3x2x4xf32>
// CHECK-NEXT:    %[[R:.*]] = linalg.generic {indexing_maps = [#[[EXPAND]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%[[Y]] : tensor<1x4xf32>) outs(%[[INIT]] : tensor<3x2x4xf32>) {
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]] : f32
// CHECK-NEXT:    } -> tensor<3x2x4xf32>
// CHECK-NEXT:    return %[[R]]
func.func @expand(%y: tensor<1x4xf32>) -> tensor<3x2x4xf32> {
  %0 = nn.expand %y : tensor<1x4xf32> -> tensor<3x2x4xf32>
  return %0 : tensor<3x2x4xf32>
}

// Python slice bounds: a negative start counts from the end (10 - 2 = 8),
// one before the start clamps to 0; the step is the stride; a negative axis
// counts from the last.
// CHECK-LABEL: func.func @slice(
// CHECK-SAME:    %[[Z:[a-z0-9_]+]]: tensor<4x10xf32>)
// CHECK-DAG:     %[[S0:.*]] = tensor.extract_slice %[[Z]][0, 8] [4, 2] [1, 1] : tensor<4x10xf32> to tensor<4x2xf32>
// CHECK-DAG:     %[[S1:.*]] = tensor.extract_slice %[[Z]][0, 1] [4, 3] [1, 3] : tensor<4x10xf32> to tensor<4x3xf32>
// CHECK-DAG:     %[[S2:.*]] = tensor.extract_slice %[[Z]][0, 0] [2, 10] [2, 1] : tensor<4x10xf32> to tensor<2x10xf32>
// CHECK:         return %[[S0]], %[[S1]], %[[S2]]
func.func @slice(%z: tensor<4x10xf32>) -> (tensor<4x2xf32>, tensor<4x3xf32>, tensor<2x10xf32>) {
  %0 = nn.slice %z {axis = 1 : i64, end = 9223372036854775807 : i64, start = -2 : i64} : tensor<4x10xf32> -> tensor<4x2xf32>
  %1 = nn.slice %z {axis = -1 : i64, end = 9 : i64, start = 1 : i64, step = 3 : i64} : tensor<4x10xf32> -> tensor<4x3xf32>
  %2 = nn.slice %z {axis = 0 : i64, end = 4 : i64, start = -20 : i64, step = 2 : i64} : tensor<4x10xf32> -> tensor<2x10xf32>
  return %0, %1, %2 : tensor<4x2xf32>, tensor<4x3xf32>, tensor<2x10xf32>
}

// Each input is inserted at the running offset along the (negative) axis.
// CHECK-LABEL: func.func @concat(
// CHECK-SAME:    %[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>, %[[U:[a-z0-9_]+]]: tensor<2x5x4xf32>, %[[V:[a-z0-9_]+]]: tensor<2x1x4xf32>)
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<2x9x4xf32>
// CHECK-NEXT:    %[[I0:.*]] = tensor.insert_slice %[[X]] into %[[INIT]][0, 0, 0] [2, 3, 4] [1, 1, 1] : tensor<2x3x4xf32> into tensor<2x9x4xf32>
// CHECK-NEXT:    %[[I1:.*]] = tensor.insert_slice %[[U]] into %[[I0]][0, 3, 0] [2, 5, 4] [1, 1, 1] : tensor<2x5x4xf32> into tensor<2x9x4xf32>
// CHECK-NEXT:    %[[I2:.*]] = tensor.insert_slice %[[V]] into %[[I1]][0, 8, 0] [2, 1, 4] [1, 1, 1] : tensor<2x1x4xf32> into tensor<2x9x4xf32>
// CHECK-NEXT:    return %[[I2]]
func.func @concat(%x: tensor<2x3x4xf32>, %u: tensor<2x5x4xf32>, %v: tensor<2x1x4xf32>) -> tensor<2x9x4xf32> {
  %0 = nn.concat %x, %u, %v {axis = -2 : i64} : (tensor<2x3x4xf32>, tensor<2x5x4xf32>, tensor<2x1x4xf32>) -> tensor<2x9x4xf32>
  return %0 : tensor<2x9x4xf32>
}

//===----------------------------------------------------------------------===//
// Fills, constants and casts
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @fill(
// CHECK-DAG:     %[[V:.*]] = arith.constant 1.500000e+00 : f32
// CHECK-DAG:     %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK:         %[[R:.*]] = linalg.fill ins(%[[V]] : f32) outs(%[[INIT]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:    return %[[R]]
func.func @fill(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.fill %x {value = 1.5 : f64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @constant(
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:    %[[M:.*]] = arith.constant dense<[true, false, true]> : tensor<3xi1>
// CHECK-NEXT:    return %[[C]], %[[M]]
func.func @constant() -> (tensor<2xf32>, tensor<3xi1>) {
  %0 = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = nn.constant dense<[true, false, true]> : tensor<3xi1>
  return %0, %1 : tensor<2xf32>, tensor<3xi1>
}

// Integers are signed, booleans 0/1; floats widen and narrow.
// CHECK-LABEL: func.func @cast(
// CHECK-SAME:    %[[I:[a-z0-9_]+]]: tensor<4xi64>, %[[M:[a-z0-9_]+]]: tensor<4xi1>, %[[H:[a-z0-9_]+]]: tensor<4xf32>)
// CHECK:         %[[C0:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[I]] : tensor<4xi64>) outs(%{{.*}} : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: i64, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.sitofp %[[IN]] : i64 to f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
// CHECK:         %[[C1:.*]] = linalg.generic {{.*}} ins(%[[M]] : tensor<4xi1>) outs(%{{.*}} : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: i1, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.uitofp %[[IN]] : i1 to f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
// CHECK:         %[[C2:.*]] = linalg.generic {{.*}} ins(%[[H]] : tensor<4xf32>) outs(%{{.*}} : tensor<4xf64>)
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f64):
// CHECK-NEXT:      %[[Y:.*]] = arith.extf %[[IN]] : f32 to f64
// CHECK-NEXT:      linalg.yield %[[Y]] : f64
// CHECK:         %[[C3:.*]] = linalg.generic {{.*}} ins(%[[C2]] : tensor<4xf64>) outs(%{{.*}} : tensor<4xf32>)
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: f64, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT:      %[[Y:.*]] = arith.truncf %[[IN]] : f64 to f32
// CHECK-NEXT:      linalg.yield %[[Y]] : f32
// CHECK:         return %[[C0]], %[[C1]], %[[C3]]
func.func @cast(%i: tensor<4xi64>, %m: tensor<4xi1>, %h: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.cast %i : tensor<4xi64> to tensor<4xf32>
  %1 = nn.cast %m : tensor<4xi1> to tensor<4xf32>
  %2 = nn.cast %h : tensor<4xf32> to tensor<4xf64>
  %3 = nn.cast %2 : tensor<4xf64> to tensor<4xf32>
  return %0, %1, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// f16 and bf16 have the same width but no direct conversion: through f32,
// so the body yields the destination type.
// CHECK-LABEL: func.func @cast_half(
// CHECK-SAME:    %[[H:[a-z0-9_]+]]: tensor<4xf16>)
// CHECK:         %[[B:.*]] = linalg.generic {{.*}} ins(%[[H]] : tensor<4xf16>) outs(%{{.*}} : tensor<4xbf16>)
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: f16, %{{[a-z0-9_]+}}: bf16):
// CHECK-NEXT:      %[[W:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK-NEXT:      %[[Y:.*]] = arith.truncf %[[W]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[Y]] : bf16
// CHECK:         %[[F:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<4xbf16>) outs(%{{.*}} : tensor<4xf16>)
// CHECK-NEXT:    ^bb0(%[[IN:[a-z0-9_]+]]: bf16, %{{[a-z0-9_]+}}: f16):
// CHECK-NEXT:      %[[W:.*]] = arith.extf %[[IN]] : bf16 to f32
// CHECK-NEXT:      %[[Y:.*]] = arith.truncf %[[W]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[Y]] : f16
// CHECK:         return %[[F]]
func.func @cast_half(%h: tensor<4xf16>) -> tensor<4xf16> {
  %0 = nn.cast %h : tensor<4xf16> to tensor<4xbf16>
  %1 = nn.cast %0 : tensor<4xbf16> to tensor<4xf16>
  return %1 : tensor<4xf16>
}

// A fill computes nothing in its element type: any float type is generated.
// CHECK-LABEL: func.func @fill_half(
// CHECK-DAG:     %[[V:.*]] = arith.constant 2.500000e-01 : bf16
// CHECK-DAG:     %[[INIT:.*]] = tensor.empty() : tensor<3xbf16>
// CHECK:         %[[R:.*]] = linalg.fill ins(%[[V]] : bf16) outs(%[[INIT]] : tensor<3xbf16>) -> tensor<3xbf16>
// CHECK-NEXT:    return %[[R]]
func.func @fill_half(%x: tensor<3xbf16>) -> tensor<3xbf16> {
  %0 = nn.fill %x {value = 0.25 : f64} : tensor<3xbf16>
  return %0 : tensor<3xbf16>
}

//===----------------------------------------------------------------------===//
// Left for runtime kernels
//===----------------------------------------------------------------------===//

// Ops without a pattern, integer arithmetic, f16 math, dynamic shapes and
// casts to integers keep their nn form.
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT:     linalg
// CHECK-NOT:     tensor.
// CHECK:         nn.conv %{{.*}}, %{{.*}} {{.*}} -> tensor<1x2x6x6xf32>
// CHECK-NEXT:    nn.add %{{.*}}, %{{.*}} : tensor<4xi64>, tensor<4xi64> -> tensor<4xi64>
// CHECK-NEXT:    nn.relu %{{.*}} : tensor<4xf16>
// CHECK-NEXT:    nn.relu %{{.*}} : tensor<?x4xf32>
// CHECK-NEXT:    nn.add %{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
// CHECK-NEXT:    nn.fill %{{.*}} {value = 3.000000e+00 : f64} : tensor<4xi64>
// CHECK-NEXT:    nn.cast %{{.*}} : tensor<10xf32> to tensor<10xi64>
// CHECK-NEXT:    nn.abs %{{.*}} : tensor<4xi64>
// CHECK-NEXT:    return
func.func @left_alone(%x: tensor<1x1x8x8xf32>, %w: tensor<2x1x3x3xf32>, %i: tensor<4xi64>, %h: tensor<4xf16>,
                      %d: tensor<?x4xf32>, %z: tensor<10xf32>)
    -> (tensor<1x2x6x6xf32>, tensor<4xi64>, tensor<4xf16>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<4xi64>,
        tensor<10xi64>, tensor<4xi64>) {
  %0 = nn.conv %x, %w {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  %1 = nn.add %i, %i : tensor<4xi64>, tensor<4xi64> -> tensor<4xi64>
  %2 = nn.relu %h : tensor<4xf16>
  %3 = nn.relu %d : tensor<?x4xf32>
  %4 = nn.add %d, %d : tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
  %5 = nn.fill %i {value = 3.0 : f64} : tensor<4xi64>
  %6 = nn.cast %z : tensor<10xf32> to tensor<10xi64>
  %7 = nn.abs %i : tensor<4xi64>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<1x2x6x6xf32>, tensor<4xi64>, tensor<4xf16>, tensor<?x4xf32>,
      tensor<?x4xf32>, tensor<4xi64>, tensor<10xi64>, tensor<4xi64>
}

// Inference batch norm: per-channel scale = weight * rsqrt(var + eps) and
// shift = bias - mean * scale on [C], viewed as [C, 1, 1], then one
// elementwise x * scale + shift that later fuses with what follows.
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3x4x4xf32>, %[[G:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3xf32>, %[[V:.*]]: tensor<3xf32>)
// CHECK-DAG:     %[[SHAPE:.*]] = arith.constant dense<[3, 1, 1]> : tensor<3xi64>
// CHECK-DAG:     %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK:         %[[SCALE:.*]] = linalg.generic {{.*}} ins(%[[V]], %[[G]] : tensor<3xf32>, tensor<3xf32>)
// CHECK:           %[[SUM:.*]] = arith.addf %{{.*}}, %[[EPS]]
// CHECK:           %[[INV:.*]] = math.rsqrt %[[SUM]]
// CHECK:           arith.mulf %[[INV]]
// CHECK:         %[[SHIFT:.*]] = linalg.generic {{.*}} ins(%[[M]], %[[SCALE]], %[[B]] : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK:           %[[MS:.*]] = arith.mulf
// CHECK:           arith.subf %{{.*}}, %[[MS]]
// CHECK:         %[[S3:.*]] = tensor.reshape %[[SCALE]](%[[SHAPE]]) : (tensor<3xf32>, tensor<3xi64>) -> tensor<3x1x1xf32>
// CHECK:         %[[T3:.*]] = tensor.reshape %[[SHIFT]](%[[SHAPE]]) : (tensor<3xf32>, tensor<3xi64>) -> tensor<3x1x1xf32>
// CHECK:         linalg.generic {{.*}} ins(%[[X]], %[[S3]], %[[T3]] : tensor<2x3x4x4xf32>, tensor<3x1x1xf32>, tensor<3x1x1xf32>)
// CHECK:           %[[XS:.*]] = arith.mulf
// CHECK:           arith.addf %[[XS]]
func.func @batch_norm(%x: tensor<2x3x4x4xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = nn.batch_norm %x weight %g bias %b running %m, %v {epsilon = 1.0e-03 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}
