// RUN: norm-opt %s --norm-tile-rows --split-input-file | FileCheck %s
// RUN: norm-opt %s --norm-tile-rows=min-task-bytes=65536 --split-input-file | FileCheck %s --check-prefix=TASKS
// RUN: norm-opt %s --norm-tile-rows=inner-tile=8 --split-input-file | FileCheck %s --check-prefix=INNER

// One row per forall iteration; the tile is a norm op on that row.
// CHECK-LABEL: func @rows
// CHECK: scf.forall (%[[I:.*]]) in (%{{.*}})
// CHECK:   %[[ROW:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [1, 4096] [1, 1] : tensor<?x4096xbf16> to tensor<1x4096xbf16>
// CHECK:   norm.rms_norm %[[ROW]] scale(%{{.*}} : tensor<4096xbf16>) : tensor<1x4096xbf16> -> tensor<1x4096xbf16>, tensor<1x1xf32>
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice
// CHECK:     tensor.parallel_insert_slice
// With min-task-bytes, a forall iteration is a chunk of 65536 / (2 * 2 bytes
// * 4096) = 4 rows, walked one at a time.
// TASKS-LABEL: func @rows
// TASKS: scf.forall (%{{.*}}) = (0) to (%{{.*}}) step (4)
// TASKS:   scf.for
// TASKS:     norm.rms_norm %{{.*}} : tensor<1x4096xbf16>
func.func @rows(%x: tensor<?x4096xbf16>, %g: tensor<4096xbf16>) -> (tensor<?x4096xbf16>, tensor<?x1xf32>) {
  %y, %s = norm.rms_norm %x scale(%g : tensor<4096xbf16>) : tensor<?x4096xbf16> -> tensor<?x4096xbf16>, tensor<?x1xf32>
  return %y, %s : tensor<?x4096xbf16>, tensor<?x1xf32>
}

// -----

// Normalized axes not trailing: the innermost dim is tiled by inner-tile (16)
// so that vectors run along contiguous memory.
// CHECK-LABEL: func @non_trailing
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (2, 37) step (1, 16)
// INNER-LABEL: func @non_trailing
// INNER: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (2, 37) step (1, 8)
// CHECK:   norm.layer_norm %{{.*}} {axes = array<i64: 1>} : tensor<1x100x?xf32>
func.func @non_trailing(%x: tensor<2x100x37xf32>) -> tensor<2x100x37xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2x100x37xf32> -> tensor<2x100x37xf32>
  return %y : tensor<2x100x37xf32>
}

// -----

// Statically empty inputs and ops normalizing every axis are left alone.
// CHECK-LABEL: func @untouched
// CHECK-NOT: scf.forall
// CHECK: norm.rms_norm %{{.*}} : tensor<0x8xf32>
// CHECK: norm.rms_norm %{{.*}} {axes = array<i64: 0, 1>} : tensor<4x8xf32>
func.func @untouched(%e: tensor<0x8xf32>, %x: tensor<4x8xf32>) -> (tensor<0x8xf32>, tensor<4x8xf32>) {
  %a = norm.rms_norm %e : tensor<0x8xf32> -> tensor<0x8xf32>
  %b = norm.rms_norm %x {axes = array<i64: 0, 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %a, %b : tensor<0x8xf32>, tensor<4x8xf32>
}
