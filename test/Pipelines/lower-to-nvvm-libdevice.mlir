// REQUIRES: cuda-toolkit
// Every libdevice function the kernels call is linked and inlined: no
// `.extern .func __nv_*` is left for the driver's PTX JIT to reject. Without a
// CUDA toolkit lit links test/Inputs/libdevice-stub instead of libdevice; when
// this fails there, the lowering or the example block calls a function the
// stand-in lacks: define it in test/Inputs/libdevice-stub/libdevice.ll.
// RUN: norm-opt %s --norm-lower-to-nvvm | %extract_ptx | FileCheck %s
// RUN: norm-opt %norm_src_root/examples/transformer_block/tiny.mlir --norm-lower-to-nvvm \
// RUN:   | %extract_ptx | FileCheck %s --check-prefix=BLOCK

// CHECK-NOT: __nv_
// CHECK: .entry rms_f32_kernel(
// CHECK-NOT: __nv_
// CHECK: .entry layer_f64_kernel(
// CHECK-NOT: __nv_
func.func @rms_f32(%x: tensor<?x1024xf32>) -> tensor<?x1024xf32> {
  %y = norm.rms_norm %x : tensor<?x1024xf32> -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
func.func @layer_f64(%x: tensor<?x1024xf64>) -> tensor<?x1024xf64> {
  %y = norm.layer_norm %x : tensor<?x1024xf64> -> tensor<?x1024xf64>
  return %y : tensor<?x1024xf64>
}

// The block's softmax (math.exp) and both norms.
// BLOCK-NOT: __nv_
// BLOCK: .entry
// BLOCK-NOT: __nv_
