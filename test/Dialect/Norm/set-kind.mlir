// RUN: norm-opt %s --norm-set-kind=kind=rms | FileCheck %s --check-prefix=RMS
// RUN: norm-opt %s --norm-set-kind=kind=layer | FileCheck %s --check-prefix=LAYER

// LayerNorm -> RMSNorm keeps gamma, epsilon, axes and compute type and drops
// beta; RMSNorm -> LayerNorm keeps everything and adds no bias.
// RMS-LABEL: func @layer
// RMS-SAME: %[[X:.*]]: tensor<?x128xf16>, %[[G:.*]]: tensor<128xf16>, %[[B:.*]]: tensor<128xf16>
// RMS: %[[Y:.*]] = norm.rms_norm %[[X]] scale(%[[G]] : tensor<128xf16>) {compute_type = f64, epsilon = 1.000000e-05 : f64} : tensor<?x128xf16> -> tensor<?x128xf16>
// RMS-NOT: norm.layer_norm
// RMS: return %[[Y]]
// LAYER-LABEL: func @layer
// LAYER: norm.layer_norm %{{.*}} scale(%{{.*}} : tensor<128xf16>) bias(%{{.*}} : tensor<128xf16>)
func.func @layer(%x: tensor<?x128xf16>, %g: tensor<128xf16>, %b: tensor<128xf16>) -> tensor<?x128xf16> {
  %y = norm.layer_norm %x scale(%g : tensor<128xf16>) bias(%b : tensor<128xf16>) {compute_type = f64} : tensor<?x128xf16> -> tensor<?x128xf16>
  return %y : tensor<?x128xf16>
}

// RMS-LABEL: func @rms
// RMS: norm.rms_norm %{{.*}} scale(%{{.*}} : tensor<64xf32>) {axes = array<i64: 1>} :
// LAYER-LABEL: func @rms
// LAYER-SAME: %[[X:.*]]: tensor<4x64xf32>, %[[G:.*]]: tensor<64xf32>
// LAYER: %[[Y:.*]] = norm.layer_norm %[[X]] scale(%[[G]] : tensor<64xf32>) {axes = array<i64: 1>, epsilon = 9.9999999999999995E-7 : f64} : tensor<4x64xf32> -> tensor<4x64xf32>
// LAYER: return %[[Y]]
func.func @rms(%x: tensor<4x64xf32>, %g: tensor<64xf32>) -> tensor<4x64xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<64xf32>) {axes = array<i64: 1>} : tensor<4x64xf32> -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// Unused statistics are dropped.
// RMS-LABEL: func @unused_statistics
// RMS: norm.rms_norm %{{.*}} {epsilon = 1.000000e-05 : f64} : tensor<4x64xf32> -> tensor<4x64xf32>
func.func @unused_statistics(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %y, %m, %s = norm.layer_norm %x : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x1xf32>, tensor<4x1xf32>
  return %y : tensor<4x64xf32>
}
