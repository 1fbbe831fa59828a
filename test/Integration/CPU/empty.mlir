// RUN: norm-runner %s -e empty_rows --print | FileCheck %s --check-prefix=ROWS
// RUN: norm-runner %s -e empty_features --print | FileCheck %s --check-prefix=FEATURES

// No rows: an empty result.
// ROWS: result #0: tensor<?x8xf32> shape [0, 8]
// ROWS-NEXT: []
func.func @empty_rows() -> tensor<?x8xf32> {
  %c = arith.constant dense<0.0> : tensor<0x8xf32>
  %y = norm.rms_norm %c : tensor<0x8xf32> -> tensor<0x8xf32>
  %z = tensor.cast %y : tensor<0x8xf32> to tensor<?x8xf32>
  return %z : tensor<?x8xf32>
}

// Rows of zero elements: empty output, and statistics without NaN (mean 0,
// variance 0, 1/sqrt(1e-5) = 316.228).
// FEATURES: result #0: tensor<3x0xf32> shape [3, 0]
// FEATURES-NEXT: []
// FEATURES: result #1: tensor<3x1xf32> shape [3, 1]
// FEATURES-NEXT: {{\[\[}}          0],
// FEATURES: result #2: tensor<3x1xf32> shape [3, 1]
// FEATURES-NEXT: {{\[\[}}    316.228],
func.func @empty_features() -> (tensor<3x0xf32>, tensor<3x1xf32>, tensor<3x1xf32>) {
  %c = tensor.empty() : tensor<3x0xf32>
  %y, %m, %s = norm.layer_norm %c : tensor<3x0xf32> -> tensor<3x0xf32>, tensor<3x1xf32>, tensor<3x1xf32>
  return %y, %m, %s : tensor<3x0xf32>, tensor<3x1xf32>, tensor<3x1xf32>
}
