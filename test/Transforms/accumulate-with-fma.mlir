// RUN: norm-opt %s --norm-accumulate-with-fma --split-input-file | FileCheck %s
// LLVM fuses the marked pairs where the target has FMA and keeps them apart,
// without libm calls, where it has not:
// RUN: norm-opt %s --norm-accumulate-with-fma --convert-vector-to-scf --convert-scf-to-cf \
// RUN:   --convert-vector-to-llvm --finalize-memref-to-llvm --convert-arith-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-translate --mlir-to-llvmir > %t.ll
// RUN: llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=haswell %t.ll -o - | FileCheck %s --check-prefix=FMA
// RUN: llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=sandybridge %t.ll -o - | FileCheck %s --check-prefix=NOFMA

// CHECK-LABEL: func @sum_of_squares
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK:   %[[V:.*]] = vector.transfer_read
// CHECK:   %[[S:.*]] = arith.mulf %[[V]], %[[V]] fastmath<contract> : vector<16xf32>
// CHECK:   %[[A:.*]] = arith.addf %[[S]], %[[ACC]] fastmath<contract> : vector<16xf32>
// CHECK:   scf.yield %[[A]]
// FMA-LABEL: sum_of_squares:
// FMA:         vfmadd231ps
// FMA-LABEL: not_accumulations:
// NOFMA-NOT:   fmaf
// NOFMA-LABEL: sum_of_squares:
// NOFMA:       vmulps
// NOFMA:       vaddps
// NOFMA-NOT:   fmaf
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
// CHECK-NOT: contract
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
