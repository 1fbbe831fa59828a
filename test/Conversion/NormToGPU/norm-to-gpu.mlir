// RUN: norm-opt %s --convert-norm-to-gpu -canonicalize -split-input-file | FileCheck %s

// Long rows: one block of 256 threads per row; 4096 f32 = 4 float4 per
// thread kept in registers; warps combine through shared memory.
// CHECK-LABEL: func.func @block_per_row(
//  CHECK-SAME:   %[[X:.*]]: tensor<?x4096xf32>, %[[G:.*]]: tensor<4096xf32>)
//       CHECK:   %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
//       CHECK:   %[[GB:.*]] = bufferization.to_buffer %[[G]] read_only
//       CHECK:   %[[ROWS:.*]] = tensor.dim %[[X]], %c0
//       CHECK:   %[[OUT:.*]] = memref.alloc(%{{.*}}) : memref<?x4096xf32>
//       CHECK:   scf.if
//       CHECK:     gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ROWS]], %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[LANE:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c256_i32
//       CHECK:       gpu.dynamic_shared_memory
//       CHECK:       memref.view {{.*}} to memref<64xf32, #gpu.address_space<workgroup>>
//   CHECK-COUNT-4:   vector.load %[[XB]][%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<?x4096xf32>, vector<4xf32>
//       CHECK:       vector.reduction <add>
//   CHECK-COUNT-5:   gpu.shuffle  xor
//       CHECK:       gpu.barrier
//   CHECK-COUNT-5:   gpu.shuffle  xor
//       CHECK:       math.rsqrt %{{.*}} : f32
//       CHECK:       vector.load %[[GB]]
//       CHECK:       vector.store %{{.*}}, %[[OUT]][%[[ROW]], %{{.*}}] {alignment = 16 : i64}
//       CHECK:   bufferization.to_tensor %[[OUT]] restrict writable
func.func @block_per_row(%x: tensor<?x4096xf32>, %g: tensor<4096xf32>) -> tensor<?x4096xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<4096xf32>) : tensor<?x4096xf32> -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}

// -----

// Short rows: a warp per row, 8 rows per block; 128 bf16 are half a chunk of
// 32 lanes x 8 elements, so the upper lanes are masked. LayerNorm: a mean,
// then a centered sum over the registers; statistics written by lane 0.
// CHECK-LABEL: func.func @warp_per_row(
//       CHECK:   %[[MEAN:.*]] = memref.alloc() : memref<80x1xf32>
//       CHECK:   %[[MEANROWS:.*]] = memref.collapse_shape %[[MEAN]] {{\[\[}}0, 1]] : memref<80x1xf32> into memref<80xf32>
//       CHECK:   gpu.launch blocks({{.*}}) in ({{.*}} = %c10, {{.*}} = %c1, {{.*}} = %c1) threads(%[[LANE:.*]], %[[WARP:.*]], %{{.*}}) in ({{.*}} = %c32, {{.*}} = %c8, {{.*}} = %c1) {
//   CHECK-NOT:     gpu.barrier
//       CHECK:     %[[INROW:.*]] = arith.cmpi ult, %{{.*}}, %c80
//       CHECK:     scf.if %[[INROW]] {
//       CHECK:       %[[INRANGE:.*]] = arith.cmpi ult, %{{.*}}, %c128
//       CHECK:       scf.if %[[INRANGE]] -> (vector<8xbf16>)
//       CHECK:         vector.load {{.*}} {alignment = 16 : i64} : memref<80x128xbf16>, vector<8xbf16>
//       CHECK:       arith.extf {{.*}} : vector<8xbf16> to vector<8xf32>
//   CHECK-COUNT-5:   gpu.shuffle  xor
//       CHECK:       arith.subf
//       CHECK:       arith.select %[[INRANGE]]
//   CHECK-COUNT-5:   gpu.shuffle  xor
//   CHECK-NOT:       gpu.barrier
//       CHECK:       arith.truncf {{.*}} : vector<8xf32> to vector<8xbf16>
//       CHECK:       memref.store %{{.*}}, %[[MEANROWS]]
func.func @warp_per_row(%x: tensor<80x128xbf16>, %g: tensor<128xbf16>, %b: tensor<128xbf16>) -> (tensor<80x128xbf16>, tensor<80x1xf32>, tensor<80x1xf32>) {
  %y, %m, %r = norm.layer_norm %x scale(%g : tensor<128xbf16>) bias(%b : tensor<128xbf16>) : tensor<80x128xbf16> -> tensor<80x128xbf16>, tensor<80x1xf32>, tensor<80x1xf32>
  return %y, %m, %r : tensor<80x128xbf16>, tensor<80x1xf32>, tensor<80x1xf32>
}

