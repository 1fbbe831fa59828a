// RUN: norm-runner %s --print | FileCheck %s

// x = [1, 2, 3, 4] in bf16: mean 2.5, population variance 1.25,
// 1/sqrt(1.25 + 0) = 0.894427; y = (x - 2.5) * 0.894427 rounded to bf16:
// [-1.34164, -0.447214, 0.447214, 1.34164] -> [-1.34375, -0.447266, 0.447266, 1.34375].
// CHECK: result #0: tensor<1x4xbf16> shape [1, 4]
// CHECK-NEXT: {{\[\[}}   -1.34375,  -0.447266,   0.447266,    1.34375]]
// CHECK: result #1: tensor<1x1xf32> shape [1, 1]
// CHECK-NEXT: {{\[\[}}        2.5]]
// CHECK: result #2: tensor<1x1xf32> shape [1, 1]
// CHECK-NEXT: {{\[\[}}   0.894427]]
func.func @main() -> (tensor<1x4xbf16>, tensor<1x1xf32>, tensor<1x1xf32>) {
  %x = arith.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xbf16>
  %y, %m, %s = norm.layer_norm %x {epsilon = 0.0 : f64} : tensor<1x4xbf16> -> tensor<1x4xbf16>, tensor<1x1xf32>, tensor<1x1xf32>
  return %y, %m, %s : tensor<1x4xbf16>, tensor<1x1xf32>, tensor<1x1xf32>
}
