// RUN: norm-opt %s --norm-expand-math | FileCheck %s

// math.erf has no LLVM lowering: it becomes a polynomial, on scalars and on
// vectors; math ops that lower (tanh) stay.
// CHECK-LABEL: func @erf
// CHECK-NOT:     math.erf
// CHECK:         math.tanh
// CHECK-NOT:     math.erf
func.func @erf(%x: f32, %v: vector<8xf32>) -> (f32, f32, vector<8xf32>) {
  %0 = math.erf %x : f32
  %1 = math.tanh %x : f32
  %2 = math.erf %v : vector<8xf32>
  return %0, %1, %2 : f32, f32, vector<8xf32>
}
