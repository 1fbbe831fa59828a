// RUN: norm-opt %s --norm-reassociate-reductions | FileCheck %s

// CHECK-LABEL: func @reductions
// CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<64xf32> into f32
// CHECK: vector.reduction <mul>, %{{.*}} fastmath<reassoc,nnan> : vector<8xf64> into f64
// CHECK: vector.reduction <maximumf>, %{{.*}} : vector<64xf32> into f32
// CHECK: vector.reduction <add>, %{{.*}} : vector<16xi32> into i32
func.func @reductions(%a: vector<64xf32>, %b: vector<8xf64>, %c: vector<16xi32>) -> (f32, f64, f32, i32) {
  %0 = vector.reduction <add>, %a : vector<64xf32> into f32
  %1 = vector.reduction <mul>, %b fastmath<nnan> : vector<8xf64> into f64
  %2 = vector.reduction <maximumf>, %a : vector<64xf32> into f32
  %3 = vector.reduction <add>, %c : vector<16xi32> into i32
  return %0, %1, %2, %3 : f32, f64, f32, i32
}
