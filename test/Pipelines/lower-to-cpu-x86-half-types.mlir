// What LLVM's X86 backend makes of half-type norms lowered by
// norm-lower-to-cpu: non-temporal stores of bf16 and f16 results (LLVM 22
// drops the non-temporal hint of bfloat and half vector stores, which
// norm-half-vector-stores works around), and, with expand-bf16, no per-element
// library call to narrow f32 to bf16 on a CPU without avx512bf16.
// RUN: norm-opt %s --norm-lower-to-cpu='vector-size=64 x86-avx512bf16=1' | mlir-translate --mlir-to-llvmir \
// RUN:   | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=sapphirerapids | FileCheck %s --check-prefix=NATIVE
// RUN: norm-opt %s --norm-lower-to-cpu='vector-size=32 expand-bf16=1' | mlir-translate --mlir-to-llvmir \
// RUN:   | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=haswell | FileCheck %s --check-prefix=AVX2
// RUN: norm-opt %s --norm-lower-to-cpu='vector-size=32' | mlir-translate --mlir-to-llvmir \
// RUN:   | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=haswell | FileCheck %s --check-prefix=LIBCALL

// NATIVE-LABEL: rms_bf16:
// The statistics pass widens with a shift and a mask (norm-unordered-widening)
// and sums squares with FMAs (norm-accumulate-with-fma), no shuffle.
// NATIVE:         .LBB0_{{[0-9]+}}:{{.*}}Parent Loop
// NATIVE-NOT:     vpmovzxwd
// NATIVE:         vpslld $16, %zmm
// NATIVE-NOT:     vpmovzxwd
// NATIVE:         vpand{{d|q}} %zmm
// NATIVE-NOT:     vpmovzxwd
// NATIVE:         vfmadd231ps %zmm
// The output pass narrows two registers at a time (norm-paired-bf16-narrowing).
// NATIVE-NOT:     vcvtneps2bf16
// NATIVE:         vcvtne2ps2bf16 %zmm{{[0-9]+}}, %zmm{{[0-9]+}}, %zmm
// NATIVE-NOT:     vcvtneps2bf16
// NATIVE:         vmovnt{{dq|ps}} %zmm
// NATIVE-LABEL: layer_f16:
// NATIVE:         vcvtps2ph
// NATIVE:         vmovnt{{dq|ps}} %zmm
// AVX2-LABEL: rms_bf16:
// AVX2-NOT:     __truncsfbf2
// AVX2:         vmovnt{{dq|ps}} %ymm
// AVX2-NOT:     __truncsfbf2
// AVX2-LABEL: layer_f16:
// Without expand-bf16 the narrowing is one call per element.
// LIBCALL-LABEL: rms_bf16:
// LIBCALL:         __truncsfbf2
func.func @rms_bf16(%x: tensor<1024x1024xbf16>, %g: tensor<1024xbf16>) -> tensor<1024x1024xbf16> {
  %y = norm.rms_norm %x scale(%g : tensor<1024xbf16>) : tensor<1024x1024xbf16> -> tensor<1024x1024xbf16>
  return %y : tensor<1024x1024xbf16>
}

func.func @layer_f16(%x: tensor<1024x1024xf16>, %g: tensor<1024xf16>) -> tensor<1024x1024xf16> {
  %y = norm.layer_norm %x scale(%g : tensor<1024xf16>) : tensor<1024x1024xf16> -> tensor<1024x1024xf16>
  return %y : tensor<1024x1024xf16>
}
