// RUN: norm-opt %s --verify-roundtrip | FileCheck %s
// RUN: norm-opt %s --mlir-print-op-generic | norm-opt | FileCheck %s

// CHECK-LABEL: func @rms_default
func.func @rms_default(%x: tensor<8x128xf32>) -> tensor<8x128xf32> {
  // CHECK: norm.rms_norm %{{.*}} : tensor<8x128xf32> -> tensor<8x128xf32>
  %y = norm.rms_norm %x : tensor<8x128xf32> -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}

// CHECK-LABEL: func @rms_dynamic_scale_bf16
func.func @rms_dynamic_scale_bf16(%x: tensor<?x?x4096xbf16>, %g: tensor<4096xbf16>) -> tensor<?x?x4096xbf16> {
  // CHECK: norm.rms_norm %{{.*}} scale(%{{.*}} : tensor<4096xbf16>) : tensor<?x?x4096xbf16> -> tensor<?x?x4096xbf16>
  %y = norm.rms_norm %x scale(%g : tensor<4096xbf16>) : tensor<?x?x4096xbf16> -> tensor<?x?x4096xbf16>
  return %y : tensor<?x?x4096xbf16>
}

// CHECK-LABEL: func @rms_all_options_f16
func.func @rms_all_options_f16(%x: tensor<4x?x64xf16>, %g: tensor<1x64xf32>, %b: tensor<?x64xf16>) -> tensor<4x?x64xf16> {
  // CHECK: norm.rms_norm %{{.*}} scale(%{{.*}} : tensor<1x64xf32>) bias(%{{.*}} : tensor<?x64xf16>) {axes = array<i64: -2, -1>, compute_type = f64, epsilon = 1.000000e-03 : f64}
  %y = norm.rms_norm %x scale(%g : tensor<1x64xf32>) bias(%b : tensor<?x64xf16>) {axes = array<i64: -2, -1>, epsilon = 1.0e-3 : f64, compute_type = f64} : tensor<4x?x64xf16> -> tensor<4x?x64xf16>
  return %y : tensor<4x?x64xf16>
}

