// RUN: norm-opt %s --norm-prefetch-next-row --split-input-file | FileCheck %s

// A 64 x f32 read of row %i of an argument prefetches the same 256 bytes
// (four 64-byte lines) of row %i + 1.
// CHECK-LABEL: func @row_reads
// CHECK-SAME: %[[X:.*]]: memref<4096x4096xf32>
// CHECK: scf.forall (%[[I:.*]]) in (4096)
// CHECK:   scf.for %[[J:.*]] = %c0 to %c4096 step %c64
// CHECK-DAG:  %[[NEXT:.*]] = arith.addi %{{.*}}, %c1{{.*}} : index
// CHECK-COUNT-4: memref.prefetch %[[X]][%[[NEXT]], %{{.*}}], read, locality<3>, data : memref<4096x4096xf32>
// CHECK:     vector.transfer_read
func.func @row_reads(%x: memref<4096x4096xf32>) -> vector<64xf32> {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<64xf32>
  %out = memref.alloca() : memref<vector<64xf32>>
  scf.forall (%i) in (4096) {
    %row = memref.subview %x[%i, 0] [1, 4096] [1, 1] : memref<4096x4096xf32> to memref<1x4096xf32, strided<[4096, 1], offset: ?>>
    %sum = scf.for %j = %c0 to %c4096 step %c64 iter_args(%acc = %zero) -> (vector<64xf32>) {
      %tile = memref.subview %row[0, %j] [1, 64] [1, 1] : memref<1x4096xf32, strided<[4096, 1], offset: ?>> to memref<1x64xf32, strided<[4096, 1], offset: ?>>
      %v = vector.transfer_read %tile[%c0, %c0], %pad {in_bounds = [true]} : memref<1x64xf32, strided<[4096, 1], offset: ?>>, vector<64xf32>
      %s = arith.addf %acc, %v : vector<64xf32>
      scf.yield %s : vector<64xf32>
    }
    memref.store %sum, %out[] : memref<vector<64xf32>>
  }
  %r = memref.load %out[] : memref<vector<64xf32>>
  return %r : vector<64xf32>
}

// -----

// Left alone: rank-1 arguments and reads of local buffers.
// CHECK-LABEL: func @not_rows
// CHECK-NOT: memref.prefetch
func.func @not_rows(%g: memref<4096xf32>) -> vector<64xf32> {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<64xf32>
  %local = memref.alloc() : memref<8x64xf32>
  %sum = scf.for %j = %c0 to %c64 step %c64 iter_args(%acc = %zero) -> (vector<64xf32>) {
    %a = vector.transfer_read %g[%j], %pad {in_bounds = [true]} : memref<4096xf32>, vector<64xf32>
    %b = vector.transfer_read %local[%c0, %j], %pad {in_bounds = [true]} : memref<8x64xf32>, vector<64xf32>
    %s = arith.addf %a, %b : vector<64xf32>
    scf.yield %s : vector<64xf32>
  }
  return %sum : vector<64xf32>
}
