// RUN: norm-opt %s -norm-gpu-tile-parallel-loops=block-size=128 -sccp -cse | FileCheck %s
// RUN: not norm-opt %s -norm-gpu-tile-parallel-loops=block-size=0 2>&1 | FileCheck %s --check-prefix=SIZE

// SIZE: error: block-size must be in [1, 1024], got 0

// A 3-D loop: the two outer dims fold into one, the innermost is split into
// blocks of 128 with constant inner bounds and a guard.
// CHECK-LABEL: func.func @transpose_like(
//   CHECK-DAG:   %[[C0:.*]] = arith.constant 0 : index
//   CHECK-DAG:   %[[C1:.*]] = arith.constant 1 : index
//   CHECK-DAG:   %[[C128:.*]] = arith.constant 128 : index
//       CHECK:   scf.parallel (%{{.*}}, %{{.*}}) = (%[[C0]], %[[C0]]) to (%{{.*}}, %{{.*}}) step (%[[C1]], %[[C128]]) {
//       CHECK:     scf.parallel (%{{.*}}, %{{.*}}) = (%[[C0]], %[[C0]]) to (%[[C1]], %[[C128]]) step (%[[C1]], %[[C1]]) {
//       CHECK:       scf.if
//       CHECK:         memref.store
func.func @transpose_like(%in: memref<?x?x?xf32>, %out: memref<?x?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %d0 = memref.dim %in, %c0 : memref<?x?x?xf32>
  %d1 = memref.dim %in, %c1 : memref<?x?x?xf32>
  %d2 = memref.dim %in, %c2 : memref<?x?x?xf32>
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%d0, %d1, %d2) step (%c1, %c1, %c1) {
    %v = memref.load %in[%i, %j, %k] : memref<?x?x?xf32>
    memref.store %v, %out[%j, %i, %k] : memref<?x?x?xf32>
    scf.reduce
  }
  return
}
