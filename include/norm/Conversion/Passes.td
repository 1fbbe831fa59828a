//===- Passes.td - norm conversion passes ------------------*- tablegen -*-===//

#ifndef NORM_CONVERSION_PASSES_TD
#define NORM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNormToLinalg : Pass<"convert-norm-to-linalg"> {
  let summary = "Decompose norm ops into linalg on tensors";
  let description = [{
    Rewrites every `norm.rms_norm` and `norm.layer_norm` into `linalg.fill`
    and `linalg.generic` ops on tensors: reductions over the normalized axes
    into per-row accumulators of the compute type, a per-row elementwise op
    that turns them into the inverse RMS / standard deviation, and one
    elementwise op over the input that normalizes, applies the affine
    parameters and converts back to the input element type. LayerNorm uses
    two passes over the row (mean, then centered sum of squares) for
    numerical robustness. Rows whose sums overflow the compute type are
    summed again scaled by a power of two, in an `scf.if` that only calls
    holding such a row enter. Statistics results are reshaped views of the
    per-row tensors. Works for any axes set, dynamic dims and empty tensors.

    The gradient ops (`norm.rms_norm_grad`, `norm.layer_norm_grad`) become
    the same per-row statistics (saved, or recomputed as above), per-row
    sums of `dy * scale` and `dy * scale * xhat`, one elementwise op for the
    input gradient and one reduction over the rows per parameter gradient.
  }];
  let options = [
    Option<"overflowGuard", "overflow-guard", "bool", /*default=*/"true",
           "Sum rows whose moments overflow the compute type again, scaled "
           "by a power of two (an scf.if on the host)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertNormToGPU : Pass<"convert-norm-to-gpu"> {
  let summary = "Rewrite norm ops into row-parallel gpu.launch kernels";
  let description = [{
    Rewrites every `norm.rms_norm` and `norm.layer_norm` whose normalized
    axes are the trailing dims (run `norm-trailing-axes` first) into one
    `gpu.launch` over the rows of its input, viewed as [rows, features]:
    one warp per row when a row is at most 8 vectors per lane, else one
    block of `threads-per-block` threads per row. Lanes load 16-byte
    vectors (`vector.load` with alignment, which becomes `ld.global.v4`),
    keep the row in registers when it is static and at most
    `max-elements-per-thread` elements per lane (x is then read once),
    accumulate in the compute type, and reduce with `gpu.shuffle xor`
    butterflies and, across warps, shared memory. Operands enter through
    `bufferization.to_buffer`, results are `memref.alloc` buffers returned
    through `bufferization.to_tensor`, so one-shot bufferization finishes
    the job.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"::mlir::norm::kDefaultThreadsPerBlock",
           "Threads per block (a multiple of 32)">,
    Option<"maxElementsPerThread", "max-elements-per-thread", "int64_t",
           /*default=*/"64",
           "Most row elements one thread keeps in registers">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // NORM_CONVERSION_PASSES_TD
