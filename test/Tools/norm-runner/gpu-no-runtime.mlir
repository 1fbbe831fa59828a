// UNSUPPORTED: cuda-runtime
// A build without the CUDA toolkit has no GPU runtime: the GPU target says so.
// RUN: not norm-runner %s --target=gpu --random-inputs 2>&1 | FileCheck %s
// CHECK: norm-runner: error: the GPU target needs norm's CUDA runtime, which this build lacks
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
