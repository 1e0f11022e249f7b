// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @rnn_weight_count(%x: tensor<5x3x10xf32>, %wih: tensor<20x10xf32>, %whh: tensor<20x20xf32>) {
  // expected-error @+1 {{'nn.rnn' op expects 4 weights (1 layers x 1 directions x 4), got 2}}
  %0:2 = nn.rnn %x weights(%wih, %whh) {hidden_size = 20 : i64} : (tensor<5x3x10xf32>, tensor<20x10xf32>, tensor<20x20xf32>) -> (tensor<5x3x20xf32>, tensor<1x3x20xf32>)
  return
}

// -----

func.func @rnn_nonlinearity(%x: tensor<5x3x10xf32>, %wih: tensor<20x10xf32>, %whh: tensor<20x20xf32>) {
  // expected-error @+1 {{'nn.rnn' op nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'}}
  %0:2 = nn.rnn %x weights(%wih, %whh) {has_biases = false, hidden_size = 20 : i64, nonlinearity = "sigmoid"} : (tensor<5x3x10xf32>, tensor<20x10xf32>, tensor<20x20xf32>) -> (tensor<5x3x20xf32>, tensor<1x3x20xf32>)
  return
}

// -----

func.func @lstm_gates(%x: tensor<5x3x10xf32>, %wih: tensor<48x10xf32>, %whh: tensor<48x16xf32>) {
  // expected-error @+1 {{'nn.lstm' op weight_ih_l0 has shape [48, 10] but expected [64, 10]}}
  %0:3 = nn.lstm %x weights(%wih, %whh) {has_biases = false, hidden_size = 16 : i64} : (tensor<5x3x10xf32>, tensor<48x10xf32>, tensor<48x16xf32>) -> (tensor<5x3x16xf32>, tensor<1x3x16xf32>, tensor<1x3x16xf32>)
  return
}

// -----

// The second layer of a bidirectional LSTM reads both directions (2 * H).
func.func @lstm_layer_input(%x: tensor<5x3x10xf32>, %w0: tensor<64x10xf32>, %whh: tensor<64x16xf32>) {
  // expected-error @+1 {{'nn.lstm' op weight_ih_l1 has shape [64, 10] but expected [64, 32]}}
  %0:3 = nn.lstm %x weights(%w0, %whh, %w0, %whh, %w0, %whh, %w0, %whh) {bidirectional = true, has_biases = false, hidden_size = 16 : i64, num_layers = 2 : i64}
      : (tensor<5x3x10xf32>, tensor<64x10xf32>, tensor<64x16xf32>, tensor<64x10xf32>, tensor<64x16xf32>, tensor<64x10xf32>, tensor<64x16xf32>, tensor<64x10xf32>, tensor<64x16xf32>)
      -> (tensor<5x3x32xf32>, tensor<4x3x16xf32>, tensor<4x3x16xf32>)
  return
}

// -----

func.func @lstm_h0(%x: tensor<5x3x10xf32>, %h0: tensor<1x4x16xf32>, %w0: tensor<64x10xf32>, %whh: tensor<64x16xf32>) {
  // expected-error @+1 {{'nn.lstm' op h0 has shape [1, 4, 16] but expected [1, 3, 16]}}
  %0:3 = nn.lstm %x h0 %h0 weights(%w0, %whh) {has_biases = false, hidden_size = 16 : i64} : (tensor<5x3x10xf32>, tensor<1x4x16xf32>, tensor<64x10xf32>, tensor<64x16xf32>) -> (tensor<5x3x16xf32>, tensor<1x3x16xf32>, tensor<1x3x16xf32>)
  return
}

// -----

func.func @gru_bias(%x: tensor<5x3x8xf32>, %wih: tensor<24x8xf32>, %whh: tensor<24x8xf32>, %b: tensor<16xf32>) {
  // expected-error @+1 {{'nn.gru' op bias_ih_l0 has shape [16] but expected [24]}}
  %0:2 = nn.gru %x weights(%wih, %whh, %b, %b) {hidden_size = 8 : i64} : (tensor<5x3x8xf32>, tensor<24x8xf32>, tensor<24x8xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<5x3x8xf32>, tensor<1x3x8xf32>)
  return
}

// -----

func.func @gru_rank(%x: tensor<5x8xf32>, %wih: tensor<24x8xf32>, %whh: tensor<24x8xf32>) {
  // expected-error @+1 {{'nn.gru' op input must have rank 3, got rank 2 ('tensor<5x8xf32>')}}
  %0:2 = nn.gru %x weights(%wih, %whh) {has_biases = false, hidden_size = 8 : i64} : (tensor<5x8xf32>, tensor<24x8xf32>, tensor<24x8xf32>) -> (tensor<5x8xf32>, tensor<1x8xf32>)
  return
}

// -----

func.func @gru_result(%x: tensor<5x3x8xf32>, %wih: tensor<24x8xf32>, %whh: tensor<24x8xf32>) {
  // expected-error @+1 {{'nn.gru' op result 0 has type 'tensor<3x5x8xf32>' but the operands imply 'tensor<5x3x8xf32>'}}
  %0:2 = nn.gru %x weights(%wih, %whh) {has_biases = false, hidden_size = 8 : i64} : (tensor<5x3x8xf32>, tensor<24x8xf32>, tensor<24x8xf32>) -> (tensor<3x5x8xf32>, tensor<1x3x8xf32>)
  return
}

// -----

func.func @rnn_layers(%x: tensor<5x3x8xf32>) {
  // expected-error @+1 {{'nn.rnn' op num_layers must be >= 1, got 0}}
  %0:2 = nn.rnn %x weights() {hidden_size = 8 : i64, num_layers = 0 : i64} : (tensor<5x3x8xf32>) -> (tensor<5x3x8xf32>, tensor<0x3x8xf32>)
  return
}
