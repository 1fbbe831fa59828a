// RUN: norm-opt %s --split-input-file --verify-diagnostics --allow-unregistered-dialect --norm-check-element-types | FileCheck %s

// Every supported float type passes, also inside shaped and complex types.
// CHECK-LABEL: func @supported
func.func @supported(%a: tensor<4xf16>, %b: memref<2xbf16>, %c: vector<4xf32>, %d: complex<f64>, %e: i8) -> f32 {
  %0 = arith.constant 1.0 : f32
  return %0 : f32
}

// -----

// An op result (pre-order: the outermost op with the type is named).
func.func @result(%x: f32) -> f32 {
  // expected-error @below {{'arith.truncf' op uses 'f8E5M2', which the norm pipelines cannot lower to LLVM}}
  %0 = arith.truncf %x : f32 to f8E5M2
  return %x : f32
}

// -----

// expected-error @below {{'func.func' op uses 'f128'}}
func.func @argument(%x: memref<4xf128>) {
  return
}

// -----

func.func @complex_part(%x: f32) {
  // expected-error @below {{uses 'tf32'}}
  %0 = "test.op"() : () -> complex<tf32>
  return
}
