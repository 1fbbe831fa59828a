// REQUIRES: ptxas
// ptxas's report on the norm kernels: no spills and a small stack-free
// register footprint.
// RUN: norm-opt %s --norm-lower-to-nvvm | %extract_ptx --ptxas %ptxas --arch sm_90 | FileCheck %s

// CHECK: Compiling entry function 'rms_bf16_kernel' for 'sm_90'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'layer_f32_kernel' for 'sm_90'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'layer_wide_kernel' for 'sm_90'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'rms_small_kernel' for 'sm_90'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
func.func @rms_bf16(%x: tensor<16384x4096xbf16>, %g: tensor<4096xbf16>) -> tensor<16384x4096xbf16> {
  %y = norm.rms_norm %x scale(%g : tensor<4096xbf16>) : tensor<16384x4096xbf16> -> tensor<16384x4096xbf16>
  return %y : tensor<16384x4096xbf16>
}
func.func @layer_f32(%x: tensor<?x4096xf32>, %g: tensor<4096xf32>, %b: tensor<4096xf32>) -> tensor<?x4096xf32> {
  %y = norm.layer_norm %x scale(%g : tensor<4096xf32>) bias(%b : tensor<4096xf32>) : tensor<?x4096xf32> -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
func.func @layer_wide(%x: tensor<4096x8192xf32>, %g: tensor<8192xf32>, %b: tensor<8192xf32>) -> tensor<4096x8192xf32> {
  %y = norm.layer_norm %x scale(%g : tensor<8192xf32>) bias(%b : tensor<8192xf32>) : tensor<4096x8192xf32> -> tensor<4096x8192xf32>
  return %y : tensor<4096x8192xf32>
}
func.func @rms_small(%x: tensor<80x128xf32>, %g: tensor<128xf32>) -> tensor<80x128xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<128xf32>) : tensor<80x128xf32> -> tensor<80x128xf32>
  return %y : tensor<80x128xf32>
}
