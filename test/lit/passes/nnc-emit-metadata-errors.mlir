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

// -----

// A malformed signature is an error, not a crash.

// expected-error @+1 {{nnc.signature needs 'params', an array of {name, type} entries}}
func.func @missing_key() attributes {nnc.signature = {inputs = [], outputs = []}} {
  return
}

// -----

// expected-error @+1 {{nnc.signature needs 'outputs', an array of {name, type} entries}}
func.func @not_an_array() attributes {nnc.signature = {inputs = [], outputs = "y", params = []}} {
  return
}

// -----

// expected-error @+1 {{nnc.signature 'inputs' entry 1 needs a string 'name' and a ranked tensor 'type'}}
func.func @entry_without_name(%x: memref<4xf32>, %y: memref<4xf32>) attributes {nnc.signature = {
    inputs = [{name = "x", type = tensor<4xf32>}, {type = tensor<4xf32>}], outputs = [], params = []}} {
  return
}

// -----

// expected-error @+1 {{nnc.signature 'params' entry 0 needs a string 'name' and a ranked tensor 'type'}}
func.func @entry_without_type(%w: memref<4xf32>) attributes {nnc.signature = {
    inputs = [], outputs = [], params = [{name = "w"}]}} {
  return
}

// -----

// expected-error @+1 {{nnc.signature 'outputs' entry 0 needs a string 'name' and a ranked tensor 'type'}}
func.func @entry_not_a_dictionary() attributes {nnc.signature = {
    inputs = [], outputs = ["y"], params = []}} {
  return
}

// -----

// expected-error @+1 {{nnc.signature 'inputs' entry 0 needs a string 'name' and a ranked tensor 'type'}}
func.func @unranked_type() attributes {nnc.signature = {
    inputs = [{name = "x", type = tensor<*xf32>}], outputs = [], params = []}} {
  return
}
