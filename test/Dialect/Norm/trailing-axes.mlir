// RUN: norm-opt %s -norm-trailing-axes -split-input-file | FileCheck %s

// Axes [0, 2] of a 3-D tensor: kept dim 1 first, then the normalized axes in
// increasing order; the parameters are unchanged; output and statistics are
// transposed back by the inverse permutation (its own inverse here).
// CHECK-LABEL: func.func @leading_and_trailing(
//  CHECK-SAME:   %[[X:.*]]: tensor<2x?x8xf32>, %[[G:.*]]: tensor<2x1xf32>)
//       CHECK:   %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<2x?x8xf32>) outs(%{{.*}} : tensor<?x2x8xf32>) permutation = [1, 0, 2]
//       CHECK:   %[[Y:.*]], %[[S:.*]] = norm.rms_norm %[[T]] scale(%[[G]] : tensor<2x1xf32>) {axes = array<i64: 1, 2>} : tensor<?x2x8xf32> -> tensor<?x2x8xf32>, tensor<?x1x1xf32>
//       CHECK:   %[[YB:.*]] = linalg.transpose ins(%[[Y]] : tensor<?x2x8xf32>) outs(%{{.*}} : tensor<2x?x8xf32>) permutation = [1, 0, 2]
//       CHECK:   %[[SB:.*]] = linalg.transpose ins(%[[S]] : tensor<?x1x1xf32>) outs(%{{.*}} : tensor<1x?x1xf32>) permutation = [1, 0, 2]
//       CHECK:   return %[[YB]], %[[SB]]
func.func @leading_and_trailing(%x: tensor<2x?x8xf32>, %g: tensor<2x1xf32>) -> (tensor<2x?x8xf32>, tensor<1x?x1xf32>) {
  %y, %r = norm.rms_norm %x scale(%g : tensor<2x1xf32>) {axes = array<i64: 0, 2>} : tensor<2x?x8xf32> -> tensor<2x?x8xf32>, tensor<1x?x1xf32>
  return %y, %r : tensor<2x?x8xf32>, tensor<1x?x1xf32>
}

// -----

// A middle axis of a LayerNorm: permutation [0, 2, 1], inverse [0, 2, 1];
// epsilon, compute type and bias are kept.
// CHECK-LABEL: func.func @middle_axis(
//       CHECK:   linalg.transpose {{.*}} permutation = [0, 2, 1]
//       CHECK:   norm.layer_norm %{{.*}} bias(%{{.*}} : tensor<4xf16>) {axes = array<i64: 2>, compute_type = f64, epsilon = 1.000000e-03 : f64} : tensor<3x5x4xf16> -> tensor<3x5x4xf16>
//       CHECK:   linalg.transpose {{.*}} permutation = [0, 2, 1]
func.func @middle_axis(%x: tensor<3x4x5xf16>, %b: tensor<4xf16>) -> tensor<3x4x5xf16> {
  %y = norm.layer_norm %x bias(%b : tensor<4xf16>) {axes = array<i64: 1>, epsilon = 1.0e-3 : f64, compute_type = f64} : tensor<3x4x5xf16> -> tensor<3x4x5xf16>
  return %y : tensor<3x4x5xf16>
}

// -----

// Trailing axes already (negative or not): unchanged.
// CHECK-LABEL: func.func @already_trailing(
//   CHECK-NOT:   linalg.transpose
//       CHECK:   norm.rms_norm %{{.*}} {axes = array<i64: -2, -1>}
func.func @already_trailing(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %y = norm.rms_norm %x {axes = array<i64: -2, -1>} : tensor<3x4x5xf32> -> tensor<3x4x5xf32>
  return %y : tensor<3x4x5xf32>
}
