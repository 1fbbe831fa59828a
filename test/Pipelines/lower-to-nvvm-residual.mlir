// REQUIRES: cuda-toolkit
// The fused residual ops through norm-lower-to-nvvm: the sum is a linalg op
// mapped to GPU threads, then the row kernel normalizes it; the gradient's
// sum_grad and residual_grad are part of its linalg form. (The sum is not
// yet fused into the row kernel on the GPU.)
// RUN: norm-opt %s --norm-lower-to-nvvm | %extract_ptx | FileCheck %s
// RUN: norm-opt %s --norm-lower-to-nvvm | FileCheck %s --check-prefix=HOST

// HOST-LABEL: llvm.func @fused(
// HOST-COUNT-2: gpu.launch_func
// HOST-LABEL: llvm.func @fused_grad(
// HOST: gpu.launch_func
// CHECK: .entry
// CHECK: add.rn.f32
// CHECK: rsqrt.approx
// CHECK: st.global
func.func @fused(%x: tensor<?x1024xbf16>, %r: tensor<?x1024xbf16>, %g: tensor<1024xbf16>) -> (tensor<?x1024xbf16>, tensor<?x1024xbf16>) {
  %y, %s = norm.add_rms_norm %x, %r scale(%g : tensor<1024xbf16>) {residual_scale = 2.0 : f64} : tensor<?x1024xbf16> -> tensor<?x1024xbf16>, tensor<?x1024xbf16>
  return %y, %s : tensor<?x1024xbf16>, tensor<?x1024xbf16>
}

func.func @fused_grad(%dy: tensor<?x1024xf32>, %ds: tensor<?x1024xf32>, %s: tensor<?x1024xf32>, %g: tensor<1024xf32>) -> (tensor<?x1024xf32>, tensor<?x1024xf32>, tensor<1024xf32>) {
  %dx, %dr, %dg = norm.add_layer_norm_grad %dy, %s sum_grad(%ds : tensor<?x1024xf32>) scale(%g : tensor<1024xf32>) {residual_scale = 0.5 : f64} : tensor<?x1024xf32> -> tensor<?x1024xf32>, tensor<?x1024xf32>, tensor<1024xf32>
  return %dx, %dr, %dg : tensor<?x1024xf32>, tensor<?x1024xf32>, tensor<1024xf32>
}
