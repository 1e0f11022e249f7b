// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// CHECK-LABEL: func.func @rnn(
// CHECK: %{{.*}}, %{{.*}} = nn.rnn %{{.*}} weights(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {hidden_size = 20 : i64} : (tensor<5x3x10xf32>, tensor<20x10xf32>, tensor<20x20xf32>, tensor<20xf32>, tensor<20xf32>) -> (tensor<5x3x20xf32>, tensor<1x3x20xf32>)
// CHECK: %{{.*}}, %{{.*}} = nn.rnn %{{.*}} h0 %{{.*}} weights(%{{.*}}, %{{.*}}) {has_biases = false, hidden_size = 20 : i64, nonlinearity = "relu"} : (tensor<5x3x10xf32>, tensor<1x3x20xf32>, tensor<20x10xf32>, tensor<20x20xf32>) -> (tensor<5x3x20xf32>, tensor<1x3x20xf32>)
func.func @rnn(%x: tensor<5x3x10xf32>, %wih: tensor<20x10xf32>, %whh: tensor<20x20xf32>, %b: tensor<20xf32>, %h0: tensor<1x3x20xf32>) {
  %0:2 = nn.rnn %x weights(%wih, %whh, %b, %b) {hidden_size = 20 : i64} : (tensor<5x3x10xf32>, tensor<20x10xf32>, tensor<20x20xf32>, tensor<20xf32>, tensor<20xf32>) -> (tensor<5x3x20xf32>, tensor<1x3x20xf32>)
  %1:2 = nn.rnn %x h0 %h0 weights(%wih, %whh) {has_biases = false, hidden_size = 20 : i64, nonlinearity = "relu"} : (tensor<5x3x10xf32>, tensor<1x3x20xf32>, tensor<20x10xf32>, tensor<20x20xf32>) -> (tensor<5x3x20xf32>, tensor<1x3x20xf32>)
  return
}

// Two layers, bidirectional, batch_first: layer 1 sees 2 * H inputs.
// CHECK-LABEL: func.func @lstm(
// CHECK: %{{.*}}, %{{.*}}, %{{.*}} = nn.lstm %{{.*}} h0 %{{.*}} c0 %{{.*}} weights(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {batch_first = true, bidirectional = true, dropout = 1.000000e-01 : f64, has_biases = false, hidden_size = 16 : i64, num_layers = 2 : i64} : (tensor<3x5x10xf32>, tensor<4x3x16xf32>, tensor<4x3x16xf32>, tensor<64x10xf32>, tensor<64x16xf32>, tensor<64x10xf32>, tensor<64x16xf32>, tensor<64x32xf32>, tensor<64x16xf32>, tensor<64x32xf32>, tensor<64x16xf32>) -> (tensor<3x5x32xf32>, tensor<4x3x16xf32>, tensor<4x3x16xf32>)
func.func @lstm(%x: tensor<3x5x10xf32>, %w0: tensor<64x10xf32>, %whh: tensor<64x16xf32>, %w1: tensor<64x32xf32>, %h0: tensor<4x3x16xf32>) {
  %0:3 = nn.lstm %x h0 %h0 c0 %h0 weights(%w0, %whh, %w0, %whh, %w1, %whh, %w1, %whh) {batch_first = true, bidirectional = true, has_biases = false, hidden_size = 16 : i64, num_layers = 2 : i64, dropout = 0.1 : f64}
      : (tensor<3x5x10xf32>, tensor<4x3x16xf32>, tensor<4x3x16xf32>, tensor<64x10xf32>, tensor<64x16xf32>, tensor<64x10xf32>, tensor<64x16xf32>, tensor<64x32xf32>, tensor<64x16xf32>, tensor<64x32xf32>, tensor<64x16xf32>)
      -> (tensor<3x5x32xf32>, tensor<4x3x16xf32>, tensor<4x3x16xf32>)
  return
}

// CHECK-LABEL: func.func @gru(
// CHECK: %{{.*}}, %{{.*}} = nn.gru %{{.*}} weights(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {hidden_size = 8 : i64} : (tensor<?x2x8xf32>, tensor<24x8xf32>, tensor<24x8xf32>, tensor<24xf32>, tensor<24xf32>) -> (tensor<?x2x8xf32>, tensor<1x2x8xf32>)
func.func @gru(%x: tensor<?x2x8xf32>, %wih: tensor<24x8xf32>, %whh: tensor<24x8xf32>, %b: tensor<24xf32>) {
  %0:2 = nn.gru %x weights(%wih, %whh, %b, %b) {hidden_size = 8 : i64} : (tensor<?x2x8xf32>, tensor<24x8xf32>, tensor<24x8xf32>, tensor<24xf32>, tensor<24xf32>) -> (tensor<?x2x8xf32>, tensor<1x2x8xf32>)
  return
}
