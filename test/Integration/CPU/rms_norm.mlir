// RUN: norm-runner %s --print | FileCheck %s

// Row 0: mean(x^2) = (9 + 16) / 2 = 12.5, 1/sqrt(12.5) = 0.282843:
//   y = [3, 4] * 0.282843 * [2, 0.5] + 1 = [2.69706, 1.56569].
// Row 1 is zero: epsilon 0 but no NaN, y = bias; its inverse RMS is
// rsqrt(FLT_MIN) = 2^63 = 9.22337e+18.
// CHECK: result #0: tensor<2x2xf32> shape [2, 2]
// CHECK-NEXT: {{\[\[}}    2.69706,    1.56569],
// CHECK-NEXT: {{\[}}          1,          1]]
// CHECK: result #1: tensor<2x1xf32> shape [2, 1]
// CHECK-NEXT: {{\[\[}}   0.282843],
// CHECK-NEXT: {{\[}}9.22337e+18]]
func.func @main() -> (tensor<2x2xf32>, tensor<2x1xf32>) {
  %x = arith.constant dense<[[3.0, 4.0], [0.0, 0.0]]> : tensor<2x2xf32>
  %g = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %b = arith.constant dense<1.0> : tensor<1xf32>
  %y, %inv = norm.rms_norm %x scale(%g : tensor<2xf32>) bias(%b : tensor<1xf32>) {epsilon = 0.0 : f64} : tensor<2x2xf32> -> tensor<2x2xf32>, tensor<2x1xf32>
  return %y, %inv : tensor<2x2xf32>, tensor<2x1xf32>
}
