// RUN: norm-opt %s --norm-tile-rows --convert-norm-to-linalg --canonicalize --cse --norm-vectorize=vector-size=64 --canonicalize --split-input-file | FileCheck %s
// RUN: norm-opt %s --norm-vectorize="matmul-rows=4 matmul-cols=16" --split-input-file | FileCheck %s --check-prefix=BLOCK

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

// Matmuls are tiled into 6 x 32 register blocks, column blocks outermost (a
// panel of B stays in cache), one reduction step at a time: an outer product
// of a column of A and a row of B, accumulated.
// CHECK-LABEL: func @matmul
// CHECK: scf.for {{.*}} step %c32
// CHECK:   scf.for {{.*}} step %c6
// CHECK:     scf.for {{.*}} step %c1 iter_args
// CHECK:       vector.transfer_read {{.*}} : tensor<6x1xf32>, vector<6x32x1xf32>
// CHECK:       vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<6x32x1xf32>
// CHECK:       %[[PROD:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<6x32xf32>
// CHECK:       arith.addf %{{.*}}, %[[PROD]] : vector<6x32xf32>
// BLOCK-LABEL: func @matmul
// BLOCK: scf.for {{.*}} step %c16
// BLOCK:   scf.for {{.*}} step %c4
// BLOCK:     arith.mulf %{{.*}}, %{{.*}} : vector<4x16xf32>
func.func @matmul(%a: tensor<12x128xf32>, %b: tensor<128x64xf32>, %c: tensor<12x64xf32>) -> tensor<12x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<12x128xf32>, tensor<128x64xf32>) outs(%c : tensor<12x64xf32>) -> tensor<12x64xf32>
  return %r : tensor<12x64xf32>
}
