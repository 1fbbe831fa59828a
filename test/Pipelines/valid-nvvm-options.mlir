// REQUIRES: cuda-toolkit
// Options at the edges of what invalid-options.mlir refuses still lower:
// sm_90a with the default +ptx80, a newer chip with its minimum PTX, the
// largest block, LLVM IR for offloading.
// RUN: norm-opt %s --norm-lower-to-nvvm='chip=sm_90a format=llvm' | FileCheck %s
// RUN: norm-opt %s --norm-lower-to-nvvm='chip=sm_100 features=+ptx86 threads-per-block=1024 opt-level=0' | FileCheck %s
// CHECK: gpu.binary @main_kernel

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