// -----

// Rows of dynamic length are streamed with scalar loads (alignment unknown).
// CHECK-LABEL: func.func @dynamic_features(
//       CHECK:   gpu.launch
//       CHECK:     scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c256 iter_args(%{{.*}} = %{{.*}}) -> (vector<1xf32>)
//       CHECK:       vector.load {{.*}} : memref<?x?xf16>, vector<1xf16>
//       CHECK:     scf.for
//       CHECK:       vector.store {{.*}} : memref<?x?xf16>, vector<1xf16>
func.func @dynamic_features(%x: tensor<?x?xf16>) -> tensor<?x?xf16> {
  %y = norm.rms_norm %x : tensor<?x?xf16> -> tensor<?x?xf16>
  return %y : tensor<?x?xf16>
}

// -----

// Several trailing axes form one row; a parameter broadcast along one of
// them is materialized, one broadcast along all is a scalar; the
// per-feature epsilon is loaded with the row.
// CHECK-LABEL: func.func @multi_axis(
//       CHECK:   %[[FULL:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<1x64xf32>) outs(%{{.*}} : tensor<8x64xf32>)
//       CHECK:   %[[SB:.*]] = bufferization.to_buffer %[[FULL]] read_only
//       CHECK:   memref.collapse_shape %[[SB]] {{\[\[}}0, 1]] : memref<8x64xf32> into memref<512xf32>
//       CHECK:   memref.collapse_shape %{{.*}} {{\[\[}}0, 1]] : memref<1x1xf32> into memref<1xf32>
//       CHECK:   gpu.launch
//       CHECK:     memref.load %{{.*}}[%c0] : memref<1xf32>
func.func @multi_axis(%x: tensor<2x8x64xf32>, %g: tensor<1x64xf32>, %b: tensor<1x1xf32>, %e: tensor<8x64xf32>) -> tensor<2x8x64xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<1x64xf32>) bias(%b : tensor<1x1xf32>) feature_epsilon(%e : tensor<8x64xf32>) {axes = array<i64: 1, 2>} : tensor<2x8x64xf32> -> tensor<2x8x64xf32>
  return %y : tensor<2x8x64xf32>
}

// -----

// f16 compute: shuffles move 32 bits, so partial sums travel as f32; a bf16
// parameter reaches f16 through f32 (neither half type extends the other).
// CHECK-LABEL: func.func @half_compute(
//       CHECK:   gpu.launch
//       CHECK:     %[[E:.*]] = arith.extf %{{.*}} : f16 to f32
//  CHECK-NEXT:     %[[S:.*]], %{{.*}} = gpu.shuffle  xor %[[E]], %c16_i32, %c32_i32 : f32
//  CHECK-NEXT:     arith.truncf %[[S]] : f32 to f16
//   CHECK-COUNT-4:   gpu.shuffle  xor %{{.*}} : f32
//       CHECK:     %[[B32:.*]] = arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
//  CHECK-NEXT:     arith.truncf %[[B32]] : vector<8xf32> to vector<8xf16>
func.func @half_compute(%x: tensor<80x128xf16>, %b: tensor<128xbf16>) -> tensor<80x128xf16> {
  %y = norm.rms_norm %x bias(%b : tensor<128xbf16>) {compute_type = f16} : tensor<80x128xf16> -> tensor<80x128xf16>
  return %y : tensor<80x128xf16>
}
