// RUN: norm-opt %s --norm-unordered-widening --split-input-file | FileCheck %s

// A sum of squares of a bf16 row, reduced across all lanes after the loop:
// the widening becomes a shift (even elements) and a mask (odd ones).
// CHECK-LABEL: func @sum_of_squares
// CHECK:      scf.for
// CHECK:        %[[V:.*]] = vector.transfer_read
// CHECK-NOT:    arith.extf
// CHECK:        %[[BITS:.*]] = vector.bitcast %[[V]] : vector<32xbf16> to vector<16xi32>
// CHECK-DAG:    %[[SIXTEEN:.*]] = arith.constant dense<16> : vector<16xi32>
// CHECK-DAG:    %[[HIGH:.*]] = arith.constant dense<-65536> : vector<16xi32>
// CHECK-DAG:    %[[EVEN:.*]] = arith.shli %[[BITS]], %[[SIXTEEN]] : vector<16xi32>
// CHECK-DAG:    %[[ODD:.*]] = arith.andi %[[BITS]], %[[HIGH]] : vector<16xi32>
// CHECK-DAG:    %[[EVENF:.*]] = vector.bitcast %[[EVEN]] : vector<16xi32> to vector<16xf32>
// CHECK-DAG:    %[[ODDF:.*]] = vector.bitcast %[[ODD]] : vector<16xi32> to vector<16xf32>
// CHECK:        %[[W:.*]] = vector.shuffle %[[EVENF]], %[[ODDF]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31] : vector<16xf32>, vector<16xf32>
// CHECK:        arith.subf %[[W]]
// CHECK:      vector.multi_reduction <add>
func.func @sum_of_squares(%x: memref<8x4096xbf16>, %mean: f32) -> vector<1xf32> {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0.0 : bf16
  %zero = arith.constant dense<0.0> : vector<32xf32>
  %init = arith.constant dense<0.0> : vector<1xf32>
  %m = vector.broadcast %mean : f32 to vector<32xf32>
  %sum = scf.for %j = %c0 to %c4096 step %c32 iter_args(%acc = %zero) -> (vector<32xf32>) {
    %v = vector.transfer_read %x[%c0, %j], %pad {in_bounds = [true]} : memref<8x4096xbf16>, vector<32xbf16>
    %w = arith.extf %v : vector<32xbf16> to vector<32xf32>
    %d = arith.subf %w, %m : vector<32xf32>
    %s = arith.mulf %d, %d : vector<32xf32>
    %a = arith.addf %acc, %s : vector<32xf32>
    scf.yield %a : vector<32xf32>
  }
  %b = vector.broadcast %sum : vector<32xf32> to vector<1x32xf32>
  %r = vector.multi_reduction <add>, %b, %init [1] : vector<1x32xf32> to vector<1xf32>
  return %r : vector<1xf32>
}

// -----

// A maximum of magnitudes, reduced by vector.reduction: rewritten too.
// CHECK-LABEL: func @max_abs
// CHECK-NOT: arith.extf
// CHECK: vector.reduction <maximumf>
func.func @max_abs(%x: memref<4096xbf16>) -> f32 {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0.0 : bf16
  %lowest = arith.constant dense<0xFF800000> : vector<32xf32>
  %max = scf.for %j = %c0 to %c4096 step %c32 iter_args(%acc = %lowest) -> (vector<32xf32>) {
    %v = vector.transfer_read %x[%j], %pad {in_bounds = [true]} : memref<4096xbf16>, vector<32xbf16>
    %w = arith.extf %v : vector<32xbf16> to vector<32xf32>
    %a = math.absf %w : vector<32xf32>
    %m = arith.maximumf %acc, %a : vector<32xf32>
    scf.yield %m : vector<32xf32>
  }
  %r = vector.reduction <maximumf>, %max : vector<32xf32> into f32
  return %r : f32
}

// -----

// Left in order: the output pass (written), a product with a lane-variant
// vector (the scale), an accumulator that is returned rather than reduced,
// and one that does not start lane-invariant.
// CHECK-LABEL: func @ordered
// CHECK-COUNT-4: arith.extf %{{.*}} : vector<32xbf16> to vector<32xf32>
// CHECK-NOT: vector.bitcast
func.func @ordered(%x: memref<4096xbf16>, %g: memref<4096xf32>, %y: memref<4096xf32>, %start: vector<32xf32>) -> (vector<32xf32>, f32, f32) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0.0 : bf16
  %padf = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<32xf32>
  scf.for %j = %c0 to %c4096 step %c32 {
    %v = vector.transfer_read %x[%j], %pad {in_bounds = [true]} : memref<4096xbf16>, vector<32xbf16>
    %w = arith.extf %v : vector<32xbf16> to vector<32xf32>
    vector.transfer_write %w, %y[%j] {in_bounds = [true]} : vector<32xf32>, memref<4096xf32>
  }
  %scaled = scf.for %j = %c0 to %c4096 step %c32 iter_args(%acc = %zero) -> (vector<32xf32>) {
    %v = vector.transfer_read %x[%j], %pad {in_bounds = [true]} : memref<4096xbf16>, vector<32xbf16>
    %gv = vector.transfer_read %g[%j], %padf {in_bounds = [true]} : memref<4096xf32>, vector<32xf32>
    %w = arith.extf %v : vector<32xbf16> to vector<32xf32>
    %p = arith.mulf %w, %gv : vector<32xf32>
    %a = arith.addf %acc, %p : vector<32xf32>
    scf.yield %a : vector<32xf32>
  }
  %r1 = vector.reduction <add>, %scaled : vector<32xf32> into f32
  %kept = scf.for %j = %c0 to %c4096 step %c32 iter_args(%acc = %zero) -> (vector<32xf32>) {
    %v = vector.transfer_read %x[%j], %pad {in_bounds = [true]} : memref<4096xbf16>, vector<32xbf16>
    %w = arith.extf %v : vector<32xbf16> to vector<32xf32>
    %a = arith.addf %acc, %w : vector<32xf32>
    scf.yield %a : vector<32xf32>
  }
  %started = scf.for %j = %c0 to %c4096 step %c32 iter_args(%acc = %start) -> (vector<32xf32>) {
    %v = vector.transfer_read %x[%j], %pad {in_bounds = [true]} : memref<4096xbf16>, vector<32xbf16>
    %w = arith.extf %v : vector<32xbf16> to vector<32xf32>
    %a = arith.addf %acc, %w : vector<32xf32>
    scf.yield %a : vector<32xf32>
  }
  %r2 = vector.reduction <add>, %started : vector<32xf32> into f32
  return %kept, %r1, %r2 : vector<32xf32>, f32, f32
}
