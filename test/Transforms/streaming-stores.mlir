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

// -----

// A returned buffer read back in the loop nest that writes it (a fused
// residual op's sum, read by the row's statistics and output passes) keeps
// ordinary stores: non-temporal ones would send the row to memory before
// it is read. Read by a later loop nest (a norm after an unfused add), it
// streams: that read comes from memory either way.
// CHECK-LABEL: func @read_back
// CHECK: scf.forall
// CHECK-NEXT: vector.transfer_write
// CHECK-NEXT: vector.transfer_read
// CHECK: scf.forall
// CHECK-NEXT: vector.store {{.*}}nontemporal = true
// CHECK: scf.forall
// CHECK-NEXT: vector.transfer_read
func.func @read_back(%v: vector<64xf32>, %out: memref<64xf32>) -> (memref<4096x4096xf32>, memref<4096x4096xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %sum = memref.alloc() {alignment = 64 : i64} : memref<4096x4096xf32>
  scf.forall (%i) in (4096) {
    vector.transfer_write %v, %sum[%i, %c0] {in_bounds = [true]} : vector<64xf32>, memref<4096x4096xf32>
    %r = vector.transfer_read %sum[%i, %c0], %pad {in_bounds = [true]} : memref<4096x4096xf32>, vector<64xf32>
    vector.transfer_write %r, %out[%c0] {in_bounds = [true]} : vector<64xf32>, memref<64xf32>
  }
  %later = memref.alloc() {alignment = 64 : i64} : memref<4096x4096xf32>
  scf.forall (%i) in (4096) {
    vector.transfer_write %v, %later[%i, %c0] {in_bounds = [true]} : vector<64xf32>, memref<4096x4096xf32>
  }
  scf.forall (%i) in (4096) {
    %r = vector.transfer_read %later[%i, %c0], %pad {in_bounds = [true]} : memref<4096x4096xf32>, vector<64xf32>
    vector.transfer_write %r, %out[%c0] {in_bounds = [true]} : vector<64xf32>, memref<64xf32>
  }
  return %sum, %later : memref<4096x4096xf32>, memref<4096x4096xf32>
}
