// REQUIRES: cuda-runtime, cuda-toolkit
// UNSUPPORTED: gpu
// Without a GPU (or driver) the GPU target compiles, then says why it cannot
// run, and exits 1.
// RUN: not norm-runner %s --target=gpu --random-inputs 2>&1 | FileCheck %s
// CHECK: norm-runner: error: no usable CUDA device for the GPU target: {{.+}}
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
