// Numerics at the edges, JIT-run (see "Numerics" in docs/Dialects/NormOps.md).
// RUN: norm-runner %s -e rms_f32 --print | FileCheck %s --check-prefix=RMS
// RUN: norm-runner %s -e rms_f32 --print --parallel=false | FileCheck %s --check-prefix=RMS
// RUN: norm-runner %s -e layer_f32 --print | FileCheck %s --check-prefix=LAYER
// RUN: norm-runner %s -e f16_max --print | FileCheck %s --check-prefix=F16
// RUN: norm-runner %s -e single --random-inputs --seed 1 --print | FileCheck %s --check-prefix=SINGLE

// A NaN stays in its row; an infinity makes the row's inverse RMS 0 (x * 0,
// NaN for the infinite element) and never reaches the rows around it; f32
// subnormals: their squares underflow and epsilon (1e-6) dominates,
// 1e-40 / sqrt(1e-6) = 1e-37; a row whose squares overflow f32 is summed
// again scaled by a power of two: [3e38, -3e38, 1, 2] has rms 3e38 / sqrt(2).
// RMS: {{\[\[}}        {{-?nan}},        {{-?nan}},        {{-?nan}},        {{-?nan}}],
// RMS-NEXT: {{\[}}   0.365148,   0.730297,    1.09545,    1.46059],
// RMS-NEXT: {{\[}}       {{-?nan}},          0,          0,          0],
// RMS-NEXT: {{\[}}       {{-?nan}},          0,          0,          0],
// RMS-NEXT: {{\[}}9.99994e-38,-9.99994e-38,9.99994e-38,9.99994e-38],
// RMS-NEXT: {{\[}}    1.41421,   -1.41421,4.71405e-39,9.42809e-39]]
func.func @rms_f32() -> tensor<6x4xf32> {
  %x = arith.constant dense<[[0x7FC00000, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], [0x7F800000, 1.0, 2.0, 3.0], [0xFF800000, 1.0, 2.0, 3.0], [1.0e-40, -1.0e-40, 1.0e-40, 1.0e-40], [3.0e38, -3.0e38, 1.0, 2.0]]> : tensor<6x4xf32>
  %y = norm.rms_norm %x : tensor<6x4xf32> -> tensor<6x4xf32>
  return %y : tensor<6x4xf32>
}

// LayerNorm: NaN and infinities make their whole row NaN (x - inf), only
// that row; [1, 2, 3, 4] -> [-1.5, -0.5, 0.5, 1.5] / sqrt(1.25 + 1e-5);
// the subnormal row's variance underflows, epsilon (1e-5) dominates:
// 0.5e-40 * 316.2 = 1.58e-38; a constant row gives zeros.
// LAYER: {{\[\[}}        {{-?nan}},        {{-?nan}},        {{-?nan}},        {{-?nan}}],
// LAYER-NEXT: {{\[}}   -1.34164,  -0.447212,   0.447212,    1.34164],
// LAYER-NEXT: {{\[}}        {{-?nan}},        {{-?nan}},        {{-?nan}},        {{-?nan}}],
// LAYER-NEXT: {{\[}}        {{-?nan}},        {{-?nan}},        {{-?nan}},        {{-?nan}}],
// LAYER-NEXT: {{\[}}1.58113e-38,-4.74339e-38,1.58113e-38,1.58113e-38],
// LAYER-NEXT: {{\[}}          0,          0,          0,          0]]
func.func @layer_f32() -> tensor<6x4xf32> {
  %x = arith.constant dense<[[0x7FC00000, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], [0x7F800000, 1.0, 2.0, 3.0], [0xFF800000, 1.0, 2.0, 3.0], [1.0e-40, -1.0e-40, 1.0e-40, 1.0e-40], [5.0, 5.0, 5.0, 5.0]]> : tensor<6x4xf32>
  %y = norm.layer_norm %x : tensor<6x4xf32> -> tensor<6x4xf32>
  return %y : tensor<6x4xf32>
}

