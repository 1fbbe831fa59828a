// RUN: norm-opt %s --norm-accumulate-with-fma --split-input-file | FileCheck %s

// CHECK-LABEL: func @sum_of_squares
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK:   %[[V:.*]] = vector.transfer_read
// CHECK-NOT: arith.mulf
// CHECK:   %[[F:.*]] = math.fma %[[V]], %[[V]], %[[ACC]] : vector<16xf32>
// CHECK:   scf.yield %[[F]]
func.func @sum_of_squares(%x: memref<4096xf32>) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %sum = scf.for %j = %c0 to %c4096 step %c16 iter_args(%acc = %zero) -> (vector<16xf32>) {
    %v = vector.transfer_read %x[%j], %pad {in_bounds = [true]} : memref<4096xf32>, vector<16xf32>
    %s = arith.mulf %v, %v : vector<16xf32>
    %a = arith.addf %s, %acc : vector<16xf32>
    scf.yield %a : vector<16xf32>
  }
  return %sum : vector<16xf32>
}

// -----

// Left alone: a product with another use, and a sum that is not an
// accumulator of the loop.
// CHECK-LABEL: func @not_accumulations
// CHECK-NOT: math.fma
func.func @not_accumulations(%x: memref<4096xf32>, %y: memref<4096xf32>, %b: vector<16xf32>) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %sum = scf.for %j = %c0 to %c4096 step %c16 iter_args(%acc = %zero) -> (vector<16xf32>) {
    %v = vector.transfer_read %x[%j], %pad {in_bounds = [true]} : memref<4096xf32>, vector<16xf32>
    %s = arith.mulf %v, %v : vector<16xf32>
    vector.transfer_write %s, %y[%j] {in_bounds = [true]} : vector<16xf32>, memref<4096xf32>
    %a = arith.addf %acc, %s : vector<16xf32>
    %t = arith.mulf %v, %b : vector<16xf32>
    %u = arith.addf %t, %b : vector<16xf32>
    vector.transfer_write %u, %y[%j] {in_bounds = [true]} : vector<16xf32>, memref<4096xf32>
    scf.yield %a : vector<16xf32>
  }
  return %sum : vector<16xf32>
}
