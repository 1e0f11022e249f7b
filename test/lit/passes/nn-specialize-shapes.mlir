// RUN: nnc-opt %s -split-input-file --nn-specialize-shapes="dims=B=2,T=3" | FileCheck %s

// Each `?` of an argument takes the size of its `nn.dims` name; result types
// are re-inferred op by op and the function type follows. Argument and
// result attributes stay.

module attributes {nn.model = "m"} {
  nn.parameter @w : tensor<16x8xf32> {init = "uniform", init_scale = 0.5 : f64}
  func.func @m(%x: tensor<?x?x8xf32> {nn.dims = ["B", "T", "8"], nn.name = "x"},
               %ids: tensor<?xi64> {nn.dims = ["B"], nn.name = "ids"})
      -> (tensor<?x?x16xf32> {nn.name = "y"}, tensor<?xf32> {nn.name = "f"}) {
    %w = nn.param @w : tensor<16x8xf32>
    %y = nn.linear %x, %w : (tensor<?x?x8xf32>, tensor<16x8xf32>) -> tensor<?x?x16xf32>
    %r = nn.relu %y : tensor<?x?x16xf32>
    %f = nn.cast %ids : tensor<?xi64> to tensor<?xf32>
    return %r, %f : tensor<?x?x16xf32>, tensor<?xf32>
  }
  // Declarations have no body to specialise.
  func.func private @external(tensor<?xf32>)
}

// CHECK-LABEL: func.func @m(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3x8xf32> {nn.dims = ["B", "T", "8"], nn.name = "x"},
// CHECK-SAME:    %[[IDS:.*]]: tensor<2xi64> {nn.dims = ["B"], nn.name = "ids"})
// CHECK-SAME:    -> (tensor<2x3x16xf32> {nn.name = "y"}, tensor<2xf32> {nn.name = "f"})
// CHECK:         %[[W:.*]] = nn.param @w : tensor<16x8xf32>
// CHECK:         %[[Y:.*]] = nn.linear %[[X]], %[[W]] : (tensor<2x3x8xf32>, tensor<16x8xf32>) -> tensor<2x3x16xf32>
// CHECK:         %[[R:.*]] = nn.relu %[[Y]] : tensor<2x3x16xf32>
// CHECK:         %[[F:.*]] = nn.cast %[[IDS]] : tensor<2xi64> to tensor<2xf32>
// CHECK:         return %[[R]], %[[F]] : tensor<2x3x16xf32>, tensor<2xf32>
// CHECK:       func.func private @external(tensor<?xf32>)

// -----

// Sizes computed from dims (tensor.dim, index arithmetic) fold to constants;
// the ops that took them as operands (nn.reshape, nn.expand) then carry the
// sizes in their types and drop the operands. A size that depends on another
// op's specialised result resolves in a later round.

// CHECK-LABEL: func.func @sizes(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3x8xf32> {nn.dims = ["B", "T", "8"]}, %[[BIAS:.*]]: tensor<1x8xf32>) -> tensor<6x8xf32>
// CHECK-NOT:     tensor.dim
// CHECK-NOT:     arith.muli
// CHECK:         %[[FLAT:.*]] = nn.reshape %[[X]] : tensor<2x3x8xf32> -> tensor<6x8xf32>
// CHECK-NEXT:    %[[E:.*]] = nn.expand %[[BIAS]] : tensor<1x8xf32> -> tensor<6x8xf32>
// CHECK-NEXT:    %[[S:.*]] = nn.add %[[FLAT]], %[[E]] : tensor<6x8xf32>, tensor<6x8xf32> -> tensor<6x8xf32>
// CHECK-NEXT:    return %[[S]] : tensor<6x8xf32>
func.func @sizes(%x: tensor<?x?x8xf32> {nn.dims = ["B", "T", "8"]}, %bias: tensor<1x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x8xf32>
  %t = tensor.dim %x, %c1 : tensor<?x?x8xf32>
  %bt = arith.muli %b, %t : index
  %flat = nn.reshape %x[%bt] : tensor<?x?x8xf32> -> tensor<?x8xf32>
  %n = tensor.dim %flat, %c0 : tensor<?x8xf32>
  %e = nn.expand %bias [%n] : tensor<1x8xf32> -> tensor<?x8xf32>
  %s = nn.add %flat, %e : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x8xf32>
  return %s : tensor<?x8xf32>
}

// -----

// A function without dynamic dims is left as it is.

// CHECK-LABEL: func.func @static(
// CHECK-SAME:    %{{.*}}: tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK:         nn.relu %{{.*}} : tensor<4x8xf32>
func.func @static(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = nn.relu %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