// f16 at its largest (65504, squares fine in f32) and its smallest
// subnormal (6e-8), epsilon 0: both normalize exactly.
// LayerNorm of [a, a, -a, a]: mean a/2, std a*sqrt(3)/2 -> 1/sqrt(3), -sqrt(3).
// F16: result #0
// F16-NEXT: {{\[\[}}          1,          1,         -1,          1],
// F16-NEXT: {{\[}}          1,         -1,          1,          1]]
// F16: result #1
// F16-NEXT: {{\[\[}}   0.577148,   0.577148,   -1.73242,   0.577148],
// F16-NEXT: {{\[}}   0.577148,   -1.73242,   0.577148,   0.577148]]
func.func @f16_max() -> (tensor<2x4xf16>, tensor<2x4xf16>) {
  %x = arith.constant dense<[[65504.0, 65504.0, -65504.0, 65504.0], [6.0e-8, -6.0e-8, 6.0e-8, 6.0e-8]]> : tensor<2x4xf16>
  %y = norm.rms_norm %x {epsilon = 0.0 : f64} : tensor<2x4xf16> -> tensor<2x4xf16>
  %z = norm.layer_norm %x {epsilon = 0.0 : f64} : tensor<2x4xf16> -> tensor<2x4xf16>
  return %y, %z : tensor<2x4xf16>, tensor<2x4xf16>
}

// One-element rows, epsilon 0: RMSNorm gives the sign, LayerNorm 0, no NaN.
// SINGLE: result #0
// SINGLE-NEXT: {{\[\[}}         {{-?1}}],
// SINGLE-NEXT: {{\[}}         {{-?1}}],
// SINGLE-NEXT: {{\[}}         {{-?1}}]]
// SINGLE: result #1
// SINGLE-NEXT: {{\[\[}}          0],
// SINGLE-NEXT: {{\[}}          0],
// SINGLE-NEXT: {{\[}}          0]]
func.func @single(%x: tensor<3x1xbf16>) -> (tensor<3x1xbf16>, tensor<3x1xbf16>) {
  %y = norm.rms_norm %x {epsilon = 0.0 : f64} : tensor<3x1xbf16> -> tensor<3x1xbf16>
  %z = norm.layer_norm %x {epsilon = 0.0 : f64} : tensor<3x1xbf16> -> tensor<3x1xbf16>
  return %y, %z : tensor<3x1xbf16>, tensor<3x1xbf16>
}

// Sums that overflow the compute type are summed again, scaled (row by row):
// LayerNorm f32 [3e38, -3e38, 3e38, -3e38] (the sum of squares and
// x - mean near the limit) -> [1, -1, 1, -1]; the row beside it unchanged;
// bf16 at its largest, constant -> 0; f64 RMSNorm [1e308, -1e308, 1, 0]
// -> [sqrt(2), -sqrt(2), ~0, 0].
// RUN: norm-runner %s -e huge --print | FileCheck %s --check-prefix=HUGE
// HUGE: result #0
// HUGE-NEXT: {{\[\[}}          1,         -1,          1,         -1],
// HUGE-NEXT: {{\[}}   -1.34164,  -0.447212,   0.447212,    1.34164]]
// HUGE: result #1
// HUGE-NEXT: {{\[\[}}          0,          0,          0,          0]]
// HUGE: result #2
// HUGE-NEXT: {{\[\[}}    1.41421,   -1.41421,1.41421e-308,          0]]
func.func @huge() -> (tensor<2x4xf32>, tensor<1x4xbf16>, tensor<1x4xf64>) {
  %x = arith.constant dense<[[3.0e38, -3.0e38, 3.0e38, -3.0e38], [1.0, 2.0, 3.0, 4.0]]> : tensor<2x4xf32>
  %y = norm.layer_norm %x : tensor<2x4xf32> -> tensor<2x4xf32>
  %b = arith.constant dense<[[0x7F7F, 0x7F7F, 0x7F7F, 0x7F7F]]> : tensor<1x4xbf16>
  %c = norm.layer_norm %b : tensor<1x4xbf16> -> tensor<1x4xbf16>
  %d = arith.constant dense<[[1.0e308, -1.0e308, 1.0, 0.0]]> : tensor<1x4xf64>
  %e = norm.rms_norm %d : tensor<1x4xf64> -> tensor<1x4xf64>
  return %y, %c, %e : tensor<2x4xf32>, tensor<1x4xbf16>, tensor<1x4xf64>
}