// CHECK-LABEL: func @rms_feature_epsilon
func.func @rms_feature_epsilon(%x: tensor<2x16xf32>, %e: tensor<16xf32>) -> tensor<2x16xf32> {
  // CHECK: norm.rms_norm %{{.*}} feature_epsilon(%{{.*}} : tensor<16xf32>)
  %y = norm.rms_norm %x feature_epsilon(%e : tensor<16xf32>) : tensor<2x16xf32> -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// CHECK-LABEL: func @rms_statistics
func.func @rms_statistics(%x: tensor<?x8x32xbf16>) -> (tensor<?x8x32xbf16>, tensor<?x1x1xf32>) {
  // CHECK: %{{.*}}, %{{.*}} = norm.rms_norm %{{.*}} {axes = array<i64: 1, 2>} : tensor<?x8x32xbf16> -> tensor<?x8x32xbf16>, tensor<?x1x1xf32>
  %y, %inv_rms = norm.rms_norm %x {axes = array<i64: 1, 2>} : tensor<?x8x32xbf16> -> tensor<?x8x32xbf16>, tensor<?x1x1xf32>
  return %y, %inv_rms : tensor<?x8x32xbf16>, tensor<?x1x1xf32>
}

// CHECK-LABEL: func @rms_f64
func.func @rms_f64(%x: tensor<3xf64>) -> (tensor<3xf64>, tensor<1xf64>) {
  // CHECK: norm.rms_norm %{{.*}} : tensor<3xf64> -> tensor<3xf64>, tensor<1xf64>
  %y, %s = norm.rms_norm %x : tensor<3xf64> -> tensor<3xf64>, tensor<1xf64>
  return %y, %s : tensor<3xf64>, tensor<1xf64>
}

// CHECK-LABEL: func @layer_affine
func.func @layer_affine(%x: tensor<?x768xf16>, %g: tensor<768xf16>, %b: tensor<768xf16>) -> tensor<?x768xf16> {
  // CHECK: norm.layer_norm %{{.*}} scale(%{{.*}} : tensor<768xf16>) bias(%{{.*}} : tensor<768xf16>) : tensor<?x768xf16> -> tensor<?x768xf16>
  %y = norm.layer_norm %x scale(%g : tensor<768xf16>) bias(%b : tensor<768xf16>) : tensor<?x768xf16> -> tensor<?x768xf16>
  return %y : tensor<?x768xf16>
}

// CHECK-LABEL: func @layer_statistics_non_trailing
func.func @layer_statistics_non_trailing(%x: tensor<2x3x4x5xf32>, %g: tensor<2x4xf32>) -> (tensor<2x3x4x5xf32>, tensor<1x3x1x5xf32>, tensor<1x3x1x5xf32>) {
  // CHECK: norm.layer_norm %{{.*}} scale(%{{.*}} : tensor<2x4xf32>) {axes = array<i64: 0, 2>, epsilon = 0.000000e+00 : f64}
  %y, %mean, %inv_std = norm.layer_norm %x scale(%g : tensor<2x4xf32>) {axes = array<i64: 0, 2>, epsilon = 0.0 : f64} : tensor<2x3x4x5xf32> -> tensor<2x3x4x5xf32>, tensor<1x3x1x5xf32>, tensor<1x3x1x5xf32>
  return %y, %mean, %inv_std : tensor<2x3x4x5xf32>, tensor<1x3x1x5xf32>, tensor<1x3x1x5xf32>
}

// CHECK-LABEL: func @layer_empty_feature_epsilon
func.func @layer_empty_feature_epsilon(%x: tensor<0x32xbf16>, %e: tensor<32xbf16>) -> tensor<0x32xbf16> {
  // CHECK: norm.layer_norm %{{.*}} feature_epsilon(%{{.*}} : tensor<32xbf16>) {compute_type = f32}
  %y = norm.layer_norm %x feature_epsilon(%e : tensor<32xbf16>) {compute_type = f32} : tensor<0x32xbf16> -> tensor<0x32xbf16>
  return %y : tensor<0x32xbf16>
}

// CHECK-LABEL: func @layer_same_compute_type
func.func @layer_same_compute_type(%x: tensor<4x8xf16>) -> (tensor<4x8xf16>, tensor<4x1xf16>, tensor<4x1xf16>) {
  // CHECK: norm.layer_norm %{{.*}} {compute_type = f16} : tensor<4x8xf16> -> tensor<4x8xf16>, tensor<4x1xf16>, tensor<4x1xf16>
  %y, %m, %s = norm.layer_norm %x {compute_type = f16} : tensor<4x8xf16> -> tensor<4x8xf16>, tensor<4x1xf16>, tensor<4x1xf16>
  return %y, %m, %s : tensor<4x8xf16>, tensor<4x1xf16>, tensor<4x1xf16>
}

// CHECK-LABEL: func @rms_norm_grad
// CHECK: norm.rms_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<4096xbf16>) : tensor<?x4096xbf16> -> tensor<?x4096xbf16>, tensor<4096xbf16>
func.func @rms_norm_grad(%dy: tensor<?x4096xbf16>, %x: tensor<?x4096xbf16>, %g: tensor<4096xbf16>) -> (tensor<?x4096xbf16>, tensor<4096xbf16>) {
  %dx, %dg = norm.rms_norm_grad %dy, %x scale(%g : tensor<4096xbf16>) : tensor<?x4096xbf16> -> tensor<?x4096xbf16>, tensor<4096xbf16>
  return %dx, %dg : tensor<?x4096xbf16>, tensor<4096xbf16>
}

// CHECK-LABEL: func @layer_norm_grad
// CHECK: norm.layer_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<8x1xf32>) bias(%{{.*}} : tensor<8x16xf16>) statistics(%{{.*}}, %{{.*}} : tensor<2x1x1xf32>, tensor<2x1x1xf32>) {axes = array<i64: 1, 2>, epsilon = 1.000000e-03 : f64} : tensor<2x8x16xf32> -> tensor<2x8x16xf32>, tensor<8x1xf32>, tensor<8x16xf16>
func.func @layer_norm_grad(%dy: tensor<2x8x16xf32>, %x: tensor<2x8x16xf32>, %g: tensor<8x1xf32>, %b: tensor<8x16xf16>, %m: tensor<2x1x1xf32>, %r: tensor<2x1x1xf32>) -> (tensor<2x8x16xf32>, tensor<8x1xf32>, tensor<8x16xf16>) {
  %dx, %dg, %db = norm.layer_norm_grad %dy, %x scale(%g : tensor<8x1xf32>) bias(%b : tensor<8x16xf16>) statistics(%m, %r : tensor<2x1x1xf32>, tensor<2x1x1xf32>) {axes = array<i64: 1, 2>, epsilon = 1.0e-3 : f64} : tensor<2x8x16xf32> -> tensor<2x8x16xf32>, tensor<8x1xf32>, tensor<8x16xf16>
  return %dx, %dg, %db : tensor<2x8x16xf32>, tensor<8x1xf32>, tensor<8x16xf16>
}

// CHECK-LABEL: func @grad_feature_epsilon
// CHECK: norm.rms_norm_grad %{{.*}}, %{{.*}} feature_epsilon(%{{.*}} : tensor<1xf32>) {compute_type = f64} : tensor<3x5xf32> -> tensor<3x5xf32>, tensor<1xf32>
func.func @grad_feature_epsilon(%dy: tensor<3x5xf32>, %x: tensor<3x5xf32>, %e: tensor<1xf32>) -> (tensor<3x5xf32>, tensor<1xf32>) {
  %dx, %de = norm.rms_norm_grad %dy, %x feature_epsilon(%e : tensor<1xf32>) {compute_type = f64} : tensor<3x5xf32> -> tensor<3x5xf32>, tensor<1xf32>
  return %dx, %de : tensor<3x5xf32>, tensor<1xf32>
}

// The fused residual ops and their gradients.
// CHECK-LABEL: func @add_rms_norm
func.func @add_rms_norm(%x: tensor<?x4096xbf16>, %r: tensor<?x4096xbf16>, %g: tensor<4096xbf16>) -> (tensor<?x4096xbf16>, tensor<?x4096xbf16>) {
  // CHECK: norm.add_rms_norm %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<4096xbf16>) : tensor<?x4096xbf16> -> tensor<?x4096xbf16>, tensor<?x4096xbf16>
  %y, %s = norm.add_rms_norm %x, %r scale(%g : tensor<4096xbf16>) : tensor<?x4096xbf16> -> tensor<?x4096xbf16>, tensor<?x4096xbf16>
  return %y, %s : tensor<?x4096xbf16>, tensor<?x4096xbf16>
}

// CHECK-LABEL: func @add_layer_norm_scaled_statistics
func.func @add_layer_norm_scaled_statistics(%x: tensor<8x768xf32>, %r: tensor<8x768xf32>) -> (tensor<8x768xf32>, tensor<8x768xf32>, tensor<8x1xf32>, tensor<8x1xf32>) {
  // CHECK: norm.add_layer_norm %{{.*}}, %{{.*}} {residual_scale = 2.449000e+00 : f64} : tensor<8x768xf32> -> tensor<8x768xf32>, tensor<8x768xf32>, tensor<8x1xf32>, tensor<8x1xf32>
  %y, %s, %m, %i = norm.add_layer_norm %x, %r {residual_scale = 2.449 : f64} : tensor<8x768xf32> -> tensor<8x768xf32>, tensor<8x768xf32>, tensor<8x1xf32>, tensor<8x1xf32>
  return %y, %s, %m, %i : tensor<8x768xf32>, tensor<8x768xf32>, tensor<8x1xf32>, tensor<8x1xf32>
}

// CHECK-LABEL: func @add_rms_norm_grad
func.func @add_rms_norm_grad(%dy: tensor<8x64xf32>, %ds: tensor<8x64xf32>, %s: tensor<8x64xf32>, %g: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) {
  // CHECK: norm.add_rms_norm_grad %{{.*}}, %{{.*}} sum_grad(%{{.*}} : tensor<8x64xf32>) scale(%{{.*}} : tensor<64xf32>) {residual_scale = 5.000000e-01 : f64} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
  %dx, %dr, %dg = norm.add_rms_norm_grad %dy, %s sum_grad(%ds : tensor<8x64xf32>) scale(%g : tensor<64xf32>) {residual_scale = 0.5 : f64} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
  return %dx, %dr, %dg : tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
}

// No sum_grad: the sum feeds nothing else.
// CHECK-LABEL: func @add_layer_norm_grad_no_sum_grad
func.func @add_layer_norm_grad_no_sum_grad(%dy: tensor<8x64xf16>, %s: tensor<8x64xf16>, %m: tensor<8x1xf32>, %i: tensor<8x1xf32>) -> (tensor<8x64xf16>, tensor<8x64xf16>) {
  // CHECK: norm.add_layer_norm_grad %{{.*}}, %{{.*}} statistics(%{{.*}}, %{{.*}} : tensor<8x1xf32>, tensor<8x1xf32>) : tensor<8x64xf16> -> tensor<8x64xf16>, tensor<8x64xf16>
  %dx, %dr = norm.add_layer_norm_grad %dy, %s statistics(%m, %i : tensor<8x1xf32>, tensor<8x1xf32>) : tensor<8x64xf16> -> tensor<8x64xf16>, tensor<8x64xf16>
  return %dx, %dr : tensor<8x64xf16>, tensor<8x64xf16>
}

// The variants: scale_offset on forward and gradient ops, casting on the
// forward ops; the default casting is not printed.
// CHECK-LABEL: func @rms_norm_scale_offset
func.func @rms_norm_scale_offset(%x: tensor<?x2048xbf16>, %w: tensor<2048xbf16>) -> tensor<?x2048xbf16> {
  // CHECK: norm.rms_norm %{{.*}} scale(%{{.*}} : tensor<2048xbf16>) {scale_offset} : tensor<?x2048xbf16> -> tensor<?x2048xbf16>
  %y = norm.rms_norm %x scale(%w : tensor<2048xbf16>) {scale_offset, casting = #norm.casting<compute>} : tensor<?x2048xbf16> -> tensor<?x2048xbf16>
  return %y : tensor<?x2048xbf16>
}

// CHECK-LABEL: func @layer_norm_llama
func.func @layer_norm_llama(%x: tensor<8x64xf16>, %w: tensor<64xf16>, %b: tensor<64xf16>) -> tensor<8x64xf16> {
  // CHECK: norm.layer_norm %{{.*}} scale(%{{.*}} : tensor<64xf16>) bias(%{{.*}} : tensor<64xf16>) {casting = #norm.casting<llama>} : tensor<8x64xf16> -> tensor<8x64xf16>
  %y = norm.layer_norm %x scale(%w : tensor<64xf16>) bias(%b : tensor<64xf16>) {casting = #norm.casting<llama>} : tensor<8x64xf16> -> tensor<8x64xf16>
  return %y : tensor<8x64xf16>
}

// CHECK-LABEL: func @add_rms_norm_gemma
func.func @add_rms_norm_gemma(%x: tensor<8x64xbf16>, %r: tensor<8x64xbf16>, %w: tensor<64xf32>) -> (tensor<8x64xbf16>, tensor<8x64xbf16>) {
  // CHECK: norm.add_rms_norm %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xf32>) {casting = #norm.casting<gemma>, scale_offset} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>
  %y, %s = norm.add_rms_norm %x, %r scale(%w : tensor<64xf32>) {scale_offset, casting = #norm.casting<gemma>} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>
  return %y, %s : tensor<8x64xbf16>, tensor<8x64xbf16>
}

// CHECK-LABEL: func @add_layer_norm_llama_statistics
func.func @add_layer_norm_llama_statistics(%x: tensor<8x64xbf16>, %r: tensor<8x64xbf16>) -> (tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x1xf32>, tensor<8x1xf32>) {
  // CHECK: norm.add_layer_norm %{{.*}}, %{{.*}} {casting = #norm.casting<llama>} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x1xf32>, tensor<8x1xf32>
  %y, %s, %m, %i = norm.add_layer_norm %x, %r {casting = #norm.casting<llama>} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x1xf32>, tensor<8x1xf32>
  return %y, %s, %m, %i : tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x1xf32>, tensor<8x1xf32>
}

// CHECK-LABEL: func @rms_norm_grad_scale_offset
func.func @rms_norm_grad_scale_offset(%dy: tensor<8x64xbf16>, %x: tensor<8x64xbf16>, %w: tensor<64xbf16>) -> (tensor<8x64xbf16>, tensor<64xbf16>) {
  // CHECK: norm.rms_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xbf16>) {scale_offset} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<64xbf16>
  %dx, %dw = norm.rms_norm_grad %dy, %x scale(%w : tensor<64xbf16>) {scale_offset} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<64xbf16>
  return %dx, %dw : tensor<8x64xbf16>, tensor<64xbf16>
}

// CHECK-LABEL: func @layer_norm_grad_scale_offset
func.func @layer_norm_grad_scale_offset(%dy: tensor<8x64xf32>, %x: tensor<8x64xf32>, %w: tensor<64xf32>, %b: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) {
  // CHECK: norm.layer_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xf32>) bias(%{{.*}} : tensor<64xf32>) {scale_offset} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>
  %dx, %dw, %db = norm.layer_norm_grad %dy, %x scale(%w : tensor<64xf32>) bias(%b : tensor<64xf32>) {scale_offset} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>
  return %dx, %dw, %db : tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>
}

// CHECK-LABEL: func @add_norm_grads_scale_offset
func.func @add_norm_grads_scale_offset(%dy: tensor<8x64xf32>, %s: tensor<8x64xf32>, %w: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) {
  // CHECK: norm.add_rms_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xf32>) {scale_offset} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
  %dx, %dr, %dw = norm.add_rms_norm_grad %dy, %s scale(%w : tensor<64xf32>) {scale_offset} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
  // CHECK: norm.add_layer_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xf32>) {scale_offset} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
  %dx2, %dr2, %dw2 = norm.add_layer_norm_grad %dy, %s scale(%w : tensor<64xf32>) {scale_offset} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
  return %dx, %dr, %dw, %dx2, %dr2, %dw2 : tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
}
