// RUN: nnc-opt %s -split-input-file --nnc-emit-metadata -verify-diagnostics

// The runtime has no dtype for index.

// expected-error @+1 {{no runtime dtype for 'tensor<4xindex>'}}
func.func @index_input(%x: memref<4xindex>) attributes {nnc.signature = {
    inputs = [{name = "x", type = tensor<4xindex>}], outputs = [], params = []}} {
  return
}

// -----

// expected-error @+1 {{no runtime dtype for 'tensor<2xui16>'}}
func.func @unsigned_param(%w: memref<2xui16>) attributes {nnc.signature = {
    inputs = [], outputs = [], params = [{name = "w", type = tensor<2xui16>}]}} {
  return
}
