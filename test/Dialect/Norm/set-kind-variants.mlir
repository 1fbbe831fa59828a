// norm-set-kind keeps scale_offset (both kinds keep the scale) and casting
// on the forward, fused and gradient ops it rebuilds.
// RUN: norm-opt %s --split-input-file --norm-set-kind=kind=rms | FileCheck %s --check-prefix=RMS
// RUN: norm-opt %s --split-input-file --norm-set-kind=kind=layer | FileCheck %s --check-prefix=LAYER

// RMS-LABEL: func @layer_variants
// RMS: norm.rms_norm %{{.*}} scale(%{{.*}} : tensor<64xbf16>) {casting = #norm.casting<llama>, epsilon = 1.000000e-05 : f64, scale_offset} : tensor<8x64xbf16> -> tensor<8x64xbf16>
// RMS: norm.add_rms_norm %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xbf16>) {casting = #norm.casting<gemma>, epsilon = 1.000000e-05 : f64, scale_offset} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>
// RMS: norm.rms_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xbf16>) {epsilon = 1.000000e-05 : f64, scale_offset} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<64xbf16>
// RMS: norm.add_rms_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xbf16>) {epsilon = 1.000000e-05 : f64, scale_offset} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<64xbf16>
// LAYER-LABEL: func @layer_variants
// LAYER-NOT: norm.rms
func.func @layer_variants(%x: tensor<8x64xbf16>, %r: tensor<8x64xbf16>, %dy: tensor<8x64xbf16>, %w: tensor<64xbf16>) -> (tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<64xbf16>, tensor<8x64xbf16>, tensor<64xbf16>) {
  %y = norm.layer_norm %x scale(%w : tensor<64xbf16>) {scale_offset, casting = #norm.casting<llama>} : tensor<8x64xbf16> -> tensor<8x64xbf16>
  %y2, %s = norm.add_layer_norm %x, %r scale(%w : tensor<64xbf16>) {scale_offset, casting = #norm.casting<gemma>} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>
  %dx, %dw = norm.layer_norm_grad %dy, %x scale(%w : tensor<64xbf16>) {scale_offset} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<64xbf16>
  %dx2, %dr2, %dw2 = norm.add_layer_norm_grad %dy, %s scale(%w : tensor<64xbf16>) {scale_offset} : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<64xbf16>
  return %y, %y2, %dx, %dw, %dr2, %dw2 : tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<8x64xbf16>, tensor<64xbf16>, tensor<8x64xbf16>, tensor<64xbf16>
}

// -----

// LAYER-LABEL: func @rms_variants
// LAYER: norm.layer_norm %{{.*}} scale(%{{.*}} : tensor<64xf16>) {casting = #norm.casting<llama>, epsilon = 9.9999999999999995E-7 : f64, scale_offset} : tensor<8x64xf16> -> tensor<8x64xf16>
// LAYER: norm.add_layer_norm %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xf16>) {casting = #norm.casting<llama>, epsilon = 9.9999999999999995E-7 : f64, residual_scale = 2.000000e+00 : f64, scale_offset} : tensor<8x64xf16> -> tensor<8x64xf16>, tensor<8x64xf16>
// LAYER: norm.layer_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<64xf16>) {epsilon = 9.9999999999999995E-7 : f64, scale_offset} : tensor<8x64xf16> -> tensor<8x64xf16>, tensor<64xf16>
// RMS-LABEL: func @rms_variants
// RMS-NOT: norm.layer
func.func @rms_variants(%x: tensor<8x64xf16>, %r: tensor<8x64xf16>, %dy: tensor<8x64xf16>, %w: tensor<64xf16>) -> (tensor<8x64xf16>, tensor<8x64xf16>, tensor<8x64xf16>, tensor<64xf16>) {
  %y = norm.rms_norm %x scale(%w : tensor<64xf16>) {scale_offset, casting = #norm.casting<llama>} : tensor<8x64xf16> -> tensor<8x64xf16>
  %y2, %s = norm.add_rms_norm %x, %r scale(%w : tensor<64xf16>) {scale_offset, casting = #norm.casting<llama>, residual_scale = 2.0 : f64} : tensor<8x64xf16> -> tensor<8x64xf16>, tensor<8x64xf16>
  %dx, %dw = norm.rms_norm_grad %dy, %x scale(%w : tensor<64xf16>) {scale_offset} : tensor<8x64xf16> -> tensor<8x64xf16>, tensor<64xf16>
  return %y, %y2, %dx, %dw : tensor<8x64xf16>, tensor<8x64xf16>, tensor<8x64xf16>, tensor<64xf16>
}
