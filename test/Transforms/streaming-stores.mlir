// RUN: norm-opt %s --norm-streaming-stores --split-input-file | FileCheck %s
// RUN: norm-opt %s --norm-streaming-stores=min-bytes=256 --split-input-file | FileCheck %s --check-prefix=SMALL

// Full 64-byte vectors written at aligned offsets of a returned 64 MiB
// buffer become non-temporal stores.
// CHECK-LABEL: func @returned
// CHECK: vector.store %{{.*}}, %{{.*}}[%c0, %c0] {alignment = 64 : i64, nontemporal = true} : memref<1x64xf32, strided<[4096, 1], offset: ?>>, vector<64xf32>
// CHECK-NOT: vector.transfer_write
func.func @returned(%v: vector<64xf32>) -> memref<4096x4096xf32> {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c4096 = arith.constant 4096 : index
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<4096x4096xf32>
  scf.forall (%i) in (4096) {
    %row = memref.subview %alloc[%i, 0] [1, 4096] [1, 1] : memref<4096x4096xf32> to memref<1x4096xf32, strided<[4096, 1], offset: ?>>
    scf.for %j = %c0 to %c4096 step %c64 {
      %tile = memref.subview %row[0, %j] [1, 64] [1, 1] : memref<1x4096xf32, strided<[4096, 1], offset: ?>> to memref<1x64xf32, strided<[4096, 1], offset: ?>>
      vector.transfer_write %v, %tile[%c0, %c0] {in_bounds = [true]} : vector<64xf32>, memref<1x64xf32, strided<[4096, 1], offset: ?>>
    }
  }
  return %alloc : memref<4096x4096xf32>
}

// -----

// Left alone: a buffer the function does not return, an offset that breaks
// 64-byte alignment, and a result smaller than min-bytes.
// With min-bytes=256 the 256-byte result streams too.
// SMALL-LABEL: func @kept
// SMALL-COUNT-2: vector.transfer_write
// SMALL: vector.store %{{.*}}, %{{.*}}[%c0] {alignment = 64 : i64, nontemporal = true} : memref<64xf32>, vector<64xf32>
// CHECK-LABEL: func @kept
// CHECK-NOT: nontemporal
// CHECK-COUNT-3: vector.transfer_write
func.func @kept(%v: vector<64xf32>, %j: index) -> (memref<4096x4096xf32>, memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %scratch = memref.alloc() {alignment = 64 : i64} : memref<4096x4096xf32>
  vector.transfer_write %v, %scratch[%c0, %c0] {in_bounds = [true]} : vector<64xf32>, memref<4096x4096xf32>
  %result = memref.alloc() {alignment = 64 : i64} : memref<4096x4096xf32>
  vector.transfer_write %v, %result[%c0, %j] {in_bounds = [true]} : vector<64xf32>, memref<4096x4096xf32>
  %small = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  vector.transfer_write %v, %small[%c0] {in_bounds = [true]} : vector<64xf32>, memref<64xf32>
  return %result, %small : memref<4096x4096xf32>, memref<64xf32>
}
