// Gradient ops switch with their forward ops.
// RUN: norm-opt %s --split-input-file --norm-set-kind=kind=rms --verify-diagnostics | FileCheck %s --check-prefix=RMS
// RUN: norm-opt %s --split-input-file --norm-set-kind=kind=layer --verify-diagnostics | FileCheck %s --check-prefix=LAYER

// LayerNorm -> RMSNorm: the bias is dropped, its gradient is zeros.
// RMS-LABEL: func @layer_grad
// RMS-SAME: %[[DY:[^:]*]]: tensor<?x64xf32>, %[[X:[^:]*]]: tensor<?x64xf32>, %[[G:[^:]*]]: tensor<64xbf16>, %[[B:[^:]*]]: tensor<?xf32>
// RMS: %[[DX:.*]], %[[DG:.*]] = norm.rms_norm_grad %[[DY]], %[[X]] scale(%[[G]] : tensor<64xbf16>) {epsilon = 1.000000e-03 : f64} : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<64xbf16>
// RMS: %[[D:.*]] = tensor.dim %[[B]]
// RMS: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// RMS: %[[DB:.*]] = tensor.splat %[[ZERO]][%[[D]]] : tensor<?xf32>
// RMS: return %[[DX]], %[[DG]], %[[DB]]
// LAYER-LABEL: func @layer_grad
// LAYER: norm.layer_norm_grad
func.func @layer_grad(%dy: tensor<?x64xf32>, %x: tensor<?x64xf32>, %g: tensor<64xbf16>, %b: tensor<?xf32>) -> (tensor<?x64xf32>, tensor<64xbf16>, tensor<?xf32>) {
  %dx, %dg, %db = norm.layer_norm_grad %dy, %x scale(%g : tensor<64xbf16>) bias(%b : tensor<?xf32>) {epsilon = 1.0e-3 : f64} : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<64xbf16>, tensor<?xf32>
  return %dx, %dg, %db : tensor<?x64xf32>, tensor<64xbf16>, tensor<?xf32>
}

// -----

// RMSNorm -> LayerNorm keeps everything (a bias too, and epsilon 1e-6).
// LAYER-LABEL: func @rms_grad
// LAYER: norm.layer_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xf32>) bias(%{{.*}} : tensor<64xf32>) {axes = array<i64: 1>, epsilon = {{.*}}E-7 : f64} : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<64xf32>, tensor<64xf32>
// RMS-LABEL: func @rms_grad
// RMS: norm.rms_norm_grad
func.func @rms_grad(%dy: tensor<4x64xf32>, %x: tensor<4x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) -> (tensor<4x64xf32>, tensor<64xf32>, tensor<64xf32>) {
  %dx, %dg, %db = norm.rms_norm_grad %dy, %x scale(%g : tensor<64xf32>) bias(%b : tensor<64xf32>) {axes = array<i64: 1>} : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<64xf32>, tensor<64xf32>
  return %dx, %dg, %db : tensor<4x64xf32>, tensor<64xf32>, tensor<64xf32>
}
