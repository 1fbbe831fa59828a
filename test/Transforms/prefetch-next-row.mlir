// RUN: norm-opt %s --norm-prefetch-next-row --split-input-file | FileCheck %s
// RUN: norm-opt %s --norm-prefetch-next-row=every-pass-below=16385 --split-input-file | FileCheck %s --check-prefix=EVERY
// RUN: not norm-opt %s --norm-prefetch-next-row=every-pass-below=-1 --split-input-file 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// NEGATIVE: every-pass-below must be >= 0 bytes, got -1

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

// -----

// Rows of 16 KiB with a statistics pass and an output pass: only the output
// pass (the loop that writes) prefetches the next row, into L2
// (locality<2>); with every-pass-below above the row's bytes, both passes
// do, into L1.
// CHECK-LABEL: func @long_rows
// CHECK: scf.forall
// CHECK:   scf.for
// CHECK-NOT:  memref.prefetch
// CHECK:      vector.transfer_read
// CHECK:   scf.for
// CHECK-COUNT-4: memref.prefetch {{.*}}, read, locality<2>, data
// CHECK:      vector.transfer_read
// CHECK:      vector.transfer_write
// EVERY-LABEL: func @long_rows
// EVERY-COUNT-4: memref.prefetch {{.*}}, read, locality<3>, data
// EVERY:      vector.transfer_read
// EVERY-COUNT-4: memref.prefetch {{.*}}, read, locality<3>, data
// EVERY:      vector.transfer_read
// EVERY:      vector.transfer_write
func.func @long_rows(%x: memref<64x4096xf32>, %y: memref<64x4096xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c4096 = arith.constant 4096 : index
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<64xf32>
  scf.forall (%i) in (64) {
    %row = memref.subview %x[%i, 0] [1, 4096] [1, 1] : memref<64x4096xf32> to memref<1x4096xf32, strided<[4096, 1], offset: ?>>
    %out = memref.subview %y[%i, 0] [1, 4096] [1, 1] : memref<64x4096xf32> to memref<1x4096xf32, strided<[4096, 1], offset: ?>>
    %sum = scf.for %j = %c0 to %c4096 step %c64 iter_args(%acc = %zero) -> (vector<64xf32>) {
      %v = vector.transfer_read %row[%c0, %j], %pad {in_bounds = [true]} : memref<1x4096xf32, strided<[4096, 1], offset: ?>>, vector<64xf32>
      %s = arith.addf %acc, %v : vector<64xf32>
      scf.yield %s : vector<64xf32>
    }
    scf.for %j = %c0 to %c4096 step %c64 {
      %v = vector.transfer_read %row[%c0, %j], %pad {in_bounds = [true]} : memref<1x4096xf32, strided<[4096, 1], offset: ?>>, vector<64xf32>
      %s = arith.mulf %sum, %v : vector<64xf32>
      vector.transfer_write %s, %out[%c0, %j] {in_bounds = [true]} : vector<64xf32>, memref<1x4096xf32, strided<[4096, 1], offset: ?>>
    }
  }
  return
}

// -----

// Rows of 4 KiB (below every-pass-below's 8 KiB): every pass prefetches.
// CHECK-LABEL: func @short_rows
// CHECK: scf.for
// CHECK-COUNT-4: memref.prefetch
// CHECK:   vector.transfer_read
// CHECK: scf.for
// CHECK-COUNT-4: memref.prefetch
// CHECK:   vector.transfer_read
// CHECK:   vector.transfer_write
func.func @short_rows(%x: memref<64x1024xf32>, %y: memref<64x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c1024 = arith.constant 1024 : index
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<64xf32>
  scf.forall (%i) in (64) {
    %sum = scf.for %j = %c0 to %c1024 step %c64 iter_args(%acc = %zero) -> (vector<64xf32>) {
      %v = vector.transfer_read %x[%i, %j], %pad {in_bounds = [true]} : memref<64x1024xf32>, vector<64xf32>
      %s = arith.addf %acc, %v : vector<64xf32>
      scf.yield %s : vector<64xf32>
    }
    scf.for %j = %c0 to %c1024 step %c64 {
      %v = vector.transfer_read %x[%i, %j], %pad {in_bounds = [true]} : memref<64x1024xf32>, vector<64xf32>
      %s = arith.mulf %sum, %v : vector<64xf32>
      vector.transfer_write %s, %y[%i, %j] {in_bounds = [true]} : vector<64xf32>, memref<64x1024xf32>
    }
  }
  return
}
