// The fused residual ops and their gradients switch kind like the plain
// ones, keeping the residual, its scale and the sum (and sum_grad).
// RUN: norm-opt %s --split-input-file --norm-set-kind=kind=rms | FileCheck %s --check-prefix=RMS
// RUN: norm-opt %s --split-input-file --norm-set-kind=kind=layer | FileCheck %s --check-prefix=LAYER

// RMS-LABEL: func @fused
// RMS-SAME: %[[X:.*]]: tensor<?x64xbf16>, %[[R:.*]]: tensor<?x64xbf16>, %[[G:.*]]: tensor<64xf32>, %[[B:.*]]: tensor<64xf32>
// RMS: %[[Y:.*]], %[[S:.*]] = norm.add_rms_norm %[[X]], %[[R]] scale(%[[G]] : tensor<64xf32>) {epsilon = 1.000000e-05 : f64, residual_scale = 1.750000e+00 : f64}
// RMS: return %[[Y]], %[[S]]
// LAYER-LABEL: func @fused
// LAYER: norm.add_layer_norm %{{.*}}, %{{.*}} scale({{.*}}) bias({{.*}}) {residual_scale = 1.750000e+00 : f64}
func.func @fused(%x: tensor<?x64xbf16>, %r: tensor<?x64xbf16>, %g: tensor<64xf32>, %b: tensor<64xf32>) -> (tensor<?x64xbf16>, tensor<?x64xbf16>) {
  %y, %s = norm.add_layer_norm %x, %r scale(%g : tensor<64xf32>) bias(%b : tensor<64xf32>) {residual_scale = 1.75 : f64} : tensor<?x64xbf16> -> tensor<?x64xbf16>, tensor<?x64xbf16>
  return %y, %s : tensor<?x64xbf16>, tensor<?x64xbf16>
}

// -----

// RMS-LABEL: func @fused_grad
// RMS: %[[DX:.*]], %[[DR:.*]], %[[DG:.*]] = norm.add_rms_norm_grad %{{.*}}, %{{.*}} sum_grad(%{{.*}} : tensor<8x64xf32>) scale(%{{.*}} : tensor<64xf32>) {epsilon = 1.000000e-05 : f64, residual_scale = 5.000000e-01 : f64}
// RMS: return %[[DX]], %[[DR]], %[[DG]]
// LAYER-LABEL: func @fused_grad
// LAYER: norm.add_layer_norm_grad {{.*}} sum_grad({{.*}}) scale({{.*}}) {residual_scale = 5.000000e-01 : f64}
func.func @fused_grad(%dy: tensor<8x64xf32>, %ds: tensor<8x64xf32>, %s: tensor<8x64xf32>, %g: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) {
  %dx, %dr, %dg = norm.add_layer_norm_grad %dy, %s sum_grad(%ds : tensor<8x64xf32>) scale(%g : tensor<64xf32>) {residual_scale = 0.5 : f64} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
  return %dx, %dr, %dg : tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
}
