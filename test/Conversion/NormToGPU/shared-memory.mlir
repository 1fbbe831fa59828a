// RUN: norm-opt %s --convert-norm-to-gpu -canonicalize | FileCheck %s -D'$THREADS=256' -D'$WARPS=8'
// RUN: norm-opt %s --convert-norm-to-gpu=threads-per-block=512 -canonicalize | FileCheck %s -D'$THREADS=512' -D'$WARPS=16'

// A block per row: each reduction sums within warps by shuffles, lane 0 of
// each warp stores its partial sum in shared memory, and after a barrier the
// lanes below the number of warps read one partial each (the others add 0)
// and shuffle again. LayerNorm's two reductions use separate slots ([0, 32)
// for the sum, [32, 64) for the centered squares) so that the second one's
// stores cannot overwrite partials the first one is still reading: one
// barrier per reduction, none between them.
// CHECK-LABEL: func.func @layer_block_per_row(
//       CHECK:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//       CHECK:   gpu.launch blocks({{.*}}) in ({{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c[[$THREADS]], %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c256_i32 {
//       CHECK:     %[[VIEW:.*]] = memref.view %{{.*}}[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64xf32, #gpu.address_space<workgroup>>
//   CHECK-NOT:     gpu.barrier
//       CHECK:     %[[WARP:.*]] = arith.divui %[[TX]], %c32 : index
//       CHECK:     %[[LANE:.*]] = arith.remui %[[TX]], %c32 : index
//       CHECK:     %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %c0 : index
//       CHECK:     scf.if %[[FIRST]] {
//  CHECK-NEXT:       memref.store %{{.*}}, %[[VIEW]][%[[WARP]]] : memref<64xf32, #gpu.address_space<workgroup>>
//  CHECK-NEXT:     }
//  CHECK-NEXT:     gpu.barrier
//  CHECK-NEXT:     %[[HAS:.*]] = arith.cmpi ult, %[[LANE]], %c[[$WARPS]] : index
//  CHECK-NEXT:     %{{.*}} = scf.if %[[HAS]] -> (f32) {
//  CHECK-NEXT:       %[[P:.*]] = memref.load %[[VIEW]][%[[LANE]]] : memref<64xf32, #gpu.address_space<workgroup>>
//  CHECK-NEXT:       scf.yield %[[P]] : f32
//  CHECK-NEXT:     } else {
//  CHECK-NEXT:       scf.yield %[[ZERO]] : f32
//  CHECK-NEXT:     }
//   CHECK-NOT:     gpu.barrier
//       CHECK:     %[[WARP2:.*]] = arith.divui %[[TX]], %c32 : index
//       CHECK:     %[[LANE2:.*]] = arith.remui %[[TX]], %c32 : index
//       CHECK:     %[[FIRST2:.*]] = arith.cmpi eq, %[[LANE2]], %c0 : index
//       CHECK:     scf.if %[[FIRST2]] {
//  CHECK-NEXT:       %[[SLOT2:.*]] = arith.addi %[[WARP2]], %c32 : index
//  CHECK-NEXT:       memref.store %{{.*}}, %[[VIEW]][%[[SLOT2]]] : memref<64xf32, #gpu.address_space<workgroup>>
//  CHECK-NEXT:     }
//  CHECK-NEXT:     gpu.barrier
//  CHECK-NEXT:     %[[HAS2:.*]] = arith.cmpi ult, %[[LANE2]], %c[[$WARPS]] : index
//  CHECK-NEXT:     %{{.*}} = scf.if %[[HAS2]] -> (f32) {
//  CHECK-NEXT:       %[[READ2:.*]] = arith.addi %[[LANE2]], %c32 : index
//  CHECK-NEXT:       %[[P2:.*]] = memref.load %[[VIEW]][%[[READ2]]] : memref<64xf32, #gpu.address_space<workgroup>>
//  CHECK-NEXT:       scf.yield %[[P2]] : f32
//  CHECK-NEXT:     } else {
//  CHECK-NEXT:       scf.yield %[[ZERO]] : f32
//  CHECK-NEXT:     }
//   CHECK-NOT:     gpu.barrier
//       CHECK:     gpu.terminator
func.func @layer_block_per_row(%x: tensor<?x4096xf32>) -> tensor<?x4096xf32> {
  %y = norm.layer_norm %x : tensor<?x4096xf32> -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
