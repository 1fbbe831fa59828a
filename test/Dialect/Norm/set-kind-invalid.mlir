// RUN: norm-opt %s --norm-set-kind=kind=rms --split-input-file --verify-diagnostics
// RUN: not norm-opt %s --norm-set-kind=kind=bogus 2>&1 | FileCheck %s --check-prefix=KIND

// Used statistics have no counterpart in the other kind.
func.func @used_layer_statistics(%x: tensor<4x64xf32>) -> (tensor<4x64xf32>, tensor<4x1xf32>) {
  // expected-error @+1 {{'norm.layer_norm' op cannot change the norm kind: its statistics results are used}}
  %y, %m, %s = norm.layer_norm %x : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x1xf32>, tensor<4x1xf32>
  return %y, %m : tensor<4x64xf32>, tensor<4x1xf32>
}

// KIND: error: unknown norm kind 'bogus': expected rms or layer
