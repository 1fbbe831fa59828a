// RUN: norm-runner %s --print | FileCheck %s

// RMSNorm of [1, 2, 3, 4] in bf16 with epsilon 0: xhat = k / sqrt(7.5) =
// [0.365148, 0.730297, 1.09545, 1.46059], times 1.09375 (exact in bf16).
// compute rounds xhat * 1.09375 once: 0.399381 -> 0.398438 (bf16 ulp 2^-9
// below 0.5: 204.48 ulps -> 204). llama rounds xhat first (186.96 ulps ->
// 187 = 0.365234), then the product 0.399475 (204.53 ulps -> 205 =
// 0.400391): the first, second and last elements differ in the last bit.
// CHECK: result #0: tensor<1x4xbf16> shape [1, 4]
// CHECK-NEXT: {{\[\[}}   0.398438,   0.796875,    1.19531,    1.59375]]
// CHECK: result #1: tensor<1x4xbf16> shape [1, 4]
// CHECK-NEXT: {{\[\[}}   0.400391,   0.800781,    1.19531,    1.60156]]
// gemma is compute's arithmetic.
// CHECK: result #2: tensor<1x4xbf16> shape [1, 4]
// CHECK-NEXT: {{\[\[}}   0.398438,   0.796875,    1.19531,    1.59375]]
// scale_offset with w = 0.09375: the factor 1 + w is the same 1.09375, with
// compute and with llama casting.
// CHECK: result #3: tensor<1x4xbf16> shape [1, 4]
// CHECK-NEXT: {{\[\[}}   0.398438,   0.796875,    1.19531,    1.59375]]
// CHECK: result #4: tensor<1x4xbf16> shape [1, 4]
// CHECK-NEXT: {{\[\[}}   0.400391,   0.800781,    1.19531,    1.60156]]
func.func @main() -> (tensor<1x4xbf16>, tensor<1x4xbf16>, tensor<1x4xbf16>, tensor<1x4xbf16>, tensor<1x4xbf16>) {
  %x = arith.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xbf16>
  %g = arith.constant dense<1.09375> : tensor<4xbf16>
  %w = arith.constant dense<0.09375> : tensor<4xbf16>
  %compute = norm.rms_norm %x scale(%g : tensor<4xbf16>) {epsilon = 0.0 : f64} : tensor<1x4xbf16> -> tensor<1x4xbf16>
  %llama = norm.rms_norm %x scale(%g : tensor<4xbf16>) {epsilon = 0.0 : f64, casting = #norm.casting<llama>} : tensor<1x4xbf16> -> tensor<1x4xbf16>
  %gemma = norm.rms_norm %x scale(%g : tensor<4xbf16>) {epsilon = 0.0 : f64, casting = #norm.casting<gemma>} : tensor<1x4xbf16> -> tensor<1x4xbf16>
  %offset = norm.rms_norm %x scale(%w : tensor<4xbf16>) {epsilon = 0.0 : f64, scale_offset} : tensor<1x4xbf16> -> tensor<1x4xbf16>
  %offset_llama = norm.rms_norm %x scale(%w : tensor<4xbf16>) {epsilon = 0.0 : f64, scale_offset, casting = #norm.casting<llama>} : tensor<1x4xbf16> -> tensor<1x4xbf16>
  return %compute, %llama, %gemma, %offset, %offset_llama : tensor<1x4xbf16>, tensor<1x4xbf16>, tensor<1x4xbf16>, tensor<1x4xbf16>, tensor<1x4xbf16>
}
