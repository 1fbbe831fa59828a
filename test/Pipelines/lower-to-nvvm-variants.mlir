// REQUIRES: cuda-toolkit
// The variants in the row kernels (the same createAffine as the CPU
// lowering). llama: xhat (an f32 multiply) is rounded to the input type,
// then multiplied by the scale in it (LLVM turns the f32 multiply of two
// rounded halves, rounded again, into the half multiply it equals);
// compute rounds once, after the f32 multiply by the scale. scale_offset
// adds 1.0 (0f3F800000) to the converted scale.
// RUN: norm-opt %s --split-input-file --norm-lower-to-nvvm | %extract_ptx | FileCheck %s

// CHECK-LABEL: .entry llama_kernel(
// CHECK: mul.rn.f32
// CHECK: cvt.rn.f16x2.f32
// CHECK: mul.rn.f16x2
// CHECK: st.global
func.func @llama(%x: tensor<?x1024xf16>, %g: tensor<1024xf16>) -> tensor<?x1024xf16> {
  %y = norm.rms_norm %x scale(%g : tensor<1024xf16>) {casting = #norm.casting<llama>} : tensor<?x1024xf16> -> tensor<?x1024xf16>
  return %y : tensor<?x1024xf16>
}

// -----

// CHECK-LABEL: .entry compute_kernel(
// CHECK-NOT: mul.rn.f16x2
// CHECK: cvt.rn.f16x2.f32
// CHECK-NOT: mul.rn.f16x2
// CHECK: st.global
func.func @compute(%x: tensor<?x1024xf16>, %g: tensor<1024xf16>) -> tensor<?x1024xf16> {
  %y = norm.rms_norm %x scale(%g : tensor<1024xf16>) : tensor<?x1024xf16> -> tensor<?x1024xf16>
  return %y : tensor<?x1024xf16>
}

// -----

// CHECK-LABEL: .entry scale_offset_kernel(
// CHECK: add.rn.f32 {{.*}}0f3F800000
// CHECK: st.global
func.func @scale_offset(%x: tensor<?x1024xf32>, %g: tensor<1024xf32>) -> tensor<?x1024xf32> {
  %y = norm.layer_norm %x scale(%g : tensor<1024xf32>) {scale_offset} : tensor<?x1024xf32> -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
