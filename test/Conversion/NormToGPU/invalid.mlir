// RUN: norm-opt %s --convert-norm-to-gpu -split-input-file -verify-diagnostics
// RUN: not norm-opt %s --convert-norm-to-gpu=threads-per-block=48 2>&1 | FileCheck %s --check-prefix=THREADS

// THREADS: error: threads-per-block must be a multiple of 32 in [32, 1024], got 48

func.func @leading_axis(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{normalizes axes that are not the trailing dims; run norm-trailing-axes before convert-norm-to-gpu}}
  %y = norm.rms_norm %x {axes = array<i64: 0>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
