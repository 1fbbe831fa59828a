// REQUIRES: cuda-toolkit
// The norm kernels as PTX: 16-byte vector loads and stores, warp shuffles,
// a block barrier only where warps combine, and no local memory (the row
// lives in registers). Lowering needs libdevice, not a GPU.
// RUN: norm-opt %s --norm-lower-to-nvvm | %extract_ptx | FileCheck %s
// RUN: norm-opt %s --norm-lower-to-nvvm | FileCheck %s --check-prefix=HOST
// RUN: not norm-opt %s --norm-lower-to-nvvm="cuda-path=%t.missing" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NOLIB

// HOST-LABEL: llvm.func @rms_block_per_row(
// HOST: llvm.call @mgpuMemAlloc
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @rms_block_per_row_kernel::@rms_block_per_row_kernel
// HOST: gpu.binary @rms_block_per_row_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80", link = ["{{.*}}/nvvm/libdevice/libdevice.10.bc"]>
// NOLIB: error: CUDA libdevice not found at '{{.*}}.missing/nvvm/libdevice/libdevice.10.bc'

// One block of 256 threads per row of 4096 f32: 4 float4 per thread.
// CHECK-LABEL: .entry rms_block_per_row_kernel(
// CHECK-COUNT-4: ld.global.v4.b32
// CHECK: shfl.sync.bfly.b32
// CHECK: bar.sync
// CHECK: rsqrt.approx
// CHECK-COUNT-4: st.global.v4.b32
// CHECK-NOT: .local
// CHECK: ret;
func.func @rms_block_per_row(%x: tensor<?x4096xf32>, %g: tensor<4096xf32>) -> tensor<?x4096xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<4096xf32>) : tensor<?x4096xf32> -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}

// One warp per row of 1024 bf16 (8 per 16-byte load): shuffles only.
// CHECK-LABEL: .entry layer_warp_per_row_kernel(
// CHECK-COUNT-4: ld.global.v4.b32
// CHECK-NOT: bar.sync
// CHECK: shfl.sync.bfly.b32
// CHECK-NOT: bar.sync
// CHECK: st.global.v4.b32
// CHECK-NOT: .local
// CHECK: ret;
func.func @layer_warp_per_row(%x: tensor<?x1024xbf16>, %g: tensor<1024xbf16>, %b: tensor<1024xbf16>) -> tensor<?x1024xbf16> {
  %y = norm.layer_norm %x scale(%g : tensor<1024xbf16>) bias(%b : tensor<1024xbf16>) : tensor<?x1024xbf16> -> tensor<?x1024xbf16>
  return %y : tensor<?x1024xbf16>
}

// Rows too long for registers are streamed, still with vector loads.
// CHECK-LABEL: .entry rms_streamed_kernel(
// CHECK: ld.global.v4.b32
// CHECK: shfl.sync.bfly.b32
// CHECK-NOT: .local
// CHECK: ret;
func.func @rms_streamed(%x: tensor<?x65536xf32>) -> tensor<?x65536xf32> {
  %y = norm.rms_norm %x : tensor<?x65536xf32> -> tensor<?x65536xf32>
  return %y : tensor<?x65536xf32>
}
