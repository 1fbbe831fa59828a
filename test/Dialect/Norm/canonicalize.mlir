// RUN: norm-opt %s --canonicalize --split-input-file | FileCheck %s

// Axes become non-negative and sorted; the op is otherwise unchanged.
// CHECK-LABEL: func @canonical_axes
func.func @canonical_axes(%x: tensor<2x3x4xf32>, %g: tensor<2x4xf32>) -> tensor<2x3x4xf32> {
  // CHECK: norm.rms_norm %{{.*}} scale(%{{.*}} : tensor<2x4xf32>) {axes = array<i64: 0, 2>}
  %y = norm.rms_norm %x scale(%g : tensor<2x4xf32>) {axes = array<i64: -1, 0>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// The default axes [-1] canonicalize to the last dim.
// CHECK-LABEL: func @default_axes
func.func @default_axes(%x: tensor<?x16xbf16>) -> (tensor<?x16xbf16>, tensor<?x1xf32>, tensor<?x1xf32>) {
  // CHECK: norm.layer_norm %{{.*}} {axes = array<i64: 1>} : tensor<?x16xbf16>
  %y, %m, %s = norm.layer_norm %x : tensor<?x16xbf16> -> tensor<?x16xbf16>, tensor<?x1xf32>, tensor<?x1xf32>
  return %y, %m, %s : tensor<?x16xbf16>, tensor<?x1xf32>, tensor<?x1xf32>
}

// -----

// residual_scale = 1: the residual's gradient is the input's.
// CHECK-LABEL: func @unit_residual_grad
// CHECK: %[[DX:.*]], %{{.*}} = norm.add_rms_norm_grad
// CHECK: return %[[DX]], %[[DX]]
func.func @unit_residual_grad(%dy: tensor<4x8xf32>, %s: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %dx, %dr = norm.add_rms_norm_grad %dy, %s {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4x8xf32>
  return %dx, %dr : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Any other scale: both are returned.
// CHECK-LABEL: func @scaled_residual_grad
// CHECK: %[[DX:.*]], %[[DR:.*]] = norm.add_layer_norm_grad
// CHECK: return %[[DX]], %[[DR]]
func.func @scaled_residual_grad(%dy: tensor<4x8xf32>, %s: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %dx, %dr = norm.add_layer_norm_grad %dy, %s {axes = array<i64: 1>, residual_scale = 2.0 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4x8xf32>
  return %dx, %dr : tensor<4x8xf32>, tensor<4x8xf32>
}
