// RUN: norm-opt %s --norm-tile-rows --convert-norm-to-linalg --canonicalize --cse --norm-vectorize=vector-size=64 --canonicalize --split-input-file | FileCheck %s
// RUN: norm-opt %s --norm-vectorize="matmul-rows=4 matmul-cols=16" --split-input-file | FileCheck %s --check-prefix=BLOCK
// RUN: norm-opt %s --norm-vectorize="vector-size=64 matmul-task-cols=64" --split-input-file | FileCheck %s --check-prefix=TASKS

// A row reduction keeps a vector<64xf32> accumulator across the loop and
// reduces it once; the elementwise op works on vector<64> tiles.
// CHECK-LABEL: func @rms_row
// CHECK: scf.forall
// CHECK:   scf.for %{{.*}} = %c0 to %c4096 step %c64 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x64xf32>)
// CHECK:     vector.transfer_read {{.*}} : tensor<1x64xbf16>, vector<64xbf16>
// CHECK:     arith.extf %{{.*}} : vector<64xbf16> to vector<64xf32>
// CHECK:     arith.mulf %{{.*}} : vector<64xf32>
// CHECK:     arith.addf %{{.*}} : vector<64xf32>
// CHECK:   vector.multi_reduction <add>, %{{.*}} [1] : vector<1x64xf32> to vector<1xf32>
// CHECK:   math.rsqrt %{{.*}} : vector<1xf32>
// CHECK:   scf.for %{{.*}} = %c0 to %c4096 step %c64
// CHECK:     arith.truncf %{{.*}} : vector<64xf32> to vector<64xbf16>
// CHECK:     vector.transfer_write %{{.*}} : vector<64xbf16>, tensor<1x64xbf16>
func.func @rms_row(%x: tensor<?x4096xbf16>, %g: tensor<4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rms_norm %x scale(%g : tensor<4096xbf16>) : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// -----

// Dynamic row lengths: tiles of at most 64 elements, masked.
// CHECK-LABEL: func @dynamic_row
// CHECK: vector.create_mask %{{.*}} : vector<64xi1>
// CHECK: vector.transfer_read {{.*}}, %{{.*}} {in_bounds = [true]} : tensor<1x?xf32>, vector<64xf32>
func.func @dynamic_row(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// Matmuls: each column panel of B (k x 32) is copied into a contiguous
// buffer, then tiled into 6 x 32 register blocks, one reduction step at a
// time: per step, one FMA of a broadcast element of A and the panel's row
// for each row of the block.
// CHECK-LABEL: func @matmul
// CHECK: scf.for {{.*}} step %c32
// CHECK:   %[[EMPTY:.*]] = tensor.empty() : tensor<128x32xf32>
// CHECK:   %[[PANEL:.*]] = scf.for {{.*}} to %c128 step %c1 iter_args(%{{.*}} = %[[EMPTY]])
// CHECK:     tensor.insert_slice {{.*}} : tensor<1x32xf32> into tensor<128x32xf32>
// CHECK:   scf.for {{.*}} to %c12 step %c6
// CHECK:     scf.for {{.*}} to %c128 step %c1 iter_args
// CHECK:       %[[ROW:.*]] = tensor.extract_slice %[[PANEL]]
// CHECK:       vector.transfer_read {{.*}} : tensor<6x1xf32>, vector<6x1xf32>
// CHECK:       %[[B:.*]] = vector.transfer_read %[[ROW]]{{.*}} : tensor<1x32xf32>, vector<32xf32>
// CHECK-COUNT-6: vector.fma %{{.*}}, %[[B]], %{{.*}} : vector<32xf32>
// BLOCK-LABEL: func @matmul
// BLOCK: scf.for {{.*}} step %c16
// BLOCK:   scf.for {{.*}} step %c4
// BLOCK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
func.func @matmul(%a: tensor<12x128xf32>, %b: tensor<128x64xf32>, %c: tensor<12x64xf32>) -> tensor<12x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<12x128xf32>, tensor<128x64xf32>) outs(%c : tensor<12x64xf32>) -> tensor<12x64xf32>
  return %r : tensor<12x64xf32>
}

// -----

// With tasks (matmul-task-cols, as norm-lower-to-cpu sets with parallel):
// an scf.forall over 64-column tasks. Loops whose step does not divide their
// range are peeled: full panels (256 x 32) and register blocks (6 rows) are
// static and unmasked; the row tail (dynamic M), the column tail (tasks of
// 80 - 64 columns) and the depth tail (300 - 256) are masked or smaller.
// TASKS-LABEL: func @matmul_tails
// TASKS: scf.forall {{.*}} = (0) to (80) step (64)
// TASKS:   scf.for {{.*}} step %c32
// TASKS:     tensor.empty() : tensor<256x32xf32>
// TASKS:     scf.for {{.*}} step %c6
// TASKS:       scf.for {{.*}} to %c256 step %c1
// TASKS-NOT:     vector.create_mask
// TASKS-COUNT-6: vector.fma {{.*}} : vector<32xf32>
// TASKS:     scf.for {{.*}} step %c6
// TASKS:       vector.create_mask %{{.*}}, %c32 : vector<8x32xi1>
// TASKS:   scf.for {{.*}} step %c32
// TASKS:     tensor.empty(%{{.*}}) : tensor<256x?xf32>
// TASKS:   tensor.empty() : tensor<44x32xf32>
func.func @matmul_tails(%a: tensor<?x300xf32>, %b: tensor<300x80xf32>, %c: tensor<?x80xf32>) -> tensor<?x80xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x300xf32>, tensor<300x80xf32>) outs(%c : tensor<?x80xf32>) -> tensor<?x80xf32>
  return %r : tensor<?x80xf32>
}
