// RUN: norm-opt %s --norm-set-kind=kind=layer --verify-diagnostics

func.func @used_rms_statistics(%x: tensor<4x64xf32>) -> (tensor<4x64xf32>, tensor<4x1xf32>) {
  // expected-error @+1 {{'norm.rms_norm' op cannot change the norm kind: its statistics results are used}}
  %y, %r = norm.rms_norm %x : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x1xf32>
  return %y, %r : tensor<4x64xf32>, tensor<4x1xf32>
}
