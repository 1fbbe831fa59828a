// Gradient ops on empty tensors: no rows (static, and dynamic at run time:
// zero row tasks), rows of no elements; parameter gradients are then zeros,
// never NaN.
// RUN: norm-runner %s -e no_rows --print | FileCheck %s --check-prefix=ROWS
// RUN: norm-runner %s -e no_rows_dynamic --random-inputs --shape=0=0x8 --shape=1=0x8 --print | FileCheck %s --check-prefix=DYN
// RUN: norm-runner %s -e no_rows_dynamic --random-inputs --shape=0=0x8 --shape=1=0x8 --parallel --print | FileCheck %s --check-prefix=DYN
// RUN: norm-runner %s -e no_features --print | FileCheck %s --check-prefix=FEATURES

// ROWS: result #0: tensor<0x8xf32> shape [0, 8]
// ROWS-NEXT: []
// ROWS: result #1: tensor<8xf32> shape [8]
// ROWS-NEXT: [          0,          0,          0,          0,          0,          0,          0,          0]
// ROWS: result #2: tensor<8xf32> shape [8]
// ROWS-NEXT: [          0,          0,          0,          0,          0,          0,          0,          0]
func.func @no_rows() -> (tensor<0x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %c = arith.constant dense<0.0> : tensor<0x8xf32>
  %g = arith.constant dense<1.0> : tensor<8xf32>
  %dx, %dg, %db = norm.layer_norm_grad %c, %c scale(%g : tensor<8xf32>) bias(%g : tensor<8xf32>) : tensor<0x8xf32> -> tensor<0x8xf32>, tensor<8xf32>, tensor<8xf32>
  return %dx, %dg, %db : tensor<0x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// DYN: result #0: tensor<?x8xbf16> shape [0, 8]
// DYN-NEXT: []
// DYN: result #1: tensor<8xbf16> shape [8]
// DYN-NEXT: [          0,          0,          0,          0,          0,          0,          0,          0]
func.func @no_rows_dynamic(%dy: tensor<?x8xbf16>, %x: tensor<?x8xbf16>) -> (tensor<?x8xbf16>, tensor<8xbf16>) {
  %g = arith.constant dense<1.0> : tensor<8xbf16>
  %dx, %dg = norm.rms_norm_grad %dy, %x scale(%g : tensor<8xbf16>) : tensor<?x8xbf16> -> tensor<?x8xbf16>, tensor<8xbf16>
  return %dx, %dg : tensor<?x8xbf16>, tensor<8xbf16>
}

// FEATURES: result #0: tensor<3x0xf32> shape [3, 0]
// FEATURES-NEXT: []
// FEATURES: result #1: tensor<0xf32> shape [0]
// FEATURES-NEXT: []
func.func @no_features() -> (tensor<3x0xf32>, tensor<0xf32>) {
  %c = tensor.empty() : tensor<3x0xf32>
  %g = tensor.empty() : tensor<0xf32>
  %dx, %dg = norm.layer_norm_grad %c, %c scale(%g : tensor<0xf32>) : tensor<3x0xf32> -> tensor<3x0xf32>, tensor<0xf32>
  return %dx, %dg : tensor<3x0xf32>, tensor<0xf32>
}
