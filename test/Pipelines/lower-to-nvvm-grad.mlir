// REQUIRES: cuda-toolkit
// The gradient ops through norm-lower-to-nvvm: no row kernels of their own
// yet, their linalg form (without the CPU's overflow guard, whose scf.if
// would read device memory on the host) mapped to GPU threads like the
// other linalg ops: one thread per row for the row sums, one per feature
// for the parameter gradients, one for the reductions without a parallel
// dim (norm-gpu-serial-reductions).
// RUN: norm-opt %s --norm-lower-to-nvvm | %extract_ptx | FileCheck %s
// RUN: norm-opt %s --norm-lower-to-nvvm | FileCheck %s --check-prefix=HOST

// HOST-LABEL: llvm.func @layer_grad(
// HOST-NOT: scf.if
// HOST: gpu.launch_func
// HOST: gpu.binary @layer_grad_kernel
// CHECK-LABEL: .entry layer_grad_kernel(
// CHECK: ld.global
// CHECK: rsqrt.approx
// CHECK: st.global
// CHECK: ret;
func.func @layer_grad(%dy: tensor<?x1024xf32>, %x: tensor<?x1024xf32>, %g: tensor<1024xf32>, %b: tensor<1024xf32>) -> (tensor<?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) {
  %dx, %dg, %db = norm.layer_norm_grad %dy, %x scale(%g : tensor<1024xf32>) bias(%b : tensor<1024xf32>) : tensor<?x1024xf32> -> tensor<?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>
  return %dx, %dg, %db : tensor<?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>
}

// A single row (no kept dim) and a fully broadcast scale: reductions without
// a parallel loop become one thread's loop.
// HOST-LABEL: llvm.func @single_row(
// HOST: gpu.launch_func
// CHECK-LABEL: .entry single_row_kernel(
func.func @single_row(%dy: tensor<?xbf16>, %x: tensor<?xbf16>, %g: tensor<1xf32>) -> (tensor<?xbf16>, tensor<1xf32>) {
  %dx, %dg = norm.rms_norm_grad %dy, %x scale(%g : tensor<1xf32>) : tensor<?xbf16> -> tensor<?xbf16>, tensor<1xf32>
  return %dx, %dg : tensor<?xbf16>, tensor<1xf32>
}
