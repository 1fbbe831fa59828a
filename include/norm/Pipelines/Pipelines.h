//===- Pipelines.h - norm's named lowering pipelines --------------*- C++
//-*-===//

#ifndef NORM_PIPELINES_PIPELINES_H
#define NORM_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;

namespace norm {

/// Options of `norm-lower-to-cpu`.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<int64_t> vectorSize{
      *this, "vector-size",
      llvm::cl::desc("Elements per vector tile along the innermost loop "
                     "(a multiple of the hardware vector width keeps several "
                     "accumulators in flight)"),
      llvm::cl::init(32)};
  PassOptions::Option<int64_t> matmulRows{
      *this, "matmul-rows",
      llvm::cl::desc("Output rows of a contraction's register block"),
      llvm::cl::init(6)};
  PassOptions::Option<int64_t> matmulCols{
      *this, "matmul-cols",
      llvm::cl::desc("Output columns of a contraction's register block"),
      llvm::cl::init(32)};
  PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run row tasks on all cores with MLIR's async runtime "
                     "(the JIT must load libmlir_async_runtime.so)"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> minTaskBytes{
      *this, "min-task-bytes",
      llvm::cl::desc("With parallel: the least memory traffic of one task; "
                     "smaller tensors run as one task on the calling thread"),
      llvm::cl::init(1 << 18)};
  PassOptions::Option<bool> streamingStores{
      *this, "streaming-stores",
      llvm::cl::desc("Write large returned buffers with non-temporal stores "
                     "(norm-streaming-stores)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> prefetch{
      *this, "prefetch",
      llvm::cl::desc("Prefetch the next row while a row is processed "
                     "(norm-prefetch-next-row)"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> innerTile{
      *this, "inner-tile",
      llvm::cl::desc("Row tile of the innermost dim when it is not "
                     "normalized"),
      llvm::cl::init(16)};
};

/// Lowers a module of func + norm (+ linalg/tensor/arith/math) ops to the LLVM
/// dialect for the host CPU: norm ops are split into rows, decomposed into
/// linalg, tiled to vector-sized pieces and vectorized, bufferized, and
/// lowered to LLVM.
void buildNormLowerToCPUPipeline(OpPassManager &pm,
                                 const CPUPipelineOptions &options);

/// Registers norm's named pipelines with the pass registry.
void registerNormPipelines();

} // namespace norm
} // namespace mlir

#endif // NORM_PIPELINES_PIPELINES_H
