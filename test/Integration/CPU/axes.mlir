// RUN: norm-runner %s --print | FileCheck %s

// Normalizing over axes [0, 2] of a 2x2x2 tensor: the rows are the slices
// x[:, j, :]. Slice j=0 is {1, 2, 5, 6} (mean 3.5, variance 4.25), slice j=1
// is {3, 4, 7, 8} (mean 5.5, variance 4.25); 1/sqrt(4.25) = 0.485071.
// The per-feature epsilon (one per (axis 0, axis 2) pair, broadcast over
// axis 2 here) is 0 for the first feature row and 1 for the second, so
// 1/sqrt(4.25 + 1) = 0.436436 there.
// CHECK: result #0: tensor<2x2x2xf16> shape [2, 2, 2]
// CHECK-NEXT: {{\[\[\[}}   -1.21289,  -0.727539],
// CHECK-NEXT: {{\[}}   -1.21289,  -0.727539]],
// CHECK-NEXT: {{\[\[}}   0.654785,    1.09082],
// CHECK-NEXT: {{\[}}   0.654785,    1.09082]]]
func.func @main() -> tensor<2x2x2xf16> {
  %x = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]> : tensor<2x2x2xf16>
  %e = arith.constant dense<[[0.0], [1.0]]> : tensor<2x1xf32>
  %y = norm.layer_norm %x feature_epsilon(%e : tensor<2x1xf32>) {axes = array<i64: 2, 0>} : tensor<2x2x2xf16> -> tensor<2x2x2xf16>
  return %y : tensor<2x2x2xf16>
}
