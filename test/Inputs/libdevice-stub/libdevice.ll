; Test-only stand-in for CUDA's libdevice (nvvm/libdevice/libdevice.10.bc).
;
; NOT libdevice and never used by norm's tools: test/CMakeLists.txt assembles
; it into <build>/test/cuda-stub/nvvm/libdevice/libdevice.10.bc, and lit uses
; that directory as CUDA_HOME only where no real CUDA toolkit is found, so that
; the PTX lowering tests (lit feature `cuda-toolkit`) also run on machines and
; CI without NVIDIA's toolkit. Execution tests (`gpu`) and ptxas (`ptxas`)
; still need the real toolkit.
;
; It defines exactly the __nv_* functions that norm-lower-to-nvvm emits for the
; norm ops and the example transformer block (math.rsqrt, math.exp); a kernel
; that calls one missing here keeps an `.extern .func __nv_...` in its PTX,
; which test/Pipelines/lower-to-nvvm-libdevice-stub.mlir checks for. The
; bodies are simple approximations, good enough to compile, never meant to run.

target datalayout = "e-p6:32:32-i64:64-i128:128-i256:256-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

define float @__nv_rsqrtf(float %x) #0 {
  %r = call float @llvm.nvvm.rsqrt.approx.f(float %x)
  ret float %r
}

define double @__nv_rsqrt(double %x) #0 {
  %s = call double @llvm.sqrt.f64(double %x)
  %r = fdiv double 1.0, %s
  ret double %r
}

; exp(x) = 2^(x * log2(e))
define float @__nv_expf(float %x) #0 {
  %t = fmul float %x, 0x3FF7154760000000
  %r = call float @llvm.nvvm.ex2.approx.f32(float %t)
  ret float %r
}

declare float @llvm.nvvm.rsqrt.approx.f(float)
declare double @llvm.sqrt.f64(double)
declare float @llvm.nvvm.ex2.approx.f32(float)

attributes #0 = { alwaysinline nounwind }
