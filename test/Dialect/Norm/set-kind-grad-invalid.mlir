// A gradient op that takes saved statistics cannot switch kinds.
// RUN: norm-opt %s --norm-set-kind=kind=rms --verify-diagnostics

func.func @saved(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %m: tensor<4x1xf32>, %r: tensor<4x1xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{cannot change the norm kind: it takes saved statistics, which the other kind does not have}}
  %dx = norm.layer_norm_grad %dy, %x statistics(%m, %r : tensor<4x1xf32>, tensor<4x1xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>
  return %dx : tensor<4x8xf32>
}
